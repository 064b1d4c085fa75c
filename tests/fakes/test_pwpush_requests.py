"""Requests (ask a person for a secret) in the pwpush fake, and the official CLI's `request` against it.

Run: pytest -q tests/fakes/test_pwpush_requests.py
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from test_pwpush_server import TOKEN1, TOKEN2, UNLIMITED, PwpushServer, servers  # noqa: F401  pylint: disable=unused-import


@pytest.fixture
def hosted(servers) -> PwpushServer:
    return servers("--mode", "hosted", "--token", TOKEN1, "--other-token", TOKEN2, *UNLIMITED)


def ask(server: PwpushServer, token: str | None = TOKEN1, **fields) -> requests.Response:
    fields.setdefault("request", "Please send the VPN password")
    return server.session(token).post(server.url + "/api/v2/requests", json={"request": fields})


def test_version_says_which_editions_serve_requests(servers):
    for mode, enabled in (("hosted", True), ("oss", False)):
        server = servers("--mode", mode, "--token", TOKEN1, *UNLIMITED)
        body = requests.get(server.url + "/api/v2/version", timeout=5).json()
        assert body["features"]["requests"]["enabled"] is enabled
        assert body["edition"] == ("commercial" if enabled else "oss")


@pytest.mark.parametrize("mode", ["oss", "v1"])
def test_open_source_and_v1_have_no_request_routes(mode, servers):
    server = servers("--mode", mode, "--token", TOKEN1, *UNLIMITED)
    answer = ask(server)
    assert answer.status_code == 404
    assert "text/html" in answer.headers["Content-Type"]  # an unknown route: Rails' static 404 page
    assert server.session(TOKEN1).get(server.url + "/api/v2/requests/active").status_code == 404


def test_create_show_preview_and_lists(hosted):
    created = ask(hosted, name="vpn", note="for the new colleague", close_after_duration=13, passphrase="pass-phrase-1")
    assert created.status_code == 201, created.text
    body = created.json()
    token = body["url_token"]
    assert body["name"] == "vpn" and body["close_after_duration"] == 13 and body["expired"] is False
    assert body["html_url"] == "%s/req/%s/r" % (hosted.url, token)  # the retrieval step is on by default
    assert body["responses"] == []
    preview = hosted.session(TOKEN1).get("%s/api/v2/requests/%s/preview" % (hosted.url, token))
    assert preview.json() == {"url": body["html_url"]}
    shown = hosted.session(TOKEN1).get("%s/api/v2/requests/%s" % (hosted.url, token)).json()
    assert shown["request"] == "Please send the VPN password"
    active = hosted.session(TOKEN1).get(hosted.url + "/api/v2/requests/active").json()
    assert [r["url_token"] for r in active] == [token]
    assert hosted.session(TOKEN1).get(hosted.url + "/api/v2/requests/expired").json() == []
    assert hosted.session(TOKEN2).get(hosted.url + "/api/v2/requests/active").json() == []


def test_out_of_range_duration_becomes_the_default_and_unknown_fields_are_dropped(hosted):
    body = ask(hosted, close_after_duration=99, expire_after_views=3, deletable_by_viewer=False).json()
    assert body["close_after_duration"] == 12
    assert "expire_after_views" not in body and "deletable_by_viewer" not in body


def test_auth_ownership_and_validation(hosted):
    assert ask(hosted, token=None).status_code == 401
    bad = ask(hosted, token="not-a-token")
    assert bad.status_code == 401 and bad.content == b""
    blank = ask(hosted, request="")
    assert blank.status_code == 422 and blank.json() == {"request": ["can't be blank"]}
    missing = hosted.session(TOKEN1).post(hosted.url + "/api/v2/requests", json={"name": "x"})
    assert missing.status_code == 400
    emails = ask(hosted, notify_emails_to="a@example.com,,b@example.com")
    assert emails.status_code == 422 and "notify_emails_to" in emails.json()
    token = ask(hosted).json()["url_token"]
    other = hosted.session(TOKEN2)
    assert other.get("%s/api/v2/requests/%s" % (hosted.url, token)).status_code == 403
    assert other.delete("%s/api/v2/requests/%s" % (hosted.url, token)).status_code == 403
    assert hosted.session(TOKEN1).get(hosted.url + "/api/v2/requests/nosuchtoken1").status_code == 404


def test_a_response_becomes_a_push_the_requester_owns(hosted):
    token = ask(hosted, name="db").json()["url_token"]
    answered = requests.post("%s/_fake/pwpush/requests/%s/respond" % (hosted.url, token),
                             json={"payload": "the-db-password"}, timeout=5)
    assert answered.status_code == 201
    push_token = answered.json()["url_token"]
    shown = hosted.session(TOKEN1).get("%s/api/v2/requests/%s" % (hosted.url, token)).json()
    assert [r["url_token"] for r in shown["responses"]] == [push_token]
    pushes = hosted.session(TOKEN1).get(hosted.url + "/api/v2/pushes/active").json()
    assert [(p["url_token"], p["name"]) for p in pushes] == [(push_token, "db")]
    # The requester retrieves it like any push (an owner view counts no view).
    push = hosted.session(TOKEN1).get("%s/api/v2/pushes/%s" % (hosted.url, push_token)).json()
    assert push["payload"] == "the-db-password"


def test_expire_twice_and_no_response_after(hosted):
    token = ask(hosted).json()["url_token"]
    first = hosted.session(TOKEN1).delete("%s/api/v2/requests/%s" % (hosted.url, token))
    assert first.status_code == 200 and first.json()["expired"] is True
    again = hosted.session(TOKEN1).delete("%s/api/v2/requests/%s" % (hosted.url, token))
    assert again.status_code == 200 and again.json()["expired_on"] == first.json()["expired_on"]
    expired = hosted.session(TOKEN1).get(hosted.url + "/api/v2/requests/expired").json()
    assert [r["url_token"] for r in expired] == [token]
    late = requests.post("%s/_fake/pwpush/requests/%s/respond" % (hosted.url, token),
                         json={"payload": "too-late-secret"}, timeout=5)
    assert late.status_code == 422


def test_reset_forgets_requests(hosted):
    token = ask(hosted).json()["url_token"]
    hosted.reset()
    assert hosted.session(TOKEN1).get("%s/api/v2/requests/%s" % (hosted.url, token)).status_code == 404


# --------------------------------------------------------------------------- the official CLI


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "XDG_CONFIG_HOME"}
    env["HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "pwpush", *args], capture_output=True, text=True, env=env,
                          timeout=60, check=False)


def _login(server: PwpushServer, home: Path) -> None:
    home.mkdir()
    login = _cli(home, "login", "--url", server.url, "--email", "owner@example.com", "--token", TOKEN1)
    assert login.returncode == 0 and "Login successful" in login.stdout, login.stdout + login.stderr


@pytest.mark.parametrize("mode", ["hosted", "oss", "v1"])
def test_official_cli_request_unmodified(mode, servers, tmp_path):
    if importlib.util.find_spec("pwpush") is None:
        pytest.skip("the pwpush CLI is not installed")
    server = servers("--mode", mode, "--token", TOKEN1, *UNLIMITED)
    _login(server, tmp_path / "home")
    asked = _cli(tmp_path / "home", "--json", "request", "Send me the staging key", "--notify", "vendor@example.com",
                 "--days", "14", "--views", "2", "--name", "staging", "--note", "ticket 42")
    stored = server.session(TOKEN1).get(server.url + "/api/v2/requests/active")
    if mode != "hosted":
        # The CLI reads the version answer first and refuses: requests are a Pro feature.
        assert asked.returncode == 1, asked.stdout + asked.stderr
        assert "not available on this instance" in asked.stdout
        assert stored.status_code == 404
        return
    assert asked.returncode == 0, asked.stdout + asked.stderr
    lines = [line for line in asked.stdout.splitlines() if line.strip()]
    url = json.loads(lines[-1])["url"]
    [entry] = stored.json()
    assert url == "%s/req/%s/r" % (server.url, entry["url_token"])
    # --days 14 became expire_after_duration 13, which requests do not read: the default duration.
    assert (entry["name"], entry["note"], entry["close_after_duration"]) == ("staging", "ticket 42", 12)


def test_official_cli_request_with_an_attachment(servers, tmp_path):
    if importlib.util.find_spec("pwpush") is None:
        pytest.skip("the pwpush CLI is not installed")
    server = servers("--mode", "hosted", "--token", TOKEN1, *UNLIMITED)
    _login(server, tmp_path / "home")
    template = tmp_path / "nda-template.txt"
    template.write_text("sign here\n")
    # No text: the CLI sends multipart (request[request]= empty, request[files][]), which the server accepts.
    asked = _cli(tmp_path / "home", "--json", "request", "--attach-file", str(template), "--name", "nda")
    assert asked.returncode == 0, asked.stdout + asked.stderr
    [entry] = server.session(TOKEN1).get(server.url + "/api/v2/requests/active").json()
    assert entry["name"] == "nda" and entry["request"] in (None, "")
    assert entry["files"] == [{"filename": "nda-template.txt", "content_type": "text/plain"}]
