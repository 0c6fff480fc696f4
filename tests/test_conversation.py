"""The guided /check, the slash commands and the per-user limits, as every channel uses them."""
from datetime import datetime

import pytest

from bot.app import Assistant
from bot.rate_limit import RateLimiter
from bot.store import Store
from conftest import KST


@pytest.fixture
def bot(kb, tmp_path):
    return Assistant(kb, store=Store(tmp_path / "bot.db"), clock=lambda: datetime(2026, 12, 2, 9, 0, tzinfo=KST))


def steps(bot, user, *moves):
    """Play moves ('/check', 'scheme=seasonal', or typed text) and return the replies."""
    out = []
    for move in moves:
        if "=" in move and not move.startswith("/"):
            out.append(bot.press(f"check:{move}", user=user))
        else:
            out.append(bot.ask(move, user=user))
    return out


def test_a_weekend_needs_no_plate(bot):
    *_, verdict = steps(bot, "u", "/check", "scheme=seasonal", "date=2026-12-05")
    assert verdict.data["step"] is None and verdict.data["allowed"] is True and verdict.data["subject"] is False
    assert bot.conversations.get("u") is None


def test_out_of_season_date_typed_in_korean(bot):
    *_, verdict = steps(bot, "u", "/check", "scheme=seasonal", "2027년 4월 1일")
    assert verdict.data["subject"] is False and "4월" not in verdict.text  # the verdict, not a re-ask


def test_a_day_of_the_week_is_the_day_asked_about(bot):
    """On Wednesday 2 December, '다음주 월요일' is 7 December (odd): an even plate may not run, an odd one may."""
    even, odd = bot.ask("12가3456 다음주 월요일 청사 주차 가능?", user="u"), bot.ask("12가3457 next monday?", user="u")
    assert even.data["date"] == odd.data["date"] == "2026-12-07"
    assert even.data["allowed"] is False and odd.data["allowed"] is True


def test_a_day_of_a_parity_is_the_next_working_day_of_it(bot, kb, tmp_path):
    """'짝수날에 운행돼?' asks about such a day, not about today: on Wednesday 2 December (even) an odd day is
    Thursday the 3rd; from Friday the 4th it is Monday the 7th (Saturday the 5th is off). Today was checked."""
    even, odd = bot.ask("12가3456 짝수날에 비저면 운행돼?", user="u"), bot.ask("12가3456 on an odd day?", user="u")
    assert (even.data["date"], even.data["allowed"]) == ("2026-12-02", True)
    assert (odd.data["date"], odd.data["allowed"]) == ("2026-12-03", False)
    friday = Assistant(kb, store=Store(tmp_path / "f.db"), clock=lambda: datetime(2026, 12, 4, 9, 0, tzinfo=KST))
    assert friday.ask("123나4567 홀수일 청사 주차 돼?", user="u").data["date"] == "2026-12-07"
    assert bot.ask("12가3456 12월 9일 짝수날이야?", user="u").data["date"] == "2026-12-09"  # a date typed wins


def test_a_holiday_by_its_name_is_the_day_asked_about(bot):
    """Christmas is a holiday: the seasonal scheme does not apply, whatever the plate (it used to answer for today)."""
    christmas = bot.ask("12가3457 크리스마스에 청사 주차 돼?", user="u")
    assert christmas.data["date"] == "2026-12-25" and christmas.data["subject"] is False
    assert bot.ask("12가3457 설날 일정", user="u").data["date"] == "2027-02-07"


def test_the_scheme_and_the_sido_a_plate_question_names(bot):
    """'비저' / '예저' name the emergency scheme as 비상저감 does (the seasonal one was checked); a 시·도 outside the
    seasonal scheme's region (강원) is not covered by it, one inside (부산) is."""
    slang = bot.ask("12가3456 12월 3일 비저 운행돼?", user="u")
    assert slang.data["scheme"] == "emergency" and slang.data["allowed"] is False  # 3 is odd, the plate even
    assert bot.ask("12가3456 12월 3일 예저 운행?", user="u").data["scheme"] == "emergency"
    outside, inside = bot.ask("강원 12가3456 12월 3일 청사 주차?", user="u"), bot.ask("부산 12가3456 12월 3일 청사 주차?", user="u")
    assert outside.data["subject"] is False and outside.data["allowed"] is True and "시행지역" in outside.text
    assert inside.data["subject"] is True and inside.data["allowed"] is False


