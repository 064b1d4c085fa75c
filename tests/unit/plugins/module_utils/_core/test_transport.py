# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HttpTransport: its options, which requests it sends again and when, check mode and cancel.

Retries run on the HTTP stub; cancel cuts real requests to raw-socket servers on 127.0.0.1 (the `serve` fixture).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

import pytest
import requests

from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import ServiceError
from ansible_collections.oneshot.secrets.plugins.module_utils._core.transport import (
    CANCELLED,
    HttpTransport,
    retry_after_seconds,
)
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, bare_transport, response

BASE = "https://svc.example.test"


def test_a_missing_ca_path_is_one_sentence(tmp_path):
    with pytest.raises(ServiceError, match=r"^ca_path \S+/nope.pem does not exist: give the PEM file"):
        bare_transport(BASE, ca_path=str(tmp_path / "nope.pem"))
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    with pytest.raises(ServiceError, match="holds no PEM certificate"):
        bare_transport(BASE, ca_path=str(junk))
    # Not checked when verification is off: it is not used then.
    bare_transport(BASE, ca_path=str(tmp_path / "nope.pem"), validate_certs=False).close()


@pytest.mark.parametrize("timeout", [0, -1, "soon", None, float("inf"), float("nan"), 86401])
def test_timeout_must_be_finite_and_in_range(timeout):
    with pytest.raises(ServiceError, match="timeout must be .*above 0 and at most 86400 seconds") as refused:
        bare_transport(BASE, timeout=timeout)
    assert refused.value.option == "timeout" and refused.value.code == "invalid_value"


@pytest.mark.parametrize("retries", [-1, 101])
def test_retries_must_be_in_range(retries):
    with pytest.raises(ServiceError, match=r"retries must be between 0 and 100 \(got %d\)" % retries):
        bare_transport(BASE, retries=retries)


def test_429_is_retried_after_retry_after_even_for_a_create():
    http = bare_transport(BASE, retries=2)
    stub = ScriptedSession(http, [response(429, raw="Retry later\n", headers={"Retry-After": "3"}), response(201, {})])
    assert http.request("POST", "/p.json", json={}).status_code == 201
    assert stub.sleeps == [3.0]
    assert len(stub.calls) == 2


def test_a_create_is_not_resent_after_a_5xx():
    http = bare_transport(BASE, retries=2)
    stub = ScriptedSession(http, [response(502, raw="bad gateway")])
    assert http.request("POST", "/p.json", json={}).status_code == 502
    assert len(stub.calls) == 1 and stub.sleeps == []


def test_a_create_is_not_resent_after_a_read_timeout():
    http = bare_transport(BASE, retries=2)
    stub = ScriptedSession(http, [requests.exceptions.ReadTimeout("read timed out")])
    with pytest.raises(ServiceError, match="may have been stored"):
        http.request("POST", "/p.json", json={})
    assert len(stub.calls) == 1


def test_a_create_is_retried_when_the_connection_was_never_opened():
    refused = requests.exceptions.ConnectionError("NewConnectionError: Connection refused")
    http = bare_transport(BASE, retries=2)
    stub = ScriptedSession(http, [refused, response(201, {})])
    assert http.request("POST", "/p.json", json={}).status_code == 201
    assert len(stub.calls) == 2


def test_reads_are_retried_after_5xx_until_the_budget_is_spent():
    http = bare_transport(BASE, retries=2)
    stub = ScriptedSession(http, [response(500), response(503), response(500)])
    assert http.request("GET", "/version").status_code == 500
    assert len(stub.calls) == 3 and len(stub.sleeps) == 2


def test_429_after_the_retry_budget_is_the_answer():
    http = bare_transport(BASE, retries=2)
    stub = ScriptedSession(http, [response(429, raw="Retry later\n", headers={"Retry-After": "1"})] * 3)
    assert http.request("GET", "/version").status_code == 429
    assert stub.sleeps == [1.0, 1.0]


def test_connection_error_names_the_url_not_the_query():
    refused = requests.exceptions.ConnectionError("NewConnectionError: Connection refused ?passphrase=hunter2")
    http = bare_transport(BASE, retries=2)
    ScriptedSession(http, [refused] * 3)
    with pytest.raises(ServiceError) as info:
        http.request("GET", "/version")
    assert BASE in info.value.message and "hunter2" not in info.value.message


def test_retry_after_http_date():
    resp = response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert retry_after_seconds(resp, now=1445412470.0) == 10.0


@pytest.mark.parametrize("method", ["POST", "DELETE", "PUT", "PATCH"])
def test_in_check_mode_the_transport_sends_reads_only(method):
    http = bare_transport(BASE, read_only=True)
    with pytest.raises(ServiceError, match="check mode changes nothing on the server") as refused:
        http.request(method, "/api/v2/pushes")
    assert refused.value.code == "check_mode"


def never_answers(_conn, _number, stopping):
    stopping.wait(5)  # then closes: a client without a deadline fails the test instead of hanging it


def rate_limited_for_a_minute(conn, _number, _stopping):
    conn.sendall(b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 60\r\nContent-Length: 12\r\n\r\nRetry later\n")


def _cancel_soon(http, seconds=0.3):
    timer = threading.Timer(seconds, http.cancel)
    timer.start()
    return timer


@pytest.mark.parametrize("method, wanted", [("GET", "cancelled before its answer came."),
                                            ("POST", "It may have been stored by the server.")])
def test_cancel_cuts_a_request_in_flight(serve, method, wanted):
    server = serve(never_answers)
    http = HttpTransport(server.url, timeout=30, retries=3)
    _cancel_soon(http)
    started = time.monotonic()
    with pytest.raises(ServiceError) as info:
        http.request(method, "/pushes")
    http.close()
    assert time.monotonic() - started < 1.5
    assert info.value.code == CANCELLED and wanted in info.value.message
    assert server.requests == 1  # not sent again


def test_cancel_ends_a_wait_between_attempts(serve):
    server = serve(rate_limited_for_a_minute)
    http = HttpTransport(server.url, retries=3)  # the default wait: the one cancel() can end
    _cancel_soon(http)
    started = time.monotonic()
    with pytest.raises(ServiceError, match="cancelled before it was sent again") as info:
        http.request("POST", "/pushes", json={})
    http.close()
    assert time.monotonic() - started < 1.5 and info.value.code == CANCELLED
    assert server.requests == 1


def test_after_cancel_nothing_is_sent(serve):
    server = serve(never_answers)
    http = HttpTransport(server.url)
    http.cancel()
    with pytest.raises(ServiceError, match="cancelled before it was sent[.]") as info:
        http.request("GET", "/version")
    http.close()
    assert info.value.code == CANCELLED and http.cancelled and server.requests == 0
