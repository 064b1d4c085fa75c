# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared plumbing of the collection's lookups."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.oneshot.secrets.plugins.module_utils._guards import mask_secrets
from ansible_collections.oneshot.secrets.plugins.module_utils._http import INSECURE_WARNING, ServiceError
from ansible_collections.oneshot.secrets.plugins.module_utils._options import (
    OTS_CONNECTION,
    OTS_SECRET,
    PUSHSECURITY_CONNECTION,
    PWPUSH_CONNECTION,
    PWPUSH_PUSH,
    secret_names,
)

display = Display()

# Options whose values a lookup's error must never show (a module's no_log does this for modules).
SECRET_OPTIONS = secret_names(PWPUSH_CONNECTION, PWPUSH_PUSH, OTS_CONNECTION, OTS_SECRET, PUSHSECURITY_CONNECTION)


class ServiceLookupBase(LookupBase):
    """A lookup whose connection options may also come from variables (pwpush_url, ots_url, ...)."""

    def load_options(self, variables, kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        # Options read from variables arrive untemplated ("{{ vault_token }}"); render them like task options.
        for name, value in list(self._options.items()):
            if isinstance(value, str) and self._templar.is_template(value):
                self.set_option(name, self._templar.template(value))
        if self.get_option("validate_certs") is False:
            display.warning(INSECURE_WARNING)

    def run_with_client(self, name, client_factory, action, secrets=()):
        """action(client) with a client built from this lookup's options (no request yet), closed afterwards.

        A service error becomes an AnsibleError naming the lookup. A server may echo what it was sent, and nothing
        masks a lookup's error the way no_log masks a module's: `secrets` (the terms that are secrets) and the
        secret options are masked here.
        """
        client = None
        try:
            client = client_factory(self.get_option)
            return action(client)
        except ServiceError as exc:
            if getattr(exc, "short_secret", False):  # quotes no value; masking a short one would garble it
                raise AnsibleError("%s lookup: %s" % (name, exc.message))
            hidden = list(secrets) + [self._options.get(option) for option in SECRET_OPTIONS]
            raise AnsibleError("%s lookup: %s" % (name, mask_secrets(exc.message, hidden)))
        finally:
            if client is not None:
                client.close()
