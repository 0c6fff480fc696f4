"""Per-user rate limiting in the core: a flood from one user is slowed, others are unaffected."""
from __future__ import annotations

import time


class RateLimiter:
    """A token bucket per user: `burst` messages at once, refilled at `per_minute` a minute."""

    def __init__(self, per_minute: float = 20, burst: int = 5, clock=time.monotonic):
        self.rate = per_minute / 60.0
        self.burst = burst
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}  # user → (tokens, last time)

    def allow(self, user: str) -> bool:
        now = self.clock()
        tokens, last = self.buckets.get(user, (float(self.burst), now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1:
            self.buckets[user] = (tokens, now)
            return False
        self.buckets[user] = (tokens - 1, now)
        if len(self.buckets) > 100_000:  # forget idle users rather than grow without bound
            self.buckets = {u: b for u, b in self.buckets.items() if now - b[1] < 3600}
        return True

    def wait_seconds(self, user: str) -> int:
        tokens, _ = self.buckets.get(user, (self.burst, 0))
        return max(1, int((1 - tokens) / self.rate) + 1) if tokens < 1 else 0
