# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transport's bounds: a deadline per attempt, a size cap, downloads into a sink, the watchdog thread.

The timing and size cases run against small raw-socket servers on 127.0.0.1 (a stub cannot trickle).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import time

import pytest
import requests
import urllib3

from ansible_collections.oneshot.secrets.plugins.module_utils._core.diagnosis import json_or_none
from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import ServiceError
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.client import PushSecurityClient
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, bare_transport, response

BASE = "https://svc.example.test"


# Trickles end after TRICKLE_SECONDS, so a client without a deadline fails the test instead of hanging it.
TRICKLE_SECONDS = 5


def _trickle(conn, stopping, head, tick):
    """Send head, then tick every 0.2 s for TRICKLE_SECONDS unless the test stops the server."""
    conn.sendall(head)
    for _tick in range(TRICKLE_SECONDS * 5):
        if stopping.wait(0.2):
            return
        conn.sendall(tick)


def trickle_body(conn, _number, stopping):
    _trickle(conn, stopping, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n", b" ")


def trickle_body_then_close(conn, _number, stopping):
    # "Connection: close" makes http.client let go of the connection's socket: the cut must still find it.
    _trickle(conn, stopping, b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 100000\r\n\r\n", b" ")


def trickle_headers(conn, _number, stopping):
    _trickle(conn, stopping, b"HTTP/1.1 200 OK\r\n", b"X: y\r\n")


def endless_body(conn, _number, stopping):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
    block = b" " * 65536
    for _block in range(10000):  # 655 MB at most
        if stopping.is_set():
            return
        conn.sendall(block)


def closed_mid_body_once(conn, number, _stopping):
    if number == 1:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":")
        conn.shutdown(socket.SHUT_RDWR)
        return
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{\"a\": 1}")


@pytest.mark.parametrize("handler", [trickle_body, trickle_body_then_close, trickle_headers],
                         ids=["body", "body-connection-close", "headers"])
def test_a_trickle_fails_at_the_deadline(serve, handler):
    server = serve(handler)
    http = bare_transport(server.url, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(ServiceError) as info:
        http.request("GET", "/version")
    elapsed = time.monotonic() - started
    http.close()
    assert 0.9 < elapsed < 1.8
    assert "gave no complete answer within 1 s (timeout), 1 attempt(s)" in info.value.message
    assert "may have been stored" not in info.value.message


@pytest.mark.parametrize("handler, read_success_body", [(trickle_body, True), (trickle_headers, True),
                                                        (trickle_headers, False)],
                         ids=["body", "headers", "headers-body-unwanted"])
def test_a_trickled_create_may_have_been_stored_and_is_not_sent_again(serve, handler, read_success_body):
    # Also when the answer's body is not wanted: headers cut at the deadline are no answer.
    server = serve(handler)
    http = bare_transport(server.url, timeout=0.6, retries=3)
    with pytest.raises(ServiceError) as info:
        http.request("POST", "/pushes", json={"a": 1}, read_success_body=read_success_body)
    http.close()
    assert "no complete answer within 0.6 s" in info.value.message
    assert "may have been stored" in info.value.message
    assert server.requests == 1


def test_retries_get_their_own_deadline_and_the_total_is_told(serve):
    server = serve(trickle_body)
    http = bare_transport(server.url, timeout=0.5, retries=1)
    started = time.monotonic()
    with pytest.raises(ServiceError) as info:
        http.request("GET", "/version")
    elapsed = time.monotonic() - started
    http.close()
    assert 0.9 < elapsed < 1.8
    assert server.requests == 2
    assert "2 attempt(s) in 1." in info.value.message


def test_an_endless_body_stops_at_the_cap(serve):
    server = serve(endless_body)
    http = bare_transport(server.url, timeout=10)
    started = time.monotonic()
    with pytest.raises(ServiceError) as info:
        http.request("GET", "/version", max_bytes=1024 * 1024)
    http.close()
    assert time.monotonic() - started < 5
    assert "sent more for one answer, more than the 1 MiB this collection reads" in info.value.message


def test_an_announced_size_over_the_cap_is_refused_unread():
    http = bare_transport(BASE)
    answer = response(200, content=b" " * 100, headers={"Content-Length": str(300 * 1024 * 1024)})
    ScriptedSession(http, [answer])
    with pytest.raises(ServiceError, match="announced 300 MiB for one answer, more than the 8 MiB"):
        http.request("GET", "/version")
    assert answer.raw.tell() == 0


def test_the_default_cap_holds_the_largest_real_answer():
    # A 1 MiB text push with every character escaped by the server's JSON encoder (\u003c): six times larger.
    http = bare_transport(BASE)
    body = b'{"payload": "' + b"\\u003c" * (1024 * 1024) + b'"}'
    ScriptedSession(http, [response(200, content=body)])
    assert len(json_or_none(http.request("GET", "/p/x.json"))["payload"]) == 1024 * 1024


def test_a_get_closed_mid_body_is_retried(serve):
    server = serve(closed_mid_body_once)
    http = bare_transport(server.url, timeout=5, retries=1)
    assert json_or_none(http.request("GET", "/version")) == {"a": 1}
    http.close()
    assert server.requests == 2


def test_a_create_closed_mid_body_may_have_been_stored(serve):
    server = serve(closed_mid_body_once)
    http = bare_transport(server.url, timeout=5, retries=3)
    with pytest.raises(ServiceError) as info:
        http.request("POST", "/pushes", json={})
    http.close()
    assert server.requests == 1
    assert "broke during its answer; it may have been stored by the server and was not sent again" in info.value.message


@pytest.mark.parametrize("error", [
    requests.exceptions.ChunkedEncodingError(urllib3.exceptions.ProtocolError("Connection broken: IncompleteRead")),
    requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError("Connection aborted.")),
])
def test_broken_reads_are_retried_and_told_without_a_duplicate_warning(error):
    http = bare_transport(BASE, retries=2)
    stub = ScriptedSession(http, [error, error, error])
    with pytest.raises(ServiceError) as info:
        http.request("GET", "/version")
    assert len(stub.calls) == 3
    assert info.value.message.startswith("The connection to %s broke during the request, 3 attempt(s)" % BASE)
    assert "stored" not in info.value.message


def test_a_read_timeout_of_a_get_is_not_told_as_a_duplicate_risk():
    http = bare_transport(BASE, retries=1, timeout=2)
    timeout = requests.exceptions.ReadTimeout(urllib3.exceptions.ReadTimeoutError(None, BASE, "Read timed out."))
    stub = ScriptedSession(http, [timeout, timeout])
    with pytest.raises(ServiceError) as info:
        http.request("GET", "/version")
    assert len(stub.calls) == 2
    assert "no complete answer within 2 s (timeout), 2 attempt(s)" in info.value.message
    assert "stored" not in info.value.message and "not sent again" not in info.value.message


def test_a_success_body_can_be_left_unread():
    http = bare_transport(BASE)
    answer = response(200, body=[{"password": "echoed"}])
    ScriptedSession(http, [answer])
    got = http.request("POST", "/creds", json=[], read_success_body=False)
    assert got.content == b"" and answer.raw.tell() == 0


def test_pushsecurity_never_downloads_its_success_answer(serve):
    # The API echoes every submitted password in its success answer: 64 MiB of echo here. The client closes the
    # connection unread, so the server cannot send it all (a loopback socket buffers a few MiB at most).
    sent = []

    def echo(conn, _number, _stopping):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                     % (64 * 1024 * 1024))
        block = b" " * (1024 * 1024)
        for _block in range(64):
            conn.sendall(block)
            sent.append(len(block))

    server = serve(echo)
    client = PushSecurityClient(url=server.url, api_key="key", retries=0)
    result = client.add_stolen_credentials([{"email": "a@example.com", "password": "pw-1"}])
    client.close()
    assert result["submitted"] == 1
    deadline = time.monotonic() + 5
    while server.active and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sum(sent) < 32 * 1024 * 1024


