# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bounded pool and the onetimesecret bulk path (share_all)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._core.pool import run_all
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import OtsClient
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.errors import OtsError
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, response

OTS = "https://ots.example.test"


def test_run_all_keeps_order_tries_everything_and_bounds_concurrency():
    running = [0]
    most = [0]
    lock = threading.Lock()
    gate = threading.Event()

    def task(index):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        gate.wait(0.05)
        with lock:
            running[0] -= 1
        if index in (3, 7):
            raise OtsError("no %d" % index)
        return index * 10

    results, failures = run_all(task, 20, 4, OtsError)
    assert results == [None if n in (3, 7) else n * 10 for n in range(20)]
    assert [index for index, _error in failures] == [3, 7]
    assert most[0] <= 4


def test_run_all_raises_a_bug_as_it_is():
    def task(index):
        raise KeyError(index)

    with pytest.raises(KeyError):
        run_all(task, 3, 2, OtsError)


def share_server(monkeypatch, client, refuse=()):
    calls = []
    lock = threading.Lock()

    def request(method, url, **kwargs):
        with lock:
            calls.append(kwargs["data"]["secret"])
            number = len(calls)
        if kwargs["data"]["secret"] in refuse:
            return response(404, {"message": "Rate limit exceeded. Please try again later."},
                            headers={"X-OTS-Intended-Status": "400"})
        return response(200, {"secret_key": "s%030d" % number, "metadata_key": "m%030d" % number, "ttl": 3600})

    ScriptedSession(client.http, server=request)
    return calls


def test_share_all_shares_each_secret_once_in_order(monkeypatch):
    client = OtsClient(url=OTS, username="owner@example.com", api_token="ots-token-0001")
    calls = share_server(monkeypatch, client)
    shares = [dict(secret="secret-number-%02d" % n, ttl=3600) for n in range(12)]
    receipts, failures = client.share_all(shares, concurrency=4)
    assert failures == []
    assert sorted(calls) == sorted(share["secret"] for share in shares)
    assert len(set(receipt["secret_url"] for receipt in receipts)) == 12
    assert all("value" not in receipt for receipt in receipts)


def test_share_all_validates_everything_before_the_first_request(monkeypatch):
    client = OtsClient(url=OTS)
    calls = share_server(monkeypatch, client)
    with pytest.raises(OtsError, match="ttl must be between"):
        client.share_all([dict(secret="secret-number-01", ttl=3600), dict(secret="secret-number-02", ttl=10)])
    assert calls == []
    with pytest.raises(OtsError, match="concurrency must be between 1 and 8"):
        client.share_all([dict(secret="secret-number-01")], concurrency=9)


def test_share_all_reports_each_failure_and_keeps_the_rest(monkeypatch):
    client = OtsClient(url=OTS)
    calls = share_server(monkeypatch, client, refuse=("secret-number-02",))
    receipts, failures = client.share_all([dict(secret="secret-number-%02d" % n) for n in range(4)], concurrency=2)
    assert len(calls) == 4
    assert [index for index, _error in failures] == [2] and receipts[2] is None
    assert "rate limited" in failures[0][1].message and "secret-number-02" not in failures[0][1].message
