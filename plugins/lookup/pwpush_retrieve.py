# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: pwpush_retrieve
short_description: Read the secrets behind Password Pusher links
version_added: 0.1.0
description:
  - Each term is a push's link or token; returns its payload, in the same order.
  - B(Each retrieval counts a view) (unless the token is the owner's) and may expire the push.
    Keep the result out of logs (C(no_log)).
  - An expired push fails the lookup rather than returning nothing.
  - The attachments of a file push are not saved (nor returned), because a lookup returns strings. Use the
    M(oneshot.secrets.pwpush_push_retrieve) module with its O(oneshot.secrets.pwpush_push_retrieve#module:dest)
    option to save them in a directory; the lookup returns a file push's payload (its note) only.
  - In check mode (C(ansible-playbook --check)) no view is counted. Every reference is checked, then each push is
    previewed (a read that counts no view), so a link to a push that does not exist fails the lookup; whether a push
    has expired or its passphrase is right is not checked. The result is C(null) for each term.
  - A lookup sees only the run's check mode (C(ansible_check_mode)), not a task's C(check_mode) keyword. A task with
    C(check_mode) set to true still spends views, and one with C(check_mode) set to false still changes nothing
    under C(--check).
  - A keyword that is not one of the options below fails the lookup before any request, in the words a module uses
    for an unknown parameter, so a misspelt option is never ignored.
extends_documentation_fragment:
  - oneshot.secrets.pwpush
  - oneshot.secrets.connection
  - oneshot.secrets.pwpush.plugins
options:
  _terms:
    description: Links (C(https://host/p/TOKEN), C(.../r)) or tokens of the pushes to read.
    type: list
    elements: str
    required: true
  passphrase:
    description: Passphrase of the pushes, when they have one.
    type: str
seealso:
  - module: oneshot.secrets.pwpush_push_retrieve
    description: Saves the attachments of a file push with O(oneshot.secrets.pwpush_push_retrieve#module:dest).
author:
  - oneshot.secrets maintainers (@oneshot-secrets)
"""

EXAMPLES = r"""
- name: Read a database password handed over by another team
  ansible.builtin.set_fact:
    db_password: "{{ lookup('oneshot.secrets.pwpush_retrieve', handoff_link, passphrase=agreed_phrase) }}"
  no_log: true
"""

RETURN = r"""
_raw:
  description:
    - The payload of each push.
    - In check mode C(null) for each term (no push is read).
  type: list
  elements: str
"""

from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import token_from_reference
from ansible_collections.oneshot.secrets.plugins.plugin_utils.lookup import ServiceLookupBase


class LookupModule(ServiceLookupBase):
    CLIENT = PwpushClient
    CHANGES_SERVER = True  # a retrieval counts a view

    def validate(self, client, terms):
        for term in terms:  # every reference is checked before the first view is counted
            token_from_reference(term)

    def check_mode_result(self, client, terms, validated):
        for term in terms:  # a preview counts no view: it tells that the push exists (not whether it expired)
            client.preview(term)
        return [None] * len(terms)

    def change(self, client, terms, validated):
        passphrase = self.get_option("passphrase")
        payloads = []
        for term in terms:
            push = client.retrieve(term, passphrase=passphrase)
            if push.get("expired") or push.get("payload") is None:
                raise PwpushError("the push %s has expired: its payload is gone." % token_from_reference(term))
            payloads.append(push["payload"])
        return payloads
