"""Stage times and report deadlines (제2장 제1절, 제3장 제8절)."""
from datetime import date

from bot.rules.timeline import schedule


def times(plan, n):
    s = next(s for s in plan["stages"] if s["number"] == n)
    return s["starts_at"].isoformat(), s["ends_at"].isoformat() if s["ends_at"] else None, s["applies"]


def test_emergency_timeline(kb):
    plan = schedule(kb, "emergency", date(2026, 12, 3))
    assert times(plan, 1) == ("2026-12-01T17:00:00+09:00", "2026-12-01T17:15:00+09:00", "if_preliminary")
    assert times(plan, 4) == ("2026-12-02T17:00:00+09:00", "2026-12-02T17:15:00+09:00", "always")
    assert times(plan, 5) == ("2026-12-02T17:15:00+09:00", "2026-12-03T06:00:00+09:00", "always")
    assert times(plan, 6) == ("2026-12-03T06:00:00+09:00", "2026-12-03T21:00:00+09:00", "always")
    assert times(plan, 7)[0] == "2026-12-03T17:00:00+09:00"
    due = {d["id"]: d["due"] for d in plan["deadlines"]}
    # Counted from the issuance date (D-1), weekends and holidays included.
    assert due == {"agencies": date(2026, 12, 17), "sido": date(2027, 1, 1)}


def test_preliminary_date_is_d_minus_1(kb):
    plan = schedule(kb, "preliminary", date(2026, 12, 3))
    assert plan["d_day"] == date(2026, 12, 4)
    assert times(plan, 3) == ("2026-12-03T06:00:00+09:00", "2026-12-03T21:00:00+09:00", "always")
    assert times(plan, 6)[2] == "if_emergency"


def test_consecutive_issuances_count_from_the_last(kb):
    plan = schedule(kb, "emergency", date(2026, 12, 3), last_issued=date(2026, 12, 5))
    assert {d["id"]: d["due"] for d in plan["deadlines"]} == {"agencies": date(2026, 12, 20), "sido": date(2027, 1, 4)}


def test_a_question_about_a_days_chances_is_no_schedule_question(assistant):
    """'… 발령될 가능성 있나요? 레미콘 타설 일정 잡아야 해서요' got the stages' times for next Wednesday (probe p62): it asks
    whether a measure is coming, which the registry answers (nothing decided yet)."""
    reply = assistant.ask("다음주 수요일에 서울 비상저감조치 발령될 가능성 있나요? 레미콘 타설 일정 잡아야 해서요")
    assert reply.intent == "status"
    assert assistant.ask("비상저감조치 12월 3일 일정 알려줘").intent == "schedule"
