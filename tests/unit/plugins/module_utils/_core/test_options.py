# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_core/options.py: what is derived from the declarations (module_utils/_*/options.py).

- resolve(): the one precedence of every door that resolves values in code (credential_links, the Terraform
  provider): given, then variable, then environment, then the declared default.
- The doc fragments say what the declarations declare: names, types, defaults, choices, env, vars, no_log. The
  fragments stay static YAML (ansible-doc reads them without running code), so these tests are what keeps them from
  drifting away from the declarations that argument specs, lookups and the Terraform provider derive from.
- DeclaredClient.from_options(): a client built as Ansible's doors build it masks its results."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re

import pytest
import yaml

from ansible.module_utils.basic import env_fallback

from ansible_collections.oneshot.secrets.plugins.doc_fragments import connection, ots, pushsecurity, pwpush
from ansible_collections.oneshot.secrets.plugins.module_utils._core import options as _options
from ansible_collections.oneshot.secrets.plugins.module_utils._core.options import resolve
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import OtsClient
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.options import OTS_CONNECTION, OTS_SECRET
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.options import PUSHSECURITY_CONNECTION
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.options import PWPUSH_CONNECTION, PWPUSH_PUSH

DECLARED = dict(
    url=dict(type="str", default="https://default.example", env=["SVC_URL", "SVC_OLD_URL"],
             vars=["svc_url", "svc_old_url"]),
    token=dict(type="str", no_log=True, env=["SVC_TOKEN"], vars=["svc_token"]),
    retries=dict(type="int", default=3),
)
ENVIRON = {"SVC_URL": "https://env.example", "SVC_TOKEN": "env-token"}
VARIABLES = {"svc_url": "https://var.example", "svc_token": "var-token"}
# What YAML can say of an option, compared key by key.
_COMPARED = ("type", "default", "choices", "elements")
# Options that are secrets by their name; the YAML cannot state no_log, so the names are held to it.
_SECRET_NAME = re.compile(r"token|key|pass|secret|payload")
_ENV_MENTION = re.compile(r"E\(([A-Z_]+)\)")
SERVICES = [
    ("pwpush", pwpush.ModuleDocFragment, PWPUSH_CONNECTION),
    ("ots", ots.ModuleDocFragment, OTS_CONNECTION),
    ("pushsecurity", pushsecurity.ModuleDocFragment, PUSHSECURITY_CONNECTION),
]
CONNECTIONS = [declared for _name, _fragment, declared in SERVICES]
URL = "http://127.0.0.1:41234"


@pytest.mark.parametrize("given, environ, variables, url", [
    ({"url": "https://given.example"}, ENVIRON, VARIABLES, "https://given.example"),
    ({}, ENVIRON, VARIABLES, "https://var.example"),
    ({}, ENVIRON, None, "https://env.example"),
    ({}, None, None, "https://default.example"),
    ({"url": None}, {}, {}, "https://default.example"),
])
def test_given_then_variable_then_environment_then_default(given, environ, variables, url):
    assert resolve(DECLARED, given, environ=environ, variables=variables)["url"] == url


def test_every_declared_option_is_resolved_and_only_those():
    resolved = resolve(DECLARED, {"retries": 0, "bogus": "x"}, environ=ENVIRON)
    assert resolved == {"url": "https://env.example", "token": "env-token", "retries": 0}


def test_a_given_falsy_value_is_given():
    """Only None is unset: 0, False and "" given by a task stay (AnsibleModule validated them)."""
    resolved = resolve(DECLARED, {"url": "", "token": False, "retries": 0}, environ=ENVIRON, variables=VARIABLES)
    assert resolved == {"url": "", "token": False, "retries": 0}


def test_an_empty_environment_variable_counts_as_unset():
    assert resolve(DECLARED, {}, environ={"SVC_URL": "", "SVC_TOKEN": ""})["url"] == "https://default.example"
    assert resolve(DECLARED, {}, environ={"SVC_URL": "", "SVC_TOKEN": ""})["token"] is None
    # ... and the next declared variable is asked.
    assert resolve(DECLARED, {}, environ={"SVC_URL": "", "SVC_OLD_URL": "https://old.example"})["url"] == (
        "https://old.example")


