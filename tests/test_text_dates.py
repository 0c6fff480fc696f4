"""Dates as people type them: the day a question is about, or None when it names none."""
from datetime import date

import pytest

from bot.knowledge import load
from bot.text_dates import BadDate, find_date

TUESDAY = date(2026, 11, 24)


@pytest.mark.parametrize("text, day", [
    ("12가3456 내일 운행돼?", date(2026, 11, 25)),
    ("모레 서울 비저?", date(2026, 11, 26)),
    ("오늘 12가3456", TUESDAY), ("is it on today", TUESDAY),
    ("12월 3일 비상저감조치 일정", date(2026, 12, 3)),
    ("12/3 운행", date(2026, 12, 3)),
    ("can I drive on Dec 3", date(2026, 12, 3)),
    ("12가3456 on the 15th of december?", date(2026, 12, 15)),  # these four were today
    ("december 15th", date(2026, 12, 15)),
    ("15 Dec.", date(2026, 12, 15)),
    ("jan. 2nd", date(2027, 1, 2)),
    ("낼 서울 비저?", date(2026, 11, 25)),
    ("내차끝자리7인데낼관공서주차돼?", date(2026, 11, 25)),  # glued after 인데: it was today
    ("1월 5일", date(2027, 1, 5)),  # a month already past this year means next year's
    # a day of the week: the next such day, today included; 이번주 / 다음주 count weeks from Monday
    ("12가3457 다음주 월요일 청사 주차 가능?", date(2026, 11, 30)),
    ("월요일 운행돼?", date(2026, 11, 30)),
    ("화요일", TUESDAY),
    ("이번주 금요일", date(2026, 11, 27)),
    ("다음 주 화요일", date(2026, 12, 1)),
    ("담주 수요일", date(2026, 12, 2)),
    ("다다음주 월요일", date(2026, 12, 7)),
    ("이번주 토욜 12가3456 운행돼?", date(2026, 11, 28)),  # 토욜 is chat for 토요일
    ("can I drive next monday", date(2026, 11, 30)),
    ("on friday", date(2026, 11, 27)),
    ("this sunday", date(2026, 11, 29)),
    ("지난주 금욜 부산 예저 내려졌었나여", date(2026, 11, 20)),  # last week's: the registry's past (probe p55)
    ("was there a measure in busan last friday", date(2026, 11, 20)),
])
def test_the_day_a_question_is_about(text, day):
    assert find_date(text, TUESDAY) == day


@pytest.mark.parametrize("text", ["일요일도 2부제 해?", "토욜에도 운행제한 걸림?", "결과보고 기한에 토요일 공휴일 포함돼?", "토요일·일요일 점검해?", "15일 셀때 토요일이랑 공휴일도 포함?", "토요일하고 일요일 점검해?", "토요일마다 점검해?", "보고 마감이 일요일이면?", "매주 월요일 회의",
                                  "who decided 5 stages", "직원들한테 보낼 2부제 문자 예시",  # no December 5th, no 낼
                                  "does it apply on saturdays", "every monday", "비상저감조치 기준"])
def test_texts_that_name_no_day(text):
    """'일요일도', '토요일마다', 'saturdays' ask about such days in general, not about one of them; 'decided' holds
    no month and 보낼 (to send) no 낼 (tomorrow)."""
    assert find_date(text, TUESDAY) is None


@pytest.mark.parametrize("text", ["2026-02-30", "9999-12-31", "0001-01-01", "1999년 12월 1일"])
def test_a_full_date_no_calendar_has_is_an_error(text):
    """A day that does not exist, or one outside the years the holiday calendar covers (2000–2100)."""
    with pytest.raises(BadDate):
        find_date(text, TUESDAY)


@pytest.mark.parametrize("text, day", [
    ("12가3456 크리스마스에 운행돼?", date(2026, 12, 25)),
    ("성탄절 서울 비저?", date(2026, 12, 25)),
    ("is 12가3456 allowed on christmas", date(2026, 12, 25)),
    ("크리스마스 이브", date(2026, 12, 24)),  # no holiday: the day before
    ("123가4567 설날 운행?", date(2027, 2, 7)),  # the lunar calendar's, from the offline calendar
    ("추석 연휴 운행돼?", date(2027, 9, 15)),
    ("설연휴 12가3456 청사 주차 돼?", date(2027, 2, 7)),  # 설 연휴 without 날
    ("삼일절", date(2027, 3, 1)),
    ("12가3456 어제 운행 가능했어?", date(2026, 11, 23)),
    ("그저께", date(2026, 11, 22)),
])
def test_a_holiday_by_its_name_and_yesterday(text, day):
    assert find_date(text, TUESDAY, load().synonyms["holidays"]) == day


@pytest.mark.parametrize("text", ["추석마다 2부제 쉬어?", "결과보고 기한에 추석이 끼면?", "설연휴 껴있으면 보고기한 늘어나?",
                                  "추석 연휴 포함해서 15일이야?"])
def test_a_holiday_in_general_names_no_day(text):
    """Every year's holiday, or a holiday falling within a period (how a deadline counts): no day to answer for."""
    assert find_date(text, TUESDAY, load().synonyms["holidays"]) is None
