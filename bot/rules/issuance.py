"""Issuance assessment: which 시·도 issue a 예비저감조치 or 비상저감조치 for tomorrow.

Conditions (ids are an interface contract; thresholds come from knowledge/thresholds.yaml):
  E1  today's 00–16h average > 50 and tomorrow > 50            제1장 제3절 나 ①
  E2  a PM2.5 주의보/경보 issued today 00–16h, and tomorrow > 50  제1장 제3절 나 ②
  E3  tomorrow > 75                                               제1장 제3절 나 ③
  P1  tomorrow > 50 and the day after > 50                        제1장 제3절 가 ②
  P2  the day after 매우나쁨                                      제1장 제3절 가 ①
  W   wide-area group rule (수도권: 2 of 3 meet E → all 3 issue)  제3장 제9절 가

A forecast grade decides a threshold only where its whole range lies on one side of it; where it
cannot (나쁨 against > 50) the comparison is unknown, the condition is not counted, and the
decision asks for review. Comparisons are three-valued: True, False or None (unknown); a value
that was not given at all counts as not met.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from ..korean_holidays import FIRST_YEAR, LAST_YEAR, covers
from . import RuleInputError, reason, unique_citations

KST = timezone(timedelta(hours=9))
Tri = bool | None


def _and(*values: Tri) -> Tri:
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def _or(*values: Tri) -> Tri:
    if any(v is True for v in values):
        return True
    if any(v is None for v in values):
        return None
    return False


def above(value, threshold: float, grades: list[dict]) -> Tri:
    """Is a forecast (a number, or a grade name) above the threshold? None when a grade cannot tell."""
    if value is None:
        return False  # no forecast given: the condition is simply not met
    if isinstance(value, bool):
        raise RuleInputError(f"forecast value {value!r} is neither a number nor a grade")
    if isinstance(value, (int, float)):
        return value > threshold
    name = str(value).replace(" ", "")
    for g in grades:
        if g["grade"] == name or g["en"].lower() == name.lower():
            if g["min"] > threshold:
                return True
            if g["max"] is not None and g["max"] <= threshold:
                return False
            return None
    raise RuleInputError(f"forecast value {value!r} is neither a number nor a grade ({', '.join(g['grade'] for g in grades)})")


def _parse_time(text: str, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        raise RuleInputError(f"{what} {text!r} is not an ISO date-time such as 2026-12-01T17:00:00+09:00") from None
    _within_calendar(moment.date(), text, what)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=KST)
    return moment.astimezone(KST)


def _parse_day(text: str, what: str) -> date:
    try:
        day = date.fromisoformat(str(text))
    except ValueError:
        raise RuleInputError(f"{what} {text!r} is not a date such as 2026-12-02") from None
    return _within_calendar(day, text, what)


def _within_calendar(day: date, text, what: str) -> date:
    if not covers(day):  # 9999-12-31: the day after would overflow, and no calendar knows its holidays
        raise RuleInputError(f"{what} {text!r} is outside the years {FIRST_YEAR}–{LAST_YEAR}")
    return day


def assess(kb, data: dict, calendar_holidays: frozenset[date] = frozenset()) -> dict:
    """Assess the issuance input (see `python -m bot assess`) and return one decision per 시·도.

    `calendar_holidays` are public holidays the caller knows (the Korean calendar); they are
    added to the input's own `holidays`. Weekends are always holidays.
    """
    if not isinstance(data, dict) or "decided_at" not in data:
        raise RuleInputError("input must be an object with at least 'decided_at'")
    decided = _parse_time(data["decided_at"], "decided_at")
    today = decided.date()
    tomorrow, day_after = today + timedelta(days=1), today + timedelta(days=2)
    grades = kb.thresholds["forecast_grades"]["pm25"]
    conds = kb.thresholds["conditions"]

    measured = data.get("measured") or {}
    if not isinstance(measured, dict):
        raise RuleInputError("'measured' must map 시·도 to a number")
    measured_by_sido: dict[str, float] = {}
    for name, value in measured.items():
        sido = kb.sido(name)
        if sido is None:
            raise RuleInputError(f"unknown 시·도 in 'measured': {name!r}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise RuleInputError(f"measured value for {name} must be a number (µg/m³), got {value!r}")
        measured_by_sido[sido] = float(value)

    # forecast[day][forecast region] = number | grade
    forecast: dict[date, dict[str, object]] = {}
    mentioned: list[str] = list(measured_by_sido)
    for day_text, regions in (data.get("forecast") or {}).items():
        day = _parse_day(day_text, "forecast date")
        if not isinstance(regions, dict):
            raise RuleInputError(f"forecast for {day_text} must map forecast regions to values")
        slot = forecast.setdefault(day, {})
        for name, value in regions.items():
            above(value, 50, grades)  # validates the value early, with a clear message
            region = kb.forecast_region(name)
            if region:
                slot[region] = value
                sido = kb.sido_of_forecast_region(region)
                if sido is None:  # regions.yaml names the region but gives it to no 시·도
                    raise RuleInputError(f"forecast region {region!r} belongs to no 시·도")  # pragma: no cover
            else:
                sido = kb.sido(name)
                if sido is None:
                    raise RuleInputError(f"unknown forecast region or 시·도 in 'forecast': {name!r}")
                for r in kb.sido_by_id[sido]["forecast_regions"]:
                    slot.setdefault(r, value)
            mentioned.append(sido)

    alerts_today: dict[str, list[dict]] = {}
    alerts_on_day: dict[str, list[dict]] = {}
    e2 = conds["E2"]
    window_from = time.fromisoformat(e2["alert_window"]["from"])
    window_until = time.fromisoformat(e2["alert_window"]["until"])
    for i, a in enumerate(data.get("alerts") or []):
        if not isinstance(a, dict) or "sido" not in a or "issued_at" not in a:
            raise RuleInputError(f"alert #{i + 1} needs sido, pollutant, level and issued_at")
        sido = kb.sido(a["sido"])
        if sido is None:
            raise RuleInputError(f"unknown 시·도 in alert #{i + 1}: {a['sido']!r}")
        mentioned.append(sido)
        pollutant = str(a.get("pollutant", "")).upper().replace("-", "").replace(" ", "")
        if pollutant not in ("PM2.5", "PM25"):
            continue
        if a.get("level") not in e2["alert_levels"]:
            raise RuleInputError(f"alert #{i + 1} level {a.get('level')!r} is not one of {e2['alert_levels']}")
        at = _parse_time(a["issued_at"], f"alert #{i + 1} issued_at")
        if at.date() == today and window_from <= at.time().replace(second=0, microsecond=0) <= window_until:
            alerts_today.setdefault(sido, []).append(a)
        alerts_on_day.setdefault(sido, []).append({**a, "_at": at})

    holidays = set(calendar_holidays)
    for h in data.get("holidays") or []:
        holidays.add(_parse_day(h, "holiday"))
    effective_is_holiday = tomorrow.weekday() >= 5 or tomorrow in holidays

    order = list(dict.fromkeys(mentioned))
    own = {s: _own_conditions(kb, s, measured_by_sido, forecast, alerts_today, tomorrow, day_after, grades, conds) for s in order}
    groups = _wide_area(kb, own)

    decisions = []
    for sido in order:
        c = own[sido]
        decisions.append(_decide(kb, sido, c, groups.get(sido), tomorrow, effective_is_holiday,
                                 alerts_on_day.get(sido, []), measured_by_sido.get(sido)))
    return {"decisions": decisions}


def _forecast_above(kb, sido, forecast, day, threshold, grades) -> Tri:
    info = kb.sido_by_id[sido]
    values = [above(forecast.get(day, {}).get(r), threshold, grades) for r in info["forecast_regions"]]
    if len(values) == 1:
        return values[0]
    return _and(*values) if info.get("multi_region_rule", "all") == "all" else _or(*values)


def _own_conditions(kb, sido, measured, forecast, alerts_today, tomorrow, day_after, grades, conds) -> dict[str, Tri]:
    t50 = _forecast_above(kb, sido, forecast, tomorrow, conds["E1"]["tomorrow_above"], grades)
    m = measured.get(sido)
    m50 = m is not None and m > conds["E1"]["measured_above"]
    required = kb.regions.get("alert_zones_required", {}).get("default", 1)
    had_alert = len(alerts_today.get(sido, [])) >= required
    return {
        "E1": _and(m50, t50),
        "E2": _and(had_alert, _forecast_above(kb, sido, forecast, tomorrow, conds["E2"]["tomorrow_above"], grades)),
        "E3": _forecast_above(kb, sido, forecast, tomorrow, conds["E3"]["tomorrow_above"], grades),
        "P1": _and(_forecast_above(kb, sido, forecast, tomorrow, conds["P1"]["tomorrow_above"], grades),
                   _forecast_above(kb, sido, forecast, day_after, conds["P1"]["day_after_above"], grades)),
        "P2": _forecast_above(kb, sido, forecast, day_after, conds["P2"]["day_after_above"], grades),
    }


def _meets_emergency(c: dict[str, Tri]) -> bool:
    return any(c[k] is True for k in ("E1", "E2", "E3"))


def _wide_area(kb, own: dict[str, dict]) -> dict[str, dict]:
    """For each 시·도 in a triggered group: the group and how many members met the conditions."""
    out = {}
    for g in kb.regions.get("wide_area_groups") or []:
        if "emergency" not in g.get("measures", ["emergency"]):
            continue
        meeting = [m for m in g["members"] if m in own and _meets_emergency(own[m])]
        if len(meeting) >= g["min_members"]:
            for m in g["members"]:
                out[m] = {"group": g, "meeting": meeting}
    return out


def _decide(kb, sido, c, group, effective, holiday, alerts_on_day, measured) -> dict:
    conds = kb.thresholds["conditions"]
    held_e = [k for k in ("E1", "E2", "E3") if c[k] is True]
    held_p = [k for k in ("P1", "P2") if c[k] is True]
    reasons, citations = [], []

    if held_e or group:
        measure, held = "emergency", list(held_e)
        if group and not held_e:
            held.append("W")
    elif held_p:
        measure, held = "preliminary", held_p
    else:
        measure, held = "none", []

    for cid in held:
        params = {"measured": measured, "level": "/".join(conds["E2"]["alert_levels"])}
        if cid == "W":
            g = group["group"]
            params = {"group": g["name"], "members": g["members"], "count": len(group["meeting"]), "all": g["members"]}
        reasons.append(reason(f"condition:{cid}", **params))
        citations.append(kb.citation(conds[cid]["source"]))
    if group and held_e:
        g = group["group"]
        citations.append(kb.citation(conds["W"]["source"]))
        reasons.append(reason("Wide-area issuance with {group}: all of {members} issue together.",
                              group=g["name"], members=g["members"]))

    unknown = [k for k, v in c.items() if v is None]
    if measure == "emergency":
        needs_review = c["E3"] is None and not group
    else:
        needs_review = bool(unknown)
    if needs_review:
        reasons.append(reason("Conditions {ids} could not be decided from a forecast grade or missing data; an officer must check the forecast value.",
                              ids=unknown))
        citations.append(kb.citation(kb.thresholds["forecast_grades"]["source"]))
    if measure == "none" and not unknown:
        reasons.append(reason("No issuance condition is met."))
        for cid in ("E1", "E2", "E3", "P1", "P2"):
            citations.append(kb.citation(conds[cid]["source"]))

    issued = measure != "none"
    hours = kb.thresholds["measure_hours"]
    school = None
    if measure == "emergency":
        if c["E3"] is True:
            school = "closure"
            citations.append(kb.citation(kb.thresholds["school_advice"]["closure"]["source"]))
            reasons.append(reason("Schools: closure (first) or shorter hours is advised, because the emergency rests on tomorrow's 매우나쁨 forecast."))
        elif any(a.get("level") == kb.thresholds["school_advice"]["shortening"]["when_alert_level"]
                 and a["_at"].date() == effective for a in alerts_on_day):
            school = "shortening"
            citations.append(kb.citation(kb.thresholds["school_advice"]["shortening"]["source"]))
            reasons.append(reason("Schools: shorter hours are advised, because a PM2.5 경보 was issued during the measure."))
    if issued and holiday:
        reasons.append(reason("{date} is a holiday: the measure issues, but neither the public odd-even rule nor the vehicle restriction runs.",
                              date=effective.isoformat()))
        citations.append(kb.citation(kb.thresholds["holiday_rule"]["source"]))
    return {
        "sido": sido,
        "measure": measure,
        "conditions": held,
        "wide_area": bool(group),
        "effective_date": effective.isoformat() if issued else None,
        "starts_at": datetime.combine(effective, time.fromisoformat(hours["start"]), KST).isoformat() if issued else None,
        "ends_at": datetime.combine(effective, time.fromisoformat(hours["end"]), KST).isoformat() if issued else None,
        "vehicle_restriction": measure == "emergency" and not holiday,
        "public_odd_even": issued and not holiday,
        "school_advice": school,
        "needs_review": needs_review,
        "reasons": reasons,
        "citations": unique_citations(citations),
        "evaluated": {k: v for k, v in c.items()},
    }



def at_most(value, limit: float, grades: list[dict]) -> Tri:
    """Is a forecast (a number, or a grade name) at or below `limit`? None when a grade cannot tell."""
    over = above(value, limit, grades) if value is not None else None
    return None if over is None else not over


def release_check(kb, sido: str, measure: str, forecast: dict) -> dict:
    """May an emergency measure be released early? 제3장 제7절 가 ②-1: the re-forecast (D-1 23시 or D 05시)
    for the measure day is at or below 35 µg/m³ ('보통' or better).

    `forecast` maps the 시·도's forecast regions (or the 시·도 itself) to a number or a grade. Every region of
    the 시·도 must be at or below the limit: releasing part of a province is not something the guideline
    describes. Only 비상저감조치 has this rule; a 예비저감조치 is reviewed by an officer (3단계: '좋음' only).
    Returns {"release": True|False|None, "reasons", "citations"}; None means a grade cannot tell.
    """
    rule = kb.thresholds["release"]
    grades = kb.thresholds["forecast_grades"]["pm25"]
    if kb.sido(sido) is None:
        raise RuleInputError(f"unknown 시·도: {sido!r}")
    sido = kb.sido(sido)
    if measure != "emergency":
        return {"release": False, "reasons": [reason("Only an emergency measure has the early-release forecast rule.")],
                "citations": [kb.citation(rule["source"])]}
    values = []
    for region in kb.sido_by_id[sido]["forecast_regions"]:
        value = forecast.get(region, forecast.get(sido))
        values.append(at_most(value, rule["forecast_at_most"], grades) if value is not None else None)
    verdict = _and(*values) if values else None
    if verdict is True:
        why = reason("The re-forecast for the measure day is at most {limit} µg/m³: the measure may be released early.",
                     limit=rule["forecast_at_most"])
    elif verdict is False:
        why = reason("The re-forecast for the measure day is above {limit} µg/m³: the measure stays.",
                     limit=rule["forecast_at_most"])
    else:
        why = reason("The re-forecast cannot tell whether the measure day stays at most {limit} µg/m³; an officer must check.",
                     limit=rule["forecast_at_most"])
    return {"release": verdict, "reasons": [why], "citations": [kb.citation(rule["source"])]}


def state_at(record: dict, at: datetime) -> str:
    """A registry record's state at a moment: 'announced' until it starts, 'in effect' 06–21, then 'ended';
    'released' from its early release on; 'not issued' stays so. (The stored state lags the clock by up to a
    scheduler tick; this is what is true at `at`.)"""
    state = record["state"]
    if state in ("not issued", "not_issued", "cancelled"):
        return "not issued"
    if record.get("released_at"):
        if _parse_time(record["released_at"], "released_at") <= at:
            return "released"
    elif state == "released":
        return "released"
    if not record.get("starts_at"):
        return state
    if at < _parse_time(record["starts_at"], "starts_at"):
        return "announced"
    if at < _parse_time(record["ends_at"], "ends_at"):
        return "in effect"
    return "ended"
