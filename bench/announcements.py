"""Announcement fan-out (issue 5): the send rate under Telegram's 30 messages a second, the time until the last
of 100,000 subscribers is queued, and peak memory; each next to a baseline in the same run.

    .venv/bin/python bench/announcements.py [--messages 1500] [--subscribers 100000] [--limit 30]   # ~4 min

1. Sending. One announcement (live.decide) queued to --messages Telegram subscribers of 서울 and sent by
   `TelegramChannel.deliver` through the bot of the real python-telegram-bot Application as `make run` builds
   it (`build_application`, PTB's AIORateLimiter on), to tests/fake_telegram.py on 127.0.0.1 enforcing --limit
   sendMessage in any sliding second (one more is answered 429 "retry after 1", as Telegram answers it).
   "msg/s" is messages ÷ the sender's wall time; "sustained" is the stand-in's count: the mean, over every
   moment from 1 s after the first accepted message to the last, of the messages it accepted in the second
   before (so neither a starting burst nor a last short burst inflates it). Every subscriber must receive
   exactly one message, else the run fails (exit 1).
   For comparison, the same stand-in and limit: the bot path with PTB's AIORateLimiter as it comes (a bucket of
   30 at 30 a second); baselines: the same Application's bot sending the same messages in a bare loop of
   `send_message` (the limiter without the outbox and its store), and a bare loop of raw HTTP POSTs that
   sends at once and waits out each 429's retry_after (the simplest sender there is).
2. Queueing. --subscribers users (7 in 10 telegram:, 3 in 10 slack:, one in ten with /lang en) subscribed to
   서울 (one live.subscribe each) in a SQLite file (WAL, on disk); timed: `live.decide` in a fresh copy of that
   file, --repeat times (median): the accept that writes the issuance, the announcement and one outbox row per
   subscriber in one transaction. Baseline: a plain `executemany` of as many equivalent rows into a bare
   table (no index) in a new file, one commit, the rows built before the clock starts; --repeat times too.
3. Memory. tracemalloc slows Python, so each part runs again in a child process of this run with tracemalloc
   on (sending: --memory-messages messages; queueing: live.decide in one more copy of the file): the peak of
   Python allocations during the part, the child's RSS before it and its peak RSS during it (VmHWM, reset
   when the part starts). The stand-in server runs in the sending child and is counted.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/telegram.py sits next to this file: this folder must not hide the telegram package
sys.path[:] = [str(ROOT), str(ROOT / "tests")] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

import httpx  # noqa: E402
from telegram.ext import AIORateLimiter  # noqa: E402

from bot import config, live  # noqa: E402
from bot.app import Assistant  # noqa: E402
from bot.channels import telegram as telegram_channel  # noqa: E402
from bot.channels.telegram import build_application  # noqa: E402
from bot.knowledge import load  # noqa: E402
from bot.store import Store  # noqa: E402
from fake_telegram import FakeTelegram  # noqa: E402

KST = timezone(timedelta(hours=9))
AT = datetime(2025, 1, 21, 17, 6, tzinfo=KST)
SIDO = "서울"
# the texts handlers/live.py renders for this decision (fixed here: the benchmark measures sending, not rendering)
BODIES = {"ko": "서울특별시에 2025-01-22 비상저감조치가 발령되었습니다. 시행 시간 06:00~21:00.\n공공기관 차량 2부제가 "
                "시행됩니다. 내 차는 /check로 확인하세요.\n2025-01-21 17:06 결정. 알림을 그만 받으려면 /unsubscribe",
          "en": "Emergency reduction measure is issued for Seoul on 2025-01-22, 06:00–21:00.\nPublic-sector odd-even "
                "driving applies; check your car with /check.\nDecided at 2025-01-21 17:06. /unsubscribe stops these "
                "messages."}
DECISION = {"sido": SIDO, "measure": "emergency", "effective_date": "2025-01-22", "conditions": ["E3"],
            "starts_at": "2025-01-22T06:00:00+09:00", "ends_at": "2025-01-22T21:00:00+09:00"}
FIRST_CHAT = 10_000_000


def users(n: int, slack_share: int = 0) -> list[str]:
    """n core user ids; with slack_share=3, three in ten are Slack members."""
    return [f"slack:U{k:08d}" if k % 10 < slack_share else f"telegram:{FIRST_CHAT + k}" for k in range(n)]


def subscribe_all(store: Store, subscribers: list[str], english_every: int = 0) -> float:
    """One live.subscribe per user, as /subscribe does (every english_every-th chose /lang en); returns seconds."""
    started = time.perf_counter()
    for k, user in enumerate(subscribers):
        live.subscribe(store, user, [SIDO], AT)
        if english_every and k % english_every == 0:
            store.set_language(user, "en")
    return time.perf_counter() - started


def accept(store: Store) -> dict:
    """Propose and accept the decision; {"seconds" (of live.decide), "queued", "announcement"}."""
    proposal = live.propose(store, DECISION, {"hours": {}}, AT)
    started = time.perf_counter()
    out = live.decide(store, proposal["id"], True, "telegram:1", AT, bodies=BODIES)
    seconds = time.perf_counter() - started
    aid = next(store.db.query("select id from announcements where issuance_id = ?", [out["issuance"]]))["id"]
    return {"seconds": seconds, "queued": out["queued"], "announcement": aid}


# -- 1. sending ----------------------------------------------------------------------------------
def rates(fake: FakeTelegram) -> dict:
    """What the stand-in saw. sustained: the mean, over every moment t from 1 s after the first accepted message
    to the last, of the messages accepted in the second before t (each message counts for the moments [s, s + 1))."""
    times = sorted(fake.sent_times)
    start, end = times[0] + 1.0, times[-1]
    sustained = sum(max(0.0, min(s + 1.0, end) - max(s, start)) for s in times) / (end - start) if end > start else 0.0
    peak = max(sum(1 for u in times[i:i + fake.limit_per_second + 2] if u - t < 1.0) for i, t in enumerate(times))
    return {"sent": len(times), "sustained": sustained, "refused": fake.limited, "peak_window": peak,
            "chats": Counter(p["chat_id"] for p in fake.calls("sendMessage"))}


class Pauses:
    """The longest garbage collection in this process while a sender runs: one between the limiter and the wire
    delays a message, and the next ones on time can make one too many in a second at the stand-in."""

    def __enter__(self) -> "Pauses":
        self.longest, self.started = 0.0, 0.0
        gc.callbacks.append(self.watch)
        return self

    def watch(self, phase: str, info: dict) -> None:
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.longest = max(self.longest, time.perf_counter() - self.started)

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self.watch)


def quiet(fake: FakeTelegram) -> FakeTelegram:
    fake.keep_transcript = False
    return fake


async def send_with_bot(kb, messages: int, limit: int, directory: Path, ptb_default: bool = False) -> dict:
    """The production path: outbox → TelegramChannel.deliver → the Application's bot (AIORateLimiter) → stand-in.
    ptb_default: the same with PTB's AIORateLimiter as it comes (30 at once, 30 a second), for comparison."""
    fake = quiet(FakeTelegram(limit_per_second=limit).start())
    try:
        cfg = config.load(env={"BOT_CONFIG": str(ROOT / "bot.toml"), "TELEGRAM_BASE_URL": fake.base_url,
                               "TELEGRAM_BOT_TOKEN": fake.token})
        store = Store(directory / "send.db")
        assistant = Assistant(kb, store=store, clock=lambda: AT, default_lang=cfg.default_lang, limiter=cfg.limiter())
        subscribe_all(store, users(messages))
        queued = accept(store)
        if ptb_default:
            telegram_channel.AIORateLimiter = lambda **kw: AIORateLimiter(max_retries=kw.get("max_retries", 0))
        try:
            app = build_application(assistant, cfg, rate_limiter=True)
        finally:
            telegram_channel.AIORateLimiter = AIORateLimiter
        await app.initialize()
        try:
            with Pauses() as pauses:
                started = time.perf_counter()
                sent = await app.bot_data["channel"].deliver(app.bot)
                wall = time.perf_counter() - started
        finally:
            await app.shutdown()
        state = live.delivered(store, queued["announcement"])
    finally:
        fake.stop()
    return {**rates(fake), "wall": wall, "gc": pauses.longest, "reported": sent, "marked": state["sent"],
            "queued": state["queued"]}