@pytest.mark.parametrize("question", ["12가3456 2026-13-45 운행 가능?", "12월 32일 비상저감 일정",
                                      "내일 서울 비저 2026-02-30 발령됐어?"])
def test_a_date_no_calendar_has_is_refused_not_answered_for_today(bot, question):
    """Answering '12가3456 2026-13-45' for today would answer a question nobody asked."""
    reply = bot.ask(question, user="u")
    assert reply.intent == "bad_date" and reply.matched is False and "날짜가 아닙니다" in reply.text
    assert bot.conversations.get("u") is None


def test_an_impossible_date_typed_in_the_check_is_asked_again(bot):
    replies = steps(bot, "u", "/check", "scheme=seasonal", "12월 32일")
    assert replies[-1].matched is False and bot.conversations.get("u")["step"] == "date"


def test_a_matching_plate_ends_the_check_early(bot):
    # 2026-12-03 is odd, a plate ending in 7 is odd: it may run whatever else is true
    *_, verdict = steps(bot, "u", "/check", "scheme=seasonal", "date=2026-12-03", "12가3457")
    assert verdict.data["allowed"] is True and verdict.data["answers"] == {
        "scheme": "seasonal", "date": "2026-12-03", "plate": "12가3457"}


def test_a_plate_typed_in_latin_letters_is_the_korean_plate(bot):
    *_, verdict = steps(bot, "u", "/check", "scheme=seasonal", "date=2026-12-03", "12 ga 3457")
    assert verdict.data["allowed"] is True and verdict.data["answers"]["plate"] == "12가3457"
    *_, refused = steps(bot, "v", "/check", "scheme=seasonal", "date=2026-12-03", "12xq3457")
    assert refused.matched is False and refused.data["step"] == "plate"


def test_the_last_digit_alone_stands_for_the_plate(bot):
    """The rule reads only the last digit, and a user may not want to type more (rev.4 2. 시행방안)."""
    *_, verdict = steps(bot, "u", "/check", "scheme=seasonal", "date=2026-12-03", "7")
    assert verdict.data["allowed"] is True and verdict.data["answers"]["plate"] == "7" and "끝자리 7" in verdict.body
    *_, asked = steps(bot, "v", "/check", "scheme=seasonal", "date=2026-12-03", "6")
    assert asked.data["step"] == "owner"  # an even digit on the 3rd: the rest decides
    *_, refused = steps(bot, "w", "/check", "scheme=seasonal", "date=2026-12-03", "67")
    assert refused.matched is False and refused.data["step"] == "plate"


def test_a_wrong_plate_is_asked_again_and_changes_nothing(bot):
    replies = steps(bot, "u", "/check", "scheme=seasonal", "date=2026-12-03", "12가34")
    assert replies[-1].matched is False and replies[-1].data["step"] == "plate"
    assert bot.conversations.get("u") == {"step": "plate", "answers": {"scheme": "seasonal", "date": "2026-12-03"}}


def test_the_full_path_to_an_exemption(bot):
    replies = steps(bot, "u", "/check", "scheme=seasonal", "date=2026-12-03", "12가3456", "owner=employee",
                    "kind=passenger", "light=no", "fuel=gasoline", "exemption=pregnant")
    assert [r.data.get("step") for r in replies] == ["scheme", "date", "plate", "owner", "kind", "light", "fuel",
                                                     "exemption", None]
    assert replies[-1].data["exempt"] is True and replies[-1].data["allowed"] is True


