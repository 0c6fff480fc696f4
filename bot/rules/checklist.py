"""Checklist runs as pure data: which stages an agency's run has, their windows, and when to push and remind.

A run is one agency's checklist for one issuance in one 시·도. Its stages are the stages that belong
to the measure (timeline.schedule's "always") for which the agency has items in roles.yaml. Each
stage has a window [starts_at, ends_at): stage 8's end is the report deadline (15 days for the
agencies and sites, 30 days for the 시·도's evaluation report, counted from the last issuance).

A re-issuance adds the stage-5 items again (a new round) and moves stage 8 to the new D; an early
release ends what is running now, cancels what has not begun and starts stage 8 at once.
Nothing here touches the store: bot/checklists.py keeps the result.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from . import RuleInputError
from .timeline import KST, d_day, schedule

SIDO_AGENCY = "sido-env"   # its stage-8 report is the 시·도's evaluation report (30 days)
REISSUE_STAGE = 5
REPORT_STAGE = 8
STAGE_LEAD = timedelta(hours=1)                         # reminder before a stage window closes
REPORT_LEADS = (timedelta(days=3), timedelta(days=1))   # reminders before the report deadline


def report_due(kb, agency_id: str, issued_on: date) -> datetime:
    """The end of the agency's report deadline: midnight after the due day."""
    which = "sido" if agency_id == SIDO_AGENCY else "agencies"
    days = next(r["days"] for r in kb.report_deadlines if r["id"] == which)
    return datetime.combine(issued_on + timedelta(days=days + 1), time(0, 0), KST)


def _items(agency: dict, number: int) -> list[dict]:
    return [{"ko": i["ko"], "en": i["en"]} for i in agency["stages"][number]["items"]]


def plan(kb, agency: dict, measure: str, effective: date, last_issued: date | None = None,
         numbers: set[int] | None = None) -> list[dict]:
    """The stages of the agency's run: [{stage, round, starts_at, ends_at, items}] in order.

    `numbers` limits the stages (an emergency measure following a preliminary one adds 4–8 only).
    """
    sched = schedule(kb, measure, effective, last_issued)
    out = []
    for s in sched["stages"]:
        n = s["number"]
        if s["applies"] != "always" or n not in agency["stages"] or (numbers is not None and n not in numbers):
            continue
        ends = s["ends_at"]
        if n == REPORT_STAGE:
            ends = report_due(kb, agency["id"], last_issued or sched["issued_on"])
        out.append({"stage": n, "round": 0, "starts_at": s["starts_at"], "ends_at": ends, "items": _items(agency, n)})
    return out


def reissue(kb, agency: dict, effective: date, current: list[dict]) -> dict:
    """A re-issuance of the emergency measure effective on `effective`: what changes in a run.

    {"add": [the stage-5 items again, in a new round], "move": {stage 8's new window} or None}.
    `current` is the run's stages (dicts with stage, round, starts_at, ends_at).
    """
    d = d_day("emergency", effective)
    if any(s["stage"] == REPORT_STAGE and s["starts_at"] >= _window(kb, d, REPORT_STAGE)[0] for s in current):
        raise RuleInputError("a re-issuance must be for a later day than the open run")
    new = {s["stage"]: s for s in plan(kb, agency, "emergency", effective, last_issued=d - timedelta(days=1))}
    add = []
    if REISSUE_STAGE in new:
        rounds = [s["round"] for s in current if s["stage"] == REISSUE_STAGE]
        add.append({**new[REISSUE_STAGE], "round": max(rounds, default=-1) + 1})
    move = None
    if REPORT_STAGE in new:
        move = {"stage": REPORT_STAGE, "starts_at": new[REPORT_STAGE]["starts_at"], "ends_at": new[REPORT_STAGE]["ends_at"]}
    return {"add": add, "move": move}


def _window(kb, d: date, number: int) -> tuple[datetime, datetime | None]:
    from .timeline import stage_windows

    w = next(w for w in stage_windows(kb, d) if w["number"] == number)
    return w["starts_at"], w["ends_at"]


def release(current: list[dict], now: datetime) -> list[dict]:
    """An early release at `now`: [{id, action: cancel|end|start, starts_at, ends_at}] for the run's stages.

    A stage that has not begun is cancelled; one running now ends now; stage 8 starts now (its
    deadline stays). Finished stages are left as they are.
    """
    out = []
    for s in current:
        if s.get("state") == "cancelled":
            continue
        if s["stage"] == REPORT_STAGE:
            if s["starts_at"] > now:
                out.append({"id": s.get("id"), "action": "start", "starts_at": now, "ends_at": s["ends_at"]})
        elif s["starts_at"] > now:
            out.append({"id": s.get("id"), "action": "cancel", "starts_at": s["starts_at"], "ends_at": s["ends_at"]})
        elif s["ends_at"] is not None and s["ends_at"] > now:
            out.append({"id": s.get("id"), "action": "end", "starts_at": s["starts_at"], "ends_at": now})
    return out


def jobs(stage: dict) -> list[dict]:
    """When to act on one stage: push its items at the start, remind before its window closes."""
    out = [{"kind": "push", "due_at": stage["starts_at"]}]
    start, end = stage["starts_at"], stage["ends_at"]
    if end is None or end <= start:
        return out
    if stage["stage"] == REPORT_STAGE:
        out += [{"kind": "remind", "due_at": end - lead} for lead in REPORT_LEADS if end - lead > start]
    else:
        out.append({"kind": "remind", "due_at": max(end - STAGE_LEAD, start + (end - start) / 2)})
    return out


def percent(done: int, total: int) -> int:
    """Completion in whole percent (rounded down, so 100 means everything is done)."""
    return 100 if total == 0 else done * 100 // total
