# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_pwpush/client.py: PwpushClient over scripted answers (the HTTP stub): the expiry field per edition, API v1,
creates, the transport's last answer in the client's words, notify_emails_to and accounts; and Ansible's masking:
a payload or passphrase it could find inside a returned link is refused where results are masked (issue 14;
masked_results), and a secret a server echoes never reaches a message.

Answers of the wrong shape: test_client_answers.py; pushes that exist: test_existing.py; many pushes: test_bulk.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import PushSpec, check_notify_emails
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import (
    ScriptedSession,
    canned,
    response,
    stubbed,
)

BASE = "https://pw.example.test"
OSS_VERSION = canned("pwpush_version_oss")
HOSTED_VERSION = canned("pwpush_version_hosted")
CREATED = {"url_token": "tok123456", "html_url": BASE + "/p/tok123456", "json_url": BASE + "/p/tok123456.json",
           "passphrase": "open sesame", "expire_after_views": 1, "retrieval_step": False}
LEGACY_VERSIONS = [{"application_version": "2.5.3", "api_version": "2.0", "edition": "oss"},
                   dict(OSS_VERSION, application_version="2.9.1")]
FAKE_URL = "http://127.0.0.1:41234"  # the shape of the fakes' addresses
PIN = "1234"
FAKE_CREATED = {"url_token": "tok123456", "html_url": FAKE_URL + "/p/tok123456",
                "json_url": FAKE_URL + "/p/tok123456.json", "expire_after_views": 5, "views_remaining": 5, "expired": False}


def make_client(answers, **kwargs):
    kwargs.setdefault("token", "api-token")
    return stubbed(PwpushClient, answers, url=BASE, **kwargs)


def test_validation_fails_before_any_request():
    client, stub = make_client([])
    with pytest.raises(PwpushError, match="expire_after_views"):
        client.create_push(PushSpec(payload="s3cret-value", expire_after_views=0))
    assert stub.calls == []


def test_oss_gets_days_and_duration_is_converted():
    client, stub = make_client([response(200, OSS_VERSION), response(201, CREATED)])
    client.create_push(PushSpec(payload="s3cret-value", expire_after_duration="2 days"))
    sent = stub.calls[1][2]["json"]["push"]
    assert sent["expire_after_days"] == 2
    assert "expire_after_duration" not in sent


def test_oss_refuses_a_duration_shorter_than_a_day():
    client, stub = make_client([response(200, OSS_VERSION)])
    with pytest.raises(PwpushError, match="shorter than a day"):
        client.create_push(PushSpec(payload="s3cret-value", expire_after_duration="1 hour"))
    assert len(stub.calls) == 1  # only the version question


def test_hosted_gets_duration_and_days_are_converted():
    client, stub = make_client([response(200, HOSTED_VERSION), response(201, CREATED)])
    client.create_push(PushSpec(payload="s3cret-value", expire_after_days=7))
    sent = stub.calls[1][2]["json"]["push"]
    assert sent["expire_after_duration"] == 12
    assert "expire_after_days" not in sent


def test_hosted_refuses_days_without_a_duration():
    client, _stub = make_client([response(200, HOSTED_VERSION)])
    with pytest.raises(PwpushError, match="expire_after_days=8 has no"):
        client.create_push(PushSpec(payload="s3cret-value", expire_after_days=8))


def test_version_404_means_api_v1_and_is_cached():
    client, stub = make_client([response(404, {"error": "not-found"}), response(200, {"api_version": "1.5"}),
                                response(201, CREATED)])
    assert client.api == "v1"
    assert client.expiry_field == "expire_after_days"
    client.create_push(PushSpec(payload="s3cret-value", expire_after_days=3))
    method, url, kwargs = stub.calls[2]
    assert url == BASE + "/p.json"
    assert kwargs["json"]["password"]["expire_after_days"] == 3
    assert [call[1] for call in stub.calls[:2]] == [BASE + "/api/v2/version", BASE + "/api/v1/version.json"]
    assert stub.calls[0][2]["allow_redirects"] is False


def test_v1_sends_qr_as_a_password_of_kind_qr():
    # 2.2.2 permits password[kind] on /p.json; without it the server would store a text push.
    client, stub = make_client([response(404, {}), response(200, {"api_version": "1.5"}), response(201, CREATED)])
    client.create_push(PushSpec(kind="qr", payload="hello-qr-text"))
    method, url, kwargs = stub.calls[2]
    assert (method, url) == ("POST", BASE + "/p.json")
    assert kwargs["json"]["password"]["kind"] == "qr"


def test_explicit_v1_skips_detection():
    client, stub = make_client([response(200, {"api_version": "1.5"})], api_version="v1")
    assert client.api == "v1"
    assert stub.calls == []
    assert client.instance_info()["expiry_field"] == "expire_after_days"
    assert [call[1] for call in stub.calls] == [BASE + "/api/v1/version.json"]


def test_create_result_has_no_passphrase_or_payload_and_a_working_json_url():
    body = dict(CREATED, retrieval_step=True, json_url=BASE + "/p/tok123456/r.json", payload="s3cret-value")
    client, _stub = make_client([response(200, OSS_VERSION), response(201, body)])
    push = client.create_push(PushSpec(payload="s3cret-value", passphrase="open sesame", retrieval_step=True))
    assert "passphrase" not in push and "payload" not in push
    assert push["passphrase_protected"] is True
    assert push["url"] == BASE + "/p/tok123456/r"
    assert push["json_url"] == BASE + "/api/v2/pushes/tok123456"