def test_no_exemption_means_it_may_not_run(bot):
    *_, verdict = steps(bot, "u", "/check", "scheme=seasonal", "date=2026-12-03", "12가3456", "owner=employee",
                        "kind=passenger", "light=no", "fuel=gasoline", "exemption=none")
    assert verdict.data["allowed"] is False and "12가3456" in verdict.text


def test_a_van_is_not_asked_whether_it_is_a_light_car(bot):
    replies = steps(bot, "u", "/check", "scheme=emergency", "date=2026-12-03", "12가3456", "owner=employee", "kind=van")
    assert replies[-1].data["step"] == "fuel"


def test_an_electric_car_is_exempt_at_once(bot):
    *_, verdict = steps(bot, "u", "/check", "scheme=seasonal", "date=2026-12-03", "12가3456", "owner=employee",
                        "kind=passenger", "light=no", "fuel=electric")
    assert verdict.data["step"] is None and verdict.data["exempt"] is True


def test_an_old_button_does_not_mix_answers(bot):
    steps(bot, "u", "/check", "scheme=seasonal")
    stale = bot.press("check:scheme=emergency", user="u")
    assert stale.matched is False and bot.conversations.get("u")["step"] == "date"


def test_a_check_survives_a_restart(bot, kb, tmp_path):
    steps(bot, "u", "/check", "scheme=seasonal", "date=2026-12-03")
    again = Assistant(kb, store=Store(tmp_path / "bot.db"), clock=bot.clock)
    assert again.ask("12가3456", user="u").data["step"] == "owner"


def test_cancel_and_questions_after_it_go_to_the_router(bot):
    steps(bot, "u", "/check", "scheme=seasonal", "date=2026-12-03", "/cancel")
    assert bot.ask("경차도 고농도계절 공공2부제 제외대상인가요?", user="u").intent == "faq"


def test_commands(bot):
    start = bot.ask("/start", user="u")
    assert start.intent == "start" and start.buttons[0][1] == "check:start"
    assert bot.ask("/status@dust_bot 서울", user="u").intent == "status"
    assert bot.ask("/status 뉴욕", user="u").matched is False
    several = bot.ask("/status 서울 부산", user="v")  # several, as /subscribe takes them; one unknown is named
    assert several.intent == "status" and "서울특별시·부산광역시" in several.body
    assert "뉴욕" in bot.ask("/status 서울, 뉴욕", user="v").body and "제주특별자치도" in bot.ask("/status 제주 특별자치도", user="v").body
    pasted = bot.ask("/status " + "가" * 300, user="w").body  # an error repeats a pasted paragraph shortened
    assert "가" * 39 + "…" in pasted and "가" * 41 not in pasted
    assert bot.ask("/roles 코레일", user="u").data["agency"] == "korail"
    assert bot.press("roles:police", user="u").data["agency"] == "police"
    assert bot.ask("/nope", user="u").matched is False
    assert all(f"/{name}" in bot.ask("/help", user="u").body for name in ("start", "status", "check", "lang"))


@pytest.mark.parametrize("text, intent", [("도움말", "help"), ("뭐 물어볼 수 있어?", "help"), ("what can you do", "help"),
                                          ("안녕하세요!", "greeting"), ("ㅎㅇ", "greeting"), ("안녕 넌 누구야", "greeting"),
                                          ("hello", "greeting"), ("고마워요 ㅎㅎ", "thanks"), ("thanks!", "thanks"),
                                          ("hello there", "greeting"), ("정말 감사합니다", "thanks"),
                                          ("thank you so much", "thanks")])  # this one got the FAQ's 'what is fine dust'
def test_help_a_greeting_or_thanks_typed_as_words(bot, text, intent):
    """Help in words is /help; a greeting gets /start's introduction and menu; thanks a short reply. None of them
    is the FAQ's refusal, nor an unanswered question for the admin's /kb misses."""
    reply = bot.ask(text, user="u")
    assert reply.intent == intent and "공식 지침이 다루지 않는" not in reply.body
    if intent == "help":
        assert reply.matched and reply.body == bot.ask("/help", reply.lang, user="u").body
    else:  # they ask no question, so none was answered
        assert not reply.matched and reply.buttons == bot.ask("/start", reply.lang, user="u").buttons
    assert ("천만에요" in reply.body or "You are welcome" in reply.body) == (intent == "thanks")
    assert bot.store.misses() == []