async def send_bare_ptb(kb, messages: int, limit: int) -> dict:
    """Baseline: the same Application's bot and limiter, a bare loop of send_message (no outbox, no store)."""
    fake = quiet(FakeTelegram(limit_per_second=limit).start())
    try:
        cfg = config.load(env={"BOT_CONFIG": str(ROOT / "bot.toml"), "TELEGRAM_BASE_URL": fake.base_url,
                               "TELEGRAM_BOT_TOKEN": fake.token})
        app = build_application(Assistant(kb), cfg, rate_limiter=True)
        await app.initialize()
        try:
            with Pauses() as pauses:
                started = time.perf_counter()
                for k in range(messages):
                    await app.bot.send_message(FIRST_CHAT + k, BODIES["ko"])
                wall = time.perf_counter() - started
        finally:
            await app.shutdown()
    finally:
        fake.stop()
    return {**rates(fake), "wall": wall, "gc": pauses.longest}


def send_raw(messages: int, limit: int) -> dict:
    """Baseline: raw HTTP POSTs, one after the other; a 429 is waited out (retry_after) and the message sent again."""
    fake = quiet(FakeTelegram(limit_per_second=limit).start())
    try:
        url = f"{fake.base_url}{fake.token}/sendMessage"
        with httpx.Client() as client, Pauses() as pauses:
            started = time.perf_counter()
            k = 0
            while k < messages:
                answer = client.post(url, json={"chat_id": FIRST_CHAT + k, "text": BODIES["ko"]})
                if answer.status_code == 429:
                    time.sleep(answer.json()["parameters"]["retry_after"])
                    continue
                answer.raise_for_status()
                k += 1
            wall = time.perf_counter() - started
    finally:
        fake.stop()
    return {**rates(fake), "wall": wall, "gc": pauses.longest}


