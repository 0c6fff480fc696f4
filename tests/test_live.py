"""Live issuance status (issue 5): the AirKorea feed against a stand-in on 127.0.0.1, the day's jobs with a
fake clock, the proposal accepted in Telegram, the announcement to every subscriber once, the end notice,
a sender killed halfway, a 429 storm and a feed outage."""
import asyncio
import time as clock
from collections import Counter
from datetime import datetime, timedelta

import pytest

from bot import airkorea, config, live
from bot.channels import slack as slack_channel
from bot.channels import telegram as channel
from conftest import KST
from fake_airkorea import forecast_item
from fake_slack import FakeSlack
from handlers.live import Day
from airkorea_day import D0, OFFICER, client, forecast_day, serve_hour, setup_officer
from telegram_chat import polling, press, say, settings

# -- the feed ------------------------------------------------------------------------------------
def test_every_error_shape_is_a_typed_error(air):
    expected = {"xml_key": airkorea.AuthError, "json_gateway": airkorea.AuthError, "cmm_403": airkorea.AuthError,
                "forbidden": airkorea.AuthError, "unauthorized": airkorea.AuthError, "xml_quota": airkorea.QuotaError,
                "nodata": airkorea.NoDataError}
    c = client(air, tries=1)
    for mode, kind in expected.items():
        air.fail(mode)
        with pytest.raises(kind):
            c.realtime("서울")
    for mode in ("error_99", "error_05", "http_500", "http_429", "timeout", "garbage"):
        air.fail(mode)
        with pytest.raises((airkorea.TransientError, airkorea.RateLimited)):
            c.realtime("서울")
    with pytest.raises(airkorea.AuthError):
        airkorea.Client(air.base_url, "wrong-key", tries=3, backoff=0, sleep=lambda s: None).realtime("서울")
    air.fail("empty")
    assert c.realtime("서울") == []


def test_transient_errors_are_retried_with_backoff_and_auth_is_not(air, caplog):
    waits = []
    c = client(air, tries=4, backoff=0.5, sleep=waits.append)
    serve_hour(air, D0, 16)
    air.fail("http_500", "error_99", "timeout")
    before = air.count()
    assert len(c.realtime("서울")) == 4
    assert air.count() - before == 4 and waits == [0.5, 1.0, 2.0]
    assert "try 2 of 4" in caplog.text
    air.fail("xml_quota", "http_500")
    before = air.count()
    with pytest.raises(airkorea.QuotaError):
        c.realtime("서울")
    assert air.count() - before == 1  # a quota error is not retried
    air.queue.clear()


def test_readings_are_kept_once_and_averaged_without_missing_or_flagged_values(air, tmp_path):
    from bot.store import Store

    store = Store(tmp_path / "bot.db")
    c = client(air)
    now = datetime(2025, 1, 21, 0, 20, tzinfo=KST)
    serve_hour(air, D0, 0)
    assert airkorea.collect_readings(store, c, "서울", now) == 4
    assert airkorea.collect_readings(store, c, "서울", now) == 4  # the same hour again: no new rows
    assert store.db["air_readings"].count == 4
    assert {r["data_time"] for r in store.db["air_readings"].rows} == {"2025-01-21T00:00:00+09:00"}  # 24:00
    latest = airkorea.latest_reading(store, "서울")
    assert (latest["pm25_avg"], latest["stations"], latest["valid"]) == (64.0, 4, 2)
    for h in range(1, 17):
        serve_hour(air, D0, h, seoul=50 + h)
        airkorea.collect_readings(store, c, "서울", now)
    avg = airkorea.average(store, "서울", D0)
    assert avg["hours"] == 16 and avg["value"] == round(sum(52 + h for h in range(1, 17)) / 16, 1)


