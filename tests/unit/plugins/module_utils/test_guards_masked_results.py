# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""masked_results: Ansible's rule against short secrets is the door's decision.

Ansible masks every no_log value wherever it occurs in a result, so its doors (modules, lookups, the action plugin)
refuse secrets the masking could find inside a returned link. A door whose results are never masked (the Terraform
provider) builds its clients with masked_results=False and may push a 4-digit PIN.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._core import masking
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import OtsClient
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.errors import OtsError
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.spec import validate_secret_options
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush import asks
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import PushSpec
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, response

URL = "http://127.0.0.1:41234"
PIN = "1234"
OSS_VERSION = {"application_version": "2.11.4", "api_version": "2.1", "edition": "oss", "features": {}}
REQUESTS_VERSION = {"api_version": "2.1", "edition": "commercial", "features": {"requests": {"enabled": True}}}
CREATED = {"url_token": "tok123456", "html_url": URL + "/p/tok123456", "json_url": URL + "/p/tok123456.json",
           "expire_after_views": 5, "views_remaining": 5, "expired": False}
RECEIPT = {"custid": "anon", "metadata_key": "m" * 31, "secret_key": "a" * 31, "ttl": "3600", "state": "new"}


def test_the_guards_refuse_by_default_and_not_where_results_are_not_masked():
    with pytest.raises(ValueError, match="at least 8 characters"):
        masking.refuse_short_secret("payload", PIN)
    with pytest.raises(ValueError, match="part of the link"):
        masking.refuse_secret_in_link("payload", "41234/p/", [URL + "/p/"])
    masking.refuse_short_secret("payload", PIN, masked_results=False)
    masking.refuse_secret_in_link("payload", "41234/p/", [URL + "/p/"], masked_results=False)


# --- Ansible doors: as before ---------------------------------------------------------------------------------

def test_clients_built_as_the_ansible_doors_build_them_mask_results():
    params = dict(url=URL, api_version="auto", timeout=30, validate_certs=True, retries=3)
    assert PwpushClient.from_options(params.get).masked_results is True
    assert OtsClient.from_options(params.get).masked_results is True


@pytest.mark.parametrize("spec, option", [(dict(payload=PIN), "payload"),
                                          (dict(payload="a-long-payload", passphrase="42"), "passphrase")])
def test_the_ansible_doors_still_refuse_a_short_payload_or_passphrase_before_any_request(spec, option):
    with pytest.raises(PwpushError, match="^%s must be at least 8 characters" % option):
        PushSpec(**spec).validate(has_token=True)
    client = PwpushClient(url=URL, token="api-token-0001")
    stub = ScriptedSession(client.http, [])
    with pytest.raises(PwpushError, match="^%s must be at least 8 characters" % option):
        client.create_push(PushSpec(**spec))
    assert stub.calls == []


def test_the_ansible_doors_still_refuse_a_short_ots_secret_and_request_passphrase():
    with pytest.raises(OtsError, match="^secret must be at least 8 characters"):
        validate_secret_options(secret=PIN)
    client = OtsClient(url=URL)
    stub = ScriptedSession(client.http, [])
    with pytest.raises(OtsError, match="^passphrase must be at least 8 characters"):
        client.share("a-long-secret", passphrase="42")
    assert stub.calls == []
    with pytest.raises(PwpushError, match="^passphrase must be at least 8 characters"):
        asks.request_fields("Send it", passphrase="42")


# --- masked_results=False: a PIN goes through -----------------------------------------------------------------

def test_a_pwpush_client_whose_results_are_not_masked_pushes_a_pin():
    assert PushSpec(payload=PIN, passphrase="42").validate(has_token=True, masked_results=False).payload == PIN
    client = PwpushClient(url=URL, token="api-token-0001", masked_results=False)
    stub = ScriptedSession(client.http, [response(200, OSS_VERSION), response(201, CREATED)])
    push = client.create_push(PushSpec(payload=PIN, passphrase="42"))
    sent = stub.calls[1][2]["json"]["push"]
    assert (sent["payload"], sent["passphrase"]) == (PIN, "42")
    assert push["url"] == URL + "/p/tok123456"


def test_a_value_inside_the_links_fixed_text_is_taken_where_results_are_not_masked():
    client = PwpushClient(url=URL, masked_results=False)
    ScriptedSession(client.http, [response(200, OSS_VERSION)])
    assert client.prepare(PushSpec(payload="41234/p/"))["payload"] == "41234/p/"


def test_an_ots_client_whose_results_are_not_masked_shares_a_pin():
    validate_secret_options(secret=PIN, passphrase="42", masked_results=False)
    client = OtsClient(url=URL, masked_results=False)
    stub = ScriptedSession(client.http, [response(200, RECEIPT)])
    client.share(PIN, passphrase="42")
    assert stub.calls[0][2]["data"] == {"secret": PIN, "passphrase": "42"}
    # and many at once: share_all validates with the client's flag too
    ScriptedSession(client.http, [response(200, RECEIPT)])
    receipts, failures = client.share_all([dict(secret="5678")])
    assert failures == [] and len(receipts) == 1


def test_a_request_passphrase_is_taken_where_results_are_not_masked():
    fields = asks.request_fields("Send it", passphrase="42", masked_results=False)
    client = PwpushClient(url=URL, token="owner-token-0001", masked_results=False)
    ScriptedSession(client.http, [response(200, REQUESTS_VERSION)])
    asks.prepare_request(client, dict(fields, passphrase="41234/req/"))


@pytest.mark.parametrize("url", ["not a url", "http://user:pw@host.example", "https://host.example/?x=1", ""])
def test_a_refused_url_names_its_option_for_the_door_to_word(url):
    """The Terraform provider words it as pwpush_url (PWPUSH_URL) from exc.option, not from the sentence."""
    for client, error in ((PwpushClient, PwpushError), (OtsClient, OtsError)):
        with pytest.raises(error) as info:
            client(url=url)
        assert info.value.option == "url" and info.value.message.startswith("url ")
