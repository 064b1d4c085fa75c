# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_pwpush/client.py and Ansible's masking: a payload or passphrase it could find inside a returned link is refused
where results are masked (issue 14; masked_results), and a secret a server echoes never reaches a message."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import PushSpec
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, canned, response

OSS_VERSION = canned("pwpush_version_oss")
FAKE_URL = "http://127.0.0.1:41234"  # the shape of the fakes' addresses
PIN = "1234"
CREATED = {"url_token": "tok123456", "html_url": FAKE_URL + "/p/tok123456", "json_url": FAKE_URL + "/p/tok123456.json",
           "expire_after_views": 5, "views_remaining": 5, "expired": False}


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
    stub = ScriptedSession(client.http, [response(200, OSS_VERSION), response(201, CREATED)])
    push = client.create_push(PushSpec(payload=PIN, passphrase="42"))
    sent = stub.calls[1][2]["json"]["push"]
    assert (sent["payload"], sent["passphrase"]) == (PIN, "42")
    assert push["url"] == FAKE_URL + "/p/tok123456"


def test_a_value_inside_the_links_fixed_text_is_taken_where_results_are_not_masked():
    client = PwpushClient(url=FAKE_URL, masked_results=False)
    ScriptedSession(client.http, [response(200, OSS_VERSION)])
    assert client.prepare(PushSpec(payload="41234/p/"))["payload"] == "41234/p/"
