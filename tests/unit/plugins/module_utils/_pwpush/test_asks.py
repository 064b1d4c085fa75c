# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_pwpush/asks.py: request links, fields and which servers serve requests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush import asks
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, response

URL = "http://127.0.0.1:41234"
REQUESTS_VERSION = {"api_version": "2.1", "edition": "commercial", "features": {"requests": {"enabled": True}}}


@pytest.mark.parametrize("reference", ["abc123def", "https://pwpush.com/req/abc123def", "https://pwpush.com/req/abc123def/r",
                                       "https://pwpush.com/req/abc123def/preview", "/req/abc123def.json"])
def test_token_from_link(reference):
    assert asks.token_from_link(reference) == "abc123def"


@pytest.mark.parametrize("reference", ["", "https://pwpush.com/p/abc123def/x", "not a token"])
def test_token_from_link_refuses(reference):
    with pytest.raises(PwpushError):
        asks.token_from_link(reference)


def test_fields_use_the_servers_names_and_omit_unset_options():
    assert asks.request_fields("Send it", expire_after_duration="1 day", retrieval_step=False) == {
        "request": "Send it", "close_after_duration": 6, "retrieval_step": False}


@pytest.mark.parametrize("version, served", [
    ({"api_version": "2.1", "edition": "commercial", "features": {"requests": {"enabled": True}}}, True),
    ({"api_version": "2.1", "edition": "oss", "features": {"requests": {"enabled": False}}}, False),
    # API 2.0 has no features hash: nothing says requests are served (the CLI decides the same way).
    ({"api_version": "2.0", "edition": "commercial"}, False),
])
def test_requests_served(http, version, served):
    _calls, answers = http
    answers.append(response(200, version))
    client = PwpushClient(url="https://pw.example.test", token="owner-token-0001")
    assert asks.requests_served(client)[0] is served


def test_an_unexpected_create_answer_says_it_may_be_stored(http):
    _calls, answers = http
    answers.extend([response(200, {"api_version": "2.1", "edition": "commercial",
                                   "features": {"requests": {"enabled": True}}}), response(201, raw="<html></html>")])
    client = PwpushClient(url="https://pw.example.test", token="owner-token-0001")
    with pytest.raises(PwpushError) as failure:
        asks.create_request(client, asks.request_fields("Send it"))
    assert "may have been stored" in failure.value.message


def test_a_request_passphrase_is_taken_where_results_are_not_masked():
    fields = asks.request_fields("Send it", passphrase="42", masked_results=False)
    client = PwpushClient(url=URL, token="owner-token-0001", masked_results=False)
    ScriptedSession(client.http, [response(200, REQUESTS_VERSION)])
    asks.prepare_request(client, dict(fields, passphrase="41234/req/"))
