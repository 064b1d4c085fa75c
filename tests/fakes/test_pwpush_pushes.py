"""Tests of the pwpush fake: passphrases, deletion, audit logs, lists, links, the retrieval step, web pages and
accounts (helpers in test_pwpush_server.py)."""

from __future__ import annotations

import requests

from test_pwpush_server import TOKEN1, TOKEN2, UNLIMITED, create, retrieve
from test_pwpush_server import hosted, oss, servers, v2  # noqa: F401  pylint: disable=unused-import


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
