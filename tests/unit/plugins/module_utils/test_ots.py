# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

import pytest
import requests

from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import OtsClient
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.errors import OtsError
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.spec import (
    key_from_reference,
    validate_secret_options,
)
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, response

BASE = "https://ots.example.test"
KEY = "a" * 31
META = "m" * 31
RECEIPT = {"custid": "anon", "metadata_key": META, "secret_key": KEY, "ttl": "3600", "created": "1324174006",
           "updated": "1324174006", "share_domain": "", "state": "new", "passphrase_required": False}


def make_client(answers, **kwargs):
    client = OtsClient(url=BASE, retries=kwargs.pop("retries", 2), **kwargs)
    return client, ScriptedSession(client.http, answers)


def not_found(message, intended=None, **extra):
    headers = {"X-OTS-Intended-Status": intended} if intended else {}
    return response(404, dict({"message": message}, **extra), headers=headers)


@pytest.mark.parametrize("reference", [KEY, BASE + "/secret/" + KEY, BASE + "/secret/" + KEY + "/", "http://h/private/" + KEY])
def test_key_from_reference(reference):
    assert key_from_reference(reference) == KEY


@pytest.mark.parametrize("reference, message", [("", "empty"), ("short", "too short"), ("ftp://h/secret/" + KEY, "neither"),
                                                ("not a key!", "neither")])
def test_key_from_reference_rejects(reference, message):
    with pytest.raises(OtsError, match=message):
        key_from_reference(reference)


@pytest.mark.parametrize("kwargs, message", [
    (dict(secret=""), "secret must not be empty"),
    (dict(secret="x" * 10001), "10000 bytes"),
    (dict(passphrase=""), "passphrase must not be empty"),
    (dict(passphrase="p" * 129), "at most 128"),
    (dict(ttl=59), "ttl must be between 60 and 604800"),
    (dict(ttl=604801), "ttl must be between 60 and 604800"),
    (dict(ttl=2592001, authenticated=True), "ttl must be between 60 and 2592000"),
    (dict(recipient="a@example.com"), "recipient needs an account"),
    (dict(recipient="not-an-email", authenticated=True), "not an email"),
])
def test_validation(kwargs, message):
    with pytest.raises(OtsError, match=message):
        validate_secret_options(**kwargs)


def test_username_and_token_go_together():
    with pytest.raises(OtsError, match="go together"):
        OtsClient(url=BASE, username="me@example.com")


def test_share_sends_a_form_with_basic_auth_and_returns_numbers_and_links():
    client, stub = make_client([response(200, dict(RECEIPT, custid="me@example.com"))],
                               username="me@example.com", api_token="tok")
    receipt = client.share("s3cret-value", ttl=3600, passphrase="open sesame")
    method, url, kwargs = stub.calls[0]
    assert (method, url) == ("POST", BASE + "/api/v1/share")
    assert kwargs["data"] == {"secret": "s3cret-value", "ttl": "3600", "passphrase": "open sesame"}
    auth = client.http.session.headers["Authorization"]
    assert base64.b64decode(auth.split()[1]) == b"me@example.com:tok"
    assert receipt["ttl"] == 3600 and receipt["created"] == 1324174006
    assert receipt["secret_url"] == BASE + "/secret/" + KEY
    assert receipt["metadata_url"] == BASE + "/private/" + META
    assert receipt["expires_at"] == "2011-12-18T03:06:46Z"


def test_share_domain_builds_the_link():
    client, _stub = make_client([response(200, dict(RECEIPT, share_domain="secrets.example.com"))])
    assert client.share("s3cret-value")["secret_url"] == "https://secrets.example.com/secret/" + KEY


def test_generate_returns_the_value_but_describe_never_does():
    client, _stub = make_client([response(200, dict(RECEIPT, value="Gen3rated!"))])
    result = client.generate()
    assert result["value"] == "Gen3rated!"
    assert "value" not in client.describe(dict(RECEIPT, value="x", secret_value="y"))


def test_a_share_is_never_sent_twice():
    client, stub = make_client([response(502, raw="bad gateway")])
    with pytest.raises(OtsError, match="HTTP 502"):
        client.share("s3cret-value")
    assert len(stub.calls) == 1


def test_a_reveal_is_never_sent_twice_after_a_timeout():
    client, stub = make_client([requests.exceptions.ReadTimeout("read timed out")])
    with pytest.raises(OtsError, match="not sent again"):
        client.retrieve(KEY)
    assert len(stub.calls) == 1


def test_reads_are_retried():
    client, stub = make_client([response(503), response(200, RECEIPT)])
    assert client.metadata(META)["state"] == "new"
    assert len(stub.calls) == 2


@pytest.mark.parametrize("answer, message", [
    (not_found("Not authorized", "401"), "authentication failed"),
    (not_found("Unknown secret", secret_key=KEY), "already read, burned or expired, or the passphrase is wrong"),
    (not_found("Rate limit exceeded. Please try again later.", "400"), "rate limited"),
    (not_found("An unexpected error occurred :["), "lock a secret for 30 minutes"),
    (not_found("Passphrase must be at least 4 characters long", "400"), "at least 4 characters"),
])
def test_v1_404_errors_are_told_apart(answer, message):
    client, _stub = make_client([answer])
    with pytest.raises(OtsError, match=message):
        client.retrieve(KEY, passphrase="pass")


def test_burn_reads_the_receipt_and_only_burns_a_new_secret():
    burned = dict(RECEIPT, state="burned", secret_key="")
    client, stub = make_client([response(200, RECEIPT), response(200, {"state": burned, "secret_shortkey": "aaaaaaaa"}),
                                response(200, burned), not_found("Unknown secret")])
    changed, receipt = client.burn(META)
    assert changed and receipt["state"] == "burned"
    assert stub.calls[1][1] == BASE + "/api/v1/private/%s/burn" % META
    assert client.burn(META) == (False, client.describe(burned))
    assert client.burn(META) == (False, None)


def test_recent_needs_an_account():
    client, stub = make_client([])
    with pytest.raises(OtsError, match="needs an account"):
        client.recent()
    assert stub.calls == []


def test_a_429_in_the_apps_own_words_is_a_short_throttle_not_the_20_minute_limit():
    throttled = response(429, {"error": "Rate limit exceeded", "error_type": "LimitExceeded", "retry_after": 1})
    client, _stub = make_client([throttled] * 5)
    client.http.retries = 0
    with pytest.raises(OtsError, match=r"rate limited by .* \(HTTP 429\) after 0 retries") as refused:
        client.metadata(META)
    assert "20 minutes" not in refused.value.message
