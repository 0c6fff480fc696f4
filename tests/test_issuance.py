"""Issuance rules, with cases taken from the guideline's text (제1장 제3절, 제3장 제6절 라, 제9절)."""
from datetime import date

import pytest

from bot.rules import RuleInputError
from bot.rules.issuance import assess

DECIDED = "2026-12-01T17:00:00+09:00"  # a Tuesday: the effective day, Wednesday 12-02, is a working day


def one(kb, data, sido):
    result = assess(kb, {"decided_at": DECIDED, **data})
    return next(d for d in result["decisions"] if d["sido"] == sido)


def test_e1_today_average_and_tomorrow_above_50(kb):
    d = one(kb, {"measured": {"서울": 55.2}, "forecast": {"2026-12-02": {"서울": 62}}}, "서울")
    assert d["measure"] == "emergency" and d["conditions"] == ["E1"]
    assert d["effective_date"] == "2026-12-02"
    assert d["starts_at"] == "2026-12-02T06:00:00+09:00" and d["ends_at"] == "2026-12-02T21:00:00+09:00"
    assert d["vehicle_restriction"] and d["public_odd_even"] and not d["needs_review"]
    assert d["school_advice"] is None
    assert any("제3절 나" in c["section"] for c in d["citations"])


def test_e1_needs_both_days(kb):
    d = one(kb, {"measured": {"서울": 49.9}, "forecast": {"2026-12-02": {"서울": 62}}}, "서울")
    assert d["measure"] == "none" and d["conditions"] == []


def test_e2_alert_counts_even_if_cleared_but_only_issued_between_0_and_16(kb):
    alert = {"sido": "서울", "pollutant": "PM2.5", "level": "주의보", "issued_at": "2026-12-01T10:00:00+09:00"}
    d = one(kb, {"measured": {"서울": 40}, "forecast": {"2026-12-02": {"서울": 55}}, "alerts": [alert]}, "서울")
    assert d["measure"] == "emergency" and d["conditions"] == ["E2"]
    late = {**alert, "issued_at": "2026-12-01T17:30:00+09:00"}
    d = one(kb, {"measured": {"서울": 40}, "forecast": {"2026-12-02": {"서울": 55}}, "alerts": [late]}, "서울")
    assert d["measure"] == "none"


def test_e3_tomorrow_above_75_whatever_today_and_school_closure(kb):
    d = one(kb, {"forecast": {"2026-12-02": {"부산": "매우나쁨"}}}, "부산")
    assert d["measure"] == "emergency" and d["conditions"] == ["E3"]
    assert d["school_advice"] == "closure"


def test_grade_decides_only_where_it_can(kb):
    # 나쁨 is 36–75: it cannot tell "> 50", so E1 is not counted and an officer must review.
    d = one(kb, {"measured": {"대구": 60}, "forecast": {"2026-12-02": {"대구": "나쁨"}}}, "대구")
    assert d["measure"] == "none" and d["needs_review"]
    # 보통 is ≤ 35: it decides "not above 50" with no review.
    d = one(kb, {"measured": {"대구": 60}, "forecast": {"2026-12-02": {"대구": "보통"}}}, "대구")
    assert d["measure"] == "none" and not d["needs_review"]


def test_preliminary_p1_and_p2(kb):
    d = one(kb, {"forecast": {"2026-12-02": {"광주": 55}, "2026-12-03": {"광주": 58}}}, "광주")
    assert d["measure"] == "preliminary" and d["conditions"] == ["P1"]
    assert d["public_odd_even"] and not d["vehicle_restriction"]
    d = one(kb, {"forecast": {"2026-12-02": {"광주": 30}, "2026-12-03": {"광주": "매우나쁨"}}}, "광주")
    assert d["measure"] == "preliminary" and d["conditions"] == ["P2"]


