"""Talking to the bot through the fake Telegram Bot API server (tests/fake_telegram.py): the Application
polling it, and a user's actions (say, press) as the tests of every Telegram-side feature use them.
The fixtures that start both (fake, core, bot) are in conftest.py."""
import contextlib
import os
from datetime import datetime

from bot import config
from bot.channels import telegram as channel
from conftest import KST

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=KST)  # a Wednesday in the season; tomorrow 2026-12-03 is odd


def settings(fake, **env):
    return config.load(env={"TELEGRAM_BASE_URL": fake.base_url, "TELEGRAM_BOT_TOKEN": fake.token, **env})


@contextlib.asynccontextmanager
async def polling(core, fake, rate_limiter: bool = True):
    """The Application as run_telegram builds it, polling the fake server.
    rate_limiter=False leaves out PTB's 30 messages/s limiter, for tests that send thousands (bench/ measures it)."""
    app = channel.build_application(core, settings(fake), rate_limiter=rate_limiter)
    await app.initialize()
    await app.post_init(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=channel.ALLOWED_UPDATES)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def say(fake, uid, text, **kw) -> dict:
    """User `uid` sends `text`; returns the bot's answer (the sendMessage parameters)."""
    mine = lambda f: [p for m, p in f.log if m == "sendMessage" and p["chat_id"] == uid]  # noqa: E731
    before = len(mine(fake))
    fake.message(uid, text, **kw)
    return (await fake.until(lambda f: len(m := mine(f)) > before and m))[before]


async def press(fake, uid, data, **kw) -> tuple[str, dict]:
    """User `uid` presses the button `data` on the bot's message that shows it; returns (method, parameters)."""
    message = fake.with_button(uid, data)
    answered = len(fake.calls("answerCallbackQuery"))
    shown = lambda f: [(m, p) for m, p in f.log if m in ("sendMessage", "editMessageText")]  # noqa: E731
    before = len(shown(fake))
    fake.press(uid, data, message, **kw)
    await fake.sent("answerCallbackQuery", answered + 1)
    return (await fake.until(lambda f: len(s := shown(f)) > before and s))[-1]


def buttons(params) -> list[str]:
    return [b["callback_data"] for row in (params.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def run_env(fake, tmp_path, **env):
    return {**os.environ, "BOT_DB": str(tmp_path / "bot.db"), "TELEGRAM_BASE_URL": fake.base_url,
            "SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": "", **env}