# -- 2. queueing ---------------------------------------------------------------------------------
def subscribed_file(n: int, path: Path) -> float:
    """n subscribers (7 in 10 telegram:, 3 in 10 slack:, one in ten /lang en) of 서울 in a new store; seconds."""
    store = Store(path)
    seconds = subscribe_all(store, users(n, slack_share=3), english_every=10)
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.db.conn.close()
    return seconds


def queue_with_decide(subscribed: Path, path: Path) -> dict:
    """live.decide in a fresh copy of the subscribed file."""
    shutil.copyfile(subscribed, path)
    store = Store(path)
    out = accept(store)
    aid = out["announcement"]
    platforms = dict(store.db.execute("select platform, count(*) from outbox where announcement_id = ? group by platform",
                                      [aid]).fetchall())
    english = store.db.execute("select count(*) from outbox where announcement_id = ? and lang = 'en'", [aid]).fetchone()[0]
    state = live.delivered(store, aid)
    store.db.conn.close()
    return {**out, "delivered_queued": state["queued"], "platforms": platforms, "english": english}


def queue_bare(n: int, path: Path) -> dict:
    """Baseline: the same rows, executemany into a bare table of a fresh file (WAL like the store), one commit."""
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("create table outbox (id integer primary key, user text, platform text, body text, buttons text, "
                 "intent text, lang text, data text, created_at text, announcement_id integer)")
    data = json.dumps({"announcement": 1, "issuance": 1, "kind": "issued"})
    rows = [(u, u.split(":", 1)[0], BODIES["en" if k % 10 == 0 else "ko"], "[]", "announcement_issued",
             "en" if k % 10 == 0 else "ko", data, AT.isoformat(), 1) for k, u in enumerate(users(n, slack_share=3))]
    started = time.perf_counter()
    with conn:
        conn.executemany("insert into outbox (user, platform, body, buttons, intent, lang, data, created_at, "
                         "announcement_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    seconds = time.perf_counter() - started
    count = conn.execute("select count(*) from outbox").fetchone()[0]
    conn.close()
    return {"seconds": seconds, "queued": count}


# -- 3. memory (in a child process) --------------------------------------------------------------
def size(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 1024:.0f} KiB"


def rss_mb(field: str = "VmHWM") -> float:
    """This process's resident memory, MB: VmHWM is its peak (since the last reset_peak), VmRSS the current one.
    From /proc (Linux): ru_maxrss would carry a forked parent's peak over into a child."""
    try:
        status = Path("/proc/self/status").read_text()
        return next(int(line.split()[1]) for line in status.splitlines() if line.startswith(field + ":")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM starts again from the current RSS
        return True
    except OSError:
        return False


def memory_child(part: str, args) -> dict:
    """One part with tracemalloc on, after its set-up (the subscriptions): the peak of Python allocations, and
    the RSS before and at its peak during the part."""
    kb = load()
    before: dict = {}

    def start() -> None:
        before["rss"], before["reset"] = rss_mb("VmRSS"), reset_peak()
        tracemalloc.start()

    with tempfile.TemporaryDirectory() as tmp:
        if part == "send":
            fake = quiet(FakeTelegram(limit_per_second=args.limit).start())
            cfg = config.load(env={"BOT_CONFIG": str(ROOT / "bot.toml"), "TELEGRAM_BASE_URL": fake.base_url,
                                   "TELEGRAM_BOT_TOKEN": fake.token})
            store = Store(Path(tmp) / "send.db")
            assistant = Assistant(kb, store=store, clock=lambda: AT, default_lang=cfg.default_lang, limiter=cfg.limiter())
            subscribe_all(store, users(args.memory_messages))
            accept(store)

            async def run() -> None:
                app = build_application(assistant, cfg, rate_limiter=True)
                await app.initialize()
                start()
                await app.bot_data["channel"].deliver(app.bot)
                await app.shutdown()

            asyncio.run(run())
            fake.stop()
        else:
            store = Store(shutil.copyfile(args.memory_db, Path(tmp) / "queue.db"))  # the timed runs' subscribers
            start()
            accept(store)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {"peak": peak, "rss_before": before["rss"], "rss_peak": rss_mb(), "reset": before["reset"]}


def memory(part: str, args) -> dict:
    command = [sys.executable, __file__, "--memory-child", part, "--limit", str(args.limit),
               "--memory-messages", str(args.memory_messages), "--memory-db", str(args.memory_db)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the report ----------------------------------------------------------------------------------
def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--messages", type=int, default=1_500, help="Telegram subscribers sent to (each path)")
    p.add_argument("--limit", type=int, default=30, help="sendMessage the stand-in accepts in any second")
    p.add_argument("--subscribers", type=int, default=100_000, help="subscribers queued at once")
    p.add_argument("--repeat", type=int, default=3, help="queueing runs (each into a fresh file)")
    p.add_argument("--memory-messages", type=int, default=300, help="messages sent in the memory pass")
    p.add_argument("--no-baselines", action="store_true", help="only the bot as built: no comparison rows")
    p.add_argument("--memory-child", choices=("send", "queue"), help=argparse.SUPPRESS)
    p.add_argument("--memory-db", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.memory_child:
        print(json.dumps(memory_child(args.memory_child, args)))
        return 0

    kb = load()
    failures = []
    print(f"Announcement fan-out (Python {sys.version.split()[0]}, python-telegram-bot "
          f"{__import__('telegram').__version__}, SQLite {sqlite3.sqlite_version})")

    print(f"\n1. Sending {args.messages:,} messages; the stand-in accepts {args.limit} sendMessage in any second")
    with tempfile.TemporaryDirectory() as tmp:
        runs = [("bot: outbox → deliver → PTB + limiter", asyncio.run(send_with_bot(kb, args.messages, args.limit, Path(tmp))))]
    if not args.no_baselines:
        with tempfile.TemporaryDirectory() as tmp:
            runs.append(("the same, PTB's default AIORateLimiter", asyncio.run(
                send_with_bot(kb, args.messages, args.limit, Path(tmp), ptb_default=True))))
        runs.append(("baseline: PTB bot + limiter, bare loop", asyncio.run(send_bare_ptb(kb, args.messages, args.limit))))
        runs.append(("baseline: raw HTTP, wait out each 429", send_raw(args.messages, args.limit)))
    print(f"{'':42}{'wall':>8}{'msg/s':>8}{'sustained':>11}{'of limit':>10}{'429s':>7}{'max in 1 s':>12}"
          f"{'longest GC':>12}")
    expected = Counter({FIRST_CHAT + k: 1 for k in range(args.messages)})
    for name, r in runs:
        print(f"{name:42}{r['wall']:>7.1f}s{args.messages / r['wall']:>8.2f}{r['sustained']:>11.2f}"
              f"{r['sustained'] / args.limit:>10.1%}{r['refused']:>7}{r['peak_window']:>12}{r['gc'] * 1000:>9.0f} ms")
        if r["chats"] != expected:
            missing, twice = sum((expected - r["chats"]).values()), sum((r["chats"] - expected).values())
            failures.append(f"{name}: {missing} subscribers got no message, {twice} messages too many")
    bot = runs[0][1]
    print("msg/s: messages ÷ the sender's wall time; sustained: the mean number the stand-in accepted in the last "
          "second, over every moment from 1 s after its first to its last; longest GC: this process's longest "
          "garbage collection while sending")
    print(f"every subscriber got exactly one message: {'yes' if not failures else 'NO'}; the bot's outbox rows "
          f"marked sent: {bot['marked']:,} of {bot['queued']:,}")
    if bot["marked"] != bot["queued"] or bot["reported"] != args.messages:
        failures.append(f"deliver reported {bot['reported']}, {bot['marked']} of {bot['queued']} rows marked sent")

    print(f"\n2. Queueing one announcement to {args.subscribers:,} subscribers (fresh SQLite files, WAL; "
          f"median of {args.repeat})")
    with tempfile.TemporaryDirectory() as tmp:
        args.memory_db = Path(tmp) / "subscribed.db"
        subscribing = subscribed_file(args.subscribers, args.memory_db)
        decided = [queue_with_decide(args.memory_db, Path(tmp) / f"queue-{k}.db") for k in range(args.repeat)]
        bare = [queue_bare(args.subscribers, Path(tmp) / f"bare-{k}.db") for k in range(args.repeat)]
        print(f"{'':42}{'seconds':>8}{'rows/s':>11}{'range':>16}")
        for name, results in (("live.decide (one transaction)", decided), ("baseline: executemany, bare table", bare)):
            times = sorted(r["seconds"] for r in results)
            median = statistics.median(times)
            print(f"{name:42}{median:>8.2f}{args.subscribers / median:>11,.0f}{f'{times[0]:.2f}–{times[-1]:.2f} s':>16}")
        q = decided[0]
        print(f"queued: {q['delivered_queued']:,} (live.delivered), {q['platforms'].get('telegram', 0):,} telegram + "
              f"{q['platforms'].get('slack', 0):,} slack, {q['english']:,} in English; decide / executemany: "
              f"{statistics.median(r['seconds'] for r in decided) / statistics.median(r['seconds'] for r in bare):.1f}x")
        print(f"(set-up, not timed above: {args.subscribers:,} live.subscribe, one transaction each: {subscribing:.1f} s)")
        for r in decided + bare:
            if r["queued"] != args.subscribers or r.get("delivered_queued", args.subscribers) != args.subscribers:
                failures.append(f"queued {r['queued']} / {r.get('delivered_queued')} rows for {args.subscribers} subscribers")

        print("\n3. Memory: each part again, in a child process, with tracemalloc on (after the part's set-up)")
        send_mem, queue_mem = memory("send", args), memory("queue", args)
    print(f"{'':42}{'Python peak':>12}{'RSS before':>12}{'RSS peak':>10}")
    for name, m in ((f"sending {args.memory_messages:,} (deliver)", send_mem),
                    (f"queueing {args.subscribers:,} (live.decide)", queue_mem)):
        print(f"{name:42}{size(m['peak']):>12}{m['rss_before']:>9.0f} MB{m['rss_peak']:>7.0f} MB"
              + ("" if m["reset"] else " (RSS peak: of the whole child)"))
    print(f"this whole run's peak RSS: {rss_mb():.0f} MB")

    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
