# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unknown keywords fail every lookup in the modules' words, before any request (the `http` fixture proves it)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.oneshot.secrets.plugins.plugin_utils.lookup import unsupported_parameters

LOOKUPS = ("pwpush", "pwpush_retrieve", "ots", "ots_retrieve")
TERMS = {"pwpush": ["s3cret-payload"], "pwpush_retrieve": ["tok-aaaa1"], "ots": ["s3cret-payload"],
         "ots_retrieve": ["k" * 31]}
URLS = {"pwpush": "https://pw.example.test", "pwpush_retrieve": "https://pw.example.test",
        "ots": "https://ots.example.test", "ots_retrieve": "https://ots.example.test"}


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
