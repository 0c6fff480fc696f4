"""The Telegram adapter against the fake Bot API, next to the console path, in the same run.

    .venv/bin/python bench/telegram.py [--updates 10000] [--sequential 1000]

10,000 updates in the Bot API's documented shape (text messages: the evaluation questions as users
type them, and the commands /start /help /faq /status 서울 /roles 경찰청) from 2,000 users, 5 each, so
that the per-user limit of bot.toml lets every one through. They go through the real
python-telegram-bot Application polling tests/fake_telegram.py on 127.0.0.1: first all queued at
once (a burst: throughput, and the latency of an update that waits behind its getUpdates batch),
then one at a time (the latency of a lone update). The same messages then go through the console
path, `assistant.ask`, in the same process.

Latency of an update: from the moment the fake server hands it out in getUpdates to the moment the
bot has the answer of its sendMessage. Both paths have their own SQLite file and the same fixed clock.
PTB's outgoing rate limiter is off here: with it, Telegram's 30 messages a second would be measured.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# this file is called telegram.py: its own folder must not hide the telegram package
sys.path[:] = [str(ROOT), str(ROOT / "tests")] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from telegram import Update  # noqa: E402
from telegram.ext import TypeHandler  # noqa: E402

from bot import config  # noqa: E402
from bot.app import Assistant  # noqa: E402
from bot.channels.telegram import ALLOWED_UPDATES, build_application  # noqa: E402
from bot.evaluation import load_items  # noqa: E402
from bot.knowledge import load  # noqa: E402
from bot.store import Store  # noqa: E402
from fake_telegram import FakeTelegram  # noqa: E402

KST = timezone(timedelta(hours=9))
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=KST)
COMMANDS = ["/start", "/help", "/faq", "/status 서울", "/roles 경찰청"]
PER_USER = 5


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def messages(n: int) -> list[tuple[int, str, str]]:
    """(user id, text, language code): every 20th a command, English questions from English users."""
    texts = [(i["q"], "en" if i["q"].isascii() else "ko") for i in load_items()]
    out = []
    for k in range(n):
        text, lang = (COMMANDS[k // 20 % len(COMMANDS)], "ko") if k % 20 == 19 else texts[k % len(texts)]
        out.append((1_000 + k // PER_USER, text, lang))
    return out


def assistant(kb, cfg, directory: Path) -> Assistant:
    return Assistant(kb, store=Store(directory / "bot.db"), clock=lambda: NOW, default_lang=cfg.default_lang,
                     limiter=cfg.limiter())


def console(kb, cfg, directory: Path, msgs) -> dict:
    bot = assistant(kb, cfg, directory)
    latencies = []
    t0 = time.perf_counter()
    for uid, text, lang in msgs:
        t = time.perf_counter()
        bot.ask(text, None if bot.store.language(f"console:{uid}") else lang, f"console:{uid}")
        latencies.append(time.perf_counter() - t)
    wall = time.perf_counter() - t0
    return {"per_second": len(msgs) / wall, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
            "wall": wall}


async def telegram(kb, cfg_env, directory: Path, msgs, sequential: int) -> dict:
    fake = FakeTelegram().start()
    fake.keep_transcript = False
    cfg = config.load(env={**cfg_env, "TELEGRAM_BASE_URL": fake.base_url, "TELEGRAM_BOT_TOKEN": fake.token})
    app = build_application(assistant(kb, cfg, directory), cfg, rate_limiter=False)
    done: dict[int, float] = {}

    async def answered(update: Update, context) -> None:  # runs after the channel's handler, group 0
        done[update.update_id] = time.perf_counter()

    app.add_handler(TypeHandler(Update, answered), group=1)
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
    try:
        updates = [fake.message(uid, text, language_code=lang, queue=False) for uid, text, lang in msgs]
        t0 = time.perf_counter()
        fake.queue(*updates)
        await fake.until(lambda f: len(done) >= len(updates), timeout=600)
        wall = time.perf_counter() - t0
        replies = len(fake.calls("sendMessage"))
        burst = [done[u["update_id"]] - fake.served_at[u["update_id"]] for u in updates]

        lone = []
        for uid, text, lang in msgs[:sequential]:
            update = fake.message(uid + 1_000_000, text, language_code=lang)
            await fake.until(lambda f: update["update_id"] in done, timeout=60)
            lone.append(done[update["update_id"]] - fake.served_at[update["update_id"]])
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        fake.stop()
    return {"per_second": len(updates) / wall, "wall": wall, "replies": replies,
            "burst_p50": percentile(burst, 50), "burst_p99": percentile(burst, 99),
            "p50": percentile(lone, 50), "p99": percentile(lone, 99)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--updates", type=int, default=10_000)
    p.add_argument("--sequential", type=int, default=1_000, help="updates sent one at a time for the lone latency")
    args = p.parse_args(argv)
    kb = load()
    env = {"BOT_CONFIG": str(ROOT / "bot.toml")}
    cfg = config.load(env=env)
    msgs = messages(args.updates)
    with tempfile.TemporaryDirectory() as tg_dir, tempfile.TemporaryDirectory() as console_dir:
        tg = asyncio.run(telegram(kb, env, Path(tg_dir), msgs, args.sequential))
        con = console(kb, cfg, Path(console_dir), msgs)
    ms = lambda s: f"{s * 1000:.2f} ms"  # noqa: E731
    print(f"{args.updates:,} updates from {args.updates // PER_USER:,} users "
          f"(Python {sys.version.split()[0]}, python-telegram-bot {__import__('telegram').__version__})")
    print(f"{'':34}{'per second':>12}{'p50':>12}{'p99':>12}")
    print(f"{'Telegram adapter, burst':34}{tg['per_second']:>12,.0f}{ms(tg['burst_p50']):>12}{ms(tg['burst_p99']):>12}")
    print(f"{'Telegram adapter, one at a time':34}{'':>12}{ms(tg['p50']):>12}{ms(tg['p99']):>12}")
    print(f"{'console path (assistant.ask)':34}{con['per_second']:>12,.0f}{ms(con['p50']):>12}{ms(con['p99']):>12}")
    print(f"Telegram / console: {tg['per_second'] / con['per_second']:.2f}x the throughput, "
          f"{tg['p99'] / con['p99']:.1f}x the p99 latency of a lone update "
          f"({tg['replies']:,} sendMessage calls for {args.updates:,} updates; "
          f"{tg['wall']:.1f} s vs {con['wall']:.1f} s)")
    if tg["replies"] < args.updates:
        print("error: some updates got no reply", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
