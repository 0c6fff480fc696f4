"""'Is it on?' — whether a measure is issued for a 시·도, from the official registry in the store."""
from __future__ import annotations

import re
from datetime import date

from bot.checklists import display
from bot.i18n import reason_text, show
from bot.korean_holidays import day_off, known as known_holidays
from bot.rules import issuance as rules, unique_citations, vehicle
from bot.reply import Reply
from bot.router import handles
from bot.text_dates import DAY_PARITY, DAY_WORDS, WEEKDAY_OF_A_WEEK, YEAR_DIGITS, names_calendar_day

# ... a weekday qualified as this or next week's ("이번주 금요일", "next monday") is one coming day too; a weekday
# alone may ask about such days in general ("토요일 2부제 해?")
TIME_WORD = re.compile(rf"{DAY_WORDS}|현재|currently|right now|\brn\b|{WEEKDAY_OF_A_WEEK}")
MEASURE_WORD = re.compile(r"비상|예비|저감|비저|예저|미세먼지\s*조치|2부제|이부제|홀짝|emergency(?!\s*vehicle)|preliminary|odd[- ]?even|measure")
# The measure's name as a whole, so that "서울 비저" or "seoul emergency measure" leaves the 시·도 alone
MEASURE_NAME = re.compile(r"(?:(?:비상|예비)\s*)?저감(?:\s*조치)?|비저|예저|미세먼지\s*조치|(?:emergency|preliminary)(?:\s*reduction)?(?:\s*measures?)?|"
                          r"(?:reduction\s*)?measures?|(?:차량\s*)?(?:2부제|이부제|홀짝제?)|odd[- ]?even(?:\s*rule)?")
# 'Has it been issued', as typed: also what HAPPENED reads without a time word
ISSUED = r"떴|떳|뜸|뜨나|뜬|뜰까|떠\?|됐|되었|내려졌|내려짐|issued"
# "is daegu under a preliminary measure", "is there an emergency measure in seoul"; not "banned under seoul's grade 5
# restriction" (a rule, the FAQ's) nor "is there any discount on the 교통유발부담금" in seoul
MEASURE_AHEAD = r"(?:an?\s+|any\s+|the\s+)?(?:emergency|preliminary|reduction|measure|비상|예비|비저|예저)"
UNDER, THERE = rf"\bunder\s+{MEASURE_AHEAD}", rf"\b(?:is|are) there\s+(?:[a-z]+\s+){{0,2}}?{MEASURE_AHEAD}"
STATE_WORD = re.compile(rf"발령|시행|예정|{ISSUED}|끝났|나와|나오나|나옴|나올까|야\b|야\?|임\?|이야|인가|인지|하나|하냐|하니|함\?|해\?|해요|했|였|돼\?|중|"
                        rf"있(?:어|음|나|냐|니|을까|었)|in effect|\bon\b|active|appl(?:y|ies)|\bthere?\b|\bany\b|{UNDER}|\bwas\b")