def test_create_is_not_resent_after_a_5xx():
    client, stub = make_client([response(200, OSS_VERSION), response(502, raw="bad gateway")])
    with pytest.raises(PwpushError, match="HTTP 502"):
        client.create_push(PushSpec(payload="s3cret-value"))
    assert len(stub.calls) == 2


def test_reads_are_retried_after_5xx_then_give_up_clearly():
    client, stub = make_client([response(500), response(503), response(500)], retries=2)
    with pytest.raises(PwpushError, match="HTTP 500"):
        client.version_info()
    assert len(stub.calls) == 3


def test_429_after_the_retry_budget_says_rate_limited():
    answers = [response(429, raw="Retry later\n", headers={"Retry-After": "1"})] * 3
    client, _stub = make_client(answers, retries=2)
    with pytest.raises(PwpushError, match="rate limited"):
        client.version_info()


@pytest.mark.parametrize("answer, action, message", [
    (response(401), "retrieve", "authentication failed"),
    (response(401, {"error": "That passphrase is incorrect."}), "retrieve", "wrong or missing passphrase"),
    (response(401, {"error": "not deletable"}), "expire", "only the owner"),
    (response(404, {"error": "not-found"}), "retrieve", "push not found"),
    (response(403, {"error": "That push doesn't belong to you."}), "audit", "does not belong"),
])
def test_error_mapping(answer, action, message):
    # Without a token expire sends its DELETE at once; audit needs one.
    client, _stub = make_client([response(200, OSS_VERSION), answer], token="api-token" if action == "audit" else None)
    client.version_info()
    with pytest.raises(PwpushError, match=message):
        if action == "retrieve":
            client.retrieve("tok123456", passphrase="guess")
        elif action == "expire":
            client.expire("tok123456")
        else:
            client.audit("tok123456")


def test_422_names_the_fields():
    client, _stub = make_client([response(200, OSS_VERSION), response(422, {"payload": ["must be a valid URL"]})])
    with pytest.raises(PwpushError, match="payload: must be a valid URL"):
        client.create_push(PushSpec(kind="url", payload="https://example.com"))


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


@pytest.mark.parametrize("value", ["127.0.0.1:41234", "http://127.0.0.1", "41234/p/abc", "1:41234/p/", "/api/v2/pushes/"])
def test_pwpush_refuses_a_payload_or_passphrase_in_the_fixed_text_of_its_links(value):
    client = PwpushClient(url=FAKE_URL, token="api-token-0001")
    ScriptedSession(client.http, [response(200, OSS_VERSION)])
    with pytest.raises(PwpushError, match="^payload must not be part of the link"):
        client.prepare(PushSpec(payload=value))
    with pytest.raises(PwpushError, match="^passphrase must not be part of the link"):
        client.prepare(PushSpec(payload="a-long-payload", passphrase=value))


def test_pwpush_client_masks_echoed_payload_and_passphrase():
    client = PwpushClient(url=FAKE_URL, token="api-token-0001", retries=0)
    ScriptedSession(client.http, [response(200, OSS_VERSION),
                                  response(422, {"payload": ["'echoed-payload-1' is not allowed with echoed-phrase-2"]})])
    with pytest.raises(PwpushError) as info:
        client.create_push(PushSpec(payload="echoed-payload-1", passphrase="echoed-phrase-2"))
    assert "echoed" not in info.value.message and "HTTP 422" in info.value.message


def test_pwpush_client_masks_an_echoed_retrieve_passphrase():
    client = PwpushClient(url=FAKE_URL, retries=0)
    ScriptedSession(client.http, [response(200, OSS_VERSION),
                                  response(401, raw="x" * 195 + "passphrase=echoed-phrase-2 is wrong")])
    with pytest.raises(PwpushError) as info:
        client.retrieve("tok123456", passphrase="echoed-phrase-2")
    assert "echoed" not in info.value.message and "ech" not in info.value.message.split("x" * 20)[-1]


@pytest.mark.parametrize("spec, option", [(dict(payload=PIN), "payload"),
                                          (dict(payload="a-long-payload", passphrase="42"), "passphrase")])
def test_the_ansible_doors_still_refuse_a_short_payload_or_passphrase_before_any_request(spec, option):
    with pytest.raises(PwpushError, match="^%s must be at least 8 characters" % option):
        PushSpec(**spec).validate(has_token=True)
    client = PwpushClient(url=FAKE_URL, token="api-token-0001")
    stub = ScriptedSession(client.http, [])
    with pytest.raises(PwpushError, match="^%s must be at least 8 characters" % option):
        client.create_push(PushSpec(**spec))
    assert stub.calls == []


def test_a_pwpush_client_whose_results_are_not_masked_pushes_a_pin():
    assert PushSpec(payload=PIN, passphrase="42").validate(has_token=True, masked_results=False).payload == PIN
    client = PwpushClient(url=FAKE_URL, token="api-token-0001", masked_results=False)
    stub = ScriptedSession(client.http, [response(200, OSS_VERSION), response(201, FAKE_CREATED)])
    push = client.create_push(PushSpec(payload=PIN, passphrase="42"))
    sent = stub.calls[1][2]["json"]["push"]
    assert (sent["payload"], sent["passphrase"]) == (PIN, "42")
    assert push["url"] == FAKE_URL + "/p/tok123456"


def test_a_value_inside_the_links_fixed_text_is_taken_where_results_are_not_masked():
    client = PwpushClient(url=FAKE_URL, masked_results=False)
    ScriptedSession(client.http, [response(200, OSS_VERSION)])
    assert client.prepare(PushSpec(payload="41234/p/"))["payload"] == "41234/p/"