def test_forecast_takes_the_latest_release_per_day_and_only_pm25():
    items = [forecast_item("PM25", "2025-01-21 11시 발표", "2025-01-22", {"서울": "보통"}),
             forecast_item("PM10", "2025-01-21 23시 발표", "2025-01-22", {"서울": "좋음"}),
             forecast_item("PM25", "2025-01-21 17시 발표", "2025-01-22", {"서울": "매우 나쁨"})]
    latest = airkorea.latest_forecasts(items)
    assert latest["2025-01-22"]["issued_at"].hour == 17 and latest["2025-01-22"]["regions"]["서울"] == "매우나쁨"


# -- the day -------------------------------------------------------------------------------------
async def drain(tg, slack_side=None):
    sent = await tg.bot_data["channel"].deliver(tg.bot)
    while slack_side is not None and core_pending(slack_side.assistant, "slack"):
        sent += slack_side.deliver()
    return sent


def core_pending(core, platform):
    return core.outbox(platform, 1)


@pytest.mark.anyio
async def test_a_whole_day_from_readings_to_every_subscriber_once(fake, core, air):
    async with polling(core, fake, rate_limiter=False) as bot:  # the 30/s pace is bench/announcements.py's
        await whole_day(fake, bot, core, air)


async def whole_day(fake, bot, core, air):
    moment = {"at": datetime(2025, 1, 21, 0, 0, tzinfo=KST)}
    core.clock = lambda: moment["at"]
    setup_officer(core, moment["at"])
    tg_subscribers = list(range(10_000, 12_499))  # with the one below and the Slack members: 5,000 in all
    slack_subscribers = [f"U{n:05d}" for n in range(2_500)]
    for uid in tg_subscribers:
        live.subscribe(core.store, f"telegram:{uid}", ["서울"], moment["at"])
    for member in slack_subscribers:
        live.subscribe(core.store, f"slack:{member}", ["서울", "부산"], moment["at"])
    live.subscribe(core.store, "telegram:7000", ["부산"], moment["at"])  # 부산 only: told nothing
    assert "서울" in (await say(fake, 12_499, "/subscribe 서울"))["text"]  # one more, through Telegram itself
    tg_subscribers.append(12_499)

    fake_slack = FakeSlack().start()
    cfg = config.load(env={"SLACK_API_URL": fake_slack.url, "SLACK_BOT_TOKEN": fake_slack.token})
    slack_side = slack_channel.SlackChannel(core, slack_channel.web_client(cfg), slack_channel.Pacer(0))
    day = Day(core, client(air), sidos=["서울", "부산"])
    try:
        for hour in range(17):
            moment["at"] = datetime.combine(D0, datetime.min.time(), KST) + timedelta(hours=hour, minutes=20)
            serve_hour(air, D0, hour)
            done = day.tick(moment["at"])
            assert [d["kind"] for d in done] == ["collect"] and done[0]["stations"] == 5
        assert airkorea.average(core.store, "서울", D0)["hours"] == 16

        moment["at"] = datetime(2025, 1, 21, 17, 0, tzinfo=KST)
        assert day.tick(moment["at"]) == []  # the 17시 forecast is not out yet: tried again in 2 minutes
        forecast_day(air, D0, "매우나쁨")
        moment["at"] = datetime(2025, 1, 21, 17, 2, tzinfo=KST)
        done = day.tick(moment["at"])
        assert [(d["kind"], d["proposals"]) for d in done] == [("assess", 1)]
        proposals = list(core.store.db.query("select sido, measure, effective_date from proposals"))
        assert proposals == [{"sido": "서울", "measure": "emergency", "effective_date": "2025-01-22"}]
        assert day.tick(moment["at"]) == []  # nothing twice

        await drain(bot)
        shown = fake.with_button(OFFICER, "proposal:1:accept")
        assert "비상저감조치" in shown["text"] and "[E3]" in shown["text"]
        assert not [p for p in fake.calls("sendMessage") if p["chat_id"] in tg_subscribers[:1]]

        moment["at"] = datetime(2025, 1, 21, 17, 6, tzinfo=KST)
        method, params = await press(fake, OFFICER, "proposal:1:accept")
        assert method == "sendMessage" and "5000" in params["text"]  # the reply says how many subscribers
        record = core.store.statuses("서울")[0]
        assert (record["measure"], record["state"], record["decided_by"]) == ("emergency", "announced",
                                                                               f"telegram:{OFFICER}")
        # a second press (another officer, a double tap) changes nothing
        again = core.press("proposal:1:accept", user=f"telegram:{OFFICER}")
        assert again.data["result"] == "already" and len(core.store.statuses("서울")) == 1

        await drain(bot, slack_side)
        texts = [p for p in fake.calls("sendMessage") if p["chat_id"] in set(tg_subscribers) and "2025-01-22" in p["text"]]
        assert Counter(p["chat_id"] for p in texts) == Counter(tg_subscribers)
        assert all("비상저감조치" in p["text"] for p in texts)
        posted = Counter(c.params["channel"] for c in fake_slack.of("chat.postMessage"))
        assert len(posted) == len(slack_subscribers) and set(posted.values()) == {1}
        assert not [p for p in fake.calls("sendMessage") if p["chat_id"] == 7000]

        # the next day: in effect at 06:00, the measure ends at 21:00 and the subscribers are told, once
        forecast_day(air, D0 + timedelta(days=1), "보통")
        moment["at"] = datetime(2025, 1, 22, 6, 0, tzinfo=KST)
        day.tick(moment["at"])
        assert core.store.statuses("서울")[0]["state"] == "in effect"
        moment["at"] = datetime(2025, 1, 22, 21, 0, tzinfo=KST)
        done = day.tick(moment["at"])
        assert {d["kind"] for d in done} == {"collect", "assess", "end"}
        assert next(d for d in done if d["kind"] == "assess")["proposals"] == 0
        assert core.store.statuses("서울")[0]["state"] == "ended"
        await drain(bot, slack_side)
        ends = [p for p in fake.calls("sendMessage") if p["chat_id"] in set(tg_subscribers) and "종료" in p["text"]]
        assert Counter(p["chat_id"] for p in ends) == Counter(tg_subscribers)
        posted = Counter(c.params["channel"] for c in fake_slack.of("chat.postMessage"))
        assert set(posted.values()) == {2}
        assert day.tick(moment["at"]) == [] and await drain(bot, slack_side) == 0
    finally:
        fake_slack.stop()


