"""Learn from misses: 👍/👎 under every FAQ answer, recorded once per user and answer, shown in /kb misses.

The Telegram test drives the real python-telegram-bot Application against tests/fake_telegram.py on 127.0.0.1.
"""
from __future__ import annotations

import json
from datetime import datetime

import pytest

from bot import feedback
from bot.app import Assistant
from bot.checklists import audit_log
from bot.store import Store
from conftest import KST

CLOCK = lambda: datetime(2026, 12, 2, 9, 0, tzinfo=KST)  # noqa: E731
QUESTION = "경차도 계절 이부제 해야됨?"  # names the scheme: one entry, one pair of thumbs
ENTRY = "seasonal-light-car"


@pytest.fixture
def bot(kb, tmp_path):
    return Assistant(kb, store=Store(tmp_path / "bot.db"), clock=CLOCK, admins={"telegram:1"})


def rows(bot):
    return feedback.votes(bot.store)


# -- in the core ---------------------------------------------------------------------------------
def test_every_faq_answer_carries_a_thumbs_pair_that_fits_in_telegram_callback_data(bot, kb):
    answer = bot.ask(QUESTION, user="telegram:2")
    assert answer.intent == "faq" and answer.data["faq_id"] == ENTRY
    assert answer.buttons[-2:] == [("👍", f"fb:{ENTRY}:up"), ("👎", f"fb:{ENTRY}:down")]
    assert all(len(feedback.payload(e["id"], v).encode()) <= 64 for e in kb.faq for v in feedback.VOTES)
    # a suggestion pressed after a fallback, and the /faq menu, are FAQ answers too
    assert bot.press(f"faq:{ENTRY}", user="telegram:2").buttons[-1] == ("👎", f"fb:{ENTRY}:down")
    # other replies have no thumbs
    assert not any(p.startswith("fb:") for _, p in bot.ask("오늘 점심 뭐 먹지", user="telegram:2").buttons)


def test_a_vote_is_kept_with_user_entry_question_language_and_time_and_never_counts_twice(bot):
    bot.ask(QUESTION, user="telegram:2")
    thanks = bot.press(f"fb:{ENTRY}:down", user="telegram:2")
    assert thanks.intent == "feedback" and thanks.matched and thanks.text == "감사합니다. 관리자가 이 답변을 살펴보고 고치겠습니다."
    [row] = rows(bot)
    assert (row["user"], row["faq_id"], row["vote"], row["question"], row["lang"]) == \
        ("telegram:2", ENTRY, "down", QUESTION, "ko")
    assert row["at"] == CLOCK().isoformat()
    bot.press(f"fb:{ENTRY}:down", user="telegram:2")  # the same button again
    assert len(rows(bot)) == 1 and feedback.most_disliked(bot.store)[0]["n"] == 1
    up = bot.press(f"fb:{ENTRY}:up", user="telegram:2")  # changes the vote
    assert up.text == "의견 감사합니다!"
    assert [(r["vote"], r["question"]) for r in rows(bot)] == [("up", QUESTION)]
    assert feedback.most_disliked(bot.store) == []
    # another user's vote is another row; in English, thanked in English
    bot.ask("/lang en", user="telegram:3")
    bot.ask("Do light cars follow the odd-even rule?", user="telegram:3")
    assert bot.press(f"fb:{ENTRY}:down", user="telegram:3").text == \
        "Thank you. An admin will look at this answer to improve it."
    assert {(r["user"], r["vote"], r["lang"]) for r in rows(bot)} == {("telegram:2", "up", "ko"),
                                                                     ("telegram:3", "down", "en")}


@pytest.mark.parametrize("payload", ["fb:no-such-entry:down", f"fb:{ENTRY}:sideways", f"fb:{ENTRY}", "fb:", "fb::up"])
def test_a_malformed_or_stale_vote_changes_nothing(bot, payload):
    bot.ask(QUESTION, user="telegram:2")
    reply = bot.press(payload, user="telegram:2")
    assert reply.matched is False and reply.data["recorded"] is False
    assert rows(bot) == []


def test_without_a_store_a_vote_is_thanked_but_kept_nowhere(kb):
    reply = Assistant(kb, clock=CLOCK).press(f"fb:{ENTRY}:down", lang="en", user="console")
    assert reply.text == "Thank you for your feedback!" and reply.data["recorded"] is False