def test_variables_are_read_only_when_given_and_in_declared_order():
    assert resolve(DECLARED, {}, environ={})["token"] is None
    assert resolve(DECLARED, {}, variables={"svc_token": "var-token"})["token"] == "var-token"
    assert resolve(DECLARED, {}, variables={"svc_url": None, "svc_old_url": "https://old.example"})["url"] == (
        "https://old.example")
    assert resolve(DECLARED, {}, variables={"svc_old_url": "o", "svc_url": "n"})["url"] == "n"


def test_the_environment_is_read_only_when_given(monkeypatch):
    monkeypatch.setenv("SVC_TOKEN", "process-token")
    assert resolve(DECLARED, {})["token"] is None


@pytest.mark.parametrize("declared, env, var", [
    (PWPUSH_CONNECTION, "PWPUSH_URL", "pwpush_url"),
    (OTS_CONNECTION, "OTS_URL", "ots_url"),
])
def test_the_services_declarations_resolve_by_their_own_names(declared, env, var):
    assert resolve(declared, {}, environ={env: "https://env.example"})["url"] == "https://env.example"
    assert resolve(declared, {}, variables={var: "https://var.example"})["url"] == "https://var.example"
    assert resolve(declared, {})["url"] == declared["url"]["default"]
    assert resolve(declared, {})["validate_certs"] is True


def fragment_options(*texts):
    options = {}
    for text in texts:
        options.update(yaml.safe_load(text)["options"])
    return options


def differences(documented, declared):
    """Every way a fragment's options (parsed YAML) differ from a declaration, as sentences; [] when they agree."""
    found = []
    for name in sorted(set(documented) ^ set(declared)):
        found.append("%s: %s" % (name, "documented only" if name in documented else "declared only"))
    for name in sorted(set(documented) & set(declared)):
        doc, decl = documented[name], declared[name]
        for key in _COMPARED:
            expected = decl.get(key)
            if key == "type" and expected is None:
                expected = "str"
            if doc.get(key) != expected:
                found.append("%s: %s is %r in the fragment, %r in the declaration" % (name, key, doc.get(key), expected))
    return found


def source_differences(plugins_options, declared):
    """The lookups' env and vars (the PLUGINS fragment) against the declaration's env and vars."""
    found = []
    with_sources = dict((name, option) for name, option in declared.items() if option.get("env") or option.get("vars"))
    for name in sorted(set(plugins_options) ^ set(with_sources)):
        found.append("%s: %s" % (name, "sources documented only" if name in plugins_options else "sources declared only"))
    for name in sorted(set(plugins_options) & set(with_sources)):
        for key in ("env", "vars"):
            documented = [entry["name"] for entry in plugins_options[name].get(key, [])]
            if documented != list(with_sources[name].get(key, [])):
                found.append("%s: %s %r in the fragment, %r in the declaration" % (
                    name, key, documented, with_sources[name].get(key)))
    return found


def env_mention_differences(documented, declared_sets):
    """Each variable a module reads (E(NAME) in the description) is the declaration's env, and no other."""
    found = []
    for name, doc in documented.items():
        mentioned = set(_ENV_MENTION.findall(" ".join(doc.get("description", []))))
        declared = set()
        for declared_set in declared_sets:
            declared.update(declared_set.get(name, {}).get("env", []))
        if mentioned != declared:
            found.append("%s: the description names %s, the declaration %s" % (name, sorted(mentioned), sorted(declared)))
    return found


def no_log_differences(declared):
    return ["%s: no_log is %r" % (name, bool(option.get("no_log"))) for name, option in declared.items()
            if bool(option.get("no_log")) != bool(_SECRET_NAME.search(name))]


@pytest.mark.parametrize("service, fragment, declared", SERVICES, ids=[s[0] for s in SERVICES])
def test_connection_fragment_says_what_is_declared(service, fragment, declared):
    documented = fragment_options(fragment.DOCUMENTATION, connection.ModuleDocFragment.DOCUMENTATION)
    assert differences(documented, declared) == []
    assert no_log_differences(declared) == []


