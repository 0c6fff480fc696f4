"""Vehicle checks, with cases taken from the guidelines (emergency 제3장 제6절 가; seasonal rev.4 2.–4., 붙임 3)."""
from datetime import date

import pytest

from bot.korean_holidays import public_holidays
from bot.rules import RuleInputError
from bot.rules.vehicle import check, parse_plate, seasonal_day

WED_ODD = date(2026, 12, 9)    # a Wednesday, odd day, inside the season
THU_EVEN = date(2026, 12, 10)


def run(kb, **kw):
    kw.setdefault("holidays", public_holidays(kw["day"].year))
    return check(kb, **kw)


@pytest.mark.parametrize("plate", ["12가3456", "123가4567", "12 가 3456", "123 가4567", "서울12가3456"])
def test_plate_forms(plate):
    assert parse_plate(plate)[-4:] in ("3456", "4567")


@pytest.mark.parametrize("plate", ["1234", "12ab3456", "1가3456", "12가345", "가나다", ""])
def test_bad_plates_are_refused(plate):
    with pytest.raises(RuleInputError, match="plate"):
        parse_plate(plate)


def test_odd_day_odd_plate_runs_even_plate_does_not(kb):
    assert run(kb, scheme="seasonal", day=WED_ODD, plate="12가3457", sido="서울")["allowed"]
    v = run(kb, scheme="seasonal", day=WED_ODD, plate="12가3456", sido="서울")
    assert v["subject"] and not v["exempt"] and not v["allowed"]
    assert run(kb, scheme="seasonal", day=THU_EVEN, plate="12가3450", sido="서울")["allowed"]  # 0 is even


def test_seasonal_only_december_to_march(kb):
    v = run(kb, scheme="seasonal", day=date(2026, 11, 25), plate="12가3456", sido="서울")
    assert not v["subject"] and v["allowed"]
    assert run(kb, scheme="seasonal", day=date(2027, 3, 31), plate="12가3456", sido="서울")["subject"]
    assert not run(kb, scheme="seasonal", day=date(2027, 4, 1), plate="12가3456", sido="서울")["subject"]


@pytest.mark.parametrize("day, sido, runs", [
    (WED_ODD, None, True), (WED_ODD, "부산", True), (date(2027, 3, 31), "세종", True),  # 2. 시행방안: 12월~3월
    (date(2026, 11, 30), None, False), (date(2027, 4, 1), None, False),
    (date(2026, 12, 12), None, False), (date(2026, 12, 25), "서울", False),  # a Saturday, 성탄절
    (WED_ODD, "강원", False), (WED_ODD, "제주", False)])  # 수도권 and the 6 특·광역시 only
def test_whether_the_seasonal_scheme_runs_on_a_day_needs_no_measure(kb, day, sido, runs):
    """'내일 2부제 해?' with no measure issued: the seasonal scheme runs every weekday of its season in its regions."""
    verdict = seasonal_day(kb, day, sido, public_holidays(day.year))
    assert verdict["runs"] is runs and verdict["citations"]


def test_weekends_and_public_holidays_including_substitute_ones(kb):
    assert not run(kb, scheme="seasonal", day=date(2026, 12, 12), plate="12가3456", sido="서울")["subject"]  # Saturday
    assert not run(kb, scheme="seasonal", day=date(2026, 12, 25), plate="12가3456", sido="서울")["subject"]
    # 2026-03-02 is the substitute holiday for 삼일절 (a Sunday): the bot knows it without being told.
    assert not run(kb, scheme="seasonal", day=date(2026, 3, 2), plate="12가3456", sido="서울")["subject"]
    assert not run(kb, scheme="emergency", day=date(2026, 3, 2), plate="12가3456")["subject"]


def test_seasonal_region_is_capital_area_and_six_cities(kb):
    assert run(kb, scheme="seasonal", day=WED_ODD, plate="12가3456", sido="세종")["subject"]
    v = run(kb, scheme="seasonal", day=WED_ODD, plate="12가3456", sido="강원")
    assert not v["subject"] and v["allowed"]


def test_light_cars_exempt_in_season_but_included_in_emergency(kb):
    assert run(kb, scheme="seasonal", day=WED_ODD, plate="12가3456", sido="서울", light=True)["exempt"]
    v = run(kb, scheme="emergency", day=WED_ODD, plate="12가3456", light=True)
    assert v["subject"] and not v["exempt"] and not v["allowed"]