# -- /kb misses ----------------------------------------------------------------------------------
def test_a_thumbs_down_shows_in_kb_misses_for_an_admin_and_starts_an_edit_in_two_taps(bot):
    bot.ask("킥보드도 2부제 하나요?", user="telegram:5")  # a fallback
    for user, question in [("telegram:2", QUESTION), ("telegram:3", "경차는 2부제 빠지나요?")]:
        bot.ask(question, user=user)
        bot.press(f"fb:{ENTRY}:down", user=user)
    other = bot.ask("2부제 언제부터 시행돼?", user="telegram:2").data["faq_id"]
    assert other not in (None, ENTRY)
    bot.press(f"fb:{other}:down", user="telegram:2")
    bot.press(f"fb:{other}:up", user="telegram:2")  # changed its mind: not listed

    listed = bot.ask("/kb misses", user="telegram:1")
    assert listed.data["misses"] == [{"text": "킥보드도 2부제 하나요?", "n": 1}]
    assert [d["faq_id"] for d in listed.data["disliked"]] == [ENTRY]
    assert listed.data["disliked"][0]["n"] == 2
    assert set(listed.data["disliked"][0]["questions"]) == {QUESTION, "경차는 2부제 빠지나요?"}
    assert "👎" in listed.text and ENTRY in listed.text and QUESTION in listed.text
    # tap 1: the menu's "unanswered questions"; tap 2: the entry's edit button
    menu = bot.ask("/kb", user="telegram:1")
    via_menu = bot.press(next(p for _, p in menu.buttons if p == "kb:misses"), user="telegram:1")
    assert via_menu.data["disliked"] == listed.data["disliked"]
    edit = next(p for _, p in via_menu.buttons if p.startswith("kb:edit="))
    assert edit == f"kb:edit={ENTRY}" and len(edit.encode()) <= 64
    started = bot.press(edit, user="telegram:1")
    assert started.data["step"] == "faq_field" and ENTRY in started.text
    assert bot.conversations.get("telegram:1")["id"] == ENTRY
    # the rest is the ordinary /faq edit
    bot.press("kb:field=faq_a_ko", user="telegram:1")
    assert bot.ask("고친 답변입니다.", user="telegram:1").data["step"] == "faq_preview"


def test_a_non_admin_sees_no_thumbs_down_list_and_cannot_start_the_edit(bot):
    bot.ask(QUESTION, user="telegram:2")
    bot.press(f"fb:{ENTRY}:down", user="telegram:2")
    for reply in (bot.ask("/kb misses", user="telegram:2"), bot.press("kb:misses", user="telegram:2"),
                  bot.press(f"kb:edit={ENTRY}", user="telegram:2")):
        assert reply.intent == "refused" and "관리자" in reply.text
        assert "disliked" not in reply.data and QUESTION not in reply.text
    assert bot.conversations.get("telegram:2") is None
    refused = [a for a in audit_log(bot.store) if a["actor"] == "telegram:2"]
    assert len(refused) == 3 and all(a["detail"]["allowed"] is False for a in refused)


def test_an_unknown_entry_in_an_edit_button_changes_nothing(bot):
    reply = bot.press("kb:edit=no-such-entry", user="telegram:1")
    assert reply.matched is False and bot.conversations.get("telegram:1") is None


# -- Telegram, for real --------------------------------------------------------------------------
@pytest.mark.anyio
async def test_thumbs_in_telegram_are_recorded_once_and_listed_for_the_admin(kb, tmp_path):
    from fake_telegram import FakeTelegram
    from telegram_chat import buttons, polling, press, say

    fake = FakeTelegram().start()
    core = Assistant(kb, store=Store(tmp_path / "bot.db"), clock=CLOCK, admins={"telegram:1"})
    try:
        async with polling(core, fake):
            answer = await say(fake, 2, QUESTION)
            assert buttons(answer)[-2:] == [f"fb:{ENTRY}:up", f"fb:{ENTRY}:down"]
            rows = answer["reply_markup"]["inline_keyboard"]
            assert [len(row) for row in rows][-1] == 2 and all(len(row) == 1 for row in rows[:-1])  # 👍 👎 side by side
            method, thanks = await press(fake, 2, f"fb:{ENTRY}:down")
            assert method == "sendMessage" and thanks["text"] == "감사합니다. 관리자가 이 답변을 살펴보고 고치겠습니다."
            await press(fake, 2, f"fb:{ENTRY}:down")  # pressed twice
            assert [(r["user"], r["vote"], r["question"]) for r in feedback.votes(core.store)] == \
                [("telegram:2", "down", QUESTION)]

            refused = await say(fake, 2, "/kb misses")
            assert "관리자만" in refused["text"] and QUESTION not in refused["text"]
            listed = await say(fake, 1, "/kb misses")
            assert "👎" in listed["text"] and ENTRY in listed["text"] and QUESTION in listed["text"]
            assert f"kb:edit={ENTRY}" in buttons(listed)
            _, started = await press(fake, 1, f"kb:edit={ENTRY}")
            assert "kb:field=faq_a_ko" in buttons(started) and ENTRY in started["text"]
    finally:
        fake.stop()


# -- the ask --json contract ---------------------------------------------------------------------
def test_ask_json_keeps_its_contract_and_leaves_the_buttons_out(cli):
    r = cli("ask", "--json", QUESTION)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"text", "matched", "intent", "sources"} <= set(out)
    assert out["matched"] is True and out["intent"] == "faq" and out["faq_id"] == ENTRY
    assert isinstance(out["text"], str) and out["sources"][0]["doc"] == "seasonal-rev4"
    assert "buttons" not in out and "👍" not in r.stdout and "fb:" not in r.stdout
