# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How an option is declared, and what is derived from declarations: argument specs, names, defaults.

Each service declares its options in its own folder (_pwpush/options.py, _ots/options.py,
_pushsecurity/options.py); the options every service shares (the transport's) are declared here.
An option is a dict in argument spec terms (type, default, choices, elements, no_log, required) plus:
- where a value may come from when the task does not give it: `env` (environment variables, for modules and
  lookups) and `vars` (variables, for lookups and the Terraform provider's setting names);
- what values are valid beyond its type: min, max, above, or_zero, unit (_core/values.py checks them).
Derived from the declarations:
- module argument specs: argument_spec() below (env becomes an env_fallback);
- values where code resolves them (credential_links, the Terraform provider): resolve() below;
- the clients' from_options() and the lookups' option lists: names(), secret_names();
- the Terraform provider's settings and resource schema (terraform/oneshot_provider/).
The doc fragments (plugins/doc_fragments/) stay static YAML for ansible-doc;
tests/unit/plugins/module_utils/_core/test_options.py fails when one says other than the declarations.

Nothing here imports ansible-core at import time: the Terraform provider uses this file without it.
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# The keys of a declaration that AnsibleModule's argument spec takes as they are; the others are the core's
# (min, max, above, or_zero, unit: _core/values.py; env, vars: where a value may come from).
_ARGSPEC_KEYS = ("type", "default", "choices", "elements", "no_log", "required")

# What the transport (module_utils/_core/transport.py) checks itself, whatever the door: finite numbers in range.
TRANSPORT_OPTIONS = dict(
    timeout=dict(type="float", default=30.0, above=0, max=86400, unit="seconds"),
    retries=dict(type="int", default=3, min=0, max=100),
)


def transport_options(env_prefix, var_prefix, retries):
    """timeout, validate_certs, ca_path, retries: the same for every service but for the variables' names and
    the number of retries (doc_fragments/connection.py; retries is documented per service, its meaning differs)."""
    # transport=True: the client hands the value to HttpTransport (DeclaredClient.transport_settings), so a new
    # transport option is declared here, documented in the fragment and taken by HttpTransport, nothing else.
    return dict(
        timeout=dict(TRANSPORT_OPTIONS["timeout"], transport=True),
        validate_certs=dict(type="bool", default=True, env=["%s_VALIDATE_CERTS" % env_prefix],
                            vars=["%s_validate_certs" % var_prefix], transport=True),
        ca_path=dict(type="path", env=["%s_CA_PATH" % env_prefix], vars=["%s_ca_path" % var_prefix], transport=True),
        retries=dict(TRANSPORT_OPTIONS["retries"], default=retries, transport=True),
    )


def joined(*option_sets):
    joined = {}
    for options in option_sets:
        joined.update(options)
    return joined


# The options every service shares (doc_fragments/connection.py), without the services' variables.
TRANSPORT_NAMES = ("timeout", "validate_certs", "ca_path")


def names(*option_sets):
    """The option names of these sets, in declaration order."""
    return tuple(joined(*option_sets))


def secret_names(*option_sets):
    """The names of the options that are secrets (no_log)."""
    return tuple(name for name, option in joined(*option_sets).items() if option.get("no_log"))


def default(option_set, name):
    return option_set[name].get("default")


def _spec_entry(option):
    return dict((key, option[key]) for key in _ARGSPEC_KEYS if key in option)


def argument_spec_keys(option_set):
    """The argument spec entries of a set as they are (no env fallback): for options resolved in code."""
    return dict((name, _spec_entry(option)) for name, option in option_set.items())


def argument_spec(*option_sets, **more):
    """An AnsibleModule argument spec of these sets, and of `more` (a module's own options, in argument spec terms).

    A declaration's env becomes an env_fallback. ansible-core is imported here, not at the top: only modules call this.
    """
    from ansible.module_utils.basic import env_fallback  # pylint: disable=import-outside-toplevel

    spec = {}
    for name, option in joined(*option_sets).items():
        entry = _spec_entry(option)
        if option.get("env"):
            entry["fallback"] = (env_fallback, list(option["env"]))
        spec[name] = entry
    spec.update(more)
    return spec


def resolve(declarations, given, environ=None, variables=None):
    """{name: value} of every declared option, by the one precedence of every door: the given value (a task option,
    a provider setting) when not None, then a variable named in the declaration's vars (when variables are given),
    then an environment variable named in its env (when environ is given; an empty one counts as unset: an
    exported but empty variable is how a shell leaves a value out), then the declared default."""
    resolved = {}
    for name, option in declarations.items():
        value = given.get(name)
        if value is None and variables is not None:
            value = next((variables[var] for var in option.get("vars", ()) if variables.get(var) is not None), None)
        if value is None and environ is not None:
            value = next((environ[env] for env in option.get("env", ()) if environ.get(env)), None)
        resolved[name] = option.get("default") if value is None else value
    return resolved


class DeclaredClient(object):
    """A service client built from its declared connection options (OPTIONS): the one from_options of every door."""

    OPTIONS = {}

    @classmethod
    def from_options(cls, get_option, **door):
        """A client from a module's params.get, a lookup's get_option or the provider's settings; door: what the
        door decides (masked_results)."""
        return cls(**dict(dict((name, get_option(name)) for name in cls.OPTIONS), **door))

    @classmethod
    def transport_settings(cls, given):
        """The transport's options (declared with transport=True): given, else their declared default; and
        read_only (check mode: the transport sends reads only) when given."""
        settings = resolve(dict((name, option) for name, option in cls.OPTIONS.items() if option.get("transport")),
                           given)
        if given.get("read_only"):
            settings["read_only"] = True
        return settings
