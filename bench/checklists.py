"""Opening the checklist runs of one issuance covering all 17 시·도, 50 agencies each (850 runs).

    python bench/checklists.py            # or: make bench

The 50 agencies per 시·도 are the 22 of roles.yaml and copies of them under new ids (the same items),
so each run has the real stages and items. Measures the wall time of `checklists.issue` for every
시·도 into a fresh SQLite file (WAL, on disk), the rows written, the time of the first `due()` that
pushes the begun stages to one officer per agency, and the peak Python memory (tracemalloc) and
the process's peak RSS.
"""
from __future__ import annotations

import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import checklists  # noqa: E402
from bot.app import Assistant  # noqa: E402
from bot.rules import checklist as rules  # noqa: E402
from bot.knowledge import load  # noqa: E402
from bot.rules.timeline import KST  # noqa: E402
from bot.store import Store  # noqa: E402

AGENCIES = 50


def main() -> int:
    kb = load()
    base = kb.agencies
    agencies = [base[n] if n < len(base) else {**base[n % len(base)], "id": f"{base[n % len(base)]['id']}-{n}"}
                for n in range(AGENCIES)]
    sidos = [s["id"] for s in kb.regions["sido"]]
    now = datetime(2026, 12, 2, 17, 15, tzinfo=KST)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        for sido in sidos:  # one approved officer per agency, to receive the first pushes
            for a in agencies:
                user = f"telegram:{sido}-{a['id']}"
                checklists.register(store, user, a["id"], sido, "primary", "", now)
                checklists.approve(store, "admin", user, now)
        tracemalloc.start()
        started = time.perf_counter()
        for sido in sidos:
            checklists.issue(store, kb, sido=sido, measure="emergency", effective=date(2026, 12, 3), now=now,
                             actor="admin", agencies=agencies)
        opened = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        # Baseline in the same run: the pure planning alone (no SQLite), to show what storing costs.
        started = time.perf_counter()
        for sido in sidos:
            for a in agencies:
                rules.plan(kb, a, "emergency", date(2026, 12, 3))
        planned = time.perf_counter() - started
        counts = {t: store.db[t].count for t in ("runs", "run_stages", "run_items", "jobs")}
        bot = Assistant(kb, store=store, clock=lambda: now)
        started = time.perf_counter()
        queued = bot.due()
        pushed = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"issuance for {len(sidos)} 시·도 × {AGENCIES} agencies: {counts['runs']} runs, {counts['run_stages']} stages, "
          f"{counts['run_items']} items, {counts['jobs']} jobs")
    print(f"  open the runs: {opened:.2f} s ({opened / counts['runs'] * 1000:.2f} ms a run)")
    print(f"  baseline, the pure planning of the same runs without storing: {planned:.2f} s "
          f"(storing makes it {opened / planned:.1f}x)")
    print(f"  peak Python memory while opening: {peak / 1024:.0f} KiB (SQLite's own pages not included); process peak RSS: {rss:.0f} MB")
    print(f"  first due(): {queued} messages rendered and queued in {pushed:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
