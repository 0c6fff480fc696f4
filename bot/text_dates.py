"""Dates as people type them in a question: 오늘, 내일, 모레, 어제, 12월 3일, 12/3, 2026-12-03, tomorrow, Dec 3,
다음주 월요일, next friday, 크리스마스, 설날."""
from __future__ import annotations

import re
from datetime import date, timedelta

from .korean_holidays import covers, next_named

RELATIVE = [
    (re.compile(r"글피"), 3), (re.compile(r"모레|the day after tomm?orr?ow"), 2),
    (re.compile(r"내일|tomm?orr?ow|tmrw|(?:(?<![가-힣])|(?<=데))낼"), 1),  # not 보낼 (to send), but typed glued after 인데: 끝자리7인데낼
    (re.compile(r"오늘|today|tonight|지금|\bnow\b"), 0),  # not k-now, s-now
    (re.compile(r"그저께|그제|the day before yesterday"), -2), (re.compile(r"어제|yesterday"), -1),
]
DAY_WORDS = "|".join(p.pattern for p, _ in RELATIVE)  # 오늘, 내일, 어제 … as one pattern
YEAR_DIGITS = r"(?:19|20)\d\d"  # a year as typed in a question: 2023 (the documents are of 2019–2020)
# A day of a parity named ("짝수날", "홀수일", "an even day", "odd-numbered days"; "odd or even" asks which): group 1 or
# 2 is the parity, none for "odd or even"
DAY_PARITY = re.compile(r"(짝수|홀수)\s*(?:날|일)|\b(even|odd)(?:-numbered)?\s+(?:day|date)s?\b|\bodd or even\b")
ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
KO = re.compile(r"(?:(\d{4})\s*년\s*)?(\d{1,2})\s*월\s*(\d{1,2})\s*일")
SLASH = re.compile(r"(?<![\d가-힣])(\d{1,2})/(\d{1,2})(?![\d/])")
MONTHS = {m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
# a month by its name or abbreviation only ("decided 5" is no December 5th); the day with or without st/nd/rd/th,
# after the month (Dec 3, december 15th) or before it (15 december, the 15th of december)
MONTH = (r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
         r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?")
DAY = r"(\d{1,2})(?:st|nd|rd|th)?\b"
EN = re.compile(rf"\b{MONTH}\s*{DAY}|\b{DAY}\s+(?:of\s+)?{MONTH}", re.I)

# A day of the week: alone the next such day (today included); 이번주/this its day this week (Monday first),
# 다음주/next next week's, 지난주/last last week's. Not 일요일도, 토요일마다, 일요일이면, saturdays, nor 토요일·공휴일 or
# 토요일 일요일 (a list): those ask about such days in general.
WEEK = {"지난": -1, "저번": -1, "last": -1, "이번": 0, "금": 0, "this": 0, "다음": 1, "담": 1, "next": 1, "다다음": 2}
KO_DAYS, EN_DAYS = "월화수목금토일", ["mon", "tues", "wednes", "thurs", "fri", "satur", "sun"]
KO_WEEKS = "|".join(sorted((w for w in WEEK if not w.isascii()), key=len, reverse=True))  # 다다음 before 다음
EN_WEEKS, EN_WEEKDAY = "|".join(w for w in WEEK if w.isascii()), rf"({'|'.join(EN_DAYS)})day\b"
WEEKDAY_KO = re.compile(rf"(?<!매주)(?<!매주 )(?<![·,/])(?<![·,/] )(?<!요일)(?<!요일 )(?<!및 )(?<!하고 )(?<!랑 )(?<![과와] )"
                        rf"(?:({KO_WEEKS})\s*주\s*)?([{KO_DAYS}])(?:요일|욜)"
                        rf"(?!\s*(?:도|에도|마다|이면|면|들|만|[·,/]|및|이나|과|와|랑|이랑|하고|[{KO_DAYS}](?:요일|욜)|공휴일|휴일))")
WEEKDAY_EN = re.compile(rf"(?<!every )\b(?:({EN_WEEKS})\s+)?{EN_WEEKDAY}(?!s)")
# A weekday with its week ("지난주 금욜", "next monday"): always one day, never such days in general
WEEKDAY_OF_A_WEEK = rf"(?:{KO_WEEKS})\s*주\s*[{KO_DAYS}](?:요일|욜)|\b(?:{EN_WEEKS})\s+{EN_WEEKDAY}"


class BadDate(ValueError):
    """A date written out in full (2026-13-45, 12월 32일) that no calendar has: the question is about that day,
    so answering for today instead would be a wrong answer."""

    def __init__(self, text: str):
        super().__init__(f"{text!r} is not a date")
        self.text = text


def holiday_pattern(name: str) -> str:
    """A holiday's name as typed: a space in a Korean name may be left out (성 탄 절 is 성탄절 too)."""
    parts = [re.escape(p) for p in name.split(" ")]
    return (r"\s*" if re.search("[가-힣]", name) else r"\s+").join(parts)


def find_date(text: str, today: date, holidays: dict[str, list[str]] | None = None) -> date | None:
    """The first date mentioned in `text`, resolved against `today`; None if there is none.

    A month/day without a year means the next such day (today included), since people ask ahead; so does a
    holiday's name, given `holidays` (calendar name → words, knowledge/synonyms.yaml): 크리스마스, 설날.
    BadDate for a full date that does not exist (shorter forms such as 13/45 may be something else).
    """
    low = text.lower()
    for pattern in (ISO, KO):
        m = pattern.search(low)
        if m:
            found = (_safe(int(m[1]), int(m[2]), int(m[3])) if pattern is ISO
                     else _ahead(today, int(m[2]), int(m[3]), int(m[1]) if m[1] else None))
            if found is None:
                raise BadDate(m[0])
            return found
    m = EN.search(low)
    if m:
        month, day = (m[1], m[2]) if m[1] else (m[4], m[3])
        return _ahead(today, MONTHS[month[:3]], int(day), None)
    m = SLASH.search(low)
    if m:
        return _ahead(today, int(m[1]), int(m[2]), None)
    for name, words in (holidays or {}).items():
        # 설 연휴 is the holiday itself (each of its days is off alike); 크리스마스 이브 the day before; no day in
        # 추석마다 (every year) or 추석이 끼면 (a holiday within a period: how deadlines count, not a date)
        m = re.search(rf"(?:{'|'.join(map(holiday_pattern, words))})"
                      r"(?!\s*(?:연휴\s*)?(?:마다|(?:이|가|을|를|도)?\s*(?:끼|껴|포함)))(\s*(?:이브|eve\b))?", low)
        if m:
            day = next_named(name, today + timedelta(days=1 if m[1] else 0))
            return day - timedelta(days=1) if day and m[1] else day
    for pattern, days in ((WEEKDAY_KO, KO_DAYS), (WEEKDAY_EN, EN_DAYS)):
        m = pattern.search(low)
        if m:
            weekday = days.index(m[2])
            if m[1] is None:
                return today + timedelta(days=(weekday - today.weekday()) % 7)
            return today + timedelta(days=weekday - today.weekday() + 7 * WEEK[m[1]])
    for pattern, offset in RELATIVE:
        if pattern.search(low):
            return today + timedelta(days=offset)
    return None


def names_calendar_day(text: str) -> bool:
    """Whether `text` writes a day of the calendar out (12월 25일, 2026-12-25, 12/25, Dec 25), not 내일 or 금요일."""
    low = text.lower()
    return any(p.search(low) for p in (ISO, KO, SLASH, EN))


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        day = date(y, m, d)
    except ValueError:
        return None
    return day if covers(day) else None


def _ahead(today: date, month: int, day: int, year: int | None) -> date | None:
    if year:
        return _safe(year, month, day)
    candidate = _safe(today.year, month, day)
    if candidate and candidate < today - timedelta(days=31):
        candidate = _safe(today.year + 1, month, day)
    return candidate
