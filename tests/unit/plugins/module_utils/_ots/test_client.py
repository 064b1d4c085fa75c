# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_ots/client.py: OtsClient over scripted answers (the HTTP stub): what is sent, what comes back, what is never
sent twice, share_all, the secrets kept out of links and messages, and answers of the wrong shape (one sentence
naming the server and what was expected, an OtsError, never a Python exception of another kind).

generate's length and character_sets: test_client_generate.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import threading

import pytest
import requests

from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import OtsClient
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.errors import OtsError
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.spec import validate_secret_options
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush import asks
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import BAD_GATEWAY_HTML, WRONG_ANSWERS, ScriptedSession, response

BASE = "https://ots.example.test"
KEY = "a" * 31
META = "m" * 31
RECEIPT = {"custid": "anon", "metadata_key": META, "secret_key": KEY, "ttl": "3600", "created": "1324174006",
           "updated": "1324174006", "share_domain": "", "state": "new", "passphrase_required": False}
FAKE_URL = "http://127.0.0.1:41234"  # the shape of the fakes' addresses
PIN = "1234"
TOKEN = "tok123456"
HTML = BAD_GATEWAY_HTML
OTS_METHODS = {
    "share": (lambda c: c.share("s3cret-value"), [], "a receipt (a JSON object)", "may have been stored"),
    "generate": (lambda c: c.generate(), [], "a receipt (a JSON object)", "may have been stored"),
    "retrieve": (lambda c: c.retrieve(KEY), [], "the secret (a JSON object with its value)",
                 "may have destroyed the secret"),
    "metadata": (lambda c: c.metadata(META), [], "a receipt (a JSON object)", ""),
    "burn": (lambda c: c.burn(META), [response(200, RECEIPT)], "the burned receipt", ""),
    "status": (lambda c: c.status(), [], "a JSON object", ""),
}


def make_client(answers, **kwargs):
    client = OtsClient(url=BASE, retries=kwargs.pop("retries", 2), **kwargs)
    return client, ScriptedSession(client.http, answers)


def not_found(message, intended=None, **extra):
    headers = {"X-OTS-Intended-Status": intended} if intended else {}
    return response(404, dict({"message": message}, **extra), headers=headers)


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


def share_server(monkeypatch, client, refuse=()):
    calls = []
    lock = threading.Lock()

    def request(method, url, **kwargs):
        with lock:
            calls.append(kwargs["data"]["secret"])
            number = len(calls)
        if kwargs["data"]["secret"] in refuse:
            return response(404, {"message": "Rate limit exceeded. Please try again later."},
                            headers={"X-OTS-Intended-Status": "400"})
        return response(200, {"secret_key": "s%030d" % number, "metadata_key": "m%030d" % number, "ttl": 3600})

    ScriptedSession(client.http, server=request)
    return calls


def test_share_all_shares_each_secret_once_in_order(monkeypatch):
    client = OtsClient(url=BASE, username="owner@example.com", api_token="ots-token-0001")
    calls = share_server(monkeypatch, client)
    shares = [dict(secret="secret-number-%02d" % n, ttl=3600) for n in range(12)]
    receipts, failures = client.share_all(shares, concurrency=4)
    assert failures == []
    assert sorted(calls) == sorted(share["secret"] for share in shares)
    assert len(set(receipt["secret_url"] for receipt in receipts)) == 12
    assert all("value" not in receipt for receipt in receipts)


def test_share_all_validates_everything_before_the_first_request(monkeypatch):
    client = OtsClient(url=BASE)
    calls = share_server(monkeypatch, client)
    with pytest.raises(OtsError, match="ttl must be between"):
        client.share_all([dict(secret="secret-number-01", ttl=3600), dict(secret="secret-number-02", ttl=10)])
    assert calls == []
    with pytest.raises(OtsError, match="concurrency must be between 1 and 8"):
        client.share_all([dict(secret="secret-number-01")], concurrency=9)


def test_share_all_reports_each_failure_and_keeps_the_rest(monkeypatch):
    client = OtsClient(url=BASE)
    calls = share_server(monkeypatch, client, refuse=("secret-number-02",))
    receipts, failures = client.share_all([dict(secret="secret-number-%02d" % n) for n in range(4)], concurrency=2)
    assert len(calls) == 4
    assert [index for index, _error in failures] == [2] and receipts[2] is None
    assert "rate limited" in failures[0][1].message and "secret-number-02" not in failures[0][1].message


def test_ots_refuses_a_secret_in_the_fixed_text_of_its_links():
    client = OtsClient(url=FAKE_URL)
    ScriptedSession(client.http, [])
    with pytest.raises(OtsError, match="^secret must not be part of the link"):
        client.share("127.0.0.1:41234/secret/")
    with pytest.raises(OtsError, match="^passphrase must not be part of the link"):
        client.share("a-long-secret", passphrase="/private/")


