# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The task layer of credential_links, shared by the module and its action plugin: the argument spec, the
connection options, the checks made before any request, and one run from validated options to a result.

`module` is anything with params, check_mode, warn(), boolean() and no_log_values: AnsibleModule on a target,
the action plugin's ControllerTask on the controller.
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oneshot.secrets.plugins.module_utils._core.checks import url_password
from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import ServiceError
from ansible_collections.oneshot.secrets.plugins.module_utils._core.options import (
    argument_spec_keys as argument_spec_of,
    resolve,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._core.pacing import Pacer
from ansible_collections.oneshot.secrets.plugins.module_utils._core.progress import progress_of
from ansible_collections.oneshot.secrets.plugins.module_utils._core.transport import INSECURE_WARNING
from ansible_collections.oneshot.secrets.plugins.module_utils._core.values import check_numbers
from ansible_collections.oneshot.secrets.plugins.module_utils._credential_links import (
    CREDENTIAL_LINKS,
    DEFAULT_ALPHABET,
    InputError,
    check_alphabet,
    check_people,
    check_previous_links,
    check_stage,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._credential_links_run import (
    BulkFailure,
    ots_links,
    pwpush_links,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._credential_links_served import record_unchanged
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import OtsClient
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.options import OTS_CONNECTION
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.options import PWPUSH_CONNECTION

# Resolved in code (connection()): one url option serves both services, each with the defaults and environment
# variables its own modules read.
SERVICE_CONNECTION = {"pwpush": PWPUSH_CONNECTION, "ots": OTS_CONNECTION}
# Each service's credentials, and the transport's options (declared transport=True) that both services share.
CONNECTION_NAMES = ("url", "token", "email", "username", "api_token") + tuple(
    name for name, option in PWPUSH_CONNECTION.items() if option.get("transport"))
SERVICE_OPTIONS = {"pwpush": ("token", "email"), "ots": ("username", "api_token")}


def connection_argument_spec():
    """The connection options of both services as declared once (module_utils/_*/options.py), without the
    defaults and variables that depend on the service: connection() resolves those."""
    declared = dict(OTS_CONNECTION)
    declared.update(PWPUSH_CONNECTION)
    spec = {}
    for name in CONNECTION_NAMES:
        spec[name] = dict((key, declared[name][key]) for key in ("type", "no_log", "choices") if key in declared[name])
        if declared[name].get("default") is not None and not declared[name].get("env"):
            # An option with an environment variable keeps no default here: connection() must still read it.
            spec[name]["default"] = declared[name]["default"]
    return spec


def argument_spec():
    return dict(connection_argument_spec(), **argument_spec_of(CREDENTIAL_LINKS))


def connection(module, environ):
    """The service's connection options, resolved as every door resolves them (_core/options.py resolve()): task
    options, then the service's environment variables, then its declared defaults."""
    options = resolve(SERVICE_CONNECTION[module.params["service"]], module.params, environ=environ)
    options["validate_certs"] = module.boolean(options["validate_certs"])
    for secret in (options.get("token"), options.get("api_token"), url_password(options["url"])):
        if secret:
            module.no_log_values.add(secret)
    return options


def refuse_other_service_options(params, error=InputError):
    """An option of the service not chosen, refused as error(message, option) (credential_links and its _info)."""
    service = params["service"]
    for other, names in SERVICE_OPTIONS.items():
        if other != service:
            for name in names:
                if params.get(name) is not None:
                    raise error("%s is an option of service=%s, not of service=%s." % (name, other, service), name)


def check_options(module, options):
    """Everything refused before any request; InputError names the option."""
    params = module.params
    service = params["service"]
    refuse_other_service_options(params)
    check_numbers(CREDENTIAL_LINKS, params.get)
    if "{name}" not in params["name_template"]:
        raise InputError("name_template must hold {name}: the push name is how a re-run recognises each person.")
    authenticated = bool(options.get("username") and options.get("api_token"))
    if service == "ots" and params["send_email"] and not authenticated:
        raise InputError("send_email with service=ots needs an account: set username and api_token (OTS_USERNAME, "
                         "OTS_TOKEN).")
    alphabet = check_alphabet(params["password_alphabet"] if params["password_alphabet"] is not None
                              else DEFAULT_ALPHABET)
    people = check_people(params["people"], service, params["ttl_hours"], params["views"], params["send_email"],
                          params["name_template"], authenticated, warn=module.warn)
    people = check_stage(params["stage"], people, params["pending"], params["passwords"])
    previous = check_previous_links(params["previous_links"])
    return people, alphabet, previous


def run(module, environ, report=None):
    """report(line): where progress lines go while the task works (the action plugin's Display), or None."""
    params = module.params
    options = connection(module, environ)
    people, alphabet, previous = check_options(module, options)
    if options["validate_certs"] is False:
        module.warn(INSECURE_WARNING)
    pacer = Pacer(params["pace"])
    common = dict(concurrency=params["concurrency"], check_mode=module.check_mode, length=params["password_length"],
                  alphabet=alphabet, reuse=params["reuse"], send_email=params["send_email"], stage=params["stage"],
                  previous_links=previous, pending=params["pending"],
                  progress=progress_of(report, pacer))
    if params["service"] == "pwpush":
        client = PwpushClient(pacer=pacer, read_only=module.check_mode, **options)
    else:
        client = OtsClient(pacer=pacer, read_only=module.check_mode, **options)
    try:
        if params["service"] == "pwpush":
            result = pwpush_links(client, people, warn=module.warn, retrieval_step=params["retrieval_step"], **common)
        else:
            result = ots_links(client, people, **common)
    except BulkFailure as failure:
        failure.result.update(paced=pacer.paced)
        raise
    finally:
        client.close()
    result["paced"] = pacer.paced
    result["record_unchanged"] = record_unchanged(result["links"], previous)
    return result


def outcome(module, environ, report=None):
    """(result, None) or (None, failure): what the task returns, the failure without a traceback in it."""
    try:
        return run(module, environ, report), None
    except InputError as exc:
        return None, dict(msg=str(exc))
    except BulkFailure as exc:
        return None, dict(exc.result, msg=exc.message, status=exc.status)
    except ServiceError as exc:
        return None, dict(msg=exc.message, status=exc.status)
