"""Tests of the pwpush fake: behaviour, harness controls, scripts, and the official CLI.

Every server is started through tests/fakes/serve, as the demo and the integration
tests start it. Run: pytest -q tests/fakes/test_pwpush_server.py
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import RUN_WITH, SERVE, FakeServer, fake_env, fake_servers, readline_with_timeout

TOKEN1 = "tok-owner-0123456789"
TOKEN2 = "tok-other-9876543210"
UNLIMITED = ("--rate-limit-per-minute", "0", "--rate-limit-per-second", "0")


class PwpushServer(FakeServer):
    """`serve pwpush`, with Bearer token sessions."""

    def session(self, token: str | None = None) -> requests.Session:
        session = requests.Session()
        if token:
            session.headers["Authorization"] = "Bearer " + token
        return session


servers = fake_servers("pwpush", PwpushServer)


@pytest.fixture(params=["hosted", "oss"])
def v2(request, servers) -> PwpushServer:
    return servers("--mode", request.param, "--token", TOKEN1, "--other-token", TOKEN2, *UNLIMITED)


@pytest.fixture
def hosted(servers) -> PwpushServer:
    return servers("--mode", "hosted", "--token", TOKEN1, "--other-token", TOKEN2, *UNLIMITED)


@pytest.fixture
def oss(servers) -> PwpushServer:
    return servers("--mode", "oss", "--token", TOKEN1, "--other-token", TOKEN2, *UNLIMITED)


@pytest.fixture
def v1(servers) -> PwpushServer:
    return servers("--mode", "v1", "--token", TOKEN1, "--other-token", TOKEN2, *UNLIMITED)


def create(server: PwpushServer, token: str | None = TOKEN1, **push) -> dict:
    push.setdefault("payload", "s3cret-payload")
    response = server.session(token).post(server.url + "/api/v2/pushes", json={"push": push})
    assert response.status_code == 201, response.text
    return response.json()


def retrieve(server: PwpushServer, url_token: str, token: str | None = None, **params) -> requests.Response:
    return server.session(token).get("%s/api/v2/pushes/%s" % (server.url, url_token), params=params)


# --------------------------------------------------------------------------- speed


def test_keep_alive_request_costs_about_a_millisecond(hosted):
    session = hosted.session(TOKEN1)
    session.get(hosted.url + "/api/v2/version")
    # The trap this guards against (Nagle meets delayed ACK) costs about 40 ms on every request whatever the
    # load; a busy machine only stretches some requests. So the median of many, not their sum, is judged.
    durations = []
    for _attempt in range(300):
        started = time.perf_counter()
        assert session.post(hosted.url + "/api/v2/pushes", json={"push": {"payload": "x"}}).status_code == 201
        durations.append(time.perf_counter() - started)
    median = statistics.median(durations)
    print("300 keep-alive POSTs: median %.2f ms, total %.2f s" % (median * 1000, sum(durations)))
    assert median < 0.015


# --------------------------------------------------------------------------- versions and modes


def test_version_hosted(hosted):
    body = requests.get(hosted.url + "/api/v2/version", timeout=5).json()
    assert body["application_version"] == "2.11.4"
    assert body["api_version"] == "2.1"
    assert body["edition"] == "commercial"
    assert body["features"]["accounts"] == {"enabled": True}


def test_version_oss_is_public_even_with_a_bad_token(oss):
    response = requests.get(oss.url + "/api/v2/version.json", headers={"Authorization": "Bearer nope"}, timeout=5)
    assert response.status_code == 200
    body = response.json()
    assert body["edition"] == "oss"
    assert body["features"]["pushes"]["file_attachments"] == {"enabled": True, "requires_authentication": True}
    assert body["features"]["accounts"] == {"enabled": False}
    assert requests.get(oss.url + "/api/v1/version.json", timeout=5).json()["api_version"] == "1.5"


def test_v1_mode_has_no_api_v2_and_does_not_redirect(v1):
    response = requests.get(v1.url + "/api/v2/version", allow_redirects=False, timeout=5)
    assert response.status_code == 404
    assert "Location" not in response.headers
    as_json = requests.get(v1.url + "/api/v2/version", headers={"Accept": "application/json"}, timeout=5)
    assert as_json.status_code == 404 and as_json.json() == {"status": 404, "error": "Not Found"}
    version = requests.get(v1.url + "/api/v1/version.json", timeout=5).json()
    assert version == {"application_version": "2.2.2", "api_version": "1.5", "edition": "oss"}
    # v1 paths need the .json suffix
    assert requests.post(v1.url + "/p", json={"password": {"payload": "x"}}, timeout=5).status_code == 404


def test_v1_endpoints(v1):
    owner = v1.session(TOKEN1)
    created = owner.post(v1.url + "/p.json", data={"password[payload]": "pw", "password[expire_after_views]": "2",
                                                   "password[deletable_by_viewer]": "false"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert "expire_after_duration" not in body and body["expire_after_days"] == 7
    assert body["deletable_by_viewer"] is False and body["passphrase"] == "" and body["note"] == ""
    token = body["url_token"]
    assert body["html_url"] == "%s/p/%s/r" % (v1.url, token)  # retrieval_step_default: true
    assert body["json_url"] == body["html_url"] + ".json" and body["retrieval_step"] is True
    preview = requests.get("%s/p/%s/preview.json" % (v1.url, token), timeout=5).json()
    assert preview == {"url": body["html_url"]}
    shown = requests.get("%s/p/%s.json" % (v1.url, token), timeout=5).json()
    assert shown["payload"] == "pw" and shown["views_remaining"] == 1
    audit = owner.get("%s/p/%s/audit.json" % (v1.url, token)).json()
    assert [entry["kind"] for entry in audit["views"]] == ["creation", "view"]
    assert set(audit["views"][0]) == {"kind", "ip", "user_agent", "referrer", "created_at", "updated_at"}
    assert [p["url_token"] for p in owner.get(v1.url + "/p/active.json").json()] == [token]
    assert requests.delete("%s/p/%s.json" % (v1.url, token), timeout=5).status_code == 401
    deleted = owner.delete("%s/p/%s.json" % (v1.url, token))
    assert deleted.status_code == 200 and deleted.json()["deleted"] is True
    assert [p["url_token"] for p in owner.get(v1.url + "/p/expired.json").json()] == [token]
    # URL pushes through /r.json; file pushes through /f.json need a token
    url_push = owner.post(v1.url + "/r.json", json={"url": {"payload": "https://example.com/x"}})
    assert url_push.status_code == 201 and url_push.json()["deletable_by_viewer"] is None
    anonymous_file = requests.post(v1.url + "/f.json", files={"file_push[files][]": ("a.txt", b"abc")}, timeout=5)
    assert anonymous_file.status_code == 401 and anonymous_file.content == b""
    file_push = owner.post(v1.url + "/f.json", files={"file_push[files][]": ("a.txt", b"abc", "text/plain")})
    assert file_push.status_code == 201, file_push.text
    assert requests.get(v1.url + "/en/d/active.json", timeout=5).status_code == 404


# --------------------------------------------------------------------------- create and validation


def test_create_response_shape(v2):
    body = create(v2, passphrase="open sesame", name="db", note="ticket 1", expire_after_views=3)
    hosted = "expire_after_duration" in body
    expected = ["expire_after_views", "expired", "url_token", "deletable_by_viewer", "retrieval_step", "expired_on",
                "passphrase", "created_at", "updated_at", "expire_after_days", "days_remaining", "views_remaining",
                "deleted", "json_url", "html_url"]
    if hosted:
        expected = ["expire_after_duration"] + expected + ["account_id"]
    assert list(body) == expected + ["note", "name"]
    assert body["passphrase"] == "open sesame"  # the real server echoes it in plain text
    assert re.fullmatch(r"[a-z0-9_-]{11,19}", body["url_token"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["created_at"])
    assert body["json_url"] == body["html_url"] + ".json"
    assert body["views_remaining"] == 3 and body["days_remaining"] == 7 and body["deleted"] is False
    assert body["deletable_by_viewer"] is True and body["retrieval_step"] is True  # both default to true
    assert body["html_url"].endswith("/p/%s/r" % body["url_token"])
    if hosted:
        assert body["expire_after_duration"] == 12 and body["account_id"] == 1001


def test_out_of_range_limits_silently_become_defaults(oss, hosted):
    body = create(oss, expire_after_days=91, expire_after_views=0, expire_after_duration=6)
    assert (body["expire_after_days"], body["expire_after_views"]) == (7, 5)
    assert create(oss, expire_after_days="3")["expire_after_days"] == 3
    body = create(hosted, expire_after_duration=18, expire_after_views=101, expire_after_days=91)
    assert (body["expire_after_duration"], body["expire_after_days"], body["expire_after_views"]) == (12, 7, 5)


def test_validation_errors(v2):
    session = v2.session(TOKEN1)
    missing = session.post(v2.url + "/api/v2/pushes", json={})
    assert missing.status_code == 400
    assert missing.json() == {"error": "param is missing or the value is empty or invalid: push"}
    blank = session.post(v2.url + "/api/v2/pushes", json={"push": {"payload": "   "}})
    assert blank.status_code == 422 and blank.json() == {"payload": ["Payload is required."]}
    bad_url = session.post(v2.url + "/api/v2/pushes", json={"push": {"payload": "ftp://x", "kind": "url"}})
    assert bad_url.status_code == 422 and bad_url.json() == {"payload": ["must be a valid HTTP or HTTPS URL."]}
    long_qr = session.post(v2.url + "/api/v2/pushes", json={"push": {"payload": "q" * 1025, "kind": "qr"}})
    assert long_qr.status_code == 422
    assert long_qr.json() == {"payload": ["The QR code payload is too large.  You can only push up to 1024 bytes."]}
    huge = session.post(v2.url + "/api/v2/pushes", json={"push": {"payload": "t" * (1024 * 1024 + 1)}})
    assert huge.status_code == 422 and "too large" in huge.json()["payload"][0]
    # An unknown kind crashes the real server (settings_for_kind is nil) before validation.
    bad_kind = session.post(v2.url + "/api/v2/pushes", json={"push": {"payload": "x", "kind": "note"}})
    assert bad_kind.status_code == 500 and bad_kind.json() == {"status": 500, "error": "Internal Server Error"}
    not_json = session.post(v2.url + "/api/v2/pushes", data="{nope", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400


def test_unwrapped_json_is_wrapped_like_rails(v2):
    response = requests.post(v2.url + "/api/v2/pushes", json={"payload": "bare", "expire_after_views": 2}, timeout=5)
    assert response.status_code == 201 and response.json()["views_remaining"] == 2


def test_form_and_multipart_values_are_coerced_like_rails(v2):
    session = v2.session(TOKEN1)
    response = session.post(v2.url + "/api/v2/pushes", data={
        "push[payload]": "form secret", "push[expire_after_views]": "4abc", "push[deletable_by_viewer]": "no",
        "push[retrieval_step]": "on", "push[name]": "n"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["views_remaining"], body["deletable_by_viewer"], body["retrieval_step"]) == (4, False, True)
    files = [("push[files][]", ("one.txt", b"1234", "text/plain")), ("push[files][]", ("two.pdf", b"%PDF"))]
    response = session.post(v2.url + "/api/v2/pushes", data={"push[payload]": "with files"}, files=files)
    assert response.status_code == 201, response.text
    token = response.json()["url_token"]
    shown = retrieve(v2, token).json()
    assert [(f["filename"], f["content_type"]) for f in shown["files"]] == [
        ("one.txt", "text/plain"), ("two.pdf", "application/pdf")]
    stored = requests.get(v2.url + "/_fake/pwpush/pushes", timeout=5).json()[-1]
    assert stored["kind"] == "file" and [f["size"] for f in stored["files"]] == [4, 4]
    eleven = [("push[files][]", ("f%d" % i, b"x")) for i in range(11)]
    too_many = session.post(v2.url + "/api/v2/pushes", data={"push[payload]": "x"}, files=eleven)
    assert too_many.status_code == 422
    assert too_many.json() == {"files": ["You can only attach up to 10 files per push."]}


def test_file_pushes_need_a_token(v2):
    anonymous = requests.post(v2.url + "/api/v2/pushes", files={"push[files][]": ("a.txt", b"abc")},
                              data={"push[payload]": "x"}, timeout=5)
    assert anonymous.status_code == 401
    assert anonymous.json() == {"error": "You need to sign in or sign up before continuing."}
    by_kind = requests.post(v2.url + "/api/v2/pushes", json={"push": {"payload": "x", "kind": "file"}}, timeout=5)
    assert by_kind.status_code == 401
    anonymous_text = requests.post(v2.url + "/api/v2/pushes", json={"push": {"payload": "x"}}, timeout=5)
    assert anonymous_text.status_code == 201


# --------------------------------------------------------------------------- auth


def test_bad_token_gives_401_with_empty_body_even_on_public_endpoints(v2):
    url_token = create(v2)["url_token"]
    for path in ("/api/v2/pushes/%s" % url_token, "/api/v2/pushes/%s/preview" % url_token, "/api/v2/pushes/active"):
        response = requests.get(v2.url + path, headers={"Authorization": "Bearer wrong"}, timeout=5)
        assert response.status_code == 401 and response.content == b"", path
    create_with_bad = requests.post(v2.url + "/api/v2/pushes", json={"push": {"payload": "x"}},
                                    headers={"X-User-Email": "owner@example.com", "X-User-Token": "wrong"}, timeout=5)
    assert create_with_bad.status_code == 401 and create_with_bad.content == b""


def test_lists_and_audit_without_token_are_401_empty(v2):
    url_token = create(v2)["url_token"]
    for path in ("/api/v2/pushes/active", "/api/v2/pushes/expired.json", "/api/v2/pushes/%s/audit" % url_token):
        response = requests.get(v2.url + path, timeout=5)
        assert response.status_code == 401 and response.content == b"", path


def test_legacy_headers_authenticate(v2):
    headers = {"X-User-Email": "owner@example.com", "X-User-Token": TOKEN1}
    response = requests.post(v2.url + "/api/v2/pushes", json={"push": {"payload": "x"}}, headers=headers, timeout=5)
    assert response.status_code == 201
    listed = requests.get(v2.url + "/api/v2/pushes/active", headers=headers, timeout=5)
    assert [p["url_token"] for p in listed.json()] == [response.json()["url_token"]]
    # X-User-Token without X-User-Email falls back to Authorization, which is missing: 401
    alone = requests.get(v2.url + "/api/v2/pushes/active", headers={"X-User-Token": TOKEN1}, timeout=5)
    assert alone.status_code == 401


def test_no_anonymous(servers):
    server = servers("--mode", "oss", "--token", TOKEN1, "--no-anonymous", *UNLIMITED)
    assert requests.get(server.url + "/api/v2/version", timeout=5).json()["features"]["anonymous_access"] is False
    anonymous = requests.post(server.url + "/api/v2/pushes", json={"push": {"payload": "x"}}, timeout=5)
    assert anonymous.status_code == 401 and anonymous.content == b""
    url_token = create(server)["url_token"]
    assert retrieve(server, url_token).status_code == 401
    assert retrieve(server, url_token, TOKEN1).status_code == 200


# --------------------------------------------------------------------------- views and expiry


def test_views_and_the_last_view(v2):
    url_token = create(v2, expire_after_views=2)["url_token"]
    first = retrieve(v2, url_token).json()
    assert (first["payload"], first["views_remaining"], first["expired"]) == ("s3cret-payload", 1, False)
    last = retrieve(v2, url_token)
    assert last.headers["Cache-Control"] == "no-cache"
    last = last.json()
    assert (last["payload"], last["views_remaining"], last["expired"]) == ("s3cret-payload", 0, False)
    after = retrieve(v2, url_token)
    assert after.status_code == 200
    after = after.json()
    assert after["expired"] is True and after["payload"] is None and after["passphrase"] is None
    assert after["deleted"] is False and after["expired_on"] is not None
    audit = v2.session(TOKEN1).get("%s/api/v2/pushes/%s/audit" % (v2.url, url_token)).json()
    assert [log["kind"] for log in audit["logs"]] == ["creation", "view", "view", "failed_view"]


def test_owner_views_do_not_count_and_preview_never_counts(v2):
    url_token = create(v2, expire_after_views=1)["url_token"]
    for _attempt in range(3):
        assert retrieve(v2, url_token, TOKEN1).json()["views_remaining"] == 1
        assert requests.get("%s/api/v2/pushes/%s/preview" % (v2.url, url_token), timeout=5).status_code == 200
    assert retrieve(v2, url_token, TOKEN2).json()["payload"] == "s3cret-payload"  # another user counts
    assert retrieve(v2, url_token).json()["expired"] is True


def test_unknown_push_is_404(v2):
    for method, path in (("GET", "/api/v2/pushes/nosuchtoken"), ("GET", "/api/v2/pushes/nosuchtoken/preview"),
                         ("DELETE", "/api/v2/pushes/nosuchtoken.json")):
        response = requests.request(method, v2.url + path, timeout=5)
        assert response.status_code == 404 and response.json() == {"error": "not-found"}, path


def test_days_expiry_with_aging_helper_and_jobs(v2):
    pushed = create(v2, token=None, expire_after_days=2, expire_after_duration=7)
    url_token = pushed["url_token"]
    aged = requests.post(v2.url + "/_fake/pwpush/age", json={"url_token": url_token, "days": 1}, timeout=5)
    assert aged.status_code == 200
    assert retrieve(v2, url_token).json()["days_remaining"] == 1
    requests.post(v2.url + "/_fake/pwpush/age", json={"url_token": url_token, "days": 1}, timeout=5)
    expired = retrieve(v2, url_token).json()
    assert expired["expired"] is True and expired["payload"] is None
    # The daily clean-up deletes expired anonymous pushes: their links then answer 404.
    jobs = requests.post(v2.url + "/_fake/pwpush/run-jobs", timeout=5).json()
    assert jobs["deleted"] == 1
    assert retrieve(v2, url_token).status_code == 404


# --------------------------------------------------------------------------- passphrases


def test_passphrase(v2):
    url_token = create(v2, passphrase="right one")["url_token"]
    missing = retrieve(v2, url_token)
    assert missing.status_code == 401
    assert missing.json()["error"] == "That passphrase is incorrect."
    wrong = retrieve(v2, url_token, passphrase="wrong")
    assert wrong.status_code == 401
    right = retrieve(v2, url_token, passphrase="right one")
    assert right.status_code == 200 and right.json()["payload"] == "s3cret-payload"
    audit = v2.session(TOKEN1).get("%s/api/v2/pushes/%s/audit" % (v2.url, url_token)).json()
    assert [log["kind"] for log in audit["logs"]] == ["creation", "failed_passphrase", "failed_passphrase", "view"]


def test_passphrase_attempts_are_rate_limited_per_push(v2):
    url_token = create(v2, passphrase="right")["url_token"]
    other = create(v2, passphrase="right")["url_token"]
    for _attempt in range(5):
        assert retrieve(v2, url_token, passphrase="wrong").status_code == 401
    limited = retrieve(v2, url_token, passphrase="right")  # even the right one, within the minute
    assert limited.status_code == 429
    assert limited.json() == {"error": "Too many passphrase attempts. Please try again in a minute."}
    assert retrieve(v2, url_token).status_code == 401  # no passphrase parameter: not counted
    assert retrieve(v2, other, passphrase="right").status_code == 200


def test_expired_push_ignores_a_wrong_passphrase(v2):
    url_token = create(v2, passphrase="p", expire_after_views=1)["url_token"]
    assert retrieve(v2, url_token, passphrase="p").status_code == 200
    after = retrieve(v2, url_token, passphrase="not it")
    assert after.status_code == 200 and after.json()["expired"] is True


# --------------------------------------------------------------------------- delete and audit


def test_delete(v2):
    session = v2.session(TOKEN1)
    protected = create(v2, deletable_by_viewer=False)["url_token"]
    denied = requests.delete("%s/api/v2/pushes/%s" % (v2.url, protected), timeout=5)
    assert denied.status_code == 401
    assert denied.json() == {"error": "That push is not deletable by viewers."}
    assert v2.session(TOKEN2).delete("%s/api/v2/pushes/%s" % (v2.url, protected)).status_code == 401
    deleted = session.delete("%s/api/v2/pushes/%s" % (v2.url, protected))
    assert deleted.status_code == 200
    body = deleted.json()
    assert body["expired"] is True and body["deleted"] is True and "payload" not in body
    again = session.delete("%s/api/v2/pushes/%s" % (v2.url, protected))
    assert again.status_code == 200 and again.json()["deleted"] is True
    audit = session.get("%s/api/v2/pushes/%s/audit" % (v2.url, protected)).json()
    assert [log["kind"] for log in audit["logs"]] == ["creation", "expire"]
    viewer_deletable = create(v2)["url_token"]
    assert requests.delete("%s/api/v2/pushes/%s" % (v2.url, viewer_deletable), timeout=5).status_code == 200


def test_audit_ownership(v2):
    mine = create(v2)["url_token"]
    anonymous = create(v2, token=None)["url_token"]
    other = v2.session(TOKEN2)
    forbidden = other.get("%s/api/v2/pushes/%s/audit" % (v2.url, mine))
    assert forbidden.status_code == 403 and forbidden.json() == {"error": "That push doesn't belong to you."}
    assert v2.session(TOKEN1).get("%s/api/v2/pushes/%s/audit" % (v2.url, anonymous)).status_code == 403
    log = v2.session(TOKEN1).get("%s/api/v2/pushes/%s/audit" % (v2.url, mine),
                                 headers={"User-Agent": "ua-test", "Referer": "https://ref.example"}).json()["logs"][0]
    assert set(log) == {"ip", "user_agent", "referrer", "kind", "created_at", "updated_at"}
    assert log["ip"] == "127.0.0.1"


# --------------------------------------------------------------------------- lists and pages


def test_lists_pages(v2):
    session = v2.session(TOKEN1)
    tokens = [create(v2, name="n%d" % i)["url_token"] for i in range(52)]
    create(v2, token=TOKEN2)
    page1 = session.get(v2.url + "/api/v2/pushes/active").json()
    assert len(page1) == 50 and page1[0]["url_token"] == tokens[-1]  # newest first
    assert "note" in page1[0] and "payload" not in page1[0]
    page2 = session.get(v2.url + "/api/v2/pushes/active", params={"page": "2"}).json()
    assert [p["url_token"] for p in page2] == [tokens[1], tokens[0]]
    assert session.get(v2.url + "/api/v2/pushes/active", params={"page": 3}).json() == []
    assert session.get(v2.url + "/api/v2/pushes/active", params={"page": 200}).json() == []
    assert len(session.get(v2.url + "/api/v2/pushes/active", params={"page": 0}).json()) == 50  # clamped to 1
    for bad in ("201", "abc", "", "1.5"):
        response = session.get(v2.url + "/api/v2/pushes/active", params={"page": bad})
        assert response.status_code == 400 and response.json() == {"error": "Invalid page parameter"}, bad
    session.delete("%s/api/v2/pushes/%s" % (v2.url, tokens[0]))
    assert [p["url_token"] for p in session.get(v2.url + "/api/v2/pushes/expired").json()] == [tokens[0]]


def test_audit_pages(v2):
    url_token = create(v2, expire_after_views=100)["url_token"]
    for _attempt in range(60):
        retrieve(v2, url_token)
    session = v2.session(TOKEN1)
    first = session.get("%s/api/v2/pushes/%s/audit" % (v2.url, url_token)).json()["logs"]
    second = session.get("%s/api/v2/pushes/%s/audit?page=2" % (v2.url, url_token)).json()["logs"]
    assert len(first) == 50 and len(second) == 11 and first[0]["kind"] == "creation"  # oldest first


# --------------------------------------------------------------------------- links


def test_links_follow_forwarded_headers_and_retrieval_step(v2):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "secrets.example.org",
               "Authorization": "Bearer " + TOKEN1}
    response = requests.post(v2.url + "/api/v2/pushes", json={"push": {"payload": "x", "retrieval_step": True}},
                             headers=headers, timeout=5)
    body = response.json()
    token = body["url_token"]
    assert body["html_url"] == "https://secrets.example.org/p/%s/r" % token
    assert body["json_url"] == "https://secrets.example.org/p/%s/r.json" % token  # broken, as on the real server
    preview = requests.get("%s/api/v2/pushes/%s/preview" % (v2.url, token), timeout=5).json()
    host = v2.url.split("://")[1]
    assert preview == {"url": "http://%s/p/%s/r" % (host, token)}
    assert requests.get("%s/p/%s/r.json" % (v2.url, token), timeout=5).status_code == 404


def test_retrieval_step_default_flag(servers):
    server = servers("--mode", "oss", "--token", TOKEN1, "--retrieval-step-default", "true",
                     "--deletable-by-viewer-default", "false", *UNLIMITED)
    body = create(server)
    assert body["retrieval_step"] is True and body["deletable_by_viewer"] is False
    assert body["html_url"].endswith("/r")


def test_web_page_counts_a_view(v2):
    url_token = create(v2, expire_after_views=1, retrieval_step=True)["url_token"]
    step = requests.get("%s/p/%s/r" % (v2.url, url_token), timeout=5)
    assert step.status_code == 200 and "/p/%s" % url_token in step.text
    page = requests.get("%s/p/%s" % (v2.url, url_token), timeout=5)
    assert page.status_code == 200 and "s3cret-payload" in page.text
    assert retrieve(v2, url_token).json()["expired"] is True


# --------------------------------------------------------------------------- hosted specifics


def test_hosted_accounts(hosted):
    assert requests.get(hosted.url + "/api/v2/accounts", timeout=5).status_code == 401
    accounts = hosted.session(TOKEN2).get(hosted.url + "/api/v2/accounts").json()
    assert accounts == [{"id": 1002, "name": "Account 2", "role": "owner"}]
    session = hosted.session(TOKEN1)
    ok = session.post(hosted.url + "/api/v2/pushes", json={"push": {"payload": "x"}, "account_id": "1001"})
    assert ok.status_code == 201 and ok.json()["account_id"] == 1001
    wrong = session.post(hosted.url + "/api/v2/pushes", json={"push": {"payload": "x"}, "account_id": 1002})
    assert wrong.status_code == 403


def test_oss_has_no_accounts_endpoint(oss):
    assert oss.session(TOKEN1).get(oss.url + "/api/v2/accounts").status_code == 404


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
    script = ("import os, requests; r = requests.get(os.environ['PWPUSH_URL'] + '/api/v2/version', "
              "headers={'Authorization': 'Bearer ' + os.environ['PWPUSH_TOKEN']}); "
              "print(r.json()['edition']); open(%r, 'w').write(os.environ['PWPUSH_URL']); raise SystemExit(3)"
              % str(tmp_path / "url"))
    env = {k: v for k, v in fake_env().items() if k != "PWPUSH_URL"}
    env["PWPUSH_FAKE_MODE"] = "oss"
    result = subprocess.run([str(RUN_WITH), "pwpush", "--quiet", "--", sys.executable, "-c", script],
                            capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == 3, result.stderr
    assert result.stdout.strip() == "oss"
    url = (tmp_path / "url").read_text()
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/up", timeout=2)  # the server is gone
    # With PWPUSH_URL set, nothing is started.
    env["PWPUSH_URL"] = "http://192.0.2.1:9"
    passthrough = subprocess.run([str(RUN_WITH), "pwpush", "--", sys.executable, "-c",
                                  "import os; print(os.environ['PWPUSH_URL'])"],
                                 capture_output=True, text=True, env=env, timeout=30, check=False)
    assert passthrough.returncode == 0 and passthrough.stdout.strip() == "http://192.0.2.1:9"


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