def test_ots_client_masks_an_echoed_secret():
    client = OtsClient(url=FAKE_URL, retries=0)
    ScriptedSession(client.http, [response(400, {"message": "cannot store echoed-secret-1 with echoed-phrase-2"})])
    with pytest.raises(OtsError) as info:
        client.share("echoed-secret-1", passphrase="echoed-phrase-2")
    assert "echoed" not in info.value.message and "HTTP 400" in info.value.message


def test_the_ansible_doors_still_refuse_a_short_ots_secret_and_request_passphrase():
    with pytest.raises(OtsError, match="^secret must be at least 8 characters"):
        validate_secret_options(secret=PIN)
    client = OtsClient(url=FAKE_URL)
    stub = ScriptedSession(client.http, [])
    with pytest.raises(OtsError, match="^passphrase must be at least 8 characters"):
        client.share("a-long-secret", passphrase="42")
    assert stub.calls == []
    with pytest.raises(PwpushError, match="^passphrase must be at least 8 characters"):
        asks.request_fields("Send it", passphrase="42")


def test_an_ots_client_whose_results_are_not_masked_shares_a_pin():
    validate_secret_options(secret=PIN, passphrase="42", masked_results=False)
    client = OtsClient(url=FAKE_URL, masked_results=False)
    stub = ScriptedSession(client.http, [response(200, RECEIPT)])
    client.share(PIN, passphrase="42")
    assert stub.calls[0][2]["data"] == {"secret": PIN, "passphrase": "42"}
    # and many at once: share_all validates with the client's flag too
    ScriptedSession(client.http, [response(200, RECEIPT)])
    receipts, failures = client.share_all([dict(secret="5678")])
    assert failures == [] and len(receipts) == 1


def answers_ids(cases):
    return [case[0] for case in cases]


def ots(answers, **kwargs):
    client = OtsClient(url=BASE, retries=0, **kwargs)
    return client, ScriptedSession(client.http, answers)


@pytest.mark.parametrize("method", sorted(OTS_METHODS))
@pytest.mark.parametrize("name, answer, described", WRONG_ANSWERS, ids=answers_ids(WRONG_ANSWERS))
def test_ots_methods_name_the_server_and_what_was_expected(method, name, answer, described):
    call, before, expected, consequence = OTS_METHODS[method]
    client, _stub = ots(before + [answer()])
    with pytest.raises(OtsError) as info:
        call(client)
    message = info.value.message
    assert "%s answered HTTP 200 with %s" % (BASE, described) in message, message
    assert expected in message and consequence in message, message
    assert "HTTP 200 from" not in message


@pytest.mark.parametrize("name, answer, described", [case for case in WRONG_ANSWERS if "list" not in case[0]],
                         ids=[case[0] for case in WRONG_ANSWERS if "list" not in case[0]])
def test_ots_recent_names_the_server_and_what_was_expected(name, answer, described):
    client, _stub = ots([answer()], username="me@example.com", api_token="tok")
    with pytest.raises(OtsError) as info:
        client.recent()
    assert "%s answered HTTP 200 with %s" % (BASE, described) in info.value.message
    assert info.value.message.endswith("where a JSON list of receipts was expected.")


@pytest.mark.parametrize("method, body, message", [
    ("share", dict(RECEIPT, secret_key=None), "without secret_key"),
    ("share", dict(RECEIPT, metadata_key=5), "without metadata_key"),
    ("generate", dict(RECEIPT, value=None), "without the generated value"),
    ("generate", dict(RECEIPT, value=12345), "without the generated value"),
    ("retrieve", {"value": None}, "without its value"),
    ("retrieve", {"value": ["x"]}, "without its value"),
])
def test_ots_null_or_odd_fields_that_matter_are_one_sentence(method, body, message):
    client, _stub = ots([response(200, body)])
    with pytest.raises(OtsError, match=message):
        OTS_METHODS[method][0](client)


def test_ots_huge_ttl_integer_share_domain_and_strings_for_numbers_do_not_crash():
    body = dict(RECEIPT, ttl=10 ** 30, share_domain=12345, created="yesterday", metadata_ttl=None)
    client, _stub = ots([response(200, body)])
    receipt = client.share("s3cret-value")
    assert "expires_at" not in receipt
    assert receipt["secret_url"] == "%s/secret/%s" % (BASE, KEY)
    assert receipt["created"] == "yesterday"


def test_ots_a_retrieved_share_domain_of_the_wrong_type_is_dropped():
    client, _stub = ots([response(200, {"value": "s3cret", "share_domain": 7})])
    assert client.retrieve(KEY) == {"secret_key": KEY, "value": "s3cret", "share_domain": None}


@pytest.mark.parametrize("item", [5, "receipt", None, []], ids=str)
def test_ots_recent_items_must_be_receipts(item):
    client, _stub = ots([response(200, [item])], username="me@example.com", api_token="tok")
    with pytest.raises(OtsError, match="%s answered a receipt that is not a JSON object" % BASE):
        client.recent()


def test_ots_an_error_status_with_an_html_page_is_still_an_error_status():
    client, _stub = ots([response(502, raw=HTML)])
    with pytest.raises(OtsError, match="HTTP 502 from %s" % BASE):
        client.metadata(META)
