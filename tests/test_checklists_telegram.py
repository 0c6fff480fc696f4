"""Officer checklists through the real Telegram adapter against the fake Bot API: the outbox is delivered
with a button per item, a tick from Telegram lands in the run and edits the message, a refusal does not."""
from datetime import datetime

import pytest

from bot import checklists
from conftest import KST
from telegram_chat import buttons, press, say

ADMIN = "telegram:9999"


@pytest.mark.anyio
async def test_stage_items_are_pushed_and_ticked_from_telegram(fake, bot, core):
    core.admins = {ADMIN}
    moment = {"at": datetime(2026, 12, 2, 17, 15, tzinfo=KST)}
    core.clock = lambda: moment["at"]
    registered = await say(fake, 1001, "/register 서울 정 경찰청 박경위")
    assert "경찰청" in registered["text"]
    await say(fake, 1002, "/register 부산 정 경찰청")
    for uid in (1001, 1002):
        assert core.press(f"approve:telegram:{uid}", user=ADMIN).data["approved"] == f"telegram:{uid}"
    assert core.ask("/issue 서울 비상 2026-12-03", user=ADMIN).data["action"] == "opened"

    channel = bot.bot_data["channel"]
    before = len(fake.calls("sendMessage"))
    sent = await channel.deliver(bot.bot)
    messages = fake.calls("sendMessage")[before:]
    # two registrations to the admin, two approvals, then stages 4 and 5 to the 서울 officer
    assert sent == len(messages) == 6
    assert [m["chat_id"] for m in messages[:2]] == [9999, 9999] and buttons(messages[0]) == ["approve:telegram:1001"]
    pushes = [m for m in messages if m["chat_id"] == 1001 and buttons(m)]
    assert [m["text"].splitlines()[0] for m in pushes] == ["4단계가 시작되었습니다. 항목을 마칠 때마다 완료 표시하세요.",
                                                           "5단계가 시작되었습니다. 항목을 마칠 때마다 완료 표시하세요."]
    assert not any(m["chat_id"] == 1002 and buttons(m) for m in messages)  # 부산: no 서울 items
    assert await channel.deliver(bot.bot) == 0 and core.outbox("telegram") == []

    item = buttons(pushes[1])[0]
    method, params = await press(fake, 1001, item)
    assert method == "editMessageText" and params["text"].startswith("완료:")
    assert buttons(params)[0] == "un" + item  # the officer may undo their own tick
    ticked = checklists.item(core.store, int(item.split(":")[1]))
    assert (ticked["ticked_by"], ticked["ticked_channel"]) == ("telegram:1001", "telegram")

    # the 부산 officer presses the same button (a forwarded message): refused in a new message, nothing changes
    shown = fake.with_button(1001, "un" + item)
    fake.messages[(1002, 999)] = {**shown, "message_id": 999, "chat": {**shown["chat"], "id": 1002}}
    method, params = await press(fake, 1002, "un" + item)
    assert method == "sendMessage" and params["text"] == "다른 기관의 체크리스트 항목이라 완료 표시할 수 없습니다."
    assert checklists.item(core.store, int(item.split(":")[1]))["ticked_by"] == "telegram:1001"
