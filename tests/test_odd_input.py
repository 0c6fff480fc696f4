"""Every command and every button kind, given odd arguments by an admin, a citizen and a one-off question, gets a
reply: never an exception. Each case below once was a traceback (a forged button's number beyond SQLite's
integers, a day in year 9999, '내 구독 목록' without a store)."""
import itertools
from datetime import datetime

import pytest

from bot.app import Assistant
from bot.store import Store
from conftest import KST

ADMIN, CITIZEN = "telegram:1", "slack:U2"
ODD = ["", "서울", "서울 부산", "아틀란티스", "x" * 3000, "-1", "99999999999999999999", "12가3456", "ko", "9",
       "서울 비상 9999-12-31", "서울 예비 0001-01-01", "12가3456 9999-12-31", "경찰청 9", "' OR 1=1 --", "😀", "\n"]


@pytest.fixture(scope="module")
def both(kb, tmp_path_factory):
    clock = lambda: datetime(2026, 12, 2, 9, 0, tzinfo=KST)  # noqa: E731
    store = Store(tmp_path_factory.mktemp("odd") / "bot.db")
    return Assistant(kb, store=store, clock=clock, admins={ADMIN}), Assistant(kb, clock=clock)


@pytest.fixture(scope="module")
def registered():
    """The commands and button kinds, once every module that registers some is imported (as a press does)."""
    from bot import router
    from handlers import commands

    for name in router.BUTTON_MODULES:
        __import__(f"handlers.{name}")
    return sorted(commands.COMMANDS), sorted(router.BUTTONS)


def test_every_command_with_odd_arguments_gets_a_reply(both, registered):
    with_store, bare = both
    names = registered[0]
    assert {"issue", "subscribe", "status", "kb", "checklist"} <= set(names)
    for name, arg in itertools.product(names, ODD):
        for assistant, user in ((with_store, ADMIN), (with_store, CITIZEN), (bare, None)):
            reply = assistant.ask(f"/{name} {arg}", user=user)
            assert isinstance(reply.text, str) and reply.text, (name, arg, user)
            # whatever the command started, the same odd text as the next message
            assert assistant.ask(arg, user=user).text, (name, arg, user)


def test_every_button_kind_with_odd_values_gets_a_reply(both, registered):
    with_store, bare = both
    kinds = registered[1]
    assert {"tick", "untick", "proposal", "release", "subscribe", "approve"} <= set(kinds)
    for kind, value in itertools.product(kinds, ODD[:10]):
        for payload in (f"{kind}:{value}", f"{kind}:{value}:accept", f"{kind}:{value}:{value}"):
            for assistant, user in ((with_store, ADMIN), (with_store, CITIZEN), (bare, None)):
                assert assistant.press(payload, user=user).text, (payload, user)


@pytest.mark.parametrize("text", ["\ud800비상저감", "12가3456\udc80 내일", "x\x00y"])
def test_text_no_utf8_can_hold_is_answered_and_stored(both, text):
    """A lone surrogate (undecodable bytes in the console, a JSON '\\ud800' from a messenger) reached the store."""
    with_store, _ = both
    assert with_store.ask(text, user=CITIZEN).text
    assert with_store.press(f"faq:{text}", user=CITIZEN).text
