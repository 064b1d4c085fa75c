# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ots lookup; in check mode it validates as a real run and stores nothing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleError

from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import response

URL = "https://ots.example.test"
KEYS = ("a" * 31, "b" * 31)
CHECK = {"ansible_check_mode": True}


def shared(key):
    return response(200, {"secret_key": key, "metadata_key": "m" + key[1:], "ttl": 3600, "custid": "anon"})


def test_one_link_per_term(http, lookup):
    calls, answers = http
    answers.extend([shared(KEYS[0]), shared(KEYS[1])])
    links = lookup("ots").run(["first-secret", "second-secret"], variables={}, url=URL, ttl=3600)
    assert links == [URL + "/secret/" + KEYS[0], URL + "/secret/" + KEYS[1]]
    assert [call[2]["data"]["secret"] for call in calls] == ["first-secret", "second-secret"]


def test_a_bad_term_fails_before_any_secret_is_stored(http, lookup):
    with pytest.raises(AnsibleError) as error:
        lookup("ots").run(["ok-secret", "x" * 20000], variables={}, url=URL)
    assert "ots lookup" in str(error.value)
    assert http[0] == []


def test_ots_stores_nothing(http, lookup):
    assert lookup("ots").run(["first-secret", "second-secret"], variables=CHECK, url=URL, ttl=3600) == [None, None]
    assert http[0] == []


def test_ots_validates_as_a_real_run(http, lookup):
    with pytest.raises(AnsibleError, match="ots lookup: .*ttl"):
        lookup("ots").run(["first-secret"], variables=CHECK, url=URL, ttl=10 ** 9)
    with pytest.raises(AnsibleError, match="ots lookup: .*bytes"):
        lookup("ots").run(["first-secret", "x" * 20000], variables=CHECK, url=URL)
    assert http[0] == []
