"""The Slack channel end to end: signed HTTP requests to the bolt app, answers read from a local Web API recorder.

Everything runs on 127.0.0.1: the bot's endpoint (bolt behind a WSGI server on a free port) and the
stand-in for slack.com (tests/fake_slack.py). Listeners run after the acknowledgement, in bolt's
worker threads, so the tests wait for the recorder rather than sleep.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

import pytest

from bot.app import Assistant
from bot.channels import slack
from bot.channels.slack import build_app, command_text, http_server
from bot.config import Config
from bot.rate_limit import RateLimiter
from bot.reply import Reply
from bot.store import Store
from conftest import KST
from fake_slack import SECRET, FakeSlack, Sender

CLOCK = lambda: datetime(2026, 12, 2, 9, 0, tzinfo=KST)  # a Wednesday  # noqa: E731


@dataclass
class Bot:
    fake: FakeSlack
    send: Sender
    store: Store
    assistant: Assistant

    def answers(self, channel: str, n: int = 1, method: str = "chat.postMessage"):
        return self.fake.wait(method, n, channel=channel)

    def state(self) -> dict:
        """Everything the bot keeps per user and per delivery."""
        db = self.store.db
        return {t: list(db[t].rows) for t in ("users", "conversations", "processed_updates", "misses")}


@pytest.fixture
def make_bot(tmp_path, kb):
    """A Slack bot on a fresh SQLite file and a fresh recorder: make_bot(limiter=…, **App options)."""
    started = []

    def make(limiter: RateLimiter | None = None, **options) -> Bot:
        fake = FakeSlack().start()
        store = Store(tmp_path / f"bot{len(started)}.db")
        assistant = Assistant(kb, store=store, clock=CLOCK,
                              limiter=limiter or RateLimiter(per_minute=60, burst=100, clock=lambda: 0.0))
        cfg = Config({"slack": {"api_url": fake.url, "post_interval": 0}},
                     {"SLACK_BOT_TOKEN": fake.token, "SLACK_SIGNING_SECRET": SECRET})
        app = build_app(assistant, cfg, **options)
        server = http_server(app, "127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        started.append((server, fake))
        return Bot(fake, Sender(f"http://127.0.0.1:{server.server_port}/slack/events", SECRET, hooks=fake), store,
                   assistant)

    yield make
    for server, fake in started:
        server.shutdown()
        server.server_close()
        fake.stop()


@pytest.fixture
def bot(make_bot) -> Bot:
    return make_bot()


def body_of(reply: Reply) -> str:
    """The core's body as it appears in mrkdwn."""
    return slack.escape(reply.body)


# -- signatures ----------------------------------------------------------------------------------
def test_a_signed_free_question_is_answered_with_the_body_in_blocks_and_the_sources(bot, assistant):
    status, _ = bot.send.command("경차도 계절 2부제 해당돼?")
    assert status == 200
    call = bot.answers("D1")[0]
    expected = assistant.ask("경차도 계절 2부제 해당돼?", "ko")
    assert call.token == bot.fake.token
    kinds = [b["type"] for b in call.blocks]
    assert kinds[0] == "section" and "context" in kinds
    assert body_of(expected).split("\n")[0] in call.blocks[0]["text"]["text"]
    context = next(b for b in call.blocks if b["type"] == "context")
    assert context["elements"][0]["text"].startswith("출처: 미세먼지 고농도계절 공공2부제 시행지침")
    assert "&lt; 적용 대상 &gt;" in context["elements"][0]["text"]  # the section title's < > escaped for mrkdwn
    assert "출처:" in call.params["text"]  # the notification text carries the source too


def test_a_bad_signature_is_refused_logged_and_changes_nothing(bot, caplog):
    caplog.set_level(logging.WARNING, logger="bot.channels.slack")
    before, calls = bot.state(), len(bot.fake.calls)
    assert bot.send.command("lang en", secret="not-the-secret")[0] == 401
    assert bot.send.command("check", signature="v0=" + "0" * 64)[0] == 401
    assert bot.send.dm("12가3456 내일 운행 가능?", signature="")[0] == 401
    assert bot.state() == before
    assert len(bot.fake.calls) == calls  # nothing posted (the refusal happens before any listener)
    refused = [r for r in caplog.records if "refused a Slack request" in r.getMessage()]
    assert len(refused) == 3 and all(r.levelno == logging.WARNING for r in refused)


