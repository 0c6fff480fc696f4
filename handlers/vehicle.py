"""'May my car run?' — a plate number in the question, checked with the rules core."""
from __future__ import annotations

import re
from datetime import date, timedelta

from bot import korean_holidays
from bot.i18n import reason_text, show
from bot.reply import Reply
from bot.router import handles
from bot.rules import RuleInputError, unique_citations
from bot.rules import vehicle as rules
from bot.text_dates import DAY_PARITY
from handlers.roles import EMERGENCY, PRELIMINARY

PLATE_IN_TEXT = re.compile(r"(?<!\d)(\d{2,3})\s*([가-힣])\s*(\d{4})(?!\d)")
# A plate typed in Latin letters by someone without a Korean keyboard ("12ga3456", "12 ga 3456"): its letter as the
# Revised Romanization spells the syllables plates use (the rule reads only the last digit, but the reply shows the plate)
ROMAN_PLATE = re.compile(r"(?<!\w)(\d{2,3})\s*-?\s*([a-z]{1,3})\s*-?\s*(\d{4})(?!\d)")
PLATE_SYLLABLES = {
    "ga": "가", "na": "나", "da": "다", "ra": "라", "la": "라", "ma": "마", "ba": "바", "sa": "사", "a": "아", "ja": "자",
    "ha": "하", "geo": "거", "neo": "너", "deo": "더", "reo": "러", "meo": "머", "beo": "버", "seo": "서", "eo": "어",
    "jeo": "저", "heo": "허", "go": "고", "no": "노", "do": "도", "ro": "로", "lo": "로", "mo": "모", "bo": "보", "so": "소",
    "o": "오", "jo": "조", "ho": "호", "gu": "구", "nu": "누", "du": "두", "ru": "루", "lu": "루", "mu": "무", "bu": "부",
    "su": "수", "u": "우", "ju": "주", "bae": "배"}
FUEL_WORDS = [(re.compile(r"플러그인|plug-?in"), "plugin_hybrid"), (re.compile(r"하이브리드|hybrid"), "hybrid"),
              (re.compile(r"전기차|전기 ?자동차|\bev\b|electric"), "electric"), (re.compile(r"수소|hydrogen|fuel.?cell"), "hydrogen")]
# the measures' names as typed, slang (비저, 예저) included; anything else is the seasonal scheme
EMERGENCY_WORDS = re.compile(r"비상|예비|저감|(?<![가-힣])(?:비저|예저)|emergency|preliminary")
EXEMPTION_WORDS = [(re.compile(r"임산부|임신|pregnan"), "pregnant"), (re.compile(r"장애|disab"), "disabled"),
                   (re.compile(r"영유아|아기|유아|infant|baby"), "infant"), (re.compile(r"국가유공자|national merit"), "national_merit")]


# Something typed as a plate but of the wrong length (12가 34567, 12가34) or with an unfinished letter
# (12ㄱ3456): answered with the plate error, not a guess. A short tail counts only written solid after a
# private car's plate letter, so that "12월 25일" or "3시 30분" stay dates and times.
PLATE_LIKE = re.compile(r"(?<!\d)\d{1,4}\s*[가-힣ㄱ-ㅎㅏ-ㅣ]\s*\d{3,6}(?!\d)"
                        r"|(?<!\d)\d{2,3}[가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주]\d{1,3}(?!\d)")


# "0이면 짝수야?", "is 7 odd": the plate's parity asked in so many words, not the rule's name (odd-even)
ASKS_PARITY = re.compile(r"짝수|홀수|\b(?:odd|even)\b")
RULE_NAME = re.compile(r"odd[- ]?(?:and[- ])?even|even[- ]?odd")

# The plate's last digit alone ("끝자리 7인데 내일 들어가도 돼?", "my plate ends in 4"): the rule reads nothing else.
LAST_DIGIT = re.compile(r"(?:끝\s*(?:자리|번호|숫자)|번호\s*끝)\s*(?:이|가|은|는)?\s*(\d)(?![\d.])"
                        r"|(?:last digit\s*(?:is\s*)?|(?:plate|number)\s+end(?:s|ing)?\s+(?:in|with)\s*)(\d)\b")  # not "ends in 2 hours"
# "오늘 15일인데 끝번호 4면 …" states a day of the month beside 오늘: the two may not agree with the clock, so the
# question goes to the FAQ's explanation of the rule rather than to a check of one of the two days
TWO_DAYS = re.compile(r"(?=.*(?:오늘|내일|모레|today|tomorrow))(?=.*\d\s*일)", re.S)


def romanized_plate(text: str, whole: bool = False) -> str | None:
    """The first plate in `text` typed in Latin letters, in Hangul ("12ga3456" → 12가3456), or None. `whole`: only
    when that plate is all the text is (an answer to "what is the plate number?")."""
    found = [ROMAN_PLATE.fullmatch(text.lower().strip())] if whole else ROMAN_PLATE.finditer(text.lower())
    m = next((m for m in found if m and m[2] in PLATE_SYLLABLES), None)
    return m[1] + PLATE_SYLLABLES[m[2]] + m[3] if m else None


