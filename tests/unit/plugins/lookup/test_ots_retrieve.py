# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ots_retrieve lookup; in check mode it reveals nothing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleError

from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import response

URL = "https://ots.example.test"
KEY = "k" * 31
CHECK = {"ansible_check_mode": True}


def test_value_per_link(http, lookup):
    calls, answers = http
    answers.append(response(200, {"value": "the-value", "secret_key": KEY}))
    assert lookup("ots_retrieve").run([URL + "/secret/" + KEY], variables={}, url=URL) == ["the-value"]
    assert calls[0][0] == "POST" and calls[0][1] == URL + "/api/v1/secret/" + KEY


def test_every_reference_is_checked_before_the_first_reveal(http, lookup):
    with pytest.raises(AnsibleError, match="ots_retrieve lookup"):
        lookup("ots_retrieve").run([KEY, "https://host/nothing/here"], variables={}, url=URL)
    assert http[0] == []


def test_ots_retrieve_reveals_nothing(http, lookup):
    assert lookup("ots_retrieve").run([URL + "/secret/" + "k" * 31], variables=CHECK, url=URL) == [None]
    assert http[0] == []
    with pytest.raises(AnsibleError, match="ots_retrieve lookup"):
        lookup("ots_retrieve").run(["https://host/nothing/here"], variables=CHECK, url=URL)