def test_a_timestamp_older_than_five_minutes_is_refused(bot, caplog):
    caplog.set_level(logging.WARNING, logger="bot.channels.slack")
    before = bot.state()
    stale = int(time.time()) - 6 * 60
    assert bot.send.command("status 서울", timestamp=stale)[0] == 401
    assert bot.send.dm("안녕", timestamp=stale)[0] == 401
    assert bot.state() == before and len(bot.fake.calls) == 1  # auth.test at start only
    assert any(str(stale) in r.getMessage() for r in caplog.records)


# -- /dust ---------------------------------------------------------------------------------------
def test_dust_sub_commands_become_the_cores_slash_commands():
    assert command_text("status 서울") == "/status 서울"
    assert command_text("Status  서울") == "/status 서울"
    assert command_text("check") == "/check"
    assert command_text("roles 경찰청") == "/roles 경찰청"
    assert command_text("lang en") == "/lang en"
    assert command_text("") == "/start"
    assert command_text("경차도 계절 2부제 해당돼?") == "경차도 계절 2부제 해당돼?"
    assert command_text("status of &lt;서울&gt;") == "/status of <서울>"  # Slack's escaping undone
    assert command_text("statuses today") == "statuses today"  # only a whole word is a sub-command


def test_dust_status_seoul(bot, assistant):
    bot.send.command("status 서울")
    call = bot.answers("D1")[0]
    expected = assistant.ask("/status 서울", "ko")
    assert body_of(expected) in call.text
    assert "서울특별시" in call.text and "출처:" in call.text


def test_dust_roles_and_help(bot):
    bot.send.command("roles 경찰청")
    assert "경찰청" in bot.answers("D1")[0].text
    bot.send.command("help")
    assert "/status" in bot.answers("D1", 2)[1].text


def test_dust_lang_en_switches_to_english(bot):
    bot.send.command("lang en")
    assert "Language set to English." in bot.answers("D1")[0].text
    assert bot.store.language("slack:U1") == "en"
    bot.send.command("status 서울")
    call = bot.answers("D1", 2)[1]
    assert "Seoul" in call.text and "Source:" in call.text and "출처" not in call.text
    bot.send.dm("Are light cars exempt from the odd-even scheme?")
    assert "Source:" in bot.answers("D1", 3)[2].text
    bot.send.command("status 서울", user="U2", channel="D2")  # another user keeps Korean
    assert "출처:" in bot.answers("D2")[0].text


def test_a_message_in_english_is_answered_in_english_until_a_language_is_chosen(bot):
    """Slack sends no language code: the message's own language answers, and /dust lang wins over it."""
    bot.send.dm("Are light cars exempt from the odd-even scheme?")
    assert "Source:" in bot.answers("D1")[0].text
    bot.send.dm("경차도 2부제 해당돼?")
    assert "출처:" in bot.answers("D1", 2)[1].text
    bot.send.command("lang ko")
    bot.send.dm("Are light cars exempt from the odd-even scheme?")
    assert "출처:" in bot.answers("D1", 4)[3].text


def test_a_button_under_an_english_answer_is_answered_in_english_until_a_language_is_chosen(bot):
    """The button carries the language of the message it is under (action_id dust:<n>:en); a chosen one wins."""
    bot.send.dm("Are light cars exempt from the odd-even scheme?")
    answer = bot.answers("D1")[0]
    assert all(b["action_id"].endswith(":en") for b in answer.buttons)
    press(bot, answer, next(b["value"] for b in answer.buttons if b["value"].startswith("faq:")))
    assert "Source:" in bot.answers("D1", 2)[1].text
    bot.send.command("lang ko")
    press(bot, answer, next(b["value"] for b in answer.buttons if b["value"].startswith("faq:")))
    assert "출처:" in bot.answers("D1", 4)[3].text


