"""Tests of the onetimesecret (OTS) fake's throttles, harness controls and scripts (serve, run-with), and the
official PyPI ``onetimesecret`` client against it (helpers in test_ots_server.py)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import time

import pytest
import requests

from conftest import SERVE, fake_env, run_with_passthrough, run_with_script
from test_ots_server import ACCOUNTS, DAY, OtsServer, TOKEN1, USER1, assert_error, assert_unknown, reveal, share
from test_ots_server import ots, servers  # noqa: F401  pylint: disable=unused-import


# --------------------------------------------------------------------------- rate limit


def test_rate_limit_creates_and_reads_separately(servers):
    server = servers(*ACCOUNTS, "--plan", "anonymous", "--rate-limit", "3")
    session = server.session()
    keys = [session.post(server.api + "/share", data={"secret": "x"}).json()["secret_key"] for _i in range(3)]
    limited = session.post(server.api + "/generate")
    assert_error(limited, {"message": "Rate limit exceeded. Please try again later."})
    # reads have their own counter; receipts and burns are not counted
    statuses = [session.post("%s/secret/%s" % (server.api, key)).status_code for key in keys]
    assert statuses == [200, 200, 200]
    assert_error(session.post("%s/secret/%s" % (server.api, "z" * 30)),
                 {"message": "Rate limit exceeded. Please try again later."})
    other_ip = session.post(server.api + "/share", data={"secret": "x"}, headers={"X-Forwarded-For": "203.0.113.7"})
    assert other_ip.status_code == 200
    # accounts on the "anonymous" plan count too, and free accounts (shared/notes/ots-server-facts.md: "for
    # anonymous and free users"); paid and self-hosted ones are exempt (controllers/base.rb check_rate_limit!)
    assert_error(server.session(USER1, TOKEN1).post(server.api + "/share", data={"secret": "x"}),
                 {"message": "Rate limit exceeded. Please try again later."})
    free = servers(*ACCOUNTS, "--plan", "free", "--rate-limit", "1")
    assert free.session(USER1, TOKEN1).post(free.api + "/share", data={"secret": "x"}).status_code == 200
    assert_error(free.session(USER1, TOKEN1).post(free.api + "/share", data={"secret": "x"}),
                 {"message": "Rate limit exceeded. Please try again later."})
    for plan in ("paid", "selfhosted"):
        exempt = servers(*ACCOUNTS, "--plan", plan, "--rate-limit", "1")
        for _attempt in range(3):
            assert exempt.session(USER1, TOKEN1).post(exempt.api + "/share", data={"secret": "x"}).status_code == 200
        exempt.session().post(exempt.api + "/share", data={"secret": "x"})
        assert exempt.session().post(exempt.api + "/share", data={"secret": "x"}).status_code == 404, plan
    server.reset()  # forgets the windows
    assert session.post(server.api + "/share", data={"secret": "x"}).status_code == 200


def test_edge_rate_limit_in_front_of_the_app(servers):
    # ots_edge.py: caddy-ratelimit as etc/examples/Caddyfile-example sets it up (there 20 a second per IP).
    server = servers(*ACCOUNTS, "--edge-rate-limit", "3")
    session = server.session()
    started = time.monotonic()
    answers = [session.get(server.api + "/status") for _i in range(5)]
    assert time.monotonic() - started < 0.9, "too slow to test a 1-second window"
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    refused = answers[-1]
    assert refused.content == b"" and refused.headers["Retry-After"] == "1"
    # per client IP, and never the fake's own controls
    assert session.get(server.api + "/status", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 200
    assert requests.get(server.url + "/_fake/requests", timeout=5).status_code == 200
    time.sleep(1.05)
    assert session.get(server.api + "/status").status_code == 200  # refused requests were not counted
    assert requests.get(servers(*ACCOUNTS).api + "/status", timeout=5).status_code == 200  # off by default


def test_injected_429_in_onetimesecrets_words(ots):
    # LimitExceeded#to_h (lib/onetime/errors.rb) and the Retry-After of RetryAfterHeader, not Rack::Attack's text
    requests.post(ots.url + "/_fake/faults", json={"status": 429, "count": 2, "retry_after": 3}, timeout=5)
    limited = ots.session().post(ots.api + "/share", data={"secret": "x"})
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3"
    assert limited.headers["Content-Type"] == "application/json"
    assert limited.json() == {"error": "Rate limit exceeded", "error_type": "LimitExceeded", "retry_after": 3}
    requests.post(ots.url + "/_fake/faults", json={"status": 429}, timeout=5)
    bare = ots.session().get(ots.api + "/status")
    assert bare.json() == {"error": "Rate limit exceeded", "error_type": "LimitExceeded"}
    assert "Retry-After" not in bare.headers


# --------------------------------------------------------------------------- harness controls


def test_fault_switches(ots):
    session = ots.session()
    assert requests.post(ots.url + "/_fake/faults", json={"status": 503, "count": 2, "retry_after": 7},
                         timeout=5).status_code == 200
    for _attempt in range(2):
        response = session.get(ots.api + "/status")
        assert response.status_code == 503 and response.headers["Retry-After"] == "7"
    assert session.get(ots.api + "/status").status_code == 200
    requests.post(ots.url + "/_fake/faults", json={"status": 500, "count": 1, "path_prefix": "/api/v1/share"},
                  timeout=5)
    assert session.get(ots.api + "/status").status_code == 200
    assert session.post(ots.api + "/share", data={"secret": "x"}).status_code == 500
    assert requests.get(ots.url + "/_fake/ots/secrets", timeout=5).json() == []  # nothing was stored
    requests.post(ots.url + "/_fake/faults", json={"delay": 0.2}, timeout=5)
    started = time.perf_counter()
    assert session.get(ots.api + "/status").status_code == 200
    assert time.perf_counter() - started >= 0.2
    assert requests.delete(ots.url + "/_fake/faults", timeout=5).json()["delay"] == 0


def test_request_counts_reset_and_secret_listing(ots):
    body = share(ots, USER1, TOKEN1, secret="listing-secret", passphrase="listing-pass")
    reveal(ots, body["secret_key"], passphrase="listing-pass")
    counts = requests.get(ots.url + "/_fake/requests", timeout=5).json()
    assert counts == {"POST /api/v1/share": 1, "POST /api/v1/secret/<key>": 1}
    listing = requests.get(ots.url + "/_fake/ots/secrets", timeout=5)
    assert listing.json() == [{"metadata_key": body["metadata_key"], "state": "received", "custid": USER1,
                               "has_passphrase": True, "ttl": 7 * DAY, "kind": "conceal", "secret_expired": False,
                               "receipt_expired": False}]
    for secret in ("listing-secret", "listing-pass", body["secret_key"]):
        assert secret not in listing.text
    ots.reset()
    assert requests.get(ots.url + "/_fake/requests", timeout=5).json() == {}
    assert_unknown(requests.get("%s/private/%s" % (ots.api, body["metadata_key"]), timeout=5), body["metadata_key"])


def test_log_never_contains_secrets(tmp_path):
    server = OtsServer("ots", tmp_path, *ACCOUNTS)
    try:
        body = share(server, USER1, TOKEN1, secret="payload-secret-1", passphrase="pp-secret-1")
        reveal(server, body["secret_key"], passphrase="pp-secret-1")
        requests.get("%s/private/%s?passphrase=pp-secret-2" % (server.api, body["metadata_key"]), timeout=5)
        time.sleep(0.2)
        log = server.log_text()
    finally:
        server.stop()
    assert "POST /api/v1/secret/%s... 200" % body["secret_key"][:4] in log
    for secret in ("payload-secret-1", "pp-secret-1", "pp-secret-2", TOKEN1, USER1, body["secret_key"],
                   body["metadata_key"]):
        assert secret not in log


# --------------------------------------------------------------------------- scripts


def test_serve_usage_errors():
    env = fake_env()
    bad = subprocess.run([str(SERVE), "ots", "--username", "u@example.com"], capture_output=True, text=True,
                         env=env, check=False, timeout=30)
    assert bad.returncode == 2 and "go together" in bad.stderr


def test_run_with(tmp_path):
    clear = ("OTS_USERNAME", "OTS_TOKEN")
    printed = run_with_script("ots", "r = requests.get(url + '/api/v1/authcheck', "
                              "auth=(os.environ['OTS_USERNAME'], os.environ['OTS_TOKEN']))\n"
                              "print(r.status_code, r.json()['status'])", tmp_path, clear=clear,
                              gone_path="/api/v1/status")
    assert printed == "200 nominal"
    assert (run_with_passthrough("ots", "os.environ['OTS_URL'], os.environ['OTS_USERNAME']", clear=clear)
            == "http://192.0.2.1:9 demo@example.com")


# --------------------------------------------------------------------------- the official client


def test_official_client_works_unmodified(ots):
    if importlib.util.find_spec("onetimesecret") is None:
        pytest.skip("the onetimesecret client is not installed")
    from onetimesecret import OneTimeSecretCli, OneTimeSecretError  # pylint: disable=import-outside-toplevel

    link = OneTimeSecretCli(USER1, TOKEN1, url=ots.url).create_link("client-secret-1", 900)
    assert re.fullmatch(re.escape(ots.url) + r"/secret/[0-9a-z]{55,62}", link)
    key = link.rsplit("/", 1)[1]
    assert requests.get(link, timeout=5).status_code == 200  # the web page does not reveal
    revealed = reveal(ots, key)
    assert revealed.status_code == 200 and revealed.json()["value"] == "client-secret-1"
    [stored] = requests.get(ots.url + "/_fake/ots/secrets", timeout=5).json()
    assert (stored["custid"], stored["ttl"], stored["state"]) == (USER1, 900, "received")

    anonymous_link = OneTimeSecretCli(url=ots.url).create_link("client-secret-2")
    assert reveal(ots, anonymous_link.rsplit("/", 1)[1]).json()["value"] == "client-secret-2"
    with pytest.raises(OneTimeSecretError) as failure:
        OneTimeSecretCli(USER1, "wrong-token", url=ots.url).create_link("client-secret-3", 900)
    assert failure.value.status_code == 404 and "Not authorized" in str(failure.value)
