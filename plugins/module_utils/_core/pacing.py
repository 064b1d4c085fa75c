# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one rate limiter of the collection: a pace shared by every worker of one client, requests kept to a rate
(with a burst, as a token bucket allows), and all held while a 429 lasts.

HttpTransport(pacer=Pacer(...)) asks it before every attempt and tells it about every 429 answer. A 429 means the
server did not process the request, so it is retried whatever the method, up to `max_rate_limited` times per request
(not counted in the transport's `retries`): a long run paced by the server's limit finishes instead of failing.
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

# How many 429 answers one request may get before it fails: at the test server's 120 a minute, a burst of workers
# waits for one window at most; this leaves room for servers whose limits are far tighter.
MAX_RATE_LIMITED = 30


class Pacer:
    """At most `rate` requests a second (0: no pace) from all threads together, `burst` of them at once, and a pause
    after a 429 (max_rate_limited=0 leaves 429 answers to the transport's retries).

    A token bucket as the generic cell rate algorithm: each request moves a theoretical arrival time (TAT) one
    interval on; a request may start once it is no more than (burst - 1) intervals ahead of its TAT. With burst 1
    the requests are evenly spaced. `paced` counts the requests (not the attempts) that had to wait.
    """

    def __init__(self, rate=0.0, burst=1.0, max_rate_limited=MAX_RATE_LIMITED, clock=time.monotonic,
                 sleep=time.sleep):
        rate = float(rate or 0)
        if rate < 0:
            raise ValueError("rate must be 0 or more requests a second")
        if float(burst) < 1:
            raise ValueError("burst must be at least 1 request")
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.tolerance = (float(burst) - 1.0) * self.interval
        self.max_rate_limited = int(max_rate_limited)
        self.clock = clock
        self.sleep = sleep
        self.paced = 0
        self.rate_limited = 0
        self._arrival = None  # the theoretical arrival time of the next request (monotonic seconds)
        self._held_until = 0.0  # no request before this: the server asked us to wait (Retry-After)
        self._lock = threading.Lock()

    def wait(self):
        """Block until this attempt may be sent; True when it had to wait."""
        with self._lock:
            now = self.clock()
            start = max(now, self._held_until)
            if self.interval:
                arrival = start if self._arrival is None else max(self._arrival, start)
                start = max(start, arrival - self.tolerance)
                self._arrival = arrival + self.interval
        delay = start - now
        if delay > 0.0005:
            self.sleep(delay)
            return True
        return False

    def hold(self, seconds):
        """The server answered 429: no request of this client before `seconds` from now."""
        with self._lock:
            self.rate_limited += 1
            self._held_until = max(self._held_until, self.clock() + max(0.0, float(seconds)))

    def held_for(self):
        """Seconds until the server lets this client send again (0 when it does now)."""
        with self._lock:
            return max(0.0, self._held_until - self.clock())

    def count_paced(self):
        with self._lock:
            self.paced += 1