@pytest.mark.parametrize("service, fragment, declared", SERVICES, ids=[s[0] for s in SERVICES])
def test_lookup_sources_are_the_declared_ones(service, fragment, declared):
    if not hasattr(fragment, "PLUGINS"):  # no lookup: modules read env through their argument spec only
        assert [name for name, option in declared.items() if option.get("vars")] == []
        return
    assert source_differences(fragment_options(fragment.PLUGINS), declared) == []


@pytest.mark.parametrize("service, fragment, declared", SERVICES, ids=[s[0] for s in SERVICES])
def test_module_variables_named_in_the_docs_are_the_declared_ones(service, fragment, declared):
    assert env_mention_differences(fragment_options(fragment.DOCUMENTATION), [declared]) == []


def test_shared_connection_fragment_names_every_service_variable():
    documented = fragment_options(connection.ModuleDocFragment.DOCUMENTATION)
    assert env_mention_differences(documented, CONNECTIONS) == []
    assert tuple(documented) == _options.TRANSPORT_NAMES


def test_push_options_fragment_says_what_is_declared():
    declared = PWPUSH_PUSH
    assert differences(fragment_options(pwpush.ModuleDocFragment.PUSH_OPTIONS), declared) == []
    assert no_log_differences(declared) == []


def test_secret_options_fragment_says_what_is_declared():
    declared = OTS_SECRET
    assert differences(fragment_options(ots.ModuleDocFragment.SECRET_OPTIONS), declared) == []
    assert no_log_differences(declared) == []


def test_the_checks_catch_drift():
    """Each comparison above fails on a declaration that says other than its fragment."""
    documented = fragment_options(pwpush.ModuleDocFragment.DOCUMENTATION, connection.ModuleDocFragment.DOCUMENTATION)
    plugins = fragment_options(pwpush.ModuleDocFragment.PLUGINS)
    for change in (
        lambda d: d["api_version"].update(default="v2"),
        lambda d: d["api_version"].update(choices=["auto", "v2"]),
        lambda d: d["timeout"].update(type="int"),
        lambda d: d.pop("email"),
        lambda d: d.update(proxy=dict(type="str")),
    ):
        drifted = copy.deepcopy(PWPUSH_CONNECTION)
        change(drifted)
        assert differences(documented, drifted), "undetected: %s" % drifted
    for change in (
        lambda d: d["token"].update(env=["PWPUSH_API_TOKEN"]),
        lambda d: d["url"].update(vars=["pwpush_server"]),
        lambda d: d["retries"].update(env=["PWPUSH_RETRIES"]),
    ):
        drifted = copy.deepcopy(PWPUSH_CONNECTION)
        change(drifted)
        assert source_differences(plugins, drifted) or env_mention_differences(
            fragment_options(pwpush.ModuleDocFragment.DOCUMENTATION), [drifted]), "undetected: %s" % drifted
    drifted = copy.deepcopy(PWPUSH_CONNECTION)
    drifted["token"].pop("no_log")
    assert no_log_differences(drifted)


def test_argument_spec_keeps_the_module_behaviour():
    spec = _options.argument_spec(PWPUSH_CONNECTION, state=dict(type="str", default="present"))
    assert spec["token"] == dict(type="str", no_log=True, fallback=(env_fallback, ["PWPUSH_TOKEN"]))
    assert spec["api_version"] == dict(type="str", default="auto", choices=["auto", "v2", "v1"],
                                       fallback=(env_fallback, ["PWPUSH_API_VERSION"]))
    assert spec["timeout"] == dict(type="float", default=30.0)
    assert spec["retries"] == dict(type="int", default=3)
    assert spec["state"] == dict(type="str", default="present")
    assert "vars" not in spec["url"] and "env" not in spec["url"]
    assert _options.argument_spec(PUSHSECURITY_CONNECTION)["retries"] == dict(type="int", default=5)


def test_clients_built_as_the_ansible_doors_build_them_mask_results():
    params = dict(url=URL, api_version="auto", timeout=30, validate_certs=True, retries=3)
    assert PwpushClient.from_options(params.get).masked_results is True
    assert OtsClient.from_options(params.get).masked_results is True