def test_in_a_channel_the_answer_is_shown_only_to_the_asker(bot):
    bot.send.command("status 부산", channel="C1", channel_name="general")
    call = bot.answers("C1", method="chat.postEphemeral")[0]
    assert call.params["user"] == "U1" and "부산" in call.text
    assert not bot.fake.of("chat.postMessage")


def test_when_the_bot_is_not_in_the_channel_the_response_url_answers(bot):
    bot.fake.failures["chat.postEphemeral"] = ["channel_not_found"]
    bot.send.command("status 서울", channel="C9", channel_name="random")
    call = bot.fake.wait("response_url")[0]
    assert call.params["response_type"] == "ephemeral" and "서울특별시" in call.text


# -- /check with buttons ---------------------------------------------------------------------------
def press(bot: Bot, question, value: str, channel: str = "D1", **kw):
    """Press the button with `value` on the message `question` (a recorded call) and return the button."""
    button = next(b for b in question.buttons if b["value"] == value)
    ts = question.params.get("ts") or question.result.get("ts")
    assert bot.send.press(button, channel=channel, message_ts=ts, **kw)[0] == 200
    return button


def test_check_ends_early_on_a_weekend_typed_in_the_dm(bot):
    bot.send.command("check")
    question = bot.answers("D1")[0]
    assert [b["value"] for b in question.buttons] == ["check:scheme=seasonal", "check:scheme=emergency"]
    press(bot, question, "check:scheme=seasonal")
    update = bot.answers("D1", method="chat.update")[0]
    assert update.params["ts"] == question.result["ts"]  # the question became the next one
    assert "어느 날짜" in update.text and [b["value"] for b in update.buttons][:2] == ["check:date=2026-12-02",
                                                                                      "check:date=2026-12-03"]
    bot.send.dm("12월 5일")  # a Saturday: no plate needed
    verdict = bot.answers("D1", 2)[1]
    assert "운행 가능" in verdict.text and "주말" in verdict.text and "출처:" in verdict.text
    assert not verdict.buttons
    assert bot.store.conversation("slack:U1") is None


def test_check_full_path_with_a_typed_plate(bot, assistant):
    bot.send.command("check")
    question = bot.answers("D1")[0]
    press(bot, question, "check:scheme=seasonal")
    update = bot.answers("D1", method="chat.update")[0]
    press(bot, update, "check:date=2026-12-03")  # tomorrow, a Thursday (odd day)
    update = bot.answers("D1", 2, method="chat.update")[1]
    assert "차량번호" in update.text and not update.buttons  # typed
    bot.send.dm("12가3456")
    question = bot.answers("D1", 2)[1]
    assert "누구의 차량" in question.text
    steps = ["check:owner=employee", "check:kind=passenger", "check:light=no", "check:fuel=gasoline",
             "check:exemption=none"]
    for i, value in enumerate(steps):
        press(bot, question, value)
        update = bot.answers("D1", 3 + i, method="chat.update")[-1]
        assert update.params["ts"] == question.result["ts"]  # one message for the whole conversation
        question = update
    verdict = question
    assert "12가3456, 2026-12-03" in verdict.text and "운행 불가" in verdict.text
    assert "출처: 미세먼지 고농도계절 공공2부제 시행지침" in verdict.text
    labels = [b["text"]["text"] for b in verdict.buttons]
    assert labels == []
    assert len(bot.fake.of("chat.postMessage")) == 2  # the first question and the one after the typed plate


def test_check_in_a_channel_goes_on_in_the_ephemeral_message(bot):
    bot.send.command("check", channel="C1", channel_name="general")
    question = bot.answers("C1", method="chat.postEphemeral")[0]
    press(bot, question, "check:scheme=emergency", channel="C1", ephemeral=True)
    hook = bot.fake.wait("response_url")[0]
    assert hook.params["replace_original"] is True and "어느 날짜" in hook.text


def test_an_old_button_says_so_instead_of_mixing_answers(bot):
    bot.send.command("check")
    question = bot.answers("D1")[0]
    press(bot, question, "check:scheme=seasonal")
    bot.answers("D1", method="chat.update")
    press(bot, question, "check:scheme=emergency")  # the first question's button again
    again = bot.answers("D1", 2, method="chat.update")[1]
    assert "/check" in again.text


