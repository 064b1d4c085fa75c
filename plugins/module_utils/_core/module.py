# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of every module of the collection: one service's connection options declared once, its client built
from them, and every service error one fail_json naming the option (never a traceback).

    module = ServiceModule(PwpushClient, PWPUSH_PUSH, argument_spec=dict(payload=...), mutually_exclusive=...)
    module.exit_with(lambda client: ...)

The client class says which options it is built from (DeclaredClient.OPTIONS, _core/options.py); the module's
argument spec is those, the option sets given, and argument_spec (the module's own options).
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oneshot.secrets.plugins.module_utils._core.checks import url_password
from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import ServiceError
from ansible_collections.oneshot.secrets.plugins.module_utils._core.masking import unmask_short_secrets
from ansible_collections.oneshot.secrets.plugins.module_utils._core.options import argument_spec as declared_spec
from ansible_collections.oneshot.secrets.plugins.module_utils._core.transport import INSECURE_WARNING


class ServiceModule(AnsibleModule):
    """An AnsibleModule of one service (client_class), supporting check mode unless told otherwise."""

    def __init__(self, client_class, *option_sets, **kwargs):
        self.client_class = client_class
        own = kwargs.pop("argument_spec", None) or {}
        kwargs.setdefault("supports_check_mode", True)
        super(ServiceModule, self).__init__(argument_spec=declared_spec(client_class.OPTIONS, *option_sets, **own),
                                            **kwargs)

    def run(self, action):
        """action(client) with a client built from the module's options, closed afterwards; its result.

        A ServiceError (they never carry a secret) becomes fail_json with the server's status. Modules mask their
        results (no_log), so their clients keep Ansible's rules against short secrets (masked_results).
        """
        client = None
        password = url_password(self.params.get("url"))
        if password:
            # The url is refused below; its user:password must not show in the invocation either.
            self.no_log_values.add(password)
        if self.params.get("validate_certs") is False:
            self.warn(INSECURE_WARNING)
        try:
            # In check mode the core sends reads only, whatever the module's own code does.
            client = self.client_class.from_options(self.params.get, read_only=self.check_mode)
            return action(client)
        except ServiceError as exc:
            if getattr(exc, "short_secret", False):
                unmask_short_secrets(self)
            self.fail_json(msg=exc.message, status=exc.status)
        finally:
            if client is not None:
                client.close()

    def exit_with(self, action):
        """run(action), then exit_json with its result."""
        self.exit_json(**self.run(action))