def _detect(ctx, text):
    m = PLATE_IN_TEXT.search(text) or PLATE_LIKE.search(text)
    if m:
        return {"plate": "".join(m.groups()) if m.re is PLATE_IN_TEXT else m[0]}
    plate = romanized_plate(text)
    if plate:
        return {"plate": plate}
    m = LAST_DIGIT.search(text.lower())
    return {"plate": None, "digit": int(m[1] or m[2])} if m and not TWO_DAYS.match(text.lower()) else None


@handles("vehicle", _detect)
def answer_vehicle(ctx, text: str, plate: str | None, digit: int | None = None) -> Reply:
    """Whether a car with this plate (or this last digit) may run on the day asked (today if none), and why."""
    try:
        plate = rules.parse_plate(plate) if plate is not None else None
    except RuleInputError:
        return Reply(ctx.t("'{text}' is not a plate number such as 12가3456 or 123가4567.", text=plate),
                     matched=False, intent="vehicle", lang=ctx.lang)
    low = text.lower()
    day = ctx.date_in(text) or _day_of_parity(ctx, DAY_PARITY.search(low)) or ctx.today
    scheme = "emergency" if EMERGENCY_WORDS.search(low) else "seasonal"
    # the 시·도 named decides whether the seasonal scheme covers the agency at all (강원 is outside its region)
    sido = next(iter(ctx.kb.sidos_in(low)), None)
    fuel = next((f for p, f in FUEL_WORDS if p.search(low)), None)
    owner = "agency" if re.search(r"관용|공용차|agency car|official car", low) else "visitor" if re.search(r"민원|visitor", low) else None
    exemptions = [c for p, c in EXEMPTION_WORDS if p.search(low)]
    try:
        verdict = rules.check(ctx.kb, scheme=scheme, day=day, plate=plate, digit=digit, sido=sido,
                              light=bool(re.search(r"경차|light car|compact", low)),
                              fuel=fuel, owner=owner, exemptions=exemptions,
                              holidays=korean_holidays.known(ctx.store, day.year))
    except RuleInputError as exc:
        return Reply(str(exc), matched=False, intent="vehicle", lang=ctx.lang)
    if ASKS_PARITY.search(RULE_NAME.sub(" ", low)) and not any("plate_parity" in r["params"] for r in verdict["reasons"]):
        said = rules.plate_parity(ctx.kb, verdict["digit"])  # the day's verdict did not need it; the question asks it
        verdict = {**verdict, "reasons": verdict["reasons"] + [said["reason"]],
                   "citations": unique_citations(verdict["citations"] + said["citations"])}
    # the vehicle restriction (운행제한) is the emergency measure's, not the preliminary one's (지침 제1장 제5절)
    emergency_only = scheme == "emergency" and EMERGENCY.search(low) and not PRELIMINARY.search(low)
    return vehicle_reply(ctx, verdict, ctx.kb.vehicle_restriction(sido) if emergency_only else None)


def _day_of_parity(ctx, asked) -> date | None:
    """The next working day (today included) whose day of the month has the parity `asked` names; None if none named.
    "짝수날에 운행돼?" asks about such a day: checking today (perhaps of the other parity) answered a question nobody asked."""
    if asked is None or not (asked[1] or asked[2]):  # "odd or even" names neither
        return None
    even = asked[1] == "짝수" or asked[2] == "even"
    day = ctx.today
    while (day.day % 2 == 0) != even or korean_holidays.day_off(ctx.store, day):
        day += timedelta(days=1)
    return day


def vehicle_reply(ctx, verdict: dict, restriction: dict | None = None) -> Reply:
    """A verdict of the rules core as a message; with the 시·도's vehicle `restriction` (Knowledge.vehicle_restriction)
    on a working day."""
    scheme_name = ctx.kb.schemes[verdict["scheme"]]["name"]
    if verdict["plate"]:
        head = ctx.t("{plate} on {date} ({scheme}):", plate=verdict["plate"], date=verdict["date"], scheme=scheme_name)
    elif verdict.get("digit") is not None:
        head = ctx.t("A plate ending in {digit} on {date} ({scheme}):", digit=verdict["digit"], date=verdict["date"],
                     scheme=scheme_name)
    else:  # no car is covered that day, so the check never asked for the plate
        head = ctx.t("Any car on {date} ({scheme}):", date=verdict["date"], scheme=scheme_name)
    outcome = ctx.t("✅ may run") if verdict["allowed"] else ctx.t("⛔ may not run")
    lines = [f"{head} {outcome}"] + ["• " + reason_text(ctx.kb, r, ctx.lang) for r in verdict["reasons"]]
    sources = verdict["citations"]
    day = date.fromisoformat(verdict["date"])
    if restriction and not korean_holidays.day_off(ctx.store, day):
        # the verdict is the public-sector odd-even rule's; a car the 시·도's ordinance restricts (5등급 …) stays off the
        # road that day whatever its plate, and "may run" alone would read as leave to drive it
        lines.append("• " + show(ctx.lang, restriction["text"]))
        sources = unique_citations(sources + [ctx.cite(restriction["source"])])
    return Reply("\n".join(lines), matched=True, intent="vehicle", sources=sources, lang=ctx.lang,
                 data={k: verdict[k] for k in ("subject", "exempt", "allowed", "scheme", "date", "plate")})
