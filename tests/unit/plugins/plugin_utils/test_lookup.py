# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugin_utils/lookup.py: the base of every lookup: check mode, unknown keywords in the modules' words, and an
error as a play shows it.

The `http` fixture fails on any request not answered here, so a test that scripts none proves none was sent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import lookup_loader
from ansible.template import Templar

from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import ServiceError
from ansible_collections.oneshot.secrets.plugins.plugin_utils.lookup import (
    SECRET_OPTIONS,
    ServiceLookupBase,
    in_check_mode,
    unsupported_parameters,
)

CHECK = {"ansible_check_mode": True}
LOOKUPS = ("pwpush", "pwpush_retrieve", "ots", "ots_retrieve")
TERMS = {"pwpush": ["s3cret-payload"], "pwpush_retrieve": ["tok-aaaa1"], "ots": ["s3cret-payload"],
         "ots_retrieve": ["k" * 31]}
URLS = {"pwpush": "https://pw.example.test", "pwpush_retrieve": "https://pw.example.test",
        "ots": "https://ots.example.test", "ots_retrieve": "https://ots.example.test"}
URL = "https://pw.example.test"


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


def test_every_collection_lookup_declares_that_it_changes_the_server():
    folder = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins", "lookup")
    names = sorted(name[:-3] for name in os.listdir(folder) if name.endswith(".py") and name != "__init__.py")
    assert names == ["ots", "ots_retrieve", "pwpush", "pwpush_retrieve"]
    for name in names:
        plugin = lookup_loader.get("oneshot.secrets." + name, class_only=True)
        assert issubclass(plugin, ServiceLookupBase) and plugin.CHANGES_SERVER, name


@pytest.mark.parametrize("variables, expected", [
    (None, False), ({}, False), ({"ansible_check_mode": False}, False), ({"ansible_check_mode": True}, True),
    ({"ansible_check_mode": "true"}, True),
])
def test_check_mode_comes_from_ansible_check_mode(variables, expected):
    assert in_check_mode(variables) is expected


class DoorClient:
    @classmethod
    def from_options(cls, get_option, masked_results=True, read_only=False):
        assert masked_results is False  # nothing masks a lookup's result: its door says so
        return cls()

    def close(self):
        pass


class ReadOnlyLookup(ServiceLookupBase):
    """A lookup that changes nothing on the server: check mode is none of its business."""

    CLIENT = DoorClient

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


def module_wording(plugin_name, definitions, given):
    """What AnsibleModule says for the same options (ansible-core's own validator), with 'module' as 'lookup'."""
    spec = dict((name, dict(type="raw", aliases=list(definition.get("aliases") or ())))
                for name, definition in definitions.items() if name != "_terms")
    errors = ArgumentSpecValidator(spec).validate(given).errors
    return "Unsupported parameters for (%s) lookup: %s" % (plugin_name, errors.msg)


@pytest.mark.parametrize("name", LOOKUPS)
def test_a_misspelt_keyword_fails_in_the_modules_words_before_any_request(http, lookup, name):
    plugin = lookup(name)
    with pytest.raises(AnsibleError) as error:
        plugin.run(TERMS[name], variables={}, url=URLS[name], expire_after_view=1, tll=60)
    assert str(error.value) == module_wording("oneshot.secrets." + name, plugin.option_definitions,
                                              dict(expire_after_view=1, tll=60))
    assert str(error.value).startswith("Unsupported parameters for (oneshot.secrets.%s) lookup: expire_after_view, "
                                       "tll. Supported parameters include: " % name)
    assert http[0] == []


@pytest.mark.parametrize("name", LOOKUPS)
def test_the_supported_list_is_the_documented_options(http, lookup, name):
    plugin = lookup(name)
    documented = sorted(option for option in plugin.option_definitions if option != "_terms")
    with pytest.raises(AnsibleError) as error:
        plugin.run(TERMS[name], variables={}, url=URLS[name], urll="x")
    assert str(error.value).endswith("Supported parameters include: %s." % ", ".join(documented))
    assert "url" in documented and "timeout" in documented


