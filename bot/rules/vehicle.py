"""May this car run (enter the agency's car park) on that day under a public odd/even scheme?

Schemes (parameters in knowledge/schemes.yaml, exemption codes in knowledge/exemptions.yaml):
  emergency  the public-agency 2부제 of a 예비/비상저감조치 in effect that day, 06–21시
             (제3장 제3절 가, 제6절 가): 10인승 이하 비사업용 승용(경차 포함)·승합, not on holidays.
  seasonal   the December–March public 2부제 (rev.4 2. 시행방안): 수도권 + 6 특·광역시,
             관용 승용 and staff cars, weekdays that are not public holidays.
The answer separates `subject` (the scheme covers this car that day), `exempt` (an exemption
applies) and `allowed` (it may run: not subject, exempt, or its plate's parity matches the day's).
"""
from __future__ import annotations

import re
from datetime import date

from ..messages import N_
from . import RuleInputError, reason, unique_citations

# 12가3456 (old) or 123가4567 (new): 2–3 digits, one Hangul syllable, 4 digits; a region prefix
# such as 서울 may precede (commercial plates).
PLATE = re.compile(r"^(?:[가-힣]{2})?(\d{2,3})([가-힣])(\d{4})$")
KINDS = ("passenger", "van", "truck")
FUELS = ("gasoline", "diesel", "lpg", "electric", "hybrid", "plugin_hybrid", "hydrogen", "solar")
OWNERS = ("agency", "employee", "visitor", "tenant")
SCHEMES = ("emergency", "seasonal")


def parse_plate(text: str) -> str:
    """Normalise a plate (spaces removed) or raise RuleInputError."""
    compact = re.sub(r"[\s-]+", "", str(text))
    if not PLATE.match(compact):
        raise RuleInputError(
            f"plate {text!r} is not a Korean plate number such as 12가3456 or 123가4567"
        )
    return compact


def last_digit(plate: str) -> int:
    return int(parse_plate(plate)[-1])


def _in_season(day: date, season: dict) -> bool:
    start = tuple(int(x) for x in season["start"].split("-"))
    end = tuple(int(x) for x in season["end"].split("-"))
    md = (day.month, day.day)
    if start <= end:
        return start <= md <= end
    return md >= start or md <= end  # a season across the new year (12-01 … 03-31)


def day_not_covered(kb, scheme: str, day: date, holidays: frozenset[date] = frozenset()) -> dict | None:
    """Why the scheme covers no car at all on `day` (out of season, weekend, holiday), or None."""
    s = kb.schemes[scheme]
    if scheme == "seasonal" and not _in_season(day, s["season"]):
        return {"reason": reason("{date} is outside the season (December to March).", date=day.isoformat()),
                "citations": [kb.citation(s["season_source"])]}
    if (day.weekday() >= 5 or day in holidays) and s["holidays_excluded"]:
        return {"reason": reason("{date} is a weekend or public holiday: the rule does not apply.", date=day.isoformat()),
                "citations": [kb.citation(s["holidays_source"])]}
    return None


def seasonal_day(kb, day: date, sido: str | None = None, holidays: frozenset[date] = frozenset()) -> dict:
    """Whether the seasonal public scheme runs on `day` (at the agencies of `sido`, when given): {runs, reason,
    citations}. Unlike the emergency rule it needs no measure: every weekday from December to March."""
    s = kb.schemes["seasonal"]
    off_day = day_not_covered(kb, "seasonal", day, holidays)
    if off_day:
        return {"runs": False, **off_day}
    sido_id = kb.sido(sido) if sido else None
    if sido_id and sido_id not in s["regions"]:
        return {"runs": False, "citations": [kb.citation(s["regions_source"])],
                "reason": reason("{sido} is not in the scheme's region (수도권 and the 6 metropolitan cities).", sido=sido_id)}
    return {"runs": True,
            "reason": reason("It runs on {date} at the public agencies of 수도권 and the 6 metropolitan cities: an agency "
                             "car or a staff member's car may enter only when its plate's last digit is odd on an odd "
                             "day and even on an even day.", date=day.isoformat()),
            "citations": [kb.citation(s[key]) for key in ("season_source", "regions_source", "holidays_source")]
            + [kb.citation(kb.schemes["odd_even_method"]["source"])]}


def day_parity(kb, day: date) -> dict:
    """{reason, citations}: which plates an odd-even rule lets run on `day`, for "내일 짝수날이야?"."""
    return {"reason": reason("{date} is an {day_parity} day: under an odd-even rule, cars whose plate ends in an "
                             "{day_parity} digit run.", date=day.isoformat(), day_parity="odd" if day.day % 2 else "even"),
            "citations": [kb.citation(kb.schemes["odd_even_method"]["source"])]}


def plate_parity(kb, digit: int) -> dict:
    """{reason, citations}: on which days a plate ending in `digit` runs (0 is even), for a question that asks it
    when the day's verdict does not say ("끝번호 0이면 짝수야?" out of season)."""
    parity = "odd" if digit % 2 else "even"
    return {"reason": reason("A plate ending in {digit} is {plate_parity}: it runs on {plate_parity} days.",
                             digit=digit, plate_parity=parity),
            "citations": [kb.citation(kb.schemes["odd_even_method"]["source"])]}