# The odd-even rule named: the seasonal public scheme runs without any measure, so its day is told as well
ODD_EVEN = re.compile(r"2부제|이부제|홀짝|odd[- ]?even|seasonal (?:public )?scheme")
# A day's parity asked of a day (DAY_PARITY: "내일 짝수날이야?", "is today odd or even"): the rule's plates for that day as well
# ... but not of a car's ("오늘 홀수날이고 내차 끝번호 짝수야 주차 못해?" asks whether that car may enter: the FAQ)
CAR_WORD = re.compile(r"끝\s*(?:번호|자리|숫자)|번호판|차량\s*번호|내\s*차|\bplate\b|\bmy car\b")
# ... and asked of a day written out ("12월 25일에도 2부제 해?"), it asks whether the scheme runs that day; not a period
# ("12월 1일부터 2부제 해?": the FAQ's dates) nor a plate (the vehicle check)
PERIOD = re.compile(r"부터|까지|시작|끝|마지막|첫날|\b(?:since|until|from|start|begin|end|last day|first day)")  # not "weekend"
# A conditional ('…면', 'if', 'when an emergency measure is issued') asks what a rule says, not what the registry
# holds: 예보 나오면 발령돼? So does a story told first (퇴근했는데 오늘 짝수날임ㅠ … 다시 들어와도 됨?): it sets up a
# situation for the FAQ. Nor does a question about history (처음, 역대, 작년, a year alone, the last time, how many).
NOT_STATUS = re.compile(r"조건|기준|요건|언제 발령|누가|인데|(?<=[했었갔왔뒀났])는데|(?<=[가-힣])면(?![가-힣])|경우|why|condition|"
                        r"criteria|who|\bif\b|\b(?:when|whenever|once)\s+(?:an?|the|there|it|its|it's)\b|"
                        r"처음|최초|역대|\bfirst\b|\bever\b|\blast time\b|지난번|작년|지난\s*(?:해|겨울|시즌)|"
                        r"몇\s*(?:번|회)\s*(?:발령|했|됐|나왔|떴)|how many|\blast (?:year|winter|season)\b|"
                        rf"\bin {YEAR_DIGITS}\b|{YEAR_DIGITS}년(?!\s*\d{{1,2}}\s*월)|벌금|과태료|\bfines?\b(?!\s*dust)|penalt")


FOLLOW_UP = re.compile(r"^(?:그럼|그러면|그리고)(?=\s)|\b(?:how about|what about|and|so|in|for)\b")
PARTICLE = re.compile(r"(?<=[가-힣])(?:은|는|도|이|가|쪽은|쪽|에는|에선|에서는)$")


# The word itself, as the /status command is named: "what's the status in busan", "status", "발령 현황" ...
STATUS = r"sta(?:tus|us|tsu|uts)"  # as typed: staus, statsu
STATUS_WORD = re.compile(rf"^\s*/?{STATUS}\b|\b{STATUS} (?:in|of|for)\b|\b{STATUS}\s*\??\s*$|발령\s*현황")
# ... but how or where to see the status is the FAQ's (AirKorea, the 시·도's text service)
HOW_TO_SEE = re.compile(r"\bhow\b|\bwhere\b|어디|어떻게")

# Without a time word, a 시·도 and a measure that happened ("서울 비저 떴냐") still ask about the registry
HAPPENED = re.compile(rf"{ISSUED}|났|여부|lifted|{THERE}|{UNDER}")  # not 했: "인천 아시안게임 2부제 며칠동안 했어" is history


def _abroad(ctx, low: str) -> bool:
    """Whether the question names a place abroad (knowledge/synonyms.yaml `abroad`): the registry is Korea's 시·도."""
    return any(w in low if re.search(r"[가-힣]", w) else re.search(rf"\b{re.escape(w)}\b", low)
               for group in ctx.kb.synonyms.get("abroad") or [] for w in group)


def _detect(ctx, text):
    low = text.lower()
    if _abroad(ctx, low):
        return None
    # A 시·도 name alone or with the measure's name and a day only ("서울", "부산시?", "내일 경기 비저?") asks for its state;
    # so does one asked the way a follow-up is ("그럼 부산은?", "what about tomorrow in busan")
    rest = FOLLOW_UP.sub(" ", re.sub(r"[?!.\s]+", " ", TIME_WORD.sub("", MEASURE_NAME.sub("", low)))).strip()
    sido = ctx.kb.sido(rest) or ctx.kb.sido(PARTICLE.sub("", rest)) or _by_forecast_region(ctx, PARTICLE.sub("", rest))
    if sido is not None:
        return {"sido": sido, "day": ctx.date_in(text)}
    named = ctx.kb.sidos_in(low)
    if len(named) > 1 and not _without_sidos(ctx, rest):  # "서울이랑 부산", "busan and seoul": each one's state
        return {"sido": named[0], "day": ctx.date_in(text), "more": named[1:]}
    asks_status = STATUS_WORD.search(low) and not HOW_TO_SEE.search(low)
    day_parity = DAY_PARITY.search(low) and not CAR_WORD.search(low)
    of_a_day = (ODD_EVEN.search(low) or day_parity) and names_calendar_day(low) and not PERIOD.search(low)
    if (asks_status or of_a_day or day_parity and TIME_WORD.search(low)) and not NOT_STATUS.search(low):
        return {"sido": next(iter(named), None), "day": ctx.date_in(text), "more": named[1:]}
    if not (MEASURE_WORD.search(low) and STATE_WORD.search(low)) or NOT_STATUS.search(low):
        return None
    # a day written out ("12월 3일 서울 비저야?") is a time word too, though not a period ("12월 1일부터")
    timed = TIME_WORD.search(low) or names_calendar_day(low) and not PERIOD.search(low)
    if not (timed or named and HAPPENED.search(low)):
        return None
    # no time word: today's and the coming days' measures (after 17:15, 'has it been issued' means tomorrow's)
    return {"sido": next(iter(named), None), "day": ctx.date_in(text) or (ctx.today if timed else None),
            "more": named[1:]}