def test_the_pwpush_lookup_refuses_expire_after_view_and_names_what_it_takes(http, lookup):
    with pytest.raises(AnsibleError) as error:
        lookup("pwpush").run(["s3cret-payload"], variables={}, expire_after_view=1)
    message = str(error.value)
    assert message.startswith("Unsupported parameters for (oneshot.secrets.pwpush) lookup: expire_after_view. "
                              "Supported parameters include: account_id, api_version, ca_path, concurrency, ")
    assert ", expire_after_views, " in message and message.endswith(", validate_certs.")


def test_the_ots_lookup_refuses_tll(http, lookup):
    with pytest.raises(AnsibleError, match=r"^Unsupported parameters for \(oneshot.secrets.ots\) lookup: tll\. "):
        lookup("ots").run(["s3cret-payload"], variables={}, tll=60)
    assert http[0] == []


@pytest.mark.parametrize("name", LOOKUPS)
def test_values_of_secret_options_never_show(http, lookup, name):
    secrets = dict(token="tok-value-never-shown-1", api_token="api-value-never-shown-2",
                   passphrase="phrase-value-never-shown-3", tokn="tokn-value-never-shown-4")
    given = dict((option, value) for option, value in secrets.items() if option in lookup(name).option_definitions)
    with pytest.raises(AnsibleError) as error:
        lookup(name).run(TERMS[name], variables={}, url=URLS[name], tokn=secrets["tokn"], **given)
    assert "lookup: tokn. Supported" in str(error.value)
    assert not [value for value in secrets.values() if value in str(error.value)]
    assert not [term for term in TERMS[name] if term in str(error.value)]


def test_underscore_terms_is_not_a_keyword(http, lookup):
    with pytest.raises(AnsibleError, match=r"lookup: _terms\. Supported parameters include: "):
        lookup("ots").run(["s3cret-payload"], variables={}, _terms=["other-secret"])


def test_aliases_are_accepted_and_listed_as_a_module_lists_them():
    definitions = {"_terms": {}, "url": {"aliases": ["server"]}, "token": {}, "ttl": {"aliases": ["lifetime"]}}
    assert unsupported_parameters("ns.c.x", {"server": 1, "lifetime": 2, "token": 3}, definitions) is None
    message = unsupported_parameters("ns.c.x", {"tll": 1, "url": 2}, definitions)
    assert message == module_wording("ns.c.x", definitions, {"tll": 1, "url": 2})
    assert message == ("Unsupported parameters for (ns.c.x) lookup: tll. "
                       "Supported parameters include: token, ttl, url (lifetime, server).")


def test_wantlist_from_a_with_loop_is_not_an_option():
    # ansible-core 2.17 hands wantlist=True to the lookup of a with_<lookup> loop.
    assert unsupported_parameters("ns.c.x", {"wantlist": True, "url": "u"}, {"url": {}}) is None


try:  # ansible-core 2.19+ templates only trusted strings
    from ansible.template import trust_as_template
except ImportError:
    def trust_as_template(text):
        return text


def templated(expression):
    return Templar(loader=DataLoader(), variables={}).template(trust_as_template(expression))


@pytest.mark.parametrize("expression, sentence", [
    ("{{ lookup('oneshot.secrets.pwpush', 'dummy-secret-01', url='%s', expire_after_views=0) }}" % URL,
     "pwpush lookup: expire_after_views must be between 1 and 100 (got 0)."),
    ("{{ lookup('oneshot.secrets.pwpush', 'dummy-secret-01', url='%s', expire_after_viewz=0) }}" % URL,
     "Unsupported parameters for (oneshot.secrets.pwpush) lookup: expire_after_viewz."),
])
def test_the_message_is_said_once_and_not_as_an_unhandled_exception(http, expression, sentence):
    with pytest.raises(AnsibleError) as error:
        templated(expression)
    message = str(error.value)
    assert message.count(sentence) == 1, message
    assert "unhandled exception" not in message and "original message" not in message
    assert http[0] == []


def test_errors_ignore_is_honoured(http):
    # the lookup keyword errors=ignore: a failed lookup gives nothing instead of failing the task
    assert templated("{{ lookup('oneshot.secrets.pwpush', 'dummy-secret-01', url='%s', expire_after_views=0, "
                     "errors='ignore') }}" % URL) in (None, "")
