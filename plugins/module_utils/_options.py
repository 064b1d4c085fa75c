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

# The keys of a declaration that AnsibleModule's argument spec takes as they are.
_ARGSPEC_KEYS = ("type", "default", "choices", "elements", "no_log")


def _transport(env_prefix, var_prefix, retries):
    """timeout, validate_certs, ca_path, retries: the same for every service but for the variables' names and
    the number of retries (doc_fragments/connection.py; retries is documented per service, its meaning differs)."""
    return dict(
        timeout=dict(type="float", default=30.0),
        validate_certs=dict(type="bool", default=True, env=["%s_VALIDATE_CERTS" % env_prefix],
                            vars=["%s_validate_certs" % var_prefix]),
        ca_path=dict(type="path", env=["%s_CA_PATH" % env_prefix], vars=["%s_ca_path" % var_prefix]),
        retries=dict(type="int", default=retries),
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
