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
  - In check mode (C(ansible-playbook --check)) nothing is revealed and no request is sent. Each reference is
    checked for its form only, because the API has no read that leaves a secret intact. The result is C(null)
    for each term.
  - A lookup sees only the run's check mode (C(ansible_check_mode)), not a task's C(check_mode) keyword. A task with
    C(check_mode) set to true still reveals and destroys its secrets, and one with C(check_mode) set to false still
    changes nothing under C(--check).
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
  description:
    - The value of each secret.
    - In check mode C(null) for each term (nothing is revealed).
  type: list
  elements: str
"""

from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import OtsClient
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.spec import key_from_reference
from ansible_collections.oneshot.secrets.plugins.plugin_utils.lookup import ServiceLookupBase


class LookupModule(ServiceLookupBase):
    CLIENT = OtsClient
    CHANGES_SERVER = True  # revealing destroys the secret

    def validate(self, client, terms):
        for term in terms:  # every reference is checked before the first secret is revealed (and destroyed)
            key_from_reference(term)

    def change(self, client, terms, validated):
        passphrase = self.get_option("passphrase")
        return [client.retrieve(term, passphrase=passphrase)["value"] for term in terms]