def test_a_feed_outage_makes_no_proposal_and_one_warning(core, air):
    moment = datetime(2025, 1, 21, 16, 20, tzinfo=KST)
    setup_officer(core, moment)
    serve_hour(air, D0, 16)
    day = Day(core, client(air), sidos=["서울"])
    day.tick(moment)
    air.outage = "xml_quota"
    for minute in range(0, 31, 2):
        day.tick(datetime(2025, 1, 21, 17, minute, tzinfo=KST))
    assert core.store.db["proposals"].count == 0
    warnings = [m for m in core.outbox("telegram") if m["reply"].intent == "feed_warning"]
    assert len(warnings) == 1 and warnings[0]["user"] == f"telegram:{OFFICER}"
    assert "발령 제안을 하지 않았습니다" in warnings[0]["reply"].text
    assert "분 전" in warnings[0]["reply"].text  # how old the data is


def test_subscribe_commands_and_bad_input(core):
    user = "telegram:42"
    assert core.ask("/subscribe 서울 경기", user=user).data["subscribed"] == ["경기", "서울"]
    refused = core.ask("/subscribe 서울 아틀란티스", user=user)
    assert not refused.matched and refused.data["subscribed"] == ["경기", "서울"]  # nothing changed
    assert core.ask("/unsubscribe 경기", user=user).data["subscribed"] == ["서울"]
    assert core.ask("/unsubscribe", user=user).data["subscribed"] == []
    assert not core.press("proposal:999:accept", user=user).matched
    assert not core.press("proposal:99999999999999999999:accept", user=user).matched  # beyond SQLite's integers
    assert not core.press("release:99999999999999999999:accept", user=user).matched
    assert not core.press("proposal:x:maybe", user=user).matched