def test_owners(kb):
    # Seasonal: an agency's own van is out, a staff member's van is in; visitors and tenants are out.
    assert not run(kb, scheme="seasonal", day=WED_ODD, plate="12가3456", sido="서울", owner="agency", kind="van")["subject"]
    assert run(kb, scheme="seasonal", day=WED_ODD, plate="12가3456", sido="서울", owner="employee", kind="truck")["subject"]
    assert not run(kb, scheme="seasonal", day=WED_ODD, plate="12가3456", sido="서울", owner="tenant")["subject"]
    assert not run(kb, scheme="seasonal", day=WED_ODD, plate="12가3456", sido="서울", owner="visitor")["subject"]
    # Emergency: everyone using the car park is covered, 민원인 take part voluntarily.
    assert run(kb, scheme="emergency", day=WED_ODD, plate="12가3456", owner="tenant")["subject"]
    assert not run(kb, scheme="emergency", day=WED_ODD, plate="12가3456", owner="visitor")["subject"]


@pytest.mark.parametrize("scheme", ["seasonal", "emergency"])
def test_no_owner_given_is_checked_as_a_staff_members_car_and_says_so(kb, scheme):
    """A visitor (민원인) is not covered, so a verdict that assumed a staff member's car must say it assumed so."""
    assumed = run(kb, scheme=scheme, day=WED_ODD, plate="12가3456", sido="서울")
    stated = run(kb, scheme=scheme, day=WED_ODD, plate="12가3456", sido="서울", owner="employee")
    assert (assumed["subject"], assumed["allowed"]) == (stated["subject"], stated["allowed"]) == (True, False)
    said = [r for r in assumed["reasons"] if r not in stated["reasons"]]
    assert len(said) == 1 and "staff member" in said[0]["key"]
    # a day nobody's car is covered, nothing is assumed
    assert len(run(kb, scheme=scheme, day=date(2026, 12, 12), plate="12가3456")["reasons"]) == 1


def test_emergency_covers_passenger_cars_and_vans_up_to_10_seats(kb):
    assert run(kb, scheme="emergency", day=WED_ODD, plate="12가3456", kind="van", seats=10)["subject"]
    assert not run(kb, scheme="emergency", day=WED_ODD, plate="12가3456", kind="van", seats=11)["subject"]
    assert not run(kb, scheme="emergency", day=WED_ODD, plate="12가3456", kind="truck")["subject"]


@pytest.mark.parametrize("fuel, exempt", [("electric", True), ("hybrid", True), ("plugin_hybrid", True),
                                          ("hydrogen", True), ("solar", True), ("lpg", False), ("diesel", False)])
def test_eco_friendly_cars(kb, fuel, exempt):
    for scheme in ("seasonal", "emergency"):
        v = run(kb, scheme=scheme, day=WED_ODD, plate="12가3456", sido="서울", fuel=fuel)
        assert v["exempt"] is exempt and v["allowed"] is exempt


def test_exemption_codes_per_scheme(kb):
    # Long commutes are an exemption of the seasonal scheme only (rev.4 Q&A 적용 대상 8).
    assert run(kb, scheme="seasonal", day=WED_ODD, plate="12가3456", sido="서울", exemptions=["long_commute"])["allowed"]
    assert not run(kb, scheme="emergency", day=WED_ODD, plate="12가3456", exemptions=["long_commute"])["allowed"]
    for code in ("disabled", "national_merit", "pregnant", "infant", "emergency_vehicle", "police", "fire", "military",
                 "security", "diplomatic", "foreign_forces", "press", "school_bus", "commuter_bus", "no_transit", "head_approved"):
        for scheme in ("seasonal", "emergency"):
            v = run(kb, scheme=scheme, day=WED_ODD, plate="12가3456", sido="서울", exemptions=[code])
            assert v["exempt"] and v["allowed"], (code, scheme)
            assert v["citations"]


def test_bad_input(kb):
    with pytest.raises(RuleInputError, match="unknown 시·도"):
        run(kb, scheme="seasonal", day=WED_ODD, plate="12가3456", sido="도쿄")
    with pytest.raises(RuleInputError, match="unknown exemption code"):
        run(kb, scheme="seasonal", day=WED_ODD, plate="12가3456", exemptions=["vip"])


def test_the_last_digit_alone_is_checked_as_the_plate_is(kb):
    """홀수(짝수)일에는 차량번호 끝자리 홀수(짝수) 차량만 (rev.4 2. 시행방안): the rule reads nothing but the last digit."""
    for digit in range(10):
        by_digit = run(kb, scheme="seasonal", day=WED_ODD, digit=digit, sido="서울")
        by_plate = run(kb, scheme="seasonal", day=WED_ODD, plate=f"12가345{digit}", sido="서울")
        assert by_digit["allowed"] == by_plate["allowed"] == (digit % 2 == 1) and by_digit["plate"] is None
    with pytest.raises(RuleInputError, match="0 to 9"):
        run(kb, scheme="seasonal", day=WED_ODD, digit=12)
    with pytest.raises(RuleInputError, match="plate"):
        run(kb, scheme="seasonal", day=WED_ODD)


