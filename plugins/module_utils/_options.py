# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every option set of the collection, declared once; argument specs and the rest are derived from here.

For the collection's own use: not a public API, it may change in any release.

An option is a dict in argument spec terms (type, default, choices, elements, no_log) plus where a value may
come from when the task does not give it: `env` (environment variables, for modules and lookups) and `vars`
(variables, for lookups). Derived from these declarations:
- module argument specs: argument_spec() below (env becomes an env_fallback);
- the clients' from_options() and the lookups' option lists: names(), secret_names();
- PushSpec construction: PushSpec.from_options() (module_utils/_pwpush/spec.py);
- the Terraform provider's settings and resource schema (terraform/oneshot_provider/).
The doc fragments (plugins/doc_fragments/) stay static YAML for ansible-doc;
tests/unit/plugins/module_utils/test_options.py fails when one says other than this file.

Nothing here imports ansible-core at import time: the Terraform provider uses this file without it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# The keys of a declaration that AnsibleModule's argument spec takes as they are; the others are the core's
# (min, max, above, or_zero, unit: _core/values.py; env, vars: where a value may come from).
_ARGSPEC_KEYS = ("type", "default", "choices", "elements", "no_log", "required")

# What the transport (module_utils/_http.py) checks itself, whatever the door: finite numbers in range.
TRANSPORT_OPTIONS = dict(
    timeout=dict(type="float", default=30.0, above=0, max=86400, unit="seconds"),
    retries=dict(type="int", default=3, min=0, max=100),
)


def _transport(env_prefix, var_prefix, retries):
    """timeout, validate_certs, ca_path, retries: the same for every service but for the variables' names and
    the number of retries (doc_fragments/connection.py; retries is documented per service, its meaning differs)."""
    return dict(
        timeout=dict(TRANSPORT_OPTIONS["timeout"]),
        validate_certs=dict(type="bool", default=True, env=["%s_VALIDATE_CERTS" % env_prefix],
                            vars=["%s_validate_certs" % var_prefix]),
        ca_path=dict(type="path", env=["%s_CA_PATH" % env_prefix], vars=["%s_ca_path" % var_prefix]),
        retries=dict(TRANSPORT_OPTIONS["retries"], default=retries),
    )


def _joined(*option_sets):
    joined = {}
    for options in option_sets:
        joined.update(options)
    return joined


# The options every service shares (doc_fragments/connection.py), without the services' variables.
TRANSPORT_NAMES = ("timeout", "validate_certs", "ca_path")

# Password Pusher: doc_fragments/pwpush.py DOCUMENTATION (+ connection) and PLUGINS.
PWPUSH_CONNECTION = _joined(dict(
    url=dict(type="str", default="https://pwpush.com", env=["PWPUSH_URL"], vars=["pwpush_url"]),
    token=dict(type="str", no_log=True, env=["PWPUSH_TOKEN"], vars=["pwpush_token"]),
    email=dict(type="str", env=["PWPUSH_EMAIL"], vars=["pwpush_email"]),
    api_version=dict(type="str", default="auto", choices=["auto", "v2", "v1"], env=["PWPUSH_API_VERSION"],
                     vars=["pwpush_api_version"]),
), _transport("PWPUSH", "pwpush", retries=3))

# What shapes a new push, in pwpush_push and the pwpush lookup: doc_fragments/pwpush.py PUSH_OPTIONS.
PWPUSH_PUSH = dict(
    kind=dict(type="str", default="text", choices=["text", "url", "qr", "file"]),
    passphrase=dict(type="str", no_log=True),
    expire_after_days=dict(type="int"),
    expire_after_duration=dict(type="str"),
    expire_after_views=dict(type="int"),
    deletable_by_viewer=dict(type="bool"),
    retrieval_step=dict(type="bool"),
    note=dict(type="str"),
)