def test_subscribe_and_unsubscribe_in_words(core):
    """A citizen types the wish; the 시·도 named are the ones subscribed, as with /subscribe."""
    user = "telegram:43"
    reply = core.ask("경기도랑 인천 비저 알림 받고 싶어", user=user)
    assert reply.intent == "subscribe" and reply.data["subscribed"] == ["경기", "인천"]
    assert core.ask("notify me when busan issues an emergency measure", user=user).data["subscribed"] == [
        "경기", "부산", "인천"]
    assert core.ask("인천 알림 꺼줘", user=user).data["subscribed"] == ["경기", "부산"]
    asked = core.ask("비상저감조치 알림 신청", user=user)  # no 시·도: how to say which, and nothing changed
    assert "/subscribe" in asked.text and asked.data["subscribed"] == ["경기", "부산"]
    assert core.ask("구독 취소", user=user).data["subscribed"] == []
    # the short ways (another user: the limiter lets five messages at once through)
    for question, sido in (("서울 알림 받기", "서울"), ("구독할래 대구", "대구"), ("부산 구독", "부산")):
        assert sido in core.ask(question, user="telegram:47").data["subscribed"], question
    assert live.subscriptions(core.store, "telegram:47") == ["대구", "부산", "서울"]


def test_which_sido_is_answered_with_one_tap(core):
    """Asked for alerts without a 시·도, the bot offers a button per 시·도 not yet subscribed; pressing one subscribes."""
    user = "telegram:45"
    core.ask("/subscribe 부산", user=user)
    asked = core.ask("미세먼지 발령 알림 받고 싶어", user=user)
    payloads = [payload for _, payload in asked.buttons]
    assert len(payloads) == 16 and "subscribe:서울" in payloads and "subscribe:부산" not in payloads
    assert ("Seoul", "subscribe:서울") in core.ask("/subscribe", lang="en", user=user).buttons
    pressed = core.press("subscribe:서울", user=user)
    assert pressed.intent == "subscribe" and pressed.data["subscribed"] == ["부산", "서울"]
    assert core.press("subscribe:아틀란티스", user=user).intent == "help"  # a forged button: what the bot can do
    assert live.subscriptions(core.store, user) == ["부산", "서울"]


def test_asking_for_ones_subscriptions_lists_them_and_changes_nothing(core):
    user = "telegram:46"
    none = core.ask("내 구독 목록", user=user)
    assert none.intent == "subscribe" and none.data["subscribed"] == [] and none.text.startswith("구독한 시·도가 없습니다.")
    core.ask("/subscribe 부산", user=user)
    for question in ("구독 확인", "알림 설정 현황 보여줘"):
        listed = core.ask(question, user=user)
        assert listed.data["subscribed"] == ["부산"] and "부산광역시" in listed.text, question
    assert core.ask("my subscriptions", lang="en", user=user).data["subscribed"] == ["부산"]
    assert live.subscriptions(core.store, user) == ["부산"]


@pytest.mark.parametrize("question", ["내 구독 목록", "알림 목록 보여줘", "서울 부산 알림 켜줘", "구독 취소", "/subscribe 서울"])
def test_without_a_store_subscriptions_are_refused_in_words(assistant, question):
    """`python -m bot ask` has no store: the wish gets a refusal that says where it works ('내 구독 목록' was a
    traceback)."""
    reply = assistant.ask(question)
    assert reply.intent in ("subscribe", "unsubscribe") and not reply.matched
    assert "메신저" in reply.text


