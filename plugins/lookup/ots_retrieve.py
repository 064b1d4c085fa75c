# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: ots_retrieve
short_description: Reveal the secrets behind onetimesecret links
version_added: 0.1.0
description:
  - Each term is a secret's link or key; returns its value, in the same order.
  - B(Revealing destroys each secret on the server.) Keep the result out of logs (C(no_log)).
  - A keyword that is not one of the options below fails the lookup before any request, in the words a module uses
    for an unknown parameter, so a misspelt option is never ignored.
extends_documentation_fragment:
  - oneshot.secrets.ots
  - oneshot.secrets.connection
  - oneshot.secrets.ots.plugins
options:
  _terms:
    description: Links (C(https://host/secret/KEY)) or keys of the secrets to reveal.
    type: list
    elements: str
    required: true
  passphrase:
    description: Passphrase of the secrets, when they have one.
    type: str
seealso:
  - module: oneshot.secrets.ots_secret_reveal
author:
  - oneshot.secrets maintainers (@oneshot-secrets)
"""

EXAMPLES = r"""
- name: Read a password handed over as a one-time link
  ansible.builtin.set_fact:
    service_password: "{{ lookup('oneshot.secrets.ots_retrieve', handoff_link, passphrase=agreed_phrase) }}"
  no_log: true
"""

RETURN = r"""
_raw:
  description: The value of each secret.
  type: list
  elements: str
"""

from ansible_collections.oneshot.secrets.plugins.module_utils.ots import (
    OtsClient,
    key_from_reference,
)
from ansible_collections.oneshot.secrets.plugins.plugin_utils.lookup import ServiceLookupBase


class LookupModule(ServiceLookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.load_options(variables, kwargs)
        passphrase = self.get_option("passphrase")

        def reveal(client):
            for term in terms:  # every reference is checked before the first secret is revealed (and destroyed)
                key_from_reference(term)
            return [client.retrieve(term, passphrase=passphrase)["value"] for term in terms]

        return self.run_with_client("ots_retrieve", OtsClient.from_options, reveal)
