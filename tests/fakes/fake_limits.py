"""Rate limiters the fakes share (for common.py): Rack::Attack's fixed windows per IP, API Gateway's token bucket
per key, and counters whose window starts at the first hit."""

from __future__ import annotations

import threading
import time
from typing import Callable

from flask import Response

from fake_http import FAKE_PREFIX, text_response


class RateLimiter:
    """Per-IP throttle shaped like Rack::Attack's ``throttle`` (what pwpush uses).

    Rack::Attack counts in fixed windows aligned to the epoch (the key holds
    ``now // period``), not sliding ones: a client can burst up to twice the limit across a
    window boundary, and Retry-After is the time left in the current window. Every request
    increments the counters (throttled ones too); throttles are checked in order and the
    first one over its limit answers 429 "Retry later\\n" (text/plain) with Retry-After.
    A limit of 0 disables that throttle.
    """

    def __init__(self, per_minute: int = 120, per_second: int = 60,
                 exempt: Callable[[str], bool] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.throttles = [("req/minute/ip", per_minute, 60), ("req/second/ip", per_second, 1)]
        self.exempt = exempt or (lambda path: False)
        self.clock = clock
        self._lock = threading.Lock()
        self._counts: dict[tuple, int] = {}

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def check(self, ip: str, path: str) -> Response | None:
        if path.startswith(FAKE_PREFIX) or self.exempt(path):
            return None
        now = int(self.clock())
        with self._lock:
            if len(self._counts) > 10000:  # drop windows that are long over
                self._counts = {k: v for k, v in self._counts.items() if k[2] >= now // k[3] - 1}
            for name, limit, period in self.throttles:
                if limit <= 0:
                    continue
                key = (name, ip, now // period, period)
                self._counts[key] = count = self._counts.get(key, 0) + 1
                if count > limit:
                    retry_after = period - (now % period)
                    return text_response("Retry later\n", 429, {"Retry-After": str(retry_after)})
        return None


class TokenBucket:
    """Per-key token bucket, the way AWS API Gateway throttles (usage plans: rate and burst).

    Each key has a bucket of ``burst`` tokens, full at first, refilled continuously at
    ``rate`` tokens a second; a request takes one token, and a request that finds less than
    one is refused (it takes nothing). So from rest a client gets ``burst`` requests at once,
    then ``rate`` a second. A rate of 0 disables the limit. ``take`` returns None when the
    request may pass, else the seconds until a token is there.
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        if rate < 0 or (rate > 0 and burst < 1):
            raise ValueError("rate must be >= 0 and burst >= 1")
        self.rate = float(rate)
        self.burst = float(burst)
        self.clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()

    def take(self, key: str) -> float | None:
        if self.rate <= 0:
            return None
        now = self.clock()
        with self._lock:
            if key not in self._buckets and len(self._buckets) >= 10000:
                full = now - self.burst / self.rate  # forget keys whose bucket has filled up again
                self._buckets = {k: v for k, v in self._buckets.items() if v[1] > full}
            tokens, at = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return None
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate


class FirstHitWindow:
    """Counters whose fixed window starts at a key's first hit (Redis INCR + EXPIRE, Rails' rate_limit
    cache increment): a window is never sliding. Shared by the fakes whose real servers count this way."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, key: str, now: float, within: int) -> int:
        start, count = self._windows.get(key, (now, 0))
        if now >= start + within:
            start, count = now, 0
        self._windows[key] = (start, count + 1)
        return count + 1

    def clear(self) -> None:
        self._windows.clear()