@pytest.mark.parametrize("question", [
    "재난문자 미세먼지 알림 끄는 법 알려줘",  # the phone's disaster texts, not this bot
    "how do I subscribe to fine dust warning texts in Seoul",  # the 시·도's own text service: an FAQ entry
    "시민들은 발령 알림 어떻게 받아?",  # how the public is told: an FAQ entry
    "유튜브 구독 어떻게 해",  # another service's subscription
])
def test_other_alerts_are_not_taken_for_a_subscription(core, question):
    reply = core.ask(question, user="telegram:44")
    assert reply.intent not in ("subscribe", "unsubscribe")
    assert live.subscriptions(core.store, "telegram:44") == []


def queue_announcement(core, n: int, at: datetime) -> list[int]:
    users = list(range(8000, 8000 + n))
    for uid in users:
        live.subscribe(core.store, f"telegram:{uid}", ["서울"], at)
    decision = {"sido": "서울", "measure": "emergency", "effective_date": "2025-01-22", "conditions": ["E3"],
                "starts_at": "2025-01-22T06:00:00+09:00", "ends_at": "2025-01-22T21:00:00+09:00"}
    p = live.propose(core.store, decision, {"hours": {}}, at)
    out = live.decide(core.store, p["id"], True, "telegram:1", at, bodies={"ko": "발령", "en": "issued"})
    assert out["queued"] == n
    return users


@pytest.fixture
async def fast_bot(fake, core):
    """The Application without PTB's limiter: the test's own stand-in decides the pace."""
    app = channel.build_application(core, settings(fake), rate_limiter=False)
    await app.initialize()
    yield app
    await app.shutdown()


@pytest.mark.anyio
async def test_a_sender_killed_halfway_resumes_without_duplicates(fake, fast_bot, core):
    at = datetime(2025, 1, 21, 17, 6, tzinfo=KST)
    core.clock = lambda: at
    users = queue_announcement(core, 300, at)
    fake.hold_after = 137  # the 138th request hangs: the sender is killed while it is in flight
    sender = asyncio.create_task(fast_bot.bot_data["channel"].deliver(fast_bot.bot))
    await fake.until(lambda f: getattr(f, "held", 0) == 1)
    sender.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sender
    fake.hold_after = None
    assert len(fake.calls("sendMessage")) == 137
    assert await fast_bot.bot_data["channel"].deliver(fast_bot.bot) == 300 - 137  # a new sender, after the restart
    assert Counter(p["chat_id"] for p in fake.calls("sendMessage")) == Counter(users)


@pytest.mark.anyio
async def test_a_429_storm_slows_sending_without_loss(fake, fast_bot, core):
    at = datetime(2025, 1, 21, 17, 6, tzinfo=KST)
    core.clock = lambda: at
    users = queue_announcement(core, 120, at)
    fake.storm(0.5, retry_after=1)
    started = clock.monotonic()
    assert await fast_bot.bot_data["channel"].deliver(fast_bot.bot) == 120
    assert fake.floods >= 1 and clock.monotonic() - started >= 1.0
    assert Counter(p["chat_id"] for p in fake.calls("sendMessage")) == Counter(users)


@pytest.mark.anyio
async def test_a_chat_that_blocked_the_bot_is_dropped_and_unsubscribed(fake, fast_bot, core, monkeypatch):
    from telegram.error import Forbidden

    at = datetime(2025, 1, 21, 17, 6, tzinfo=KST)
    core.clock = lambda: at
    users = queue_announcement(core, 3, at)
    real = fast_bot.bot_data["channel"].send

    async def send(bot_, chat_id, reply, reply_to=None):
        if chat_id == users[1]:
            raise Forbidden("Forbidden: bot was blocked by the user")
        return await real(bot_, chat_id, reply, reply_to)

    monkeypatch.setattr(fast_bot.bot_data["channel"], "send", send)
    assert await fast_bot.bot_data["channel"].deliver(fast_bot.bot) == 2
    assert live.subscriptions(core.store, f"telegram:{users[1]}") == [] and core.outbox("telegram") == []