def test_emergency_outranks_preliminary(kb):
    d = one(kb, {"measured": {"대전": 60}, "forecast": {"2026-12-02": {"대전": 60}, "2026-12-03": {"대전": 60}}}, "대전")
    assert d["measure"] == "emergency" and d["conditions"] == ["E1"]


def test_gyeonggi_needs_both_forecast_regions(kb):
    both = {"measured": {"경기": 52}, "forecast": {"2026-12-02": {"경기남부": 60, "경기북부": 58}}}
    assert one(kb, both, "경기")["measure"] == "emergency"
    south_only = {"measured": {"경기": 52}, "forecast": {"2026-12-02": {"경기남부": 60, "경기북부": 45}}}
    assert one(kb, south_only, "경기")["measure"] == "none"


def test_gangwon_region_aliases(kb):
    d = one(kb, {"forecast": {"2026-12-02": {"강원영동": 80, "강원영서": "매우나쁨"}}}, "강원")
    assert d["measure"] == "emergency" and d["conditions"] == ["E3"]


def test_capital_area_wide_issuance(kb):
    data = {"measured": {"서울": 55, "경기": 53, "인천": 30},
            "forecast": {"2026-12-02": {"서울": 60, "경기남부": 58, "경기북부": 57, "인천": 45}}}
    result = {d["sido"]: d for d in assess(kb, {"decided_at": DECIDED, **data})["decisions"]}
    assert result["인천"]["measure"] == "emergency" and result["인천"]["conditions"] == ["W"]
    assert all(result[s]["wide_area"] for s in ("서울", "경기", "인천"))
    assert result["서울"]["conditions"] == ["E1"]


def test_one_of_three_is_not_wide_area(kb):
    data = {"measured": {"서울": 55, "경기": 30, "인천": 30},
            "forecast": {"2026-12-02": {"서울": 60, "경기남부": 40, "경기북부": 40, "인천": 45}}}
    result = {d["sido"]: d for d in assess(kb, {"decided_at": DECIDED, **data})["decisions"]}
    assert result["서울"]["measure"] == "emergency" and not result["서울"]["wide_area"]
    assert result["인천"]["measure"] == "none"


def test_holiday_issues_without_vehicle_rules(kb):
    data = {"decided_at": "2026-12-24T17:00:00+09:00", "measured": {"서울": 60},
            "forecast": {"2026-12-25": {"서울": 70}}, "holidays": ["2026-12-25"]}
    d = assess(kb, data)["decisions"][0]
    assert d["measure"] == "emergency" and not d["vehicle_restriction"] and not d["public_odd_even"]
    # Saturday: always a holiday.
    data = {"decided_at": "2026-12-04T17:00:00+09:00", "measured": {"서울": 60}, "forecast": {"2026-12-05": {"서울": 70}}}
    d = assess(kb, data)["decisions"][0]
    assert d["measure"] == "emergency" and not d["public_odd_even"]


def test_calendar_holidays_are_added(kb):
    data = {"decided_at": "2027-02-08T17:00:00+09:00", "measured": {"서울": 60}, "forecast": {"2027-02-09": {"서울": 70}}}
    assert assess(kb, data)["decisions"][0]["vehicle_restriction"] is True
    d = assess(kb, data, frozenset({date(2027, 2, 9)}))["decisions"][0]  # 설날 substitute holiday
    assert d["vehicle_restriction"] is False


@pytest.mark.parametrize("bad, message", [
    ({"measured": {"평양": 60}}, "unknown 시·도"),
    ({"measured": {"경기남부": 60}}, "unknown 시·도"),  # a forecast region's value is not its province's average
    ({"forecast": {"2026-12-02": {"서울": "흐림"}}}, "neither a number nor a grade"),
    ({"forecast": {"12/2": {"서울": 60}}}, "not a date"),
    ({"measured": {"서울": "많음"}}, "must be a number"),
])
def test_bad_input_is_refused(kb, bad, message):
    with pytest.raises(RuleInputError, match=message):
        assess(kb, {"decided_at": DECIDED, **bad})
