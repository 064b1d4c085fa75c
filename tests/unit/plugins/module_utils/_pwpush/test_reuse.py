# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one "same push?" predicate of every reuse."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush import asks
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.reuse import BULK_NOTE, same_push
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, response

NAME = "initial password for grace"
BASE = "https://pw.example.test"
OSS_VERSION = {"application_version": "2.11.4", "api_version": "2.1", "edition": "oss", "features": {}}
HOSTED_VERSION = {"application_version": "2.11.4", "api_version": "2.1", "edition": "commercial",
                  "features": {"requests": {"enabled": True}}}


def listed(**fields):
    return dict(dict(url_token="tok00001", name=NAME, expired=False, deletable_by_viewer=True,
                     passphrase_protected=False, note=""), **fields)


def audit_says(kind):
    asked = []

    def created_kind(token):
        asked.append(token)
        return kind
    return created_kind, asked


@pytest.mark.parametrize("push, kind, protected, audit, same", [
    (listed(), "text", False, "text", True),
    (listed(), "text", False, "qr", False),
    (listed(), "text", False, None, False),  # kind unknown: never reused
    (listed(deletable_by_viewer=None), "text", False, "text", False),  # a URL push looks like this
    (listed(deletable_by_viewer=None), "url", False, "url", True),
    (listed(passphrase_protected=True), "text", False, "text", False),
    (listed(passphrase_protected=True), "text", True, "text", True),
    (listed(), "text", True, "text", False),
    (listed(name="initial password for grace2"), "text", False, "text", False),
    (listed(expired=True), "text", False, "text", False),
])
def test_same_push(push, kind, protected, audit, same):
    created_kind, _asked = audit_says(audit)
    assert same_push(push, NAME, kind, protected, created_kind) is same


def test_the_note_of_a_bulk_push_names_its_kind_without_a_request():
    created_kind, asked = audit_says("qr")
    assert same_push(listed(note=BULK_NOTE), NAME, "text", False, created_kind) is True
    assert asked == []


def test_a_note_naming_another_kind_is_not_the_same_push():
    created_kind, _asked = audit_says("text")
    note = BULK_NOTE.replace("kind=text", "kind=qr")
    assert same_push(listed(note=note), NAME, "text", False, created_kind) is False


# --- past the 10,000 pushes (and requests) the server lists ------------------------------------------------------

def full_pages(kind="push"):
    """200 full pages of someone else's pushes (or requests): the most the server lists."""
    return [response(200, [{"url_token": "tok%02d%05d" % (page, n), "name": "other %s" % kind, "expired": False}
                           for n in range(50)]) for page in range(200)]


def test_a_push_not_found_in_a_full_listing_is_not_taken_as_absent():
    client = PwpushClient(url=BASE, token="api-token")
    ScriptedSession(client.http, [response(200, OSS_VERSION)] + full_pages())
    with pytest.raises(PwpushError) as caught:
        client.find_active_by_name("initial password for grace", kind="text")
    assert "'initial password for grace': no active push of that name among the 10000 newest" in caught.value.message
    assert "turn reuse off" in caught.value.message


def test_a_request_not_found_in_a_full_listing_is_not_taken_as_absent():
    client = PwpushClient(url=BASE, token="api-token")
    ScriptedSession(client.http, [response(200, HOSTED_VERSION)] + full_pages("request"))
    with pytest.raises(PwpushError) as caught:
        asks.find_active_by_name(client, "vpn password")
    assert "no active request of that name among the 10000 newest active requests" in caught.value.message
