# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""reuse by kind, notify_emails_to, accounts and expiry on API v1 (issue 15)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import PushSpec, check_notify_emails
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, response

BASE = "https://pw.example.test"
OSS_VERSION = {"application_version": "2.11.4", "api_version": "2.1", "edition": "oss", "features": {}}
HOSTED_VERSION = dict(OSS_VERSION, edition="commercial")


def make_client(answers, **kwargs):
    kwargs.setdefault("token", "api-token")
    client = PwpushClient(url=BASE, retries=0, **kwargs)
    return client, ScriptedSession(client.http, answers)


def listed(token, name="db", deletable=True):
    return {"url_token": token, "name": name, "expired": False, "deletable_by_viewer": deletable,
            "retrieval_step": True, "html_url": "%s/p/%s/r" % (BASE, token)}


def audit(kind):
    agent = "oneshot.secrets (pwpush; kind=%s)" % kind if kind else "Mozilla/5.0"
    return {"logs": [{"kind": "creation", "user_agent": agent}, {"kind": "owner_view", "user_agent": "x"}]}


def test_a_url_push_is_never_reused_for_text_and_costs_no_audit_read():
    client, stub = make_client([response(200, OSS_VERSION), response(200, [listed("urltok1", deletable=None)])])
    assert client.find_active_by_name("db", "text") is None
    assert [call[1] for call in stub.calls] == [BASE + "/api/v2/version", BASE + "/api/v2/pushes/active"]


@pytest.mark.parametrize("created_as, wanted, reused", [
    ("text", "text", True), ("qr", "text", False), ("file", "text", False), ("text", "qr", False),
    ("url", "url", True), (None, "text", False),
])
def test_the_kind_comes_from_the_creation_entry(created_as, wanted, reused):
    deletable = None if created_as == "url" else True
    client, _stub = make_client([response(200, OSS_VERSION), response(200, [listed("tok1234", deletable=deletable)]),
                                 response(200, audit(created_as))])
    found = client.find_active_by_name("db", wanted)
    assert (found is not None) is reused
    if reused:
        assert found["url_token"] == "tok1234" and found["url"] == BASE + "/p/tok1234/r"


def test_an_unreadable_audit_log_means_the_kind_is_unknown():
    client, _stub = make_client([response(200, OSS_VERSION), response(200, [listed("tok1234")]),
                                 response(403, {"error": "That push doesn't belong to you."})])
    assert client.find_active_by_name("db", "text") is None


@pytest.mark.parametrize("kind, path", [("qr", "/api/v2/pushes"), ("url", "/api/v2/pushes")])
def test_creates_name_their_kind_in_the_user_agent(kind, path):
    created = {"url_token": "tok123456", "html_url": BASE + "/p/tok123456"}
    client, stub = make_client([response(200, OSS_VERSION), response(201, created)])
    client.create_push(PushSpec(kind=kind, payload="https://example.com/x"))
    method, url, kwargs = stub.calls[1]
    assert (method, url) == ("POST", BASE + path)
    assert kwargs["headers"] == {"User-Agent": "oneshot.secrets (pwpush; kind=%s)" % kind}


@pytest.mark.parametrize("emails, message", [
    ("a@example.com,", "empty address"), ("a@example.com,,b@example.com", "empty address"), (" , ", "empty address"),
    ("a@example.com,A@example.com", "twice"), (",".join("u%d@example.com" % i for i in range(6)), "at most 5"),
    ("not-an-email", "not-an-email is not"), ("a@b.c", "a@b.c is not"),
])
def test_notify_emails_to_is_checked_before_any_request(emails, message):
    client, stub = make_client([])
    with pytest.raises(PwpushError, match=message):
        client.create_push(PushSpec(payload="s3cret-value", notify_emails_to=emails))
    assert stub.calls == []
    with pytest.raises(PwpushError, match="empty"):
        check_notify_emails([])


def test_notify_emails_to_is_sent_tidied():
    assert check_notify_emails(["a@example.com ", " b.c+d@mail.example.org"]) == "a@example.com,b.c+d@mail.example.org"


def test_notify_existing_push():
    answer = {"message": "Recipient(s) are added to the queue to be sent."}
    client, stub = make_client([response(200, HOSTED_VERSION), response(201, answer)])
    result = client.notify_emails(BASE + "/p/tok123456/r", ["a@example.com"], locale="de")
    method, url, kwargs = stub.calls[1]
    assert (method, url) == ("POST", BASE + "/api/v2/pushes/tok123456/notify_emails")
    assert kwargs["json"] == {"notify_emails_to": "a@example.com", "notify_emails_to_locale": "de"}
    assert result == {"url_token": "tok123456", "notify_emails_to": ["a@example.com"], "message": answer["message"]}


def test_notify_errors_name_the_server_answer():
    limit = {"base": ["The maximum number of emails has been reached for today"]}
    client, _stub = make_client([response(200, HOSTED_VERSION), response(422, limit)])
    with pytest.raises(PwpushError, match="rejected the request .*reached for today"):
        client.notify_emails("tok123456", ["a@example.com"])
    client, stub = make_client([], token=None)
    with pytest.raises(PwpushError, match="token"):
        client.notify_emails("tok123456", ["a@example.com"])
    assert stub.calls == []


LEGACY_VERSIONS = [{"application_version": "2.5.3", "api_version": "2.0", "edition": "oss"},
                   dict(OSS_VERSION, application_version="2.9.1")]


@pytest.mark.parametrize("version", LEGACY_VERSIONS)
def test_servers_before_2_9_2_are_refused_notify_emails_to_before_any_push(version):
    # They would drop it on create without a word, and 404 the notify_emails route.
    client, stub = make_client([response(200, version)])
    for call in (lambda: client.create_push(PushSpec(payload="s3cret-value", notify_emails_to="a@example.com")),
                 lambda: client.notify_emails("tok123456", ["a@example.com"])):
        with pytest.raises(PwpushError, match="notify_emails_to needs Password Pusher 2.9.2 or later; %s runs %s" % (
                BASE, version["application_version"])):
            call()
    assert [call[:2] for call in stub.calls] == [("GET", BASE + "/api/v2/version")]


def test_notify_emails_to_goes_out_from_2_9_2():
    client, stub = make_client([response(200, dict(OSS_VERSION, application_version="2.9.2")),
                                response(201, {"url_token": "tok123456"})])
    client.create_push(PushSpec(payload="s3cret-value", notify_emails_to="a@example.com"))
    assert stub.calls[1][2]["json"]["push"]["notify_emails_to"] == "a@example.com"


def test_accounts():
    client, _stub = make_client([response(200, HOSTED_VERSION), response(200, [{"id": 1001, "name": "Acme"}])])
    assert client.list_accounts() == [{"id": 1001, "name": "Acme"}]
    client, _stub = make_client([response(200, OSS_VERSION), response(404, {"status": 404, "error": "Not Found"})])
    with pytest.raises(PwpushError, match="only the hosted edition"):
        client.list_accounts()


def test_v1_owner_expire_reads_the_audit_log_instead_of_deleting_twice():
    client, stub = make_client([response(200, {"views": [{"kind": "creation"}, {"kind": "expire"}]})],
                               api_version="v1")
    assert client.expire("tok123456") == (False, None)
    assert [call[:2] for call in stub.calls] == [("GET", BASE + "/p/tok123456/audit.json")]
