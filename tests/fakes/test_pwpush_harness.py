"""Tests of the pwpush fake's harness controls, rate limits and scripts (serve, run-with), and the official
``pwpush`` CLI against it (helpers in test_pwpush_server.py)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import SERVE, fake_env, readline_with_timeout, run_with_passthrough, run_with_script
from test_pwpush_server import PwpushServer, TOKEN1, UNLIMITED, create, retrieve
from test_pwpush_server import hosted, servers  # noqa: F401  pylint: disable=unused-import


# --------------------------------------------------------------------------- harness controls


def test_fault_switches(hosted):
    session = hosted.session(TOKEN1)
    set_fault = requests.post(hosted.url + "/_fake/faults", json={"status": 503, "count": 2, "retry_after": 7},
                              timeout=5)
    assert set_fault.status_code == 200
    for _attempt in range(2):
        response = session.get(hosted.url + "/api/v2/version")
        assert response.status_code == 503 and response.headers["Retry-After"] == "7"
    assert session.get(hosted.url + "/api/v2/version").status_code == 200
    # path filter: only pushes endpoints fail
    requests.post(hosted.url + "/_fake/faults", json={"status": 429, "count": 1, "path_prefix": "/api/v2/pushes"},
                  timeout=5)
    assert session.get(hosted.url + "/api/v2/version").status_code == 200
    throttled = session.get(hosted.url + "/api/v2/pushes/active")
    assert throttled.status_code == 429 and throttled.text == "Retry later\n"
    assert "Retry-After" not in throttled.headers
    # delay alone slows every request
    requests.post(hosted.url + "/_fake/faults", json={"delay": 0.3}, timeout=5)
    started = time.perf_counter()
    assert session.get(hosted.url + "/api/v2/version").status_code == 200
    assert time.perf_counter() - started >= 0.3
    assert requests.delete(hosted.url + "/_fake/faults", timeout=5).json()["delay"] == 0
    assert requests.post(hosted.url + "/_fake/faults", json={"status": 418}, timeout=5).status_code == 400


def test_request_counts_and_reset(hosted):
    url_token = create(hosted)["url_token"]
    retrieve(hosted, url_token)
    retrieve(hosted, url_token + ".json")
    counts = requests.get(hosted.url + "/_fake/requests", timeout=5).json()
    assert counts["POST /api/v2/pushes"] == 1
    assert counts["GET /api/v2/pushes/<token>"] == 1 and counts["GET /api/v2/pushes/<token>.json"] == 1
    requests.post(hosted.url + "/_fake/reset", timeout=5)
    assert requests.get(hosted.url + "/_fake/requests", timeout=5).json() == {}
    assert retrieve(hosted, url_token).status_code == 404


def test_fake_push_listing_has_no_secrets(hosted):
    create(hosted, passphrase="hidden-pass", name="label", note="hidden-note")
    listing = requests.get(hosted.url + "/_fake/pwpush/pushes", timeout=5).text
    assert "label" in listing and "owner@example.com" in listing
    for secret in ("s3cret-payload", "hidden-pass", "hidden-note"):
        assert secret not in listing


def test_rate_limiter(servers):
    server = servers("--mode", "oss", "--token", TOKEN1, "--rate-limit-per-minute", "10",
                     "--rate-limit-per-second", "1000")
    if time.time() % 60 > 57:  # Rack::Attack windows are aligned to the clock: avoid a boundary
        time.sleep(60 - time.time() % 60 + 0.1)
    session = requests.Session()
    statuses = [session.get(server.url + "/api/v2/version").status_code for _attempt in range(11)]
    assert statuses == [200] * 10 + [429]
    limited = session.get(server.url + "/api/v2/version")
    assert limited.text == "Retry later\n" and limited.headers["Content-Type"].startswith("text/plain")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert session.get(server.url + "/up").status_code == 200  # health checks are exempt
    other_client = session.get(server.url + "/api/v2/version", headers={"X-Forwarded-For": "203.0.113.9"})
    assert other_client.status_code == 200


def test_per_second_rate_limit(servers):
    server = servers("--mode", "hosted", "--token", TOKEN1, "--rate-limit-per-second", "3")
    session = requests.Session()
    session.get(server.url + "/up")
    while time.time() % 1 > 0.5:  # start early in a second
        time.sleep(0.05)
    statuses = [session.get(server.url + "/api/v2/version").status_code for _attempt in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_log_never_contains_secrets(tmp_path):
    server = PwpushServer("pwpush", tmp_path, "--mode", "oss", "--token", TOKEN1)
    try:
        body = create(server, passphrase="pp-secret-1", payload="payload-secret-1")
        retrieve(server, body["url_token"], passphrase="pp-secret-1")
        time.sleep(0.2)
        log = server.log_text()
    finally:
        server.stop()
    assert "GET /api/v2/pushes/%s... 200" % body["url_token"][:4] in log
    for secret in ("pp-secret-1", "payload-secret-1", TOKEN1, body["url_token"]):
        assert secret not in log


# --------------------------------------------------------------------------- scripts


def test_serve_finds_a_python_and_stops_on_sigterm(tmp_path):
    env = {k: v for k, v in fake_env().items() if k != "FAKE_PYTHON"}
    proc = subprocess.Popen(  # pylint: disable=consider-using-with
        [str(SERVE), "pwpush", "--port", "0", "--token", "t", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        line = readline_with_timeout(proc, 20)
        assert line.startswith("ready http://127.0.0.1:")
        assert requests.get(line.split()[1] + "/up", timeout=5).status_code == 200
    finally:
        proc.terminate()
        assert proc.wait(10) == 0
    unknown = subprocess.run([str(SERVE), "nosuchfake"], capture_output=True, text=True, env=env, check=False)
    assert unknown.returncode == 2


def test_run_with(tmp_path):
    printed = run_with_script("pwpush", "r = requests.get(url + '/api/v2/version', "
                              "headers={'Authorization': 'Bearer ' + os.environ['PWPUSH_TOKEN']})\n"
                              "print(r.json()['edition'])", tmp_path, env={"PWPUSH_FAKE_MODE": "oss"}, gone_path="/up")
    assert printed == "oss"
    # With PWPUSH_URL set, nothing is started.
    assert run_with_passthrough("pwpush", "os.environ['PWPUSH_URL']") == "http://192.0.2.1:9"


# --------------------------------------------------------------------------- the official CLI


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "XDG_CONFIG_HOME"}
    env["HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "pwpush", *args], capture_output=True, text=True, env=env,
                          timeout=60, check=False)


def _last_json(output: str):
    lines = [line for line in output.splitlines() if line.strip()]
    return json.loads(lines[-1])


@pytest.mark.parametrize("mode", ["hosted", "oss", "v1"])
def test_official_cli_works_unmodified(mode, servers, tmp_path):
    if importlib.util.find_spec("pwpush") is None:
        pytest.skip("the pwpush CLI is not installed")
    server = servers("--mode", mode, "--token", TOKEN1, *UNLIMITED)
    home = tmp_path / "home"
    home.mkdir()
    login = _cli(home, "login", "--url", server.url, "--email", "owner@example.com", "--token", TOKEN1)
    assert login.returncode == 0 and "Login successful" in login.stdout, login.stdout + login.stderr
    assert (home / ".config" / "pwpush" / "config.ini").exists()

    pushed = _cli(home, "--json", "push", "--secret", "cli-secret-1", "--views", "3")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    url = _last_json(pushed.stdout)["url"]
    assert url.startswith(server.url + "/p/")
    # The server's default retrieval step (config/settings.yml: retrieval_step_default true) adds /r.
    assert url.endswith("/r")
    url_token = url[len(server.url + "/p/"):-len("/r")]

    listed = _cli(home, "--json", "list")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    [entry] = _last_json(listed.stdout)
    assert entry["url_token"] == url_token and entry["expire_after_views"] == 3

    # "--": url-safe tokens may start with "-" (the real server's too), which the CLI would take for an option.
    audit = _cli(home, "--json", "audit", "--", url_token)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    events = _last_json(audit.stdout)
    assert [e["kind"] for e in events.get("logs", events.get("views"))] == ["creation"]

    expired = _cli(home, "--json", "expire", "--", url_token)
    assert expired.returncode == 0, expired.stdout + expired.stderr
    assert _last_json(expired.stdout)["deleted"] is True
    stored = requests.get(server.url + "/_fake/pwpush/pushes", timeout=5).json()
    assert [(p["url_token"], p["expired"], p["owner"]) for p in stored] == [(url_token, True, "owner@example.com")]
