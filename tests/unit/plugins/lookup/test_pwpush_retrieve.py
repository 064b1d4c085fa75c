# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pwpush_retrieve lookup; in check mode it previews and spends no view."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleError

from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import canned, response

URL = "https://pw.example.test"
OSS_VERSION = canned("pwpush_version_oss")
CHECK = {"ansible_check_mode": True}


def test_payload_per_link(http, lookup):
    calls, answers = http
    answers.extend([response(200, OSS_VERSION), response(200, {"url_token": "tok-aaaa1", "payload": "one"}),
                    response(200, {"url_token": "tok-bbbb2", "payload": "two"})])
    values = lookup("pwpush_retrieve").run([URL + "/p/tok-aaaa1/r", "tok-bbbb2"], variables={}, url=URL,
                                           passphrase="pass-phrase")
    assert values == ["one", "two"]
    assert [call[1] for call in calls[1:]] == [URL + "/api/v2/pushes/tok-aaaa1", URL + "/api/v2/pushes/tok-bbbb2"]
    assert calls[1][2]["params"] == {"passphrase": "pass-phrase"}


def test_every_reference_is_checked_before_the_first_view(http, lookup):
    with pytest.raises(AnsibleError, match="url_token"):
        lookup("pwpush_retrieve").run(["tok-aaaa1", "not a link"], variables={}, url=URL)
    assert http[0] == []


def test_an_expired_push_is_an_error(http, lookup):
    calls, answers = http
    expired = {"url_token": "tok-aaaa1", "expired": True, "payload": None}
    answers.extend([response(200, OSS_VERSION), response(200, expired)])
    with pytest.raises(AnsibleError, match="has expired"):
        lookup("pwpush_retrieve").run(["tok-aaaa1"], variables={}, url=URL)


def test_pwpush_retrieve_previews_and_spends_no_view(http, lookup):
    calls, answers = http
    answers.extend([response(200, OSS_VERSION), response(200, {"url": URL + "/p/tok-aaaa1"}),
                    response(200, {"url": URL + "/p/tok-bbbb2/r"})])
    result = lookup("pwpush_retrieve").run([URL + "/p/tok-aaaa1", "tok-bbbb2"], variables=CHECK, url=URL,
                                           passphrase="pass-phrase")
    assert result == [None, None]
    assert [call[1] for call in calls[1:]] == [URL + "/api/v2/pushes/tok-aaaa1/preview",
                                               URL + "/api/v2/pushes/tok-bbbb2/preview"]
    assert all(call[0] == "GET" and not call[2].get("params") for call in calls)  # the passphrase is not sent


def test_pwpush_retrieve_fails_for_a_push_that_does_not_exist(http, lookup):
    calls, answers = http
    answers.extend([response(200, OSS_VERSION), response(404, {"error": "Not found"})])
    with pytest.raises(AnsibleError, match="pwpush_retrieve lookup: .*404"):
        lookup("pwpush_retrieve").run(["tok-missing1"], variables=CHECK, url=URL)


def test_pwpush_retrieve_checks_references_before_any_request(http, lookup):
    with pytest.raises(AnsibleError, match="url_token"):
        lookup("pwpush_retrieve").run(["tok-aaaa1", "not a link"], variables=CHECK, url=URL)
    assert http[0] == []
