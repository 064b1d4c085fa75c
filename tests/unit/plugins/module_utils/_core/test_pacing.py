# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_core/pacing.py: the shared pace of a bulk run: requests spaced to a rate, every 429 waited out for all workers,
and counted."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._core.pacing import Pacer
from ansible_collections.oneshot.secrets.plugins.module_utils._core.transport import HttpTransport
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, response

BASE = "https://pw.example.test"


class FakeClock:
    """A monotonic clock that only moves when something sleeps."""

    def __init__(self):
        self.now = 100.0
        self.sleeps = []
        self.lock = threading.Lock()

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        with self.lock:
            self.sleeps.append(seconds)
            self.now += seconds


def test_pace_spaces_the_requests_to_the_rate():
    clock = FakeClock()
    pacer = Pacer(4, clock=clock, sleep=clock.sleep)
    waited = [pacer.wait() for _request in range(5)]
    assert waited == [False, True, True, True, True]
    assert clock.now == pytest.approx(101.0)  # 5 requests at 4 a second: the last one a second after the first
    assert clock.sleeps == pytest.approx([0.25] * 4)


def test_no_pace_never_waits_until_a_hold():
    clock = FakeClock()
    pacer = Pacer(0, clock=clock, sleep=clock.sleep)
    assert [pacer.wait() for _request in range(3)] == [False] * 3
    pacer.hold(7)
    assert pacer.wait() is True and clock.now == pytest.approx(107)
    assert pacer.rate_limited == 1


def test_a_negative_pace_is_refused():
    with pytest.raises(ValueError):
        Pacer(-1)


def transport(answers, pacer, retries=0):
    http = HttpTransport(BASE, retries=retries, pacer=pacer)
    return http, ScriptedSession(http, answers)


def test_429_on_a_create_is_waited_out_beyond_retries_and_counted_once():
    # A 429 means the server did not process the request: sending the create again makes no duplicate.
    clock = FakeClock()
    pacer = Pacer(0, clock=clock, sleep=clock.sleep)
    http, stub = transport([response(429, raw="Retry later\n", headers={"Retry-After": "30"}) for _n in range(4)]
                           + [response(201, {"url_token": "tok123456"})], pacer, retries=0)
    answer = http.request("POST", "/api/v2/pushes", json={}, idempotent=False)
    assert answer.status_code == 201
    assert [call[0] for call in stub.calls] == ["POST"] * 5
    assert clock.sleeps == pytest.approx([30] * 4)
    assert pacer.paced == 1 and pacer.rate_limited == 4


def test_without_a_retry_after_429_waits_grow():
    clock = FakeClock()
    pacer = Pacer(0, clock=clock, sleep=clock.sleep)
    http, stub = transport([response(429) for _n in range(3)] + [response(200, {})], pacer)
    assert http.request("GET", "/x").status_code == 200
    assert len(clock.sleeps) == 3 and clock.sleeps[2] > clock.sleeps[0]


def test_429s_beyond_the_pacer_bound_are_answered():
    clock = FakeClock()
    pacer = Pacer(0, max_rate_limited=2, clock=clock, sleep=clock.sleep)
    http, stub = transport([response(429, headers={"Retry-After": "1"}) for _n in range(3)], pacer)
    assert http.request("POST", "/x", idempotent=False).status_code == 429
    assert len(stub.calls) == 3 and pacer.paced == 1


def test_a_5xx_on_a_create_is_still_not_sent_again_with_a_pacer():
    pacer = Pacer(0)
    http, stub = transport([response(503, headers={"Retry-After": "0"})], pacer, retries=3)
    assert http.request("POST", "/x", idempotent=False).status_code == 503
    assert len(stub.calls) == 1 and pacer.paced == 0


def test_one_hold_makes_every_thread_wait():
    clock = FakeClock()
    sleeps = []
    pacer = Pacer(0, clock=clock, sleep=sleeps.append)  # the clock stands still: each thread must wait itself
    pacer.hold(5)
    threads = [threading.Thread(target=pacer.wait) for _thread in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sleeps == [5] * 4


def test_a_burst_goes_at_once_then_the_rate_holds():
    now = [0.0]
    pacer = Pacer(rate=4, burst=3, clock=lambda: now[0], sleep=lambda seconds: now.__setitem__(0, now[0] + seconds))
    starts = []
    for _request in range(7):
        pacer.wait()
        starts.append(round(now[0], 3))
    assert starts == [0.0, 0.0, 0.0, 0.25, 0.5, 0.75, 1.0]


def test_a_burst_below_one_request_is_refused():
    with pytest.raises(ValueError, match="burst"):
        Pacer(rate=1, burst=0.5)
