"""What answers for onetimesecret before its v1 app does (for ots_server.py): the proxy's rate limit and
the 429 of the application itself.

Read in the onetimesecret repository (github.com/onetimesecret/onetimesecret, main of August 2026):

* ``apps/api/v1/controllers/base.rb`` (``check_rate_limit!``): "Rate limits are now enforced externally
  (infrastructure layer)"; the v1 app keeps only its vestigial 1,000-per-20-minutes counters (ots_server.py).
  The infrastructure the repository ships is Caddy with the caddy-ratelimit plugin
  (``docker/variants/caddy.dockerfile``, ``docker/compose/docker-compose.full.yml``), configured in
  ``etc/examples/Caddyfile-example``: per client IP, 20 requests in any 1-second window on every path
  (zone ``general``; ``/api/*`` also has its own zone of 30, so 20 is what binds). caddy-ratelimit counts in a
  sliding window, counts only the requests it lets through, and refuses with 429, ``Retry-After`` (whole
  seconds until the oldest counted request leaves the window) and, with no ``handle_errors`` in that
  Caddyfile, an empty body. Whether the hosted regions run exactly this is not published: the numbers are
  the example's, hence ``--edge-rate-limit`` (default 0: off; 20 reproduces the example).
* The application's own 429 (``lib/onetime/errors.rb`` ``LimitExceeded#to_h``, the 429 handler in
  ``lib/onetime/application/otto_hooks.rb``, the ``Retry-After`` header of
  ``lib/onetime/middleware/retry_after_header.rb``): ``{"error": "Rate limit exceeded", "error_type":
  "LimitExceeded", "retry_after": N}`` (``retry_after`` only when known), ``application/json``. An injected
  429 (``POST /_fake/faults {"status": 429}``) answers this way, not with Rack::Attack's "Retry later"
  (Rack::Attack came and went on one day in July 2025, commits b77cba48 and 00cccb95, before any release).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque
from typing import Callable

from flask import Response

import common

EDGE_WINDOW = 1.0  # seconds: the Caddyfile example's `window 1s`


def fault_response(status: int, headers: dict | None) -> Response:
    """A forced fault as onetimesecret's stack gives it: the app's LimitExceeded body for 429."""
    if status != 429:
        return common.default_fault_response(status, headers)
    body = {"error": "Rate limit exceeded", "error_type": "LimitExceeded"}
    if headers and "Retry-After" in headers:
        body["retry_after"] = int(headers["Retry-After"])
    return Response(json.dumps(body), status=429, headers=headers, content_type="application/json")


class EdgeLimiter:
    """caddy-ratelimit's sliding window: at most ``events`` requests per client IP in any ``window`` seconds.

    A refused request is not counted; its answer is 429 with Retry-After and no body. 0 events disables it.
    """

    def __init__(self, events: int, window: float = EDGE_WINDOW,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if events < 0:
            raise ValueError("--edge-rate-limit must be >= 0")
        self.events = events
        self.window = window
        self.clock = clock
        self._lock = threading.Lock()
        self._seen: dict[str, deque] = {}

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()

    def check(self, ip: str, path: str) -> Response | None:
        if self.events <= 0 or path.startswith(common.FAKE_PREFIX):
            return None
        now = self.clock()
        with self._lock:
            if len(self._seen) > 10000:  # forget clients that have been quiet for a window
                self._seen = {k: v for k, v in self._seen.items() if v and v[-1] > now - self.window}
            seen = self._seen.setdefault(ip, deque())
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) >= self.events:
                wait = max(1, math.ceil(seen[0] + self.window - now))
                return Response(b"", status=429, headers={"Retry-After": str(wait)})
            seen.append(now)
        return None
