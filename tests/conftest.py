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


def pytest_sessionfinish(session, exitstatus):
    """A skipped test is unfinished work: fail the run instead of passing quietly."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter and reporter.stats.get("skipped") and exitstatus == 0:
        session.exitstatus = 1