def _by_forecast_region(ctx, rest: str) -> str | None:
    """The 시·도 of a forecast region typed with its province's name ("강원 영동", "경기 북부"): the measure is the
    province's. Not a region alone: 영동 is also a county of 충북."""
    region = ctx.kb.forecast_region(rest)
    sido = ctx.kb.sido_of_forecast_region(region) if region else None
    return sido if sido in ctx.kb.sidos_in(rest) else None


def _without_sidos(ctx, rest: str) -> str:
    """What is left of `rest` once its 시·도 names, the words that join them and their particles are taken out."""
    return re.sub(r"\s+|,|&|\b(?:and|or)\b|(?<![가-힣])(?:이랑|랑|하고|과|와|및|은|는|도|이|가|쪽은|쪽)(?![가-힣])", "",
                  ctx.kb.without_sidos(rest))


@handles("status", _detect)
def answer_status(ctx, text: str, sido: str | None, day, more: list[str] = ()) -> Reply:
    """Whether a 예비/비상저감조치 is recorded for the 시·도 (and any `more` named with it) and day (None: today and
    later), what applies, and when it was decided."""
    records = [r for s in (sido, *more) for r in ctx.store.statuses(sido=s, day=day)] if ctx.store is not None else []
    if day is None:  # the coming days' measures, soonest first
        records = sorted((r for r in records if r["effective_date"] >= ctx.today.isoformat()),
                         key=lambda r: (r["effective_date"], r["sido"]))
        day = ctx.today
    stage4 = next(s for s in ctx.kb.stages if s["number"] == 4)
    where = "·".join(show(ctx.lang, ctx.kb.sido_by_id[s]["name"]) for s in (sido, *more)) if sido else ctx.t("any 시·도")
    seasonal, seasonal_sources = _seasonal_lines(ctx, text, None if more else sido, day)  # several: its regions
    if not records:
        lines = [ctx.t("No measure is recorded for {where} on {date}.", where=where, date=day.isoformat())]
        ahead = (day - ctx.today).days  # a preliminary measure is decided two days ahead; a past day is over
        if 0 <= ahead <= 2:
            lines.append(ctx.t("Each day the 시·도 decides by 17:10 from the 17:00 forecast and announces at 17:15; "
                               "ask again after 17:15."))
        elif ahead > 2:
            lines.append(ctx.t("A measure for that day is decided one or two days before it, by 17:10."))
        return Reply("\n".join(_ordered(text, lines, seasonal)), matched=True, intent="status", lang=ctx.lang,
                     sources=[ctx.cite(stage4["source"]), *seasonal_sources], data={"statuses": []})
    lines, sources = [], [ctx.cite(stage4["source"])]
    shown = []
    for r in records:
        state = rules.state_at(r, ctx.now)
        shown.append({**r, "state": state})
        lines += _record_lines(ctx, r, state, sources)
    for other in (sido, *more) if more else ():  # several asked at once: each one with nothing recorded says so
        if all(r["sido"] != other for r in records):
            lines.append(ctx.t("No measure is recorded for {where} on {date}.",
                               where=show(ctx.lang, ctx.kb.sido_by_id[other]["name"]), date=day.isoformat()))
    return Reply("\n".join(_ordered(text, lines, seasonal)), matched=True, intent="status", lang=ctx.lang,
                 sources=sources + seasonal_sources, data={"statuses": shown})


