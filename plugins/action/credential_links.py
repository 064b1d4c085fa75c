# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of oneshot.secrets.credential_links (the documentation is the module's).

On the controller itself (the local connection, no become) the task runs in the worker process, as a
lookup does: the same code as the module (module_utils/_credential_links_task.py) without starting a Python on
the target, building the module's zip or discovering an interpreter, which is most of a re-run's time when every
link is reused. Everywhere else, and when the controller's Python lacks requests, the module runs on the target
as any module does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
from collections.abc import Mapping

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.oneshot.secrets.plugins.module_utils._core.transport import HAS_REQUESTS
from ansible_collections.oneshot.secrets.plugins.module_utils._credential_links import (
    InputError,
    given_passwords,
    short_password_refusal,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._credential_links_task import argument_spec, outcome

MODULE = "oneshot.secrets.credential_links"
display = Display()
NO_LOG_WARNING = ("credential_links returned new passwords from a task without no_log: Ansible shows them at -v and "
                  "in callbacks and logs. Put no_log: true on the task.")


class ControllerTask(object):
    """What the task layer asks of AnsibleModule (params, check_mode, warn, boolean, no_log_values), in the
    controller's worker."""

    def __init__(self, params, check_mode, no_log_values):
        self.params = params
        self.check_mode = check_mode
        self.no_log_values = set(no_log_values)
        self.warnings = []

    def warn(self, warning):
        self.warnings.append(warning)

    @staticmethod
    def boolean(value):
        if value is None or isinstance(value, bool):
            return value
        try:
            return boolean(value)
        except TypeError as exc:
            raise InputError(str(exc))


def texts(value):
    """Each string or number in value as text: what AnsibleModule keeps of a no_log value (empty strings, None and
    booleans are nothing to mask)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, Mapping):
            pending.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            pending.extend(item)
        elif isinstance(item, str):
            if item:
                yield item
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            yield str(item)


def holds_any(value, secrets):
    """Whether a string or number anywhere in value holds one of secrets: what remove_values would mask. Checking
    first spares the copy remove_values makes of a result of thousands of links when, as usual, nothing is masked.

    Each text's substrings of each secret length are looked up in a set: the cost grows with the text and the
    number of different lengths, not with the number of secrets (stage=push gets one password a person).
    """
    wanted = set(secrets)
    lengths = sorted(set(len(secret) for secret in wanted))
    for text in texts(value):
        for length in lengths:
            if length > len(text):
                break
            if any(text[start:start + length] in wanted for start in range(len(text) - length + 1)):
                return True
    return False


def masked(result, secrets):
    """The result as AnsibleModule returns it: every secret masked (remove_values), copied only when one is there."""
    return remove_values(result, secrets) if holds_any(result, secrets) else result


def secret_values(spec, params):
    """The values in params of every option the spec marks no_log=True, suboptions included: what AnsibleModule
    masks in a result, found from the spec itself, not from the validator's private state."""
    found = set()
    for name, option in spec.items():
        value = params.get(name)
        if value is None:
            continue
        if option.get("no_log"):
            found.update(texts(value))
        elif option.get("options"):
            for element in value if isinstance(value, list) else [value]:
                if isinstance(element, Mapping):
                    found.update(secret_values(option["options"], element))
    return found


def validation_failure(validation):
    """AnsibleModule's message for arguments its spec refuses, or None (from ValidationResult's public errors, an
    AnsibleValidationErrorMultiple: its items and msg)."""
    try:
        first = validation.errors[0]
    except IndexError:
        return None
    message = validation.errors.msg
    if isinstance(first, UnsupportedError):
        message = "Unsupported parameters for (%s) module: %s" % (MODULE, message)
    return message


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = True

    def _runs_here(self):
        """The target is this process's own machine and user, so the module would do exactly what this does."""
        return HAS_REQUESTS and getattr(self._connection, "transport", None) == "local" and not self._play_context.become

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        if self._task.async_val:
            # Ansible writes an async task's result to a job file (mode 0644, no_log or not): the passwords would
            # be left there in clear.
            result.update(failed=True, msg="credential_links cannot run with async: Ansible would write its result, "
                                           "the new passwords included, to a job file on the host. Run it without "
                                           "async (it already works on many people at once).")
            return result
        if not self._runs_here():
            # As ansible.builtin.normal does for any module (never async: refused above).
            result.update(self._execute_module(module_name=MODULE, module_args=self._task.args, task_vars=task_vars))
            if result.get("passwords") and not self._task.no_log:
                result.setdefault("warnings", []).append(NO_LOG_WARNING)
            self._remove_tmp_path(self._connection._shell.tmpdir)
            return result

        args = dict(self._task.args)
        people = args.get("people")
        if isinstance(people, list):
            # The validator deep-copies what it checks: thousands of people are left to check_people, which copies
            # nothing it does not keep.
            args["people"] = []
        spec = argument_spec()
        validation = ArgumentSpecValidator(spec).validate(args)
        # As given and as validated: a conversion (to str, to int) may change a secret's text.
        secrets = secret_values(spec, args) | secret_values(spec, validation.validated_parameters)
        # Passwords given in people are secret before anything, even a refusal, can show them (as in the module).
        secrets.update(given_passwords(people))
        refused = short_password_refusal(people) or validation_failure(validation)
        if refused:
            result.update(failed=True, msg=refused)
            return masked(result, secrets)

        params = validation.validated_parameters
        if isinstance(people, list):
            params["people"] = people
        task = ControllerTask(params, bool(self._task.check_mode), secrets)
        task_environment = {}
        self._compute_environment_string(task_environment)  # the task's environment keyword, as the module gets it
        environ = dict(os.environ, **dict((key, str(value)) for key, value in task_environment.items()))
        outcome_result, failure = outcome(task, environ, report=display.display)
        if failure is not None:
            result.update(failure, failed=True)
        else:
            result.update(outcome_result)
        if result.get("passwords") and not self._task.no_log:
            task.warn(NO_LOG_WARNING)
        if task.warnings:
            result["warnings"] = task.warnings
        return masked(result, task.no_log_values)