# Push options only the owner sees, documented by each plugin in its own words (name also finds pushes in
# pwpush_push): declared here, not in a fragment.
PWPUSH_PUSH_OWNER = dict(
    name=dict(type="str"),
    account_id=dict(type="int"),
)

# onetimesecret: doc_fragments/ots.py DOCUMENTATION (+ connection) and PLUGINS.
OTS_CONNECTION = _joined(dict(
    url=dict(type="str", default="https://us.onetimesecret.com", env=["OTS_URL"], vars=["ots_url"]),
    username=dict(type="str", env=["OTS_USERNAME"], vars=["ots_username"]),
    api_token=dict(type="str", no_log=True, env=["OTS_TOKEN"], vars=["ots_api_token"]),
), _transport("OTS", "ots", retries=3))

# What shapes a new secret, in ots_secret and the ots lookup: doc_fragments/ots.py SECRET_OPTIONS.
OTS_SECRET = dict(
    passphrase=dict(type="str", no_log=True),
    ttl=dict(type="int"),
    share_domain=dict(type="str"),
)

# Push Security: doc_fragments/pushsecurity.py DOCUMENTATION (+ connection); it has no lookup, hence no vars.
PUSHSECURITY_CONNECTION = _joined(dict(
    url=dict(type="str", default="https://api.pushsecurity.com", env=["PUSHSECURITY_URL"]),
    api_key=dict(type="str", no_log=True, env=["PUSHSECURITY_API_KEY"]),
), _transport("PUSHSECURITY", "pushsecurity", retries=5))
# credential_links' own options (its connection options are both services' above); ranges checked before any request.
CREDENTIAL_LINKS = dict(
    service=dict(type="str", default="pwpush", choices=["pwpush", "ots"]),
    people=dict(type="list", elements="raw", required=True),
    # 90 days: the longest either service keeps a secret (onetimesecret's own limits are checked on top).
    ttl_hours=dict(type="float", default=24.0, above=0, max=2160, unit="hours"),
    views=dict(type="int", default=1, min=1, max=100),
    password_length=dict(type="int", default=20, no_log=False, min=8, max=1024),
    password_alphabet=dict(type="str", no_log=False),
    name_template=dict(type="str", default="initial password for {name}"),
    reuse=dict(type="bool", default=True),
    previous_links=dict(type="list", elements="dict"),
    send_email=dict(type="bool", default=False),
    retrieval_step=dict(type="bool", default=True),
    concurrency=dict(type="int", default=8, min=1, max=8),
    pace=dict(type="float", default=0.0, or_zero=True, min=0.001, max=1000, unit="requests a second"),
)

for _option in PUSHSECURITY_CONNECTION.values():
    _option.pop("vars", None)
del _option


def names(*option_sets):
    """The option names of these sets, in declaration order."""
    return tuple(_joined(*option_sets))


def secret_names(*option_sets):
    """The names of the options that are secrets (no_log)."""
    return tuple(name for name, option in _joined(*option_sets).items() if option.get("no_log"))


def default(option_set, name):
    return option_set[name].get("default")


def argument_spec_keys(option_set):
    """The argument spec entries of a set as they are (no env fallback): for options resolved in code."""
    return dict((name, dict((key, option[key]) for key in _ARGSPEC_KEYS if key in option))
                for name, option in option_set.items())


def argument_spec(*option_sets, **more):
    """An AnsibleModule argument spec of these sets, and of `more` (a module's own options, in argument spec terms).

    A declaration's env becomes an env_fallback. ansible-core is imported here, not at the top: only modules call this.
    """
    from ansible.module_utils.basic import env_fallback  # pylint: disable=import-outside-toplevel

    spec = {}
    for name, option in _joined(*option_sets).items():
        entry = dict((key, option[key]) for key in _ARGSPEC_KEYS if key in option)
        if option.get("env"):
            entry["fallback"] = (env_fallback, list(option["env"]))
        spec[name] = entry
    spec.update(more)
    return spec
