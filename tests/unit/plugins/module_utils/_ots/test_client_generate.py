# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""generate's length and character_sets, and the server's own receipt link (issue 15)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import OtsClient
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.errors import OtsError
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.spec import validate_generate_options
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, response

BASE = "https://ots.example.test"
KEY = "a" * 31
META = "m" * 31
RECEIPT = {"custid": "anon", "metadata_key": META, "secret_key": KEY, "ttl": 3600, "created": 1324174006,
           "updated": 1324174006, "share_domain": "", "state": "new", "passphrase_required": False}


def make_client(answers):
    client = OtsClient(url=BASE, retries=0)
    return client, ScriptedSession(client.http, answers)


@pytest.mark.parametrize("kwargs, message", [
    ({"length": 0}, "between 1 and 128"),
    ({"length": 129}, "between 1 and 128"),
    ({"length": 3}, "shorter than the 4 character sets"),
    ({"length": 2, "character_sets": {"symbols": False}}, "shorter than the 3 character sets"),
    ({"character_sets": {"uppercase": False, "lowercase": False, "numbers": False, "symbols": False}},
     "every set off"),
    ({"character_sets": {"emoji": True}}, "unknown key"),
    ({"character_sets": {"symbols": "no"}}, "true or false"),
    ({"character_sets": ["symbols"]}, "dictionary"),
])
def test_generate_options_are_refused_before_any_request(kwargs, message):
    client, stub = make_client([])
    with pytest.raises(OtsError, match=message):
        client.generate(**kwargs)
    assert stub.calls == []


def test_a_single_set_may_be_shorter_than_four():
    assert validate_generate_options(length=1, character_sets={"uppercase": False, "lowercase": False,
                                                               "symbols": False}) == {
        "uppercase": False, "lowercase": False, "symbols": False}
    assert validate_generate_options(length=4) is None


def test_length_alone_goes_in_the_form():
    client, stub = make_client([response(200, dict(RECEIPT, value="abcdefghjkmnpqrs"))])
    client.generate(length=16, ttl=3600)
    assert stub.calls[0][2]["data"] == {"length": "16", "ttl": "3600"}


def test_character_sets_go_in_a_json_body():
    client, stub = make_client([response(200, dict(RECEIPT, value="ABCDEFGHJKabcdefghjk", passphrase_required=True))])
    result = client.generate(length=20, passphrase="open sesame", character_sets={"numbers": False, "symbols": False,
                                                                                  "uppercase": None})
    body = stub.calls[0][2]["json"]
    assert body == {"length": 20, "passphrase": "open sesame", "character_sets": {"numbers": False, "symbols": False}}
    assert result["value"] == "ABCDEFGHJKabcdefghjk"


@pytest.mark.parametrize("answer", [
    dict(RECEIPT, value="Ab3$Ab3$Ab3$", passphrase_required=True),  # a server that ignored the JSON body
    dict(RECEIPT, value="ABCDEFGHJKabcdefghjk", passphrase_required=False),  # the passphrase was lost
])
def test_an_answer_that_ignored_the_body_is_burned(answer):
    client, stub = make_client([response(200, answer), response(200, {"state": RECEIPT})])
    with pytest.raises(OtsError, match="ignored the JSON request body.*burned"):
        client.generate(length=20, passphrase="open sesame", character_sets={"numbers": False, "symbols": False})
    assert stub.calls[1][:2] == ("POST", BASE + "/api/v1/private/%s/burn" % META)


def test_the_receipt_link_is_the_servers_own_when_it_sends_one():
    link = "https://public.example.org/receipt/" + META
    client, _stub = make_client([response(200, dict(RECEIPT, metadata_url=link)), response(200, RECEIPT)])
    assert client.share("s3cret-value")["metadata_url"] == link
    assert client.share("s3cret-value")["metadata_url"] == BASE + "/private/" + META  # v0.23 sends none
