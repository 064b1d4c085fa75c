# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_ots/client.py against answers of the wrong shape: one sentence naming the server and what was expected, an
OtsError, never a Python exception of another kind."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import OtsClient
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.errors import OtsError
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, response

OTS = "https://ots.example.test"
TOKEN = "tok123456"
KEY = "a" * 31
META = "m" * 31
RECEIPT = {"custid": "anon", "metadata_key": META, "secret_key": KEY, "ttl": 3600, "created": 1324174006,
           "state": "new"}
HTML = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
# (id, answer factory, words the message must hold to say what came)
WRONG_ANSWERS = [
    ("list", lambda: response(200, [{"url_token": TOKEN}]), "a JSON list"),
    ("empty-list", lambda: response(200, []), "a JSON list"),
    ("null", lambda: response(200, raw="null"), "JSON null"),
    ("number", lambda: response(200, raw="42"), "a JSON number"),
    ("html", lambda: response(200, raw=HTML, headers={"Content-Type": "text/html"}), "an HTML page"),
    ("empty", lambda: response(200), "an empty body"),
    ("deep", lambda: response(200, raw="[" * 50000), "JSON nested too deeply"),
    ("text", lambda: response(200, raw="OK", headers={"Content-Type": "text/plain"}), "text that is not JSON"),
]
OTS_METHODS = {
    "share": (lambda c: c.share("s3cret-value"), [], "a receipt (a JSON object)", "may have been stored"),
    "generate": (lambda c: c.generate(), [], "a receipt (a JSON object)", "may have been stored"),
    "retrieve": (lambda c: c.retrieve(KEY), [], "the secret (a JSON object with its value)",
                 "may have destroyed the secret"),
    "metadata": (lambda c: c.metadata(META), [], "a receipt (a JSON object)", ""),
    "burn": (lambda c: c.burn(META), [response(200, RECEIPT)], "the burned receipt", ""),
    "status": (lambda c: c.status(), [], "a JSON object", ""),
}


def answers_ids(cases):
    return [case[0] for case in cases]


def ots(answers, **kwargs):
    client = OtsClient(url=OTS, retries=0, **kwargs)
    return client, ScriptedSession(client.http, answers)


@pytest.mark.parametrize("method", sorted(OTS_METHODS))
@pytest.mark.parametrize("name, answer, described", WRONG_ANSWERS, ids=answers_ids(WRONG_ANSWERS))
def test_ots_methods_name_the_server_and_what_was_expected(method, name, answer, described):
    call, before, expected, consequence = OTS_METHODS[method]
    client, _stub = ots(before + [answer()])
    with pytest.raises(OtsError) as info:
        call(client)
    message = info.value.message
    assert "%s answered HTTP 200 with %s" % (OTS, described) in message, message
    assert expected in message and consequence in message, message
    assert "HTTP 200 from" not in message


@pytest.mark.parametrize("name, answer, described", [case for case in WRONG_ANSWERS if "list" not in case[0]],
                         ids=[case[0] for case in WRONG_ANSWERS if "list" not in case[0]])
def test_ots_recent_names_the_server_and_what_was_expected(name, answer, described):
    client, _stub = ots([answer()], username="me@example.com", api_token="tok")
    with pytest.raises(OtsError) as info:
        client.recent()
    assert "%s answered HTTP 200 with %s" % (OTS, described) in info.value.message
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
    assert receipt["secret_url"] == "%s/secret/%s" % (OTS, KEY)
    assert receipt["created"] == "yesterday"


def test_ots_a_retrieved_share_domain_of_the_wrong_type_is_dropped():
    client, _stub = ots([response(200, {"value": "s3cret", "share_domain": 7})])
    assert client.retrieve(KEY) == {"secret_key": KEY, "value": "s3cret", "share_domain": None}


@pytest.mark.parametrize("item", [5, "receipt", None, []], ids=str)
def test_ots_recent_items_must_be_receipts(item):
    client, _stub = ots([response(200, [item])], username="me@example.com", api_token="tok")
    with pytest.raises(OtsError, match="%s answered a receipt that is not a JSON object" % OTS):
        client.recent()


def test_ots_an_error_status_with_an_html_page_is_still_an_error_status():
    client, _stub = ots([response(502, raw=HTML)])
    with pytest.raises(OtsError, match="HTTP 502 from %s" % OTS):
        client.metadata(META)
