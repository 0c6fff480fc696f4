"""Matcher latency at 150 and 5,000 FAQ entries, next to a plain rapidfuzz baseline in the same run.

    python bench/matcher.py            # or: make bench

The 5,000-entry FAQ is the real one plus synthetic entries whose questions are phrases drawn from
the two guideline texts, so the vocabulary stays that of the domain while the index grows 30-fold.
Queries are the evaluation questions (tests/eval), as users type them. The baseline is what one
would write first: `rapidfuzz.process.extractOne` over every raw question string.
Also: the time to build the index, and the wall time of one-shot `python -m bot ask` calls.
"""
from __future__ import annotations

import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process  # noqa: E402

from bot.evaluation import load_items  # noqa: E402
from bot.knowledge import load  # noqa: E402
from bot.matcher import FaqMatcher  # noqa: E402


def synthetic_faq(kb, size: int, seed: int = 7) -> list[dict]:
    """The real entries, then made-up ones built from phrases of the guideline texts."""
    rng = random.Random(seed)
    phrases = []
    for doc in kb.sources.values():
        for line in (kb.directory / doc["file"]).read_text(encoding="utf-8").splitlines():
            line = re.sub(r"<[^>]+>|[*#|]", " ", line)
            phrases += [p.strip() for p in re.split(r"[.?!\t]|,\s", line) if 12 <= len(p.strip()) <= 50]
    entries = list(kb.faq[:size])
    i = 0
    while len(entries) < size:
        qs = rng.sample(phrases, 12)
        entries.append({"id": f"synthetic-{i}", "questions": {"ko": qs[:9], "en": qs[9:]}})
        i += 1
    return entries


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def timed(fn, queries: list[str], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        for q in queries:
            t0 = time.perf_counter()
            fn(q)
            out.append((time.perf_counter() - t0) * 1000)
    return out


def row(name: str, ms: list[float]) -> str:
    return f"{name:<44} p50 {statistics.median(ms):7.3f} ms   p99 {percentile(ms, 99):7.3f} ms"


def main() -> int:
    kb = load()
    queries = [item["q"] for item in load_items()]
    print(f"{len(queries)} queries from tests/eval; Python {sys.version.split()[0]}")
    for size in (150, 5000):
        entries = synthetic_faq(kb, size)
        t0 = time.perf_counter()
        matcher = FaqMatcher(entries, kb.synonyms, sources=kb.sources)
        build_ms = (time.perf_counter() - t0) * 1000
        tracemalloc.start()  # a second build, traced: tracing slows it, so it is not the one timed
        traced = FaqMatcher(entries, kb.synonyms, sources=kb.sources)
        memory = tracemalloc.get_traced_memory()[0] / 2**20
        tracemalloc.stop()
        del traced
        raw = [q for e in entries for q in e["questions"]["ko"] + e["questions"]["en"]]
        rounds = 3 if size <= 150 else 1
        ours = timed(matcher.match, queries, rounds)
        base = timed(lambda q: process.extractOne(q, raw, scorer=fuzz.WRatio), queries, rounds)
        print(f"\n{size} entries ({len(raw)} question strings); index built in {build_ms:.0f} ms, {memory:.1f} MiB")
        print(row("  matcher (normalise + index + rapidfuzz)", ours))
        print(row("  baseline process.extractOne(WRatio)", base))
    # first call with no index (built and saved), the calls after it (read back), and the first call after an
    # FAQ edit (one paraphrase added to a copy of the knowledge: only it goes through the spelling rules)
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as copy:
        knowledge = Path(copy) / "knowledge"
        shutil.copytree(ROOT / "knowledge", knowledge)
        env = {**os.environ, "BOT_CACHE": cache, "BOT_KNOWLEDGE": str(knowledge)}

        def call() -> float:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "bot", "ask", "--json", "경차도 2부제 해야 하나요?"], cwd=ROOT,
                           check=True, capture_output=True, env=env)
            return time.perf_counter() - t0

        runs = [call() for _ in range(6)]
        edited = []
        faq = knowledge / "faq" / "seasonal.yaml"
        for n in range(3):
            text = faq.read_text(encoding="utf-8")
            faq.write_text(text.replace("    ko:\n", f"    ko:\n      - 겨울 홀짝제 벤치 질문 {n}\n", 1), encoding="utf-8")
            edited.append(call())
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    bare = time.perf_counter() - t0
    cold, warm = runs[0], runs[1:]
    print(f"\none-shot `python -m bot ask`: first call {cold:.2f} s (builds and saves the index); then median "
          f"{statistics.median(warm):.2f} s, max {max(warm):.2f} s (bare interpreter start {bare:.2f} s); "
          f"first call after an FAQ edit {min(edited):.2f}–{max(edited):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
