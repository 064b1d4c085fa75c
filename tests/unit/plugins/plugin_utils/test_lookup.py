# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleError

from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import ServiceError
from ansible_collections.oneshot.secrets.plugins.plugin_utils.lookup import SECRET_OPTIONS, ServiceLookupBase


class PlainLookup(ServiceLookupBase):
    def run(self, terms, variables=None, **kwargs):
        return terms


class FakeClient:
    def __init__(self):
        self.closed = False

    def close(self):
        self.closed = True


def test_run_with_client_closes_the_client_and_names_the_lookup():
    client = FakeClient()

    def fail(used):
        raise ServiceError("Could not create the push: HTTP 500.")

    with pytest.raises(AnsibleError) as error:
        PlainLookup().run_with_client("pwpush", lambda get_option, **door: client, fail)
    assert str(error.value).startswith("pwpush lookup: Could not create the push")
    assert client.closed


def test_run_with_client_returns_the_action_result():
    client = FakeClient()
    lookup = PlainLookup()
    assert lookup.run_with_client("ots", lambda get_option, **door: client, lambda used: [used is client]) == [True]
    assert client.closed


def test_other_errors_are_not_masked_as_service_errors():
    client = FakeClient()

    def bug(used):
        raise KeyError("bug")

    with pytest.raises(KeyError):
        PlainLookup().run_with_client("ots", lambda get_option, **door: client, bug)
    assert client.closed


def test_errors_mask_every_secret_option_the_declarations_mark_no_log():
    # Derived from module_utils/_*/options.py: a secret option added there is masked here without a second list.
    assert set(SECRET_OPTIONS) == set(("token", "api_token", "api_key", "passphrase"))
