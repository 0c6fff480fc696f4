import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KST = timezone(timedelta(hours=9))


@pytest.fixture(scope="session")
def kb():
    from bot.knowledge import load

    return load()


@pytest.fixture(scope="session")
def assistant(kb):
    from bot.app import Assistant

    return Assistant(kb, clock=lambda: datetime(2026, 12, 2, 9, 0, tzinfo=KST))


@pytest.fixture
def cli(tmp_path):
    """Run `python -m bot …` as a user would; returns the CompletedProcess."""
    def run(*args, input=None, env=None):
        full_env = {**os.environ, "BOT_DB": str(tmp_path / "bot.db"), **(env or {})}
        return subprocess.run([sys.executable, "-m", "bot", *args], input=input, capture_output=True,
                              text=True, cwd=ROOT, env=full_env, timeout=60)
    return run


@pytest.fixture
def anyio_backend():
    return "asyncio"


# -- the channels' stand-ins on 127.0.0.1 (test_slack.py's own `fake` is the Slack one) -----------------

@pytest.fixture
def fake():
    """The fake Telegram Bot API server (tests/fake_telegram.py)."""
    from fake_telegram import FakeTelegram

    server = FakeTelegram().start()
    yield server
    server.stop()


@pytest.fixture
def core(kb, tmp_path):
    """The assistant behind the Telegram tests, with its own database and a clock that stands still."""
    from bot.app import Assistant
    from bot.rate_limit import RateLimiter
    from bot.store import Store
    from telegram_chat import NOW

    # the limiter's clock stands still too: 5 messages at once, then the flood is refused, every run alike
    return Assistant(kb, store=Store(tmp_path / "bot.db"), clock=lambda: NOW,
                     limiter=RateLimiter(per_minute=20, burst=5, clock=lambda: 0.0))


@pytest.fixture
async def bot(fake, core):
    """python-telegram-bot's Application, built as `run` builds it, polling the fake server."""
    from telegram_chat import polling

    async with polling(core, fake) as app:
        yield app


@pytest.fixture
def air():
    """The AirKorea OpenAPI stand-in (tests/fake_airkorea.py)."""
    from fake_airkorea import FakeAirKorea

    server = FakeAirKorea(slow=1.0).start()
    yield server
    server.stop()


def pytest_sessionfinish(session, exitstatus):
    """A skipped test is unfinished work: fail the run instead of passing quietly."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter and reporter.stats.get("skipped") and exitstatus == 0:
        session.exitstatus = 1