# -- DMs and mentions ----------------------------------------------------------------------------
def test_a_direct_message_and_a_mention_are_answered(bot, assistant):
    bot.send.dm("12가3456 내일 운행 가능?")
    dm = bot.answers("D1")[0]
    assert body_of(assistant.ask("12가3456 내일 운행 가능?", "ko")).split("\n")[0] in dm.text
    assert dm.params.get("thread_ts") is None
    status, _ = bot.send.mention("<@UBOT> 경찰청 5단계 할 일", channel="C1")
    assert status == 200
    mention = bot.answers("C1")[0]
    assert "경찰청" in mention.text and "출처:" in mention.text
    assert mention.params["thread_ts"]  # answered in the mention's thread


def test_the_bots_own_messages_and_edits_are_not_answered(make_bot):
    bot = make_bot(listener_executor=ThreadPoolExecutor(max_workers=1))  # in order: the marker comes last
    bot.send.event({"type": "message", "channel_type": "im", "channel": "D1", "user": "UBOT", "bot_id": "BBOT",
                    "text": "안녕", "ts": "1.1"})
    bot.send.event({"type": "message", "subtype": "message_changed", "channel_type": "im", "channel": "D1",
                    "message": {"text": "안녕"}, "ts": "1.2"})
    bot.send.dm("경차도 계절 2부제 해당돼?", channel="D1")  # the marker: answered, and only it
    assert "출처:" in bot.answers("D1")[0].text
    assert len(bot.fake.of("chat.postMessage")) == 1


def test_a_file_with_no_words_is_told_to_type_and_one_with_words_is_answered(make_bot):
    bot = make_bot(listener_executor=ThreadPoolExecutor(max_workers=1))
    shared = {"type": "message", "subtype": "file_share", "channel_type": "im", "channel": "D1", "user": "U1",
              "files": [{"id": "F1", "name": "screenshot.png"}]}
    bot.send.event({**shared, "text": "", "ts": "2.1"})
    assert bot.answers("D1")[0].text.startswith("글로 입력한 질문만 읽을 수 있습니다")
    bot.send.event({**shared, "text": "경차도 계절 2부제 해당돼?", "ts": "2.2"})
    assert "출처:" in bot.answers("D1", 2)[1].text


def test_a_redelivered_event_is_answered_once(make_bot):
    bot = make_bot(listener_executor=ThreadPoolExecutor(max_workers=1))  # in order: the marker comes last
    assert bot.send.dm("경차도 계절 2부제 해당돼?", event_id="Ev0001")[0] == 200
    assert bot.send.dm("경차도 계절 2부제 해당돼?", event_id="Ev0001", retry=1)[0] == 200
    assert bot.send.dm("경차도 계절 2부제 해당돼?", event_id="Ev0001", retry=2)[0] == 200
    bot.answers("D1")
    # the retries were dropped before any listener was scheduled: the next message is the second answer
    bot.send.dm("경찰청 5단계 할 일", event_id="Ev0002")
    calls = bot.answers("D1", 2)
    assert "경찰청" in calls[1].text
    assert len(bot.fake.of("chat.postMessage")) == 2
    keys = [r["update_id"] for r in bot.state()["processed_updates"]]
    assert keys.count("event:Ev0001") == 1


def test_a_flood_from_one_user_is_slowed_and_another_user_is_unaffected(make_bot):
    # one worker: listeners run in the order the requests came, so the last answer closes the test
    bot = make_bot(limiter=RateLimiter(per_minute=1, burst=3, clock=lambda: 0.0),
                   listener_executor=ThreadPoolExecutor(max_workers=1))
    for i in range(6):
        bot.send.dm(f"경차도 2부제 해당돼? {i}", user="UA", channel="DA")
    bot.send.dm("경차도 계절 2부제 해당돼?", user="UB", channel="DB")
    other = bot.answers("DB")[0]
    assert "출처:" in other.text and "너무 빨리" not in other.text
    flood = bot.fake.of("chat.postMessage", channel="DA")
    assert [("너무 빨리" in c.text) for c in flood] == [False, False, False, True]  # the notice once, not thrice
    assert "메시지를 너무 빨리 보내고 있습니다" in flood[3].text


