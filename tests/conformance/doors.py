# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One adapter per door of the collection: each takes a door-neutral ask (a service, a secret, connection and push
options in the declarations' names, check mode) and runs it the way that door's users do, over real HTTP.

- module: the service's module (pwpush_push, ots_secret, pwpush_push_retrieve, ots_secret_reveal), in process;
- lookup: the service's lookup (pwpush, ots, pwpush_retrieve, ots_retrieve) with ansible_check_mode in its variables;
- action: credential_links' action plugin on the controller (the secret is a person's given password);
- terraform: the provider under the real Terraform binary (check mode is `terraform plan`).
Each returns an Outcome: failed, the message its user reads, and what it returned.
"""

import contextlib
import io
import json
import os
from unittest.mock import MagicMock


class Outcome:
    def __init__(self, failed, message="", result=None):
        self.failed = bool(failed)
        self.message = message or ""
        self.result = result

    def __repr__(self):
        return "Outcome(failed=%s, message=%r, result=%r)" % (self.failed, self.message, self.result)


# The plugins each door adapter runs (test_matrix.py holds every plugin of the collection to this or to a reason).
RUNS = {
    "module": ("pwpush_push", "ots_secret", "pwpush_push_retrieve", "ots_secret_reveal"),
    "lookup": ("pwpush", "ots", "pwpush_retrieve", "ots_retrieve"),
    "action": ("credential_links",),
}


class NotADoor(Exception):
    """What a case asks has no meaning behind this door (the reason is the message)."""


# --------------------------------------------------------------------------- module

def _patch_module_args(args):
    try:
        from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel
    except ImportError:  # ansible-core < 2.19
        from ansible.module_utils import basic  # pylint: disable=import-outside-toplevel

        @contextlib.contextmanager
        def patch_module_args(values):
            saved = basic._ANSIBLE_ARGS  # pylint: disable=protected-access
            basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": values}).encode()  # pylint: disable=protected-access
            try:
                yield
            finally:
                basic._ANSIBLE_ARGS = saved  # pylint: disable=protected-access
    return patch_module_args(args)


def run_module(name, args, check=False):
    import importlib  # pylint: disable=import-outside-toplevel
    module = importlib.import_module("ansible_collections.oneshot.secrets.plugins.modules.%s" % name)
    args = dict(args, _ansible_check_mode=bool(check), _ansible_module_name="oneshot.secrets.%s" % name)
    out = io.StringIO()
    with _patch_module_args(args), contextlib.redirect_stdout(out):
        try:
            module.main()
        except SystemExit:
            pass
    result = json.loads(out.getvalue())
    return Outcome(result.get("failed"), result.get("msg"), result)


class ModuleDoor:
    name = "module"

    def push(self, service, secret, connection, options, check=False):
        if service == "pwpush":
            return run_module("pwpush_push", dict(connection, payload=secret, **options), check)
        return run_module("ots_secret", dict(connection, secret=secret, **options), check)

    def retrieve(self, service, link, connection, check=False):
        if service == "pwpush":
            return run_module("pwpush_push_retrieve", dict(connection, url_token=link), check)
        return run_module("ots_secret_reveal", dict(connection, secret_key=link), check)


# --------------------------------------------------------------------------- lookup

def run_lookup(name, terms, options, check=False):
    from ansible.errors import AnsibleError  # pylint: disable=import-outside-toplevel
    from ansible.parsing.dataloader import DataLoader  # pylint: disable=import-outside-toplevel
    from ansible.plugins.loader import lookup_loader  # pylint: disable=import-outside-toplevel
    from ansible.template import Templar  # pylint: disable=import-outside-toplevel

    loader = DataLoader()
    lookup = lookup_loader.get("oneshot.secrets.%s" % name, loader=loader, templar=Templar(loader=loader))
    try:
        return Outcome(False, result=lookup.run(list(terms), variables={"ansible_check_mode": bool(check)}, **options))
    except AnsibleError as exc:
        return Outcome(True, getattr(exc, "message", None) or str(exc))


class LookupDoor:
    name = "lookup"

    def push(self, service, secret, connection, options, check=False):
        return run_lookup("pwpush" if service == "pwpush" else "ots", [secret], dict(connection, **options), check)

    def retrieve(self, service, link, connection, check=False):
        return run_lookup("pwpush_retrieve" if service == "pwpush" else "ots_retrieve", [link], connection, check)


# --------------------------------------------------------------------------- action plugin

# credential_links' default name_template without {name}.
BULK_NAME_PREFIX = "initial password for "
# The push options credential_links has, under its own names; the others have no meaning there.
_PERSON_OPTIONS = {"name": None, "expire_after_views": "views"}


class ActionDoor:
    name = "action"

    def push(self, service, secret, connection, options, check=False):
        from ansible_collections.oneshot.secrets.plugins.action import credential_links  # pylint: disable=import-outside-toplevel

        args = dict(connection, service=service)
        person = {"name": "grace", "password": secret}
        for option, value in options.items():
            if option == "name" and value.startswith(BULK_NAME_PREFIX):
                person["name"] = value[len(BULK_NAME_PREFIX):]  # the default name_template makes the push name
            elif option == "name":
                args["name_template"] = value + " {name}"
            elif option in _PERSON_OPTIONS:
                person[_PERSON_OPTIONS[option]] = value
            elif option in ("timeout", "retries", "validate_certs", "ca_path", "url") or option.startswith("x_"):
                args[option.replace("x_", "", 1)] = value
            else:
                raise NotADoor("credential_links has no option %s" % option)
        args["people"] = [person]
        task = MagicMock(args=args, async_val=0, check_mode=bool(check), environment=None,
                         action="oneshot.secrets.credential_links")
        connection_plugin = MagicMock(transport="local", has_native_async=False)
        templar = MagicMock()
        templar.template.side_effect = lambda value: value
        plugin = credential_links.ActionModule(task, connection_plugin, MagicMock(become=False), MagicMock(), templar,
                                               None)
        result = plugin.run(task_vars={})
        return Outcome(result.get("failed"), result.get("msg"), result)

    def retrieve(self, service, link, connection, check=False):
        raise NotADoor("credential_links only makes links")


# --------------------------------------------------------------------------- Terraform

_SETTINGS = {"pwpush": {"url": "pwpush_url", "token": "pwpush_token", "email": "pwpush_email"},
             "ots": {"url": "ots_url", "username": "ots_username", "api_token": "ots_api_token"}}
_HEADER = """terraform {
  required_providers {
    oneshot = {
      source  = "terraform.local/oneshot/oneshot"
      version = ">= 0.1.0"
    }
  }
}

