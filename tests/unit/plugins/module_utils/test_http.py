# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transport's bounds and wording: a deadline per attempt, a size cap, failures named by cause.

The timing and size cases run against small raw-socket servers on 127.0.0.1 (a stub cannot trickle).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import ssl
import threading
import time

import pytest
import requests
import urllib3

from ansible_collections.oneshot.secrets.plugins.module_utils._core.diagnosis import (
    describe_body,
    json_or_none,
    unexpected_answer,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import ServiceError
from ansible_collections.oneshot.secrets.plugins.module_utils._core.transport import (
    CANCELLED,
    HttpTransport,
    retry_after_seconds,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.client import PushSecurityClient
from ansible_collections.oneshot.secrets.tests.fakes.raw_server import RawServer
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, response

BASE = "https://svc.example.test"


@pytest.fixture
def serve():
    """serve(handler): a RawServer (tests/fakes/raw_server.py) that reads the request, then lets handler(conn,
    request_number, stopping) write whatever it likes."""
    servers = []

    def start(handler):
        def read_then_handle(conn, number, stopping):
            conn.recv(65536)
            handler(conn, number, stopping)

        server = RawServer(read_then_handle)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


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


def transport(url, **kwargs):
    kwargs.setdefault("retries", 0)
    kwargs.setdefault("sleep", lambda seconds: None)
    return HttpTransport(url, **kwargs)


@pytest.mark.parametrize("handler", [trickle_body, trickle_body_then_close, trickle_headers],
                         ids=["body", "body-connection-close", "headers"])
def test_a_trickle_fails_at_the_deadline(serve, handler):
    server = serve(handler)
    http = transport(server.url, timeout=1.0)
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
    http = transport(server.url, timeout=0.6, retries=3)
    with pytest.raises(ServiceError) as info:
        http.request("POST", "/pushes", json={"a": 1}, read_success_body=read_success_body)
    http.close()
    assert "no complete answer within 0.6 s" in info.value.message
    assert "may have been stored" in info.value.message
    assert server.requests == 1


def test_retries_get_their_own_deadline_and_the_total_is_told(serve):
    server = serve(trickle_body)
    http = transport(server.url, timeout=0.5, retries=1)
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
    http = transport(server.url, timeout=10)
    started = time.monotonic()
    with pytest.raises(ServiceError) as info:
        http.request("GET", "/version", max_bytes=1024 * 1024)
    http.close()
    assert time.monotonic() - started < 5
    assert "sent more for one answer, more than the 1 MiB this collection reads" in info.value.message


def test_an_announced_size_over_the_cap_is_refused_unread():
    http = transport(BASE)
    answer = response(200, content=b" " * 100, headers={"Content-Length": str(300 * 1024 * 1024)})
    ScriptedSession(http, [answer])
    with pytest.raises(ServiceError, match="announced 300 MiB for one answer, more than the 8 MiB"):
        http.request("GET", "/version")
    assert answer.raw.tell() == 0


def test_the_default_cap_holds_the_largest_real_answer():
    # A 1 MiB text push with every character escaped by the server's JSON encoder (\u003c): six times larger.
    http = transport(BASE)
    body = b'{"payload": "' + b"\\u003c" * (1024 * 1024) + b'"}'
    ScriptedSession(http, [response(200, content=body)])
    assert len(json_or_none(http.request("GET", "/p/x.json"))["payload"]) == 1024 * 1024


def test_a_get_closed_mid_body_is_retried(serve):
    server = serve(closed_mid_body_once)
    http = transport(server.url, timeout=5, retries=1)
    assert json_or_none(http.request("GET", "/version")) == {"a": 1}
    http.close()
    assert server.requests == 2


def test_a_create_closed_mid_body_may_have_been_stored(serve):
    server = serve(closed_mid_body_once)
    http = transport(server.url, timeout=5, retries=3)
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
    http = transport(BASE, retries=2)
    stub = ScriptedSession(http, [error, error, error])
    with pytest.raises(ServiceError) as info:
        http.request("GET", "/version")
    assert len(stub.calls) == 3
    assert info.value.message.startswith("The connection to %s broke during the request, 3 attempt(s)" % BASE)
    assert "stored" not in info.value.message


def test_a_read_timeout_of_a_get_is_not_told_as_a_duplicate_risk():
    http = transport(BASE, retries=1, timeout=2)
    timeout = requests.exceptions.ReadTimeout(urllib3.exceptions.ReadTimeoutError(None, BASE, "Read timed out."))
    stub = ScriptedSession(http, [timeout, timeout])
    with pytest.raises(ServiceError) as info:
        http.request("GET", "/version")
    assert len(stub.calls) == 2
    assert "no complete answer within 2 s (timeout), 2 attempt(s)" in info.value.message
    assert "stored" not in info.value.message and "not sent again" not in info.value.message


def test_a_success_body_can_be_left_unread():
    http = transport(BASE)
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
    http = transport(BASE, retries=0)
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
    http = transport(BASE, retries=2)
    received = []
    stub = ScriptedSession(http, [response(503, raw="<html>busy</html>"),
                                  response(200, content=b"ab", headers={"Content-Length": "3"})])
    with pytest.raises(ServiceError, match="broke during its answer, 2 attempt"):
        http.request("GET", "/f/1", sink=received.append, max_bytes=3)
    assert b"busy" not in b"".join(received) and len(stub.calls) == 2


def _verification_error(code, message):
    cause = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: %s" % message)
    cause.verify_code = code
    cause.verify_message = message
    wrapped = urllib3.exceptions.MaxRetryError(None, BASE, urllib3.exceptions.SSLError(cause))
    return requests.exceptions.SSLError(wrapped)


@pytest.mark.parametrize("error, wanted, unwanted", [
    (_verification_error(20, "unable to get local issuer certificate"), "is not trusted", "strictly"),
    (_verification_error(18, "self-signed certificate"), "Set ca_path", "strictly"),
    (_verification_error(10, "certificate has expired"), "certificate has expired; renew", "not trusted"),
    (_verification_error(62, "Hostname mismatch, certificate is not valid for 'x'."), "not issued for this host name",
     "not trusted"),
    (_verification_error(92, "CA cert does not include key usage extension"),
     "refused (CA cert does not include key usage extension). It is not a question of trust", "not trusted"),
    (requests.exceptions.SSLError(urllib3.exceptions.MaxRetryError(None, BASE, urllib3.exceptions.SSLError(
        ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")))), "TLS handshake with", "not trusted"),
])
def test_tls_failures_name_their_cause(error, wanted, unwanted):
    http = transport(BASE, retries=2)
    stub = ScriptedSession(http, [error])
    with pytest.raises(ServiceError) as info:
        http.request("GET", "/version")
    assert len(stub.calls) == 1
    assert wanted in info.value.message and unwanted not in info.value.message


def test_a_missing_ca_path_is_one_sentence(tmp_path):
    with pytest.raises(ServiceError, match=r"^ca_path \S+/nope.pem does not exist: give the PEM file"):
        transport(BASE, ca_path=str(tmp_path / "nope.pem"))
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    with pytest.raises(ServiceError, match="holds no PEM certificate"):
        transport(BASE, ca_path=str(junk))
    # Not checked when verification is off: it is not used then.
    transport(BASE, ca_path=str(tmp_path / "nope.pem"), validate_certs=False).close()


@pytest.mark.parametrize("timeout", [0, -1, "soon", None, float("inf"), float("nan"), 86401])
def test_timeout_must_be_finite_and_in_range(timeout):
    with pytest.raises(ServiceError, match="timeout must be .*above 0 and at most 86400 seconds") as refused:
        transport(BASE, timeout=timeout)
    assert refused.value.option == "timeout" and refused.value.code == "invalid_value"


@pytest.mark.parametrize("retries", [-1, 101])
def test_retries_must_be_in_range(retries):
    with pytest.raises(ServiceError, match=r"retries must be between 0 and 100 \(got %d\)" % retries):
        transport(BASE, retries=retries)


@pytest.mark.parametrize("content, headers, described", [
    (b"", {}, "an empty body"),
    (b"  \n", {}, "an empty body"),
    (b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", {"Content-Type": "text/html"}, "an HTML page"),
    (b"[" * 50000, {}, "JSON nested too deeply to read"),
    (b"[1, 2]", {}, "a JSON list"),
    (b"null", {}, "JSON null"),
    (b"42", {}, "a JSON number"),
    (b'"ok"', {}, "a JSON string"),
    (b"{}", {}, "a JSON object"),
    (b"ok then", {"Content-Type": "text/plain"}, "text that is not JSON (text/plain)"),
])
def test_bodies_are_described_without_their_content(content, headers, described):
    http = transport(BASE)
    ScriptedSession(http, [response(200, content=content, headers=headers)])
    answer = http.request("GET", "/version")
    assert describe_body(answer).startswith(described)
    assert unexpected_answer(answer, "a JSON object") == "%s answered HTTP 200 with %s where a JSON object was expected" % (
        BASE, describe_body(answer))


def test_deep_nesting_is_not_json():
    http = transport(BASE)
    ScriptedSession(http, [response(200, content=b"[" * 50000)])
    assert json_or_none(http.request("GET", "/version")) is None


def test_the_watchdog_thread_ends_with_the_transport(serve):
    server = serve(closed_mid_body_once)
    http = transport(server.url, retries=1)
    http.request("GET", "/version")
    thread = http.watchdog._thread
    assert thread.is_alive()
    http.close()
    thread.join(2)
    assert not thread.is_alive()


def test_a_transport_used_again_after_close_is_still_bounded(serve):
    server = serve(trickle_body)
    http = transport(server.url, timeout=0.5)
    http.close()
    started = time.monotonic()
    with pytest.raises(ServiceError, match="no complete answer within 0.5 s"):
        http.request("GET", "/version")
    assert time.monotonic() - started < 1.5
    http.close()


# --- retries: which requests are sent again, and after how long (moved here from test_pwpush.py) ----------

def test_429_is_retried_after_retry_after_even_for_a_create():
    http = transport(BASE, retries=2)
    stub = ScriptedSession(http, [response(429, raw="Retry later\n", headers={"Retry-After": "3"}), response(201, {})])
    assert http.request("POST", "/p.json", json={}).status_code == 201
    assert stub.sleeps == [3.0]
    assert len(stub.calls) == 2


def test_a_create_is_not_resent_after_a_5xx():
    http = transport(BASE, retries=2)
    stub = ScriptedSession(http, [response(502, raw="bad gateway")])
    assert http.request("POST", "/p.json", json={}).status_code == 502
    assert len(stub.calls) == 1 and stub.sleeps == []


def test_a_create_is_not_resent_after_a_read_timeout():
    http = transport(BASE, retries=2)
    stub = ScriptedSession(http, [requests.exceptions.ReadTimeout("read timed out")])
    with pytest.raises(ServiceError, match="may have been stored"):
        http.request("POST", "/p.json", json={})
    assert len(stub.calls) == 1


def test_a_create_is_retried_when_the_connection_was_never_opened():
    refused = requests.exceptions.ConnectionError("NewConnectionError: Connection refused")
    http = transport(BASE, retries=2)
    stub = ScriptedSession(http, [refused, response(201, {})])
    assert http.request("POST", "/p.json", json={}).status_code == 201
    assert len(stub.calls) == 2


def test_reads_are_retried_after_5xx_until_the_budget_is_spent():
    http = transport(BASE, retries=2)
    stub = ScriptedSession(http, [response(500), response(503), response(500)])
    assert http.request("GET", "/version").status_code == 500
    assert len(stub.calls) == 3 and len(stub.sleeps) == 2


def test_429_after_the_retry_budget_is_the_answer():
    http = transport(BASE, retries=2)
    stub = ScriptedSession(http, [response(429, raw="Retry later\n", headers={"Retry-After": "1"})] * 3)
    assert http.request("GET", "/version").status_code == 429
    assert stub.sleeps == [1.0, 1.0]


def test_connection_error_names_the_url_not_the_query():
    refused = requests.exceptions.ConnectionError("NewConnectionError: Connection refused ?passphrase=hunter2")
    http = transport(BASE, retries=2)
    ScriptedSession(http, [refused] * 3)
    with pytest.raises(ServiceError) as info:
        http.request("GET", "/version")
    assert BASE in info.value.message and "hunter2" not in info.value.message


def test_retry_after_http_date():
    resp = response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert retry_after_seconds(resp, now=1445412470.0) == 10.0


@pytest.mark.parametrize("method", ["POST", "DELETE", "PUT", "PATCH"])
def test_in_check_mode_the_transport_sends_reads_only(method):
    http = transport(BASE, read_only=True)
    with pytest.raises(ServiceError, match="check mode changes nothing on the server") as refused:
        http.request(method, "/api/v2/pushes")
    assert refused.value.code == "check_mode"


# --- cancel(): a caller that must stop (the Terraform provider's StopProvider) ends every request --------------

def never_answers(_conn, _number, stopping):
    stopping.wait(TRICKLE_SECONDS)


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
