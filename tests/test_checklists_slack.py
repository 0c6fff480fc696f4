"""Officer checklists through the real Slack adapter (bolt behind its HTTP endpoint) against tests/fake_slack.py:
the outbox is posted in each officer's DM with a button per item, a tick pressed in Slack (a signed block_actions
request) lands in the run and replaces the message, /progress shows it, and a refused tick changes nothing."""
from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest

from bot import checklists
from bot.app import Assistant
from bot.channels.slack import build_app, http_server
from bot.config import Config
from bot.rate_limit import RateLimiter
from bot.store import Store
from conftest import KST
from fake_slack import SECRET, FakeSlack, Sender

ADMIN = "slack:UADMIN"


class Rig:
    def __init__(self, fake, send, store, assistant, channel):
        self.fake, self.send, self.store, self.assistant, self.channel = fake, send, store, assistant, channel

    def command(self, text: str, user: str):
        """`/dust <text>` from `user` in their DM with the bot; returns the answer posted there."""
        before = len(self.fake.of("chat.postMessage", channel=f"D{user}"))
        assert self.send.command(text, user=user, channel=f"D{user}")[0] == 200
        return self.fake.wait("chat.postMessage", before + 1, channel=f"D{user}")[before]

    def press(self, message, value: str, user: str, channel: str | None = None) -> int:
        """Press the button with `value` on a posted message (a recorded call), as `user`; returns the HTTP status."""
        button = next(b for b in message.buttons if b["value"] == value)
        return self.send.press(button, user=user, channel=channel or message.params["channel"],
                               message_ts=message.result["ts"])[0]

    def items(self) -> list[dict]:
        with self.channel.core:  # the listeners and the delivery thread share the connection, one at a time
            return list(self.store.db.query("select * from run_items order by id"))

    def queued(self) -> list[dict]:
        with self.channel.core:
            return self.assistant.outbox("slack")