def test_a_download_goes_to_the_sink_and_must_match_its_announced_size():
    http = bare_transport(BASE, retries=0)
    received = []
    ScriptedSession(http, [response(200, content=b"abc", headers={"Content-Length": "3"}),
                           response(200, content=b"abcd", headers={"Content-Length": "4"}),
                           response(200, content=b"ab", headers={"Content-Length": "3"})])
    http.request("GET", "/f/1", sink=received.append, max_bytes=3)
    assert received == [b"abc"]
    with pytest.raises(ServiceError, match="announced 4 bytes for one answer, more than the 3 bytes"):
        http.request("GET", "/f/2", sink=received.append, max_bytes=3)
    with pytest.raises(ServiceError, match="broke during its answer"):
        http.request("GET", "/f/3", sink=received.append, max_bytes=3)


def test_a_download_is_not_restarted_into_its_sink_and_error_pages_stay_out_of_it():
    http = bare_transport(BASE, retries=2)
    received = []
    stub = ScriptedSession(http, [response(503, raw="<html>busy</html>"),
                                  response(200, content=b"ab", headers={"Content-Length": "3"})])
    with pytest.raises(ServiceError, match="broke during its answer, 2 attempt"):
        http.request("GET", "/f/1", sink=received.append, max_bytes=3)
    assert b"busy" not in b"".join(received) and len(stub.calls) == 2


def test_the_watchdog_thread_ends_with_the_transport(serve):
    server = serve(closed_mid_body_once)
    http = bare_transport(server.url, retries=1)
    http.request("GET", "/version")
    thread = http.watchdog._thread
    assert thread.is_alive()
    http.close()
    thread.join(2)
    assert not thread.is_alive()


def test_a_transport_used_again_after_close_is_still_bounded(serve):
    server = serve(trickle_body)
    http = bare_transport(server.url, timeout=0.5)
    http.close()
    started = time.monotonic()
    with pytest.raises(ServiceError, match="no complete answer within 0.5 s"):
        http.request("GET", "/version")
    assert time.monotonic() - started < 1.5
    http.close()
