"""Tests of the pwpush fake: versions, modes, creating, authentication, views and expiry; and the helpers the
other test_pwpush_*.py import (passphrases, deletion, audit, lists, links and accounts in test_pwpush_pushes.py,
harness controls, rate limits, scripts and the official CLI in test_pwpush_harness.py).

Every server is started through tests/fakes/serve, as the demo and the integration
tests start it. Run: pytest -q tests/fakes/test_pwpush_*.py
"""

from __future__ import annotations

import re
import statistics
import time

import pytest
import requests

from conftest import FakeServer, fake_servers

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