def test_many_users_at_once(make_bot):
    bot = make_bot()
    threads = [threading.Thread(target=bot.send.dm, args=("경차도 계절 2부제 해당돼?",), kwargs={"user": f"U{i}", "channel": f"D{i}"})
               for i in range(10, 22)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    calls = bot.fake.wait("chat.postMessage", 12)
    assert all("출처:" in c.text for c in calls)
    assert len(bot.state()["processed_updates"]) == 12


# -- App Home ------------------------------------------------------------------------------------
def test_app_home_shows_the_status_and_the_menu(bot):
    bot.send.home_opened(user="U1")
    call = bot.fake.wait("views.publish")[0]
    assert call.params["user_id"] == "U1" and call.params["view"]["type"] == "home"
    assert "기록된 발령이 없습니다" in call.text and "출처:" in call.text
    values = [b["value"] for b in call.buttons]
    assert values == ["check:start", "cmd:status", "cmd:faq", "cmd:roles", "cmd:lang"]
    assert len({b["action_id"] for b in call.buttons}) == len(values)
    # a Home button answers in the user's DM; the language button also redraws Home in English
    press(bot, call, "cmd:faq", home=True)
    faq = bot.answers("U1")[0]
    assert len(faq.buttons) == 8
    press(bot, call, "cmd:lang", home=True)
    assert "Language set to English." in bot.answers("U1", 2)[1].text
    home = bot.fake.wait("views.publish", 2)[1]
    assert "No measure is recorded" in home.text and "Source:" in home.text


def test_opening_home_does_not_use_up_the_message_limit(make_bot):
    bot = make_bot(limiter=RateLimiter(per_minute=1, burst=1, clock=lambda: 0.0))
    for _ in range(3):
        bot.send.home_opened(user="U1")
    bot.fake.wait("views.publish", 3)
    bot.send.dm("경차도 계절 2부제 해당돼?")
    assert "출처:" in bot.answers("D1")[0].text


# -- Block Kit, limits, pace -----------------------------------------------------------------------
def test_block_kit_keeps_to_slacks_limits():
    buttons = [(f"질문 {i} " + "가" * 100, f"faq:{i}") for i in range(30)] + [("too long", "x" * 2001)]
    reply = Reply("a < b & c > d\n" + "본문 " * 2000, matched=True, intent="faq", buttons=buttons,
                  sources=[{"title": "지침", "section": "< 적용 대상 > 3"}])
    blocks = slack.blocks(reply)
    actions = [b for b in blocks if b["type"] == "actions"]
    assert [len(a["elements"]) for a in actions] == [25, 5]
    elements = [e for a in actions for e in a["elements"]]
    assert all(len(e["text"]["text"]) <= 75 and e["text"]["text"].endswith("…") for e in elements)
    assert len({e["action_id"] for e in elements}) == 30 and all(slack.ACTION_ID.match(e["action_id"]) for e in elements)
    assert all(len(e["value"]) <= 2000 for e in elements)
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert len(sections) >= 3 and all(len(s) <= 3000 for s in sections)
    assert sections[0].startswith("a &lt; b &amp; c &gt; d")
    assert [b["type"] for b in blocks if b["type"] == "context"] == ["context"]
    assert "&lt; 적용 대상 &gt;" in next(b for b in blocks if b["type"] == "context")["elements"][0]["text"]
    assert len(slack.fallback(reply)) <= 3000 and len(blocks) <= 50


def test_the_pacer_keeps_one_message_a_second_per_channel():
    now = [100.0]
    slept = []
    pacer = slack.Pacer(1.0, clock=lambda: now[0], sleep=slept.append)
    assert [pacer.wait("C1"), pacer.wait("C1"), pacer.wait("C1")] == [0, 1, 2]
    assert pacer.wait("C2") == 0  # another channel is not held up
    now[0] += 5
    assert pacer.wait("C1") == 0
    assert slept == [1, 2]


def test_a_rate_limited_web_api_call_is_retried_after_retry_after(bot):
    bot.fake.failures["chat.postMessage"] = [429]
    bot.send.command("status 서울")
    calls = bot.fake.wait("chat.postMessage", 2)
    assert calls[0].result["error"] == "ratelimited" and calls[1].result["ok"] is True


# -- starting --------------------------------------------------------------------------------------
@pytest.fixture
def fake():
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.mark.parametrize("env, line", [
    ({"SLACK_BOT_TOKEN": "xoxb-wrong", "SLACK_APP_TOKEN": "xapp-test"},
     "error: Slack: the API refused SLACK_BOT_TOKEN (invalid_auth)"),
    ({"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-wrong"},
     "error: Slack: the API refused SLACK_APP_TOKEN (invalid_auth)"),
    ({"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": ""}, "error: Slack: SLACK_APP_TOKEN is not set"),
])
def test_run_with_a_missing_or_wrong_token_is_one_line_and_exit_2(cli, fake, env, line):
    r = cli("run", input="", env={"TELEGRAM_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": "", "SLACK_API_URL": fake.url, **env})
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    errors = [ln for ln in r.stderr.splitlines() if "error" in ln.lower()]
    assert len(errors) == 1 and errors[0].startswith(line), r.stderr


def test_run_in_http_mode_needs_the_signing_secret(cli, fake, tmp_path):
    config = tmp_path / "bot.toml"
    config.write_text('[slack]\nmode = "http"\n', encoding="utf-8")
    r = cli("run", input="", env={"TELEGRAM_BOT_TOKEN": "", "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "",
                                  "SLACK_API_URL": fake.url, "BOT_CONFIG": str(config)})
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "error: Slack: SLACK_SIGNING_SECRET is not set" in r.stderr


# -- a channel subscribes (issue 5) -----------------------------------------------------------------
def test_a_channel_subscribes_and_gets_each_announcement_once_until_the_bot_is_removed(bot):
    from bot import live

    bot.send.command("subscribe 서울", channel="C7", channel_name="dust-alerts", user="U3")
    call = bot.answers("C7", method="chat.postEphemeral")[0]
    assert "채널" in call.text and call.params["user"] == "U3"
    assert live.subscriptions(bot.store, "slack:C7") == ["서울"] and live.subscriptions(bot.store, "slack:U3") == []
    bot.send.command("subscribe 서울", channel="D3", user="U3")  # in a DM: the member herself
    assert live.subscriptions(bot.store, "slack:U3") == ["서울"]

    at = CLOCK()
    decision = {"sido": "서울", "measure": "emergency", "effective_date": "2026-12-03", "conditions": ["E3"],
                "starts_at": "2026-12-03T06:00:00+09:00", "ends_at": "2026-12-03T21:00:00+09:00"}
    p = live.propose(bot.store, decision, {"hours": {}}, at)
    assert live.decide(bot.store, p["id"], True, "slack:U9", at, bodies={"ko": "발령 알림", "en": "issued"})["queued"] == 2
    channel = slack.SlackChannel(bot.assistant, slack.web_client(Config({"slack": {"api_url": bot.fake.url}},
                                                                         {"SLACK_BOT_TOKEN": bot.fake.token})),
                                 slack.Pacer(0))
    assert channel.deliver() == 2 and channel.deliver() == 0
    posted = [c.params["channel"] for c in bot.fake.of("chat.postMessage") if "발령 알림" in c.text]
    assert sorted(posted) == ["C7", bot.fake.of("conversations.open")[-1].result["channel"]["id"]]

    # the bot was removed from the channel: the next announcement is dropped and the channel unsubscribed
    bot.fake.failures["chat.postMessage"] = ["not_in_channel"]
    p = live.propose(bot.store, {**decision, "effective_date": "2026-12-04"}, {"hours": {}}, at)
    live.decide(bot.store, p["id"], True, "slack:U9", at, bodies={"ko": "두 번째", "en": "second"})
    channel.deliver()
    assert live.subscriptions(bot.store, "slack:C7") == [] and live.subscriptions(bot.store, "slack:U3") == ["서울"]
    assert live.delivered(bot.store, 2) == {"queued": 2, "sent": 2}  # nothing left waiting for ever