@pytest.mark.parametrize("question, digit, day, allowed", [
    ("끝자리 7인데 내일 청사 들어가도 돼?", 7, "2026-12-03", True),      # the fixed clock's tomorrow: Thursday the 3rd
    ("차 번호 끝자리가 4인데 12월 3일 출근해도 돼?", 4, "2026-12-03", False),
    ("my plate ends in 8, can I drive to the office tomorrow", 8, "2026-12-03", False),
    ("끝번호 5 비저때 운행?", 5, "2026-12-02", False)])                  # the 2nd is even: 5 may not run
def test_a_question_with_the_last_digit_alone_gets_the_check(assistant, question, digit, day, allowed):
    reply = assistant.ask(question)
    assert reply.intent == "vehicle" and reply.data["date"] == day and reply.data["allowed"] is allowed
    assert str(digit) in reply.text.splitlines()[0]


@pytest.mark.parametrize("question, line", [
    ("끝번호 0이면 짝수야?", "끝자리는 0(짝수)"),  # the clock's 2 December: the day's own line says it
    ("is a plate ending in 7 odd", "the plate ends in 7 (odd)"),
    ("12가3456 12월 5일 짝수차 됨?", "끝자리 6은(는) 짝수이므로 짝수일에 운행합니다."),  # a Saturday: no day's line
    ("끝번호 0 11월 30일 짝수야?", "끝자리 0은(는) 짝수이므로 짝수일에 운행합니다."),  # out of season
    ("is a plate ending in 7 odd on november 30", "A plate ending in 7 is odd: it runs on odd days.")])
def test_a_question_about_the_plates_parity_is_told_it(assistant, question, line):
    """0 is even: a parity question gets the plate's parity even when the day's verdict does not need it."""
    reply = assistant.ask(question)
    assert reply.intent == "vehicle" and line in reply.text


def test_the_odd_even_rules_name_asks_no_parity(assistant):
    text = assistant.ask("12가3456 12월 5일 odd even rule?").text  # a Saturday: the rule does not run
    assert "is even: it runs" not in text and "12가3456" in text


def test_the_day_of_the_month_beside_today_is_not_checked_against_the_clock(assistant):
    """'오늘 15일인데 …': the clock's today and the 15th may differ, so the rule is explained (the FAQ), not computed."""
    assert assistant.ask("오늘 15일인데 내 차 끝번호 4면 끌고 나가도 돼?").intent == "faq"


@pytest.mark.parametrize("question", ["does the emergency measure end in 2 hours", "비저 끝나는 시간 9시야?"])
def test_a_digit_that_is_no_plate_is_not_read_as_one(assistant, question):
    assert assistant.ask(question).intent != "vehicle"


@pytest.mark.parametrize("question, told", [
    ("12가3456 경유 5등급인데 12월 3일 비저때 서울 운행돼?", True),  # a Thursday: the ordinance's restriction runs too
    ("12가3457 비상저감 때 운행 가능?", True),  # today, 2 December: "may run" is the odd-even rule's verdict alone
    ("12가3456 12월 5일 비저 운행?", False),  # a Saturday: neither runs
    ("12가3457 예비저감 때 12월 3일 운행 가능?", False),  # the preliminary measure restricts no vehicles
    ("12가3456 12월 3일 운행?", False)])  # the seasonal scheme has no vehicle restriction
def test_a_check_under_a_measure_says_the_sidos_vehicle_restriction_applies_as_well(assistant, question, told):
    """The check is the public-agency odd-even rule (지침 제3장 제6절 가.); on a working day of the measure the vehicles the
    시·도 ordinance names (5등급 …) may not run whatever their plate (제1장 제5절 나.), and a bare "may run" hid it."""
    reply = assistant.ask(question)
    assert reply.intent == "vehicle"
    assert ("시·도 조례로 정한 운행 제한 대상 차량" in reply.text) is told
    if told:
        assert any(c["section"] == "제1장 제5절 나. 적용대상" for c in reply.sources)


@pytest.mark.parametrize("question, plate, allowed", [
    ("can i park at the office on dec 3, plate 12ga3456", "12가3456", False),  # the 3rd is odd, the plate even
    ("my plate is 123 meo 4567, dec 3 odd even ok?", "123머4567", True),
    ("12-ha-3456 on december 3?", "12하3456", False)])
def test_a_plate_typed_in_latin_letters_is_read_as_the_korean_plate(assistant, question, plate, allowed):
    """Without a Korean keyboard the plate's syllable is typed as it is romanised; the check reads it all the same."""
    reply = assistant.ask(question)
    assert reply.intent == "vehicle" and reply.data["plate"] == plate and reply.data["allowed"] is allowed


@pytest.mark.parametrize("question", ["call me at 10 am 1234", "is 20 ppm 2000 a lot"])
def test_latin_letters_that_are_no_plate_syllable_are_no_plate(assistant, question):
    assert assistant.ask(question).intent != "vehicle"
