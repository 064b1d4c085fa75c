"""The pwpush fake where it differs from a kind server: the v2-legacy mode (pwpush_legacy.py), links under
--base-url, the hosted edition's expiry fields, notify_emails' callback order, QR pushes on API v1.

Run: pytest -q tests/fakes/test_pwpush_legacy.py
"""

from __future__ import annotations

import subprocess

import pytest
import requests

from conftest import SERVE, fake_env
from test_pwpush_server import TOKEN1, TOKEN2, UNLIMITED, PwpushServer, create, retrieve, servers  # noqa: F401  pylint: disable=unused-import

OWNER = {"Authorization": "Bearer " + TOKEN1}


@pytest.fixture
def legacy(servers) -> PwpushServer:  # noqa: F811
    return servers("--mode", "v2-legacy", "--token", TOKEN1, "--other-token", TOKEN2, *UNLIMITED)


# --------------------------------------------------------------------------- v2-legacy


def test_legacy_version_answer(legacy, servers):  # noqa: F811
    # 2.3.0-2.5.3: API 2.0 and no features (app/controllers/api/v2/version_controller.rb at v2.5.3)
    assert requests.get(legacy.url + "/api/v2/version", timeout=5).json() == {
        "application_version": "2.5.3", "api_version": "2.0", "edition": "oss"}
    later = servers("--mode", "v2-legacy", "--legacy-version", "2.8.2", "--token", TOKEN1, *UNLIMITED)
    answer = requests.get(later.url + "/api/v2/version", timeout=5).json()
    assert (answer["application_version"], answer["api_version"]) == ("2.8.2", "2.1")
    assert answer["features"]["pushes"]["email_auto_dispatch"] is False
    assert answer["features"]["requests"] == {"enabled": False} and answer["features"]["accounts"]["enabled"] is False
    # API v1 is there too, as on every 2.x server
    assert requests.get(legacy.url + "/api/v1/version.json", timeout=5).json()["application_version"] == "2.5.3"


@pytest.mark.parametrize("args", [("--legacy-version", "2.9.2"), ("--legacy-version", "2.2.2"),
                                  ("--legacy-version", "two"), ("--mode", "oss", "--legacy-version", "2.5.3")])
def test_legacy_version_must_be_one_it_stands_for(args):
    command = [str(SERVE), "pwpush", "--port", "0", "--token", "t", "--mode", "v2-legacy", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, env=fake_env(), check=False)
    assert result.returncode == 2 and "--legacy-version" in result.stderr


def test_legacy_audit_is_views_on_both_apis(legacy):
    body = create(legacy, expire_after_views=3)
    token = body["url_token"]
    retrieve(legacy, token)
    retrieve(legacy, token, token=TOKEN1)  # the owner: owner_view, no view counted
    for path in ("/api/v2/pushes/%s/audit" % token, "/p/%s/audit.json" % token):
        audit = requests.get(legacy.url + path, headers=OWNER, timeout=5)
        assert audit.status_code == 200 and list(audit.json()) == ["views"], path
        entries = audit.json()["views"]
        assert [e["kind"] for e in entries] == ["creation", "view", "owner_view"]  # oldest first
        assert set(entries[0]) == {"ip", "user_agent", "referrer", "kind", "created_at", "updated_at"}
    other = requests.get("%s/api/v2/pushes/%s/audit" % (legacy.url, token), timeout=5,
                         headers={"Authorization": "Bearer " + TOKEN2})
    assert other.status_code == 403 and other.json() == {"error": "That push doesn't belong to you."}


def test_legacy_has_no_notifications(legacy):
    # push[notify_emails_to] is no permitted parameter before 2.9.2: dropped without a word
    body = create(legacy, notify_emails_to="a@example.com", notify_emails_to_locale="xx")
    assert "notify_emails_to" not in body
    audit = requests.get("%s/api/v2/pushes/%s/audit" % (legacy.url, body["url_token"]), headers=OWNER, timeout=5)
    assert [e["kind"] for e in audit.json()["views"]] == ["creation"]
    route = requests.post("%s/api/v2/pushes/%s/notify_emails" % (legacy.url, body["url_token"]), headers=OWNER,
                          json={"notify_emails_to": "a@example.com"}, timeout=5)
    assert route.status_code == 404


def test_legacy_has_no_passphrase_throttle(legacy):
    token = create(legacy, passphrase="right one")["url_token"]
    statuses = [retrieve(legacy, token, passphrase="wrong %d" % i).status_code for i in range(7)]
    assert statuses == [401] * 7  # 2.9.2 brought the 5-a-minute rate limit
    assert retrieve(legacy, token, passphrase="right one").json()["payload"] == "s3cret-payload"


# --------------------------------------------------------------------------- --base-url