def _ordered(text: str, lines: list[str], seasonal: list[str]) -> list[str]:
    """The day's parity first when that is what was asked ("내일 짝수날?"), the registry's lines first otherwise."""
    return seasonal + lines if DAY_PARITY.search(text.lower()) else lines + seasonal


def _seasonal_lines(ctx, text: str, sido: str | None, day) -> tuple[list[str], list[dict]]:
    """For a question that names the odd-even rule ("내일 2부제 해?"), whether the seasonal public scheme runs that
    day: with no measure recorded, "no measure" alone would read as "no odd-even rule", on a December weekday wrong."""
    low = text.lower()
    if not (ODD_EVEN.search(low) or DAY_PARITY.search(low)):
        return [], []
    verdict = vehicle.seasonal_day(ctx.kb, day, sido, known_holidays(ctx.store, day.year))
    name = show(ctx.lang, ctx.kb.schemes["seasonal"]["name"])
    lines, sources = [f"{name}: {reason_text(ctx.kb, verdict['reason'], ctx.lang)}"], verdict["citations"]
    if DAY_PARITY.search(low):
        parity = vehicle.day_parity(ctx.kb, day)
        lines.insert(0, reason_text(ctx.kb, parity["reason"], ctx.lang))
        sources = unique_citations(parity["citations"] + sources)
    return lines, sources


def _record_lines(ctx, r: dict, state: str, sources: list) -> list[str]:
    measure = ctx.t("Emergency reduction measure") if r["measure"] == "emergency" else ctx.t("Preliminary reduction measure")
    name = show(ctx.lang, ctx.kb.sido_by_id[r["sido"]]["name"]) if r["sido"] in ctx.kb.sido_by_id else r["sido"]
    decided = dict(decided_at=r["decided_at"][:16].replace("T", " "), decided_by=display(ctx.store, r["decided_by"]))
    if state == "not issued":
        return [ctx.t("{sido}: no {measure} on {date}, although the conditions were met: {reason} (decided {decided_at} by {decided_by})",
                      sido=name, measure=measure, date=r["effective_date"], reason=r.get("reason") or "…", **decided)]
    if state == "released":
        return [ctx.t("{sido}: {measure} on {date} was released early at {released_at} by {released_by}: "
                      "it is no longer in effect (decided {decided_at} by {decided_by})",
                      sido=name, measure=measure, date=r["effective_date"],
                      released_at=(r.get("released_at") or "")[:16].replace("T", " "),
                      released_by=display(ctx.store, r.get("released_by")), **decided)]
    states = {"announced": ctx.t("announced"), "in effect": ctx.t("in effect now"), "ended": ctx.t("ended")}
    lines = [ctx.t("{sido}: {measure} on {date}, {start}–{end} ({state}; decided {decided_at} by {decided_by})",
                   sido=name, measure=measure, date=r["effective_date"], start=r["starts_at"][11:16],
                   end=r["ends_at"][11:16], state=states.get(state, state), **decided)]
    if state == "ended":
        return lines
    day = date.fromisoformat(r["effective_date"])
    if day_off(ctx.store, day):
        lines.append("  " + ctx.t("{date} is a holiday: neither the public odd-even rule nor the vehicle restriction runs.",
                                  date=day.isoformat()))
        sources.append(ctx.cite(ctx.kb.thresholds["holiday_rule"]["source"]))
        return lines
    lines.append("  " + ctx.t("Public-sector odd-even driving applies; check your car with /check."))
    restriction = ctx.kb.vehicle_restriction(r["sido"]) if r["measure"] == "emergency" else None
    if restriction:
        lines.append("  " + show(ctx.lang, restriction["text"]))
        sources.append(ctx.cite(restriction["source"]))
    return lines
