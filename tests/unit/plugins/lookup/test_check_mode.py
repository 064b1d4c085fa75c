# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check mode: every lookup validates as usual, then nothing is created and no view is spent.

The `http` fixture fails on any request not answered here, so a test that scripts no write proves none was sent.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible.errors import AnsibleError
from ansible.plugins.loader import lookup_loader

from ansible_collections.oneshot.secrets.plugins.plugin_utils.lookup import ServiceLookupBase, in_check_mode
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import response

PW = "https://pw.example.test"
OTS = "https://ots.example.test"
OSS_VERSION = {"application_version": "2.11.4", "api_version": "2.1", "edition": "oss", "features": {}}
CHECK = {"ansible_check_mode": True}


def test_every_collection_lookup_declares_that_it_changes_the_server():
    folder = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins", "lookup")
    names = sorted(name[:-3] for name in os.listdir(folder) if name.endswith(".py") and name != "__init__.py")
    assert names == ["ots", "ots_retrieve", "pwpush", "pwpush_retrieve"]
    for name in names:
        plugin = lookup_loader.get("oneshot.secrets." + name, class_only=True)
        assert issubclass(plugin, ServiceLookupBase) and plugin.CHANGES_SERVER, name


def test_pwpush_creates_nothing_and_returns_none_per_term(http, lookup):
    calls, answers = http
    answers.append(response(200, OSS_VERSION))  # the version says which expiry this server honours
    result = lookup("pwpush").run(["first-secret", "second-secret"], variables=CHECK, url=PW, expire_after_days=3)
    assert result == [None, None]
    assert [(call[0], call[1]) for call in calls] == [("GET", PW + "/api/v2/version")]


@pytest.mark.parametrize("options, words", [
    (dict(expire_after_views=500), "expire_after_views"),
    (dict(kind="file"), "kind"),
    (dict(concurrency=9), "concurrency"),
])
def test_pwpush_validates_as_a_real_run(http, lookup, options, words):
    calls, answers = http
    answers.append(response(200, OSS_VERSION))
    with pytest.raises(AnsibleError, match=words):
        lookup("pwpush").run(["first-secret"], variables=CHECK, url=PW, **options)
    assert all(call[0] == "GET" for call in calls)


def test_pwpush_refuses_an_expiry_this_server_cannot_honour_in_check_mode(http, lookup):
    calls, answers = http
    answers.append(response(200, OSS_VERSION))  # whole days only: the server's answer decides, not the options
    with pytest.raises(AnsibleError, match="pwpush lookup: expire_after_duration=3 is shorter than a day"):
        lookup("pwpush").run(["first-secret"], variables=CHECK, url=PW, expire_after_duration=3)
    assert len(calls) == 1


def test_pwpush_retrieve_previews_and_spends_no_view(http, lookup):
    calls, answers = http
    answers.extend([response(200, OSS_VERSION), response(200, {"url": PW + "/p/tok-aaaa1"}),
                    response(200, {"url": PW + "/p/tok-bbbb2/r"})])
    result = lookup("pwpush_retrieve").run([PW + "/p/tok-aaaa1", "tok-bbbb2"], variables=CHECK, url=PW,
                                           passphrase="pass-phrase")
    assert result == [None, None]
    assert [call[1] for call in calls[1:]] == [PW + "/api/v2/pushes/tok-aaaa1/preview",
                                               PW + "/api/v2/pushes/tok-bbbb2/preview"]
    assert all(call[0] == "GET" and not call[2].get("params") for call in calls)  # the passphrase is not sent


def test_pwpush_retrieve_fails_for_a_push_that_does_not_exist(http, lookup):
    calls, answers = http
    answers.extend([response(200, OSS_VERSION), response(404, {"error": "Not found"})])
    with pytest.raises(AnsibleError, match="pwpush_retrieve lookup: .*404"):
        lookup("pwpush_retrieve").run(["tok-missing1"], variables=CHECK, url=PW)


def test_pwpush_retrieve_checks_references_before_any_request(http, lookup):
    with pytest.raises(AnsibleError, match="url_token"):
        lookup("pwpush_retrieve").run(["tok-aaaa1", "not a link"], variables=CHECK, url=PW)
    assert http[0] == []


def test_ots_stores_nothing(http, lookup):
    assert lookup("ots").run(["first-secret", "second-secret"], variables=CHECK, url=OTS, ttl=3600) == [None, None]
    assert http[0] == []


def test_ots_validates_as_a_real_run(http, lookup):
    with pytest.raises(AnsibleError, match="ots lookup: .*ttl"):
        lookup("ots").run(["first-secret"], variables=CHECK, url=OTS, ttl=10 ** 9)
    with pytest.raises(AnsibleError, match="ots lookup: .*bytes"):
        lookup("ots").run(["first-secret", "x" * 20000], variables=CHECK, url=OTS)
    assert http[0] == []


def test_ots_retrieve_reveals_nothing(http, lookup):
    assert lookup("ots_retrieve").run([OTS + "/secret/" + "k" * 31], variables=CHECK, url=OTS) == [None]
    assert http[0] == []
    with pytest.raises(AnsibleError, match="ots_retrieve lookup"):
        lookup("ots_retrieve").run(["https://host/nothing/here"], variables=CHECK, url=OTS)


@pytest.mark.parametrize("variables, expected", [
    (None, False), ({}, False), ({"ansible_check_mode": False}, False), ({"ansible_check_mode": True}, True),
    ({"ansible_check_mode": "true"}, True),
])
def test_check_mode_comes_from_ansible_check_mode(variables, expected):
    assert in_check_mode(variables) is expected


class FakeClient:
    @classmethod
    def from_options(cls, get_option, masked_results=True, read_only=False):
        assert masked_results is False  # nothing masks a lookup's result: its door says so
        return cls()

    def close(self):
        pass


class ReadOnlyLookup(ServiceLookupBase):
    """A lookup that changes nothing on the server: check mode is none of its business."""

    CLIENT = FakeClient

    ansible_name = "oneshot.secrets.read_only"

    def load_options(self, variables, kwargs):
        pass

    def change(self, client, terms, validated):
        return ["read %s" % term for term in terms]


class CreatingLookup(ReadOnlyLookup):
    CHANGES_SERVER = True


def test_the_base_decides_from_what_a_lookup_declares():
    assert ReadOnlyLookup().run(["a"], variables=CHECK) == ["read a"]
    assert CreatingLookup().run(["a", "b"], variables=CHECK) == [None, None]
    assert CreatingLookup().run(["a"], variables={"ansible_check_mode": False}) == ["read a"]
