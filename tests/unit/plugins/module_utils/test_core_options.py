# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""resolve(): the one precedence of every door that resolves values in code (credential_links, the Terraform
provider): given, then variable, then environment, then the declared default."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._core.options import resolve
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.options import OTS_CONNECTION
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.options import PWPUSH_CONNECTION

DECLARED = dict(
    url=dict(type="str", default="https://default.example", env=["SVC_URL", "SVC_OLD_URL"],
             vars=["svc_url", "svc_old_url"]),
    token=dict(type="str", no_log=True, env=["SVC_TOKEN"], vars=["svc_token"]),
    retries=dict(type="int", default=3),
)
ENVIRON = {"SVC_URL": "https://env.example", "SVC_TOKEN": "env-token"}
VARIABLES = {"svc_url": "https://var.example", "svc_token": "var-token"}


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
