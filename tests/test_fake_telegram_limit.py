"""The stand-in Bot API's opt-in broadcast limit (bench/announcements.py measures against it): the 31st
sendMessage within a second is refused the way Telegram refuses it, and python-telegram-bot reads it as such."""
import time

import httpx
import pytest

from bot.channels.telegram import _seconds  # first: it opts in to PTB's timedelta delays
from fake_telegram import FakeTelegram
from telegram import Bot
from telegram.error import RetryAfter


def post(client, fake, chat_id):
    return client.post(f"{fake.base_url}{fake.token}/sendMessage", json={"chat_id": chat_id, "text": "발령"})


def test_the_31st_message_in_a_second_is_refused_with_retry_after():
    fake = FakeTelegram(limit_per_second=30).start()
    try:
        with httpx.Client() as client:
            started = time.monotonic()
            answers = [post(client, fake, chat) for chat in range(1, 32)]
            assert time.monotonic() - started < 1.0  # all 31 within one second
            assert [a.status_code for a in answers[:30]] == [200] * 30
            assert answers[30].status_code == 429
            assert answers[30].json() == {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                                          "parameters": {"retry_after": 1}}
            assert fake.limited == 1 and len(fake.calls("sendMessage")) == len(fake.sent_times) == 30
            time.sleep(max(0.0, fake.sent_times[0] + 1.0 - time.monotonic()) + 0.01)  # the first has left the window
            assert post(client, fake, 31).status_code == 200
    finally:
        fake.stop()


def test_without_the_option_nothing_is_refused():
    fake = FakeTelegram().start()
    try:
        with httpx.Client() as client:
            assert {post(client, fake, chat).status_code for chat in range(1, 61)} == {200}
        assert fake.limited == 0 and len(fake.calls("sendMessage")) == 60
    finally:
        fake.stop()


@pytest.mark.anyio
async def test_python_telegram_bot_reads_the_refusal_as_retry_after():
    fake = FakeTelegram(limit_per_second=2).start()
    try:
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            await bot.send_message(1, "a")
            await bot.send_message(2, "b")
            with pytest.raises(RetryAfter) as refused:
                await bot.send_message(3, "c")
        assert _seconds(refused.value.retry_after) == 1
    finally:
        fake.stop()