@pytest.fixture
def rig(tmp_path, kb):
    fake = FakeSlack().start()
    store = Store(tmp_path / "bot.db")
    moment = {"at": datetime(2026, 12, 2, 17, 15, tzinfo=KST)}  # D-1 17:15 of a measure for 12-03
    assistant = Assistant(kb, store=store, clock=lambda: moment["at"], admins={ADMIN},
                          limiter=RateLimiter(per_minute=60, burst=100, clock=lambda: 0.0))
    cfg = Config({"slack": {"api_url": fake.url, "post_interval": 0}},
                 {"SLACK_BOT_TOKEN": fake.token, "SLACK_SIGNING_SECRET": SECRET})
    app = build_app(assistant, cfg)
    server = http_server(app, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield Rig(fake, Sender(f"http://127.0.0.1:{server.server_port}/slack/events", SECRET, hooks=fake), store,
              assistant, app.channel)
    server.shutdown()
    server.server_close()
    fake.stop()


def test_a_slack_officer_gets_the_stage_items_ticks_one_and_progress_shows_it(rig):
    fake, channel = rig.fake, rig.channel
    assert "경찰청" in rig.command("register 서울 정 경찰청 김주무관", "U1").text
    rig.command("register 부산 정 경찰청 최경사", "U2")

    # the registrations reach the admin's DM (conversations.open, then chat.postMessage) with an Approve button
    assert channel.deliver() == 2
    notices = fake.of("chat.postMessage", channel="DUADMIN")
    assert [c.params["users"] for c in fake.of("conversations.open")] == ["UADMIN"]  # opened once, then remembered
    assert [[b["value"] for b in n.buttons] for n in notices] == [["approve:slack:U1"], ["approve:slack:U2"]]
    for n, user in zip(notices, ("slack:U1", "slack:U2")):
        assert rig.press(n, f"approve:{user}", "UADMIN") == 200
    fake.wait("chat.postMessage", 4, channel="DUADMIN")
    assert all(checklists.officer(rig.store, u)["status"] == "approved" for u in ("slack:U1", "slack:U2"))

    assert "서울" in rig.command("issue 서울 비상 2026-12-03", "UADMIN").text
    before = len(fake.of("chat.postMessage"))
    # the approvals to both officers, then stages 4 and 5 (both begun at D-1 17:15) to the 서울 officer only
    assert channel.deliver() == 4
    posted = fake.of("chat.postMessage")[before:]
    assert sorted(c.params["channel"] for c in posted) == ["DU1", "DU1", "DU1", "DU2"]
    pushes = [c for c in posted if c.buttons]
    assert [c.params["channel"] for c in pushes] == ["DU1", "DU1"]
    assert [c.params["text"].splitlines()[0] for c in pushes] == ["4단계가 시작되었습니다. 항목을 마칠 때마다 완료 표시하세요.",
                                                                 "5단계가 시작되었습니다. 항목을 마칠 때마다 완료 표시하세요."]
    stage5 = pushes[1]
    values = [b["value"] for b in stage5.buttons]
    assert values and all(v.startswith("tick:") for v in values)
    assert channel.deliver() == 0 and rig.assistant.outbox("slack") == []  # each message was posted once
    assert len(fake.of("chat.postMessage")) == before + 4

    # U1 ticks the first item: the same message is replaced (chat.update), with the undo button
    item_id = int(values[0].split(":")[1])
    assert rig.press(stage5, values[0], "U1") == 200
    update = fake.wait("chat.update", 1, channel="DU1")[0]
    assert update.params["ts"] == stage5.result["ts"] and update.params["text"].startswith("완료:")
    assert [b["value"] for b in update.buttons][0] == f"untick:{item_id}"
    ticked = checklists.item(rig.store, item_id)
    assert (ticked["ticked_by"], ticked["ticked_channel"]) == ("slack:U1", "slack")

    # the coordinator's /progress reflects the tick
    report = rig.command("progress 서울", "UADMIN")
    police = next(r for r in checklists.progress(rig.store, "서울", rig.assistant.now()) if r["agency"] == ticked["agency"])
    assert police["done"] == 1 and 0 < police["percent"] < 100
    assert f"• 경찰청 — {police['percent']}%" in report.text

    # the 부산 officer presses a 서울 button (a forwarded message): refused in a new message, nothing changes
    items, updates, seen = rig.items(), len(fake.of("chat.update")), len(fake.of("chat.postMessage", channel="DU2"))
    assert rig.press(stage5, values[1], "U2", channel="DU2") == 200
    refusal = fake.wait("chat.postMessage", seen + 1, channel="DU2")[seen]
    assert refusal.params["text"] == "다른 기관의 체크리스트 항목이라 완료 표시할 수 없습니다."
    assert rig.items() == items and len(fake.of("chat.update")) == updates
    refused = checklists.audit_log(rig.store, "tick_refused")
    assert [(a["actor"], a["channel"], a["detail"]["reason"]) for a in refused] == [("slack:U2", "slack", "other_agency")]

    # a tick with a bad signature is refused by bolt before the core sees it
    button = next(b for b in stage5.buttons if b["value"] == values[1])
    assert rig.send.press(button, user="U1", channel="DU1", message_ts=stage5.result["ts"],
                          secret="not-the-secret")[0] == 401
    assert rig.items() == items and [a["action"] for a in checklists.audit_log(rig.store)].count("tick") == 1


def test_the_outbox_is_drained_periodically_and_a_failed_post_is_retried_once(rig):
    fake, channel = rig.fake, rig.channel
    rig.command("register 서울 정 경찰청", "U1")
    rig.command("register 서울 부 경찰청", "U2")
    fake.failures["chat.postMessage"] = ["internal_error"]  # the first notice fails: kept for the next round
    assert channel.deliver() == 1
    assert len(rig.queued()) == 1

    stop = channel.start_delivery(0.05)
    try:
        fake.wait("chat.postMessage", 3, channel="DUADMIN")
        deadline = time.monotonic() + 5
        while rig.queued() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # several more rounds: nothing is posted again
    finally:
        stop.set()
    notices = [c for c in fake.of("chat.postMessage", channel="DUADMIN") if c.result.get("ok")]  # the failed one too
    assert len(fake.of("chat.postMessage", channel="DUADMIN")) == 3
    assert sorted(c.buttons[0]["value"] for c in notices) == ["approve:slack:U1", "approve:slack:U2"]
    assert rig.queued() == []

    # a user Slack cannot DM: the message is dropped (not retried every round)
    approved = notices[0].buttons[0]["value"].removeprefix("approve:slack:")
    rig.press(notices[0], notices[0].buttons[0]["value"], "UADMIN")
    fake.wait("chat.postMessage", 4, channel="DUADMIN")
    assert len(rig.queued()) == 1  # "your registration was approved"
    dm = len(fake.of("chat.postMessage", channel=f"D{approved}"))
    fake.failures["conversations.open"] = ["user_not_found"]
    assert channel.deliver() == 0 and rig.queued() == []
    assert fake.of("conversations.open")[-1].params["users"] == approved
    assert len(fake.of("chat.postMessage", channel=f"D{approved}")) == dm