variable "secret" {
  type      = string
  sensitive = true
}
"""


def _hcl(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value)


class TerraformDoor:
    name = "terraform"

    def __init__(self, workspace):
        self.workspace = workspace
        self.initialised = False

    def push(self, service, secret, connection, options, check=False):
        settings = []
        for option, value in connection.items():
            if option not in _SETTINGS[service]:
                raise NotADoor("the provider has no setting for %s" % option)
            settings.append("  %s = %s" % (_SETTINGS[service][option], _hcl(value)))
        resource, sealed_name = ("oneshot_pwpush_push", "payload") if service == "pwpush" else (
            "oneshot_ots_secret", "secret")
        arguments = ["  %s = %s" % (option, _hcl(value)) for option, value in options.items()]
        text = _HEADER + 'provider "oneshot" {\n%s\n}\n\nresource "%s" "case" {\n  sealed {\n    %s = var.secret\n  }\n%s\n}\n' % (
            "\n".join(settings), resource, sealed_name, "\n".join(arguments))
        self.workspace.write(text)
        if not self.initialised:
            self.workspace.tf("init")
            self.initialised = True
        # Each case starts from nothing: the state of the previous one is not this one's.
        state = os.path.join(self.workspace.dir, "terraform.tfstate")
        if os.path.exists(state):
            os.remove(state)
        env = {"TF_VAR_secret": secret}
        run = (self.workspace.tf("plan", "-input=false", env=env, expect=None) if check else
               self.workspace.tf("apply", "-auto-approve", "-input=false", env=env, expect=None))
        # Terraform wraps a diagnostic's lines at its terminal width: one space between words, as it was written.
        return Outcome(run.returncode != 0, " ".join(run.output.split()), run)

    def retrieve(self, service, link, connection, check=False):
        raise NotADoor("the provider makes pushes; it does not read them")