def check(kb, *, scheme: str, day: date, plate: str | None = None, sido: str | None = None, kind: str = "passenger",
          light: bool = False, seats: int | None = None, fuel: str | None = None, owner: str | None = None,
          exemptions: list[str] = (), holidays: frozenset[date] = frozenset(), digit: int | None = None) -> dict:
    """The verdict for one car on one day. `holidays` are the public holidays the caller knows. The rule reads only
    the plate's last digit, so `digit` may stand for the plate ("끝자리 7인데 내일 …"). No `owner`: a staff member's
    car, the commonest case, and the verdict says it assumed so (a visitor's car is not covered)."""
    if scheme not in SCHEMES:
        raise RuleInputError(f"scheme must be one of {', '.join(SCHEMES)}, not {scheme!r}")
    if kind not in KINDS:
        raise RuleInputError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if fuel is not None and fuel not in FUELS:
        raise RuleInputError(f"fuel must be one of {', '.join(FUELS)}, not {fuel!r}")
    owner_assumed = owner is None
    owner = owner or "employee"
    if owner not in OWNERS:
        raise RuleInputError(f"owner must be one of {', '.join(OWNERS)}, not {owner!r}")
    if seats is not None and (not isinstance(seats, int) or seats < 1 or seats > 99):
        raise RuleInputError(f"seats must be a whole number from 1 to 99, not {seats!r}")
    for code in exemptions:
        if code not in kb.exemptions:
            raise RuleInputError(f"unknown exemption code {code!r} (known: {', '.join(kb.exemptions)})")
    sido_id = None
    if sido is not None:
        sido_id = kb.sido(sido)
        if sido_id is None:
            raise RuleInputError(f"unknown 시·도: {sido!r}")
    if plate is not None or digit is None:
        plate = parse_plate(plate or "")
        digit = int(plate[-1])
    elif digit not in range(10):
        raise RuleInputError(f"a plate's last digit is 0 to 9, not {digit!r}")

    s = kb.schemes[scheme]
    reasons, citations = [], []

    def cite(src):
        citations.append(kb.citation(src))

    # 1. Does the scheme cover this car on that day at all?
    subject = True
    off_day = day_not_covered(kb, scheme, day, holidays)
    if off_day:
        subject = False
        reasons.append(off_day["reason"])
        citations.extend(off_day["citations"])
    elif scheme == "seasonal" and sido_id and sido_id not in s["regions"]:
        subject = False
        reasons.append(reason("{sido} is not in the scheme's region (수도권 and the 6 metropolitan cities).", sido=sido_id))
        cite(s["regions_source"])
    else:
        owner_rule = s["owners"][owner]
        if not owner_rule["subject"]:
            subject = False
            key = {"visitor": N_("A visitor's (민원인) car is not covered; taking part is voluntary."),
                   "tenant": N_("A tenant business's car is not covered (the head of the agency may decide otherwise).")}[owner]
            reasons.append(reason(key))
            cite(s.get(f"{owner}_source") or s["owners_source"])
        elif scheme == "seasonal" and kind not in owner_rule["kinds"]:
            subject = False
            reasons.append(reason("An agency's own van or truck is not covered; only its passenger cars are."))
            cite(s["owners_source"])
        elif scheme == "emergency" and (kind not in s["kinds"] or (seats is not None and seats > s["max_seats"])):
            subject = False
            reasons.append(reason("Only passenger cars and vans with 10 seats or fewer are covered."))
            cite(s["vehicles_source"])
    if subject and scheme == "seasonal" and not sido_id:
        reasons.append(reason("No 시·도 given: assuming the agency is in the scheme's region."))
        cite(s["regions_source"])
    if subject and owner_assumed:
        reasons.append(reason("Checked as a staff member's car; a visitor's (민원인) car is not covered."))
        cite(s.get("visitor_source") or s["owners_source"])

    # 2. Does an exemption apply?
    exempt = False
    if light and s.get("light_exempt"):
        exempt = True
        reasons.append(reason("Light cars (경차) are exempt."))
        cite(s["light_source"])
    elif light and scheme == "emergency":
        reasons.append(reason("Light cars (경차) are included under a 예비/비상저감조치."))
        cite(s["vehicles_source"])
    if fuel in s["eco_fuels"]:
        exempt = True
        reasons.append(reason("Eco-friendly cars (electric, hybrid, hydrogen fuel-cell, solar) are exempt."))
        cite(s["eco_source"])
    for code in exemptions:
        rule = kb.exemptions[code][scheme]
        if rule["applies"]:
            exempt = True
            reasons.append(reason("Exempt: {exemption}.", exemption=kb.exemptions[code]["name"]))
        else:
            reasons.append(reason("{exemption} is not a ground for exemption in this scheme.", exemption=kb.exemptions[code]["name"]))
        cite(rule["source"])

    # 3. Parity.
    odd_day, odd_plate = day.day % 2 == 1, digit % 2 == 1
    parity_ok = odd_day == odd_plate
    if subject and not exempt:
        key = (N_("Day {day} is {day_parity} and the plate ends in {digit} ({plate_parity}): it may run.")
               if parity_ok else
               N_("Day {day} is {day_parity} and the plate ends in {digit} ({plate_parity}): it may not run."))
        reasons.append(reason(key, day=day.day, digit=digit,
                              day_parity="odd" if odd_day else "even", plate_parity="odd" if odd_plate else "even"))
        cite(kb.schemes["odd_even_method"]["source"])
        if scheme == "emergency":
            cite(s["hours_source"])
    allowed = (not subject) or exempt or parity_ok
    return {
        "scheme": scheme,
        "date": day.isoformat(),
        "plate": plate,
        "digit": digit,
        "subject": subject,
        "exempt": exempt,
        "allowed": allowed,
        "reasons": reasons,
        "citations": unique_citations(citations),
    }