@pytest.mark.parametrize("text", ["bye", "잘가", "고마워 잘가~", "안녕히 계세요", "goodbye!"])
def test_a_goodbye_gets_a_short_reply_not_the_refusal(bot, text):
    """'bye' got the FAQ's refusal and was kept as an unanswered question for the admin."""
    reply = bot.ask(text, user="u")
    assert reply.intent == "goodbye" and not reply.matched
    assert "안녕히 가세요" in reply.body or "Goodbye" in reply.body
    assert bot.store.misses() == []


@pytest.mark.parametrize("text", ["안녕하세요 비상저감조치 발령 기준이 뭔가요", "도움말 좀 보려면 어디로 가?",
                                  "hi, what is the emergency measure", "고마워 근데 경차도 2부제 빠져?"])
def test_a_question_with_a_greeting_or_thanks_in_it_is_still_a_question(bot, text):
    assert bot.ask(text, user="u").intent not in ("help", "greeting", "thanks")


@pytest.mark.parametrize("payload", ["faq:no-such-entry", "roles:no-such-agency", "nokind:1", "check:start"])
def test_a_button_nobody_answers_gets_the_capabilities(kb, payload):
    # check:start without a user: a guided check belongs to someone
    reply = Assistant(kb).press(payload, lang="en")
    assert reply.intent == "help" and reply.text.startswith("I can answer:")


def test_every_kind_of_button_the_bot_makes_has_an_answer(bot):
    """Each handler registers the buttons it makes (bot/router.presses); a kind without one would fall
    through to the capabilities, so a button the bot shows must never be of such a kind."""
    from bot.router import BUTTONS

    shown = [p for r in (bot.ask("/start", user="u"), bot.ask("/check", user="u"), bot.ask("/kb", user="u"),
                         bot.ask("경차도 2부제 해당돼?", user="u"), bot.ask("도로공사 할일", user="u"))
             for _, p in r.buttons]
    kinds = {p.partition(":")[0] for p in shown}
    assert {"cmd", "check", "fb"} <= kinds and kinds <= set(BUTTONS)
    assert set(BUTTONS) >= {"faq", "cmd", "roles", "tick", "untick", "approve", "kb", "proposal", "release", "fb", "check"}


def test_language_switch_is_remembered(bot):
    assert bot.ask("/lang en", user="u").text == "Language set to English."
    assert bot.ask("/check", user="u").body == "Which scheme do you want to check?"
    assert bot.ask("/lang ko", user="u").lang == "ko"
    assert bot.ask("/check", user="u").body == "어떤 제도로 확인할까요?"


def test_a_flood_is_slowed_for_that_user_only(kb):
    now = [0.0]
    bot = Assistant(kb, limiter=RateLimiter(per_minute=6, burst=3, clock=lambda: now[0]))
    assert [bot.ask("경차 2부제?", user="a").intent for _ in range(4)][-1] == "rate_limited"
    assert bot.ask("경차 2부제?", user="b").intent != "rate_limited"
    now[0] += 10  # one message per 10 s refills
    assert bot.ask("경차 2부제?", user="a").intent != "rate_limited"
    assert bot.ask("경차 2부제?").intent != "rate_limited"  # one-off questions (CLI) are not limited


def test_a_redelivered_update_is_seen_once(tmp_path):
    store = Store(tmp_path / "bot.db")
    assert store.first_delivery("telegram", 17) is True
    assert store.first_delivery("telegram", 17) is False
    assert store.first_delivery("slack", 17) is True
    assert Store(tmp_path / "bot.db").first_delivery("telegram", 17) is False  # after a restart too