def test_base_url_moves_the_push_links_only(servers):  # noqa: F811
    server = servers("--mode", "oss", "--token", TOKEN1, "--base-url", "https://pwpush.example.net", *UNLIMITED)
    answer = requests.post(server.url + "/api/v2/pushes", headers=OWNER, timeout=10,
                           data={"push[payload]": "note", "push[retrieval_step]": "false"},
                           files=[("push[files][]", ("a.txt", b"attached", "text/plain"))])
    assert answer.status_code == 201, answer.text
    token = answer.json()["url_token"]
    assert answer.json()["html_url"] == "https://pwpush.example.net/p/" + token  # ApplicationHelper#secret_url
    preview = requests.get("%s/api/v2/pushes/%s/preview" % (server.url, token), timeout=5).json()
    assert preview == {"url": "https://pwpush.example.net/p/" + token}
    # rails_blob_url and the redirect follow the request's host (PWP__OVERRIDE_BASE_URL is not theirs)
    link = requests.get("%s/api/v2/pushes/%s" % (server.url, token), timeout=5).json()["files"][0]["url"]
    assert link.startswith(server.url + "/pfb/blobs/redirect/")
    redirect = requests.get(link, allow_redirects=False, timeout=5)
    assert redirect.status_code == 302 and redirect.headers["Location"].startswith(server.url + "/pfb/disk/")
    assert requests.get(redirect.headers["Location"], timeout=5).content == b"attached"


# --------------------------------------------------------------------------- hosted expiry fields


def test_hosted_expiry_fields(servers):  # noqa: F811
    hosted = servers("--mode", "hosted", "--token", TOKEN1, *UNLIMITED)
    # expire_after_days is the column (given or 7), not the duration in days: the API page shows
    # duration 7 (2 days) with expire_after_days 7.
    body = create(hosted, expire_after_duration=7)
    assert (body["expire_after_duration"], body["expire_after_days"], body["days_remaining"]) == (7, 7, 7)
    body = create(hosted, expire_after_duration=0)  # 15 minutes
    assert (body["expire_after_days"], body["days_remaining"]) == (7, 7)
    short = create(hosted, expire_after_duration=1, expire_after_days=1)
    assert (short["expire_after_days"], short["days_remaining"]) == (1, 1)
    # once expired: days_remaining null, views_remaining 0 (the API page's DELETE example)
    deleted = requests.delete("%s/api/v2/pushes/%s" % (hosted.url, body["url_token"]), headers=OWNER, timeout=5)
    assert deleted.status_code == 200
    assert (deleted.json()["days_remaining"], deleted.json()["views_remaining"]) == (None, 0)
    expired = requests.get(hosted.url + "/api/v2/pushes/expired", headers=OWNER, timeout=5).json()
    assert [(p["days_remaining"], p["views_remaining"]) for p in expired] == [(None, 0)]
    active = requests.get(hosted.url + "/api/v2/pushes/active", headers=OWNER, timeout=5).json()
    assert all(isinstance(p["days_remaining"], int) for p in active) and len(active) == 2


def test_oss_counts_on_once_expired(servers):  # noqa: F811
    oss = servers("--mode", "oss", "--token", TOKEN1, *UNLIMITED)
    token = create(oss, expire_after_days=3, expire_after_views=4)["url_token"]
    deleted = requests.delete("%s/api/v2/pushes/%s" % (oss.url, token), headers=OWNER, timeout=5).json()
    assert (deleted["expired"], deleted["days_remaining"], deleted["views_remaining"]) == (True, 3, 4)


# --------------------------------------------------------------------------- notify_emails' order


def test_notify_emails_looks_the_push_up_before_throttling(servers):  # noqa: F811
    hosted = servers("--mode", "hosted", "--token", TOKEN1, *UNLIMITED)
    token = create(hosted)["url_token"]
    session = hosted.session(TOKEN1)
    unknown = hosted.url + "/api/v2/pushes/nosuchtoken/notify_emails"
    # unknown tokens are 404s and take nothing from the 5 a minute
    assert [session.post(unknown, json={"notify_emails_to": "a@example.com"}).status_code
            for _i in range(6)] == [404] * 6
    known = "%s/api/v2/pushes/%s/notify_emails" % (hosted.url, token)
    statuses = [session.post(known, json={"notify_emails_to": "x%d@example.com" % i}).status_code for i in range(6)]
    assert statuses == [201] * 5 + [429]
    assert session.post(unknown, json={"notify_emails_to": "a@example.com"}).status_code == 404  # still first


# --------------------------------------------------------------------------- API v1 (2.2.2)


def test_v1_accepts_qr_pushes(servers):  # noqa: F811
    # 2.2.2: /p.json permits password[kind]; Push.kind has qr, enable_qr_pushes is true as shipped
    v1 = servers("--mode", "v1", "--token", TOKEN1, *UNLIMITED)
    created = requests.post(v1.url + "/p.json", headers=OWNER, timeout=5,
                            data={"password[payload]": "otpauth://totp/x", "password[kind]": "qr"})
    assert created.status_code == 201, created.text
    pushes = requests.get(v1.url + "/_fake/pwpush/pushes", timeout=5).json()
    assert [p["kind"] for p in pushes] == ["qr"]
    assert requests.get("%s/p/%s.json" % (v1.url, created.json()["url_token"]), timeout=5).json()["payload"] == \
        "otpauth://totp/x"
    too_long = requests.post(v1.url + "/p.json", headers=OWNER, timeout=5,
                             data={"password[payload]": "q" * 1025, "password[kind]": "qr"})
    assert too_long.status_code == 422 and "payload" in too_long.json()
