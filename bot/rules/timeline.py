"""The 8 stages with concrete times for an effective date, and the report deadlines.

D is the emergency measure's day. For a 비상저감조치 effective on `day`, D = day; for a
예비저감조치 effective on `day` (its D-1), D = day + 1. Report deadlines count calendar days,
weekends and holidays included, from the issuance date (D-1), or from the last of consecutive
issuances (제3장 제8절).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from . import RuleInputError

KST = timezone(timedelta(hours=9))
MEASURES = ("emergency", "preliminary")


def _at(d_day: date, point: dict | None) -> datetime | None:
    if point is None:
        return None
    hh, mm = (int(x) for x in point["time"].split(":"))
    day = d_day + timedelta(days=point["day"])
    if hh == 24:
        return datetime.combine(day + timedelta(days=1), time(0, mm), KST)
    return datetime.combine(day, time(hh, mm), KST)


def d_day(measure: str, effective: date) -> date:
    if measure not in MEASURES:
        raise RuleInputError(f"measure must be one of {', '.join(MEASURES)}, not {measure!r}")
    return effective + timedelta(days=1) if measure == "preliminary" else effective


def stage_windows(kb, d: date) -> list[dict]:
    """Each stage's start and end for emergency day D; an open end runs to the next stage's start."""
    stages = sorted(kb.stages, key=lambda s: s["number"])
    out = []
    for i, s in enumerate(stages):
        start, end = _at(d, s["start"]), _at(d, s["end"])
        if end is None and i + 1 < len(stages):
            end = _at(d, stages[i + 1]["start"])
        out.append({"number": s["number"], "measure": s["measure"], "name": s["name"], "summary": s["summary"],
                    "starts_at": start, "ends_at": end, "source": s["source"]})
    return out


def stages_starting(kb, day: int, at: str | None = None) -> list[int]:
    """The stages that start on day D`day` (-1 for D-1) at `at` ("17:00"), as stages.yaml writes the windows; with
    no hour, or none starting then, every stage starting that day ("D-1 17시" is stage 4, "D-1" stages 3–5)."""
    on_day = [s for s in kb.stages if s["start"]["day"] == day]
    return [s["number"] for s in [s for s in on_day if s["start"]["time"] == at] or on_day]


def report_deadlines(kb, issued_on: date) -> list[dict]:
    """Due dates counted from the issuance date (the last one, for consecutive issuances)."""
    return [{"id": r["id"], "who": r["who"], "what": r["what"], "days": r["days"],
             "due": issued_on + timedelta(days=r["days"]), "source": r["source"]}
            for r in kb.report_deadlines]


def schedule(kb, measure: str, effective: date, last_issued: date | None = None) -> dict:
    """The whole timeline of one measure effective on `effective`.

    `applies` tells which stages belong to this measure ("always") and which only happen if a
    preliminary measure preceded it or an emergency measure follows it.
    """
    d = d_day(measure, effective)
    issued_on = d - timedelta(days=1)
    if last_issued and last_issued < issued_on:
        raise RuleInputError("the last issuance cannot be before this one")
    stages = []
    for w in stage_windows(kb, d):
        if measure == "emergency":
            applies = "always" if w["measure"] == "emergency" else "if_preliminary"
        else:
            applies = "always" if w["measure"] == "preliminary" else "if_emergency"
        stages.append({**w, "applies": applies})
    return {
        "measure": measure,
        "effective_date": effective,
        "d_day": d,
        "issued_on": issued_on,
        "stages": stages,
        "deadlines": report_deadlines(kb, last_issued or issued_on),
        "deadline_counting_source": kb.report_counting_source,
    }
