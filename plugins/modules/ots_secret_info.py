#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ots_secret_info
short_description: Reveal an onetimesecret secret, read a receipt, list recent secrets or check the service
version_added: 0.1.0
description:
  - O(secret_key) reveals the secret. B(This destroys it on the server); nobody can open the link afterwards,
    so the task reports C(changed). Use C(no_log) on the task.
  - O(metadata_key) reads the receipt (state V(new), V(received), V(burned), V(expired)) without touching the secret.
  - O(recent=true) lists the account's recent receipts; O(status=true) checks the service (and the credentials,
    when given).
extends_documentation_fragment:
  - oneshot.secrets.ots
  - oneshot.secrets.attributes
  - oneshot.secrets.attributes.OTS
attributes:
  check_mode:
    support: full
    details:
      - Receipts, lists and status are read as usual. Revealing a secret is not done in check mode, because it
        destroys the secret.
options:
  secret_key:
    description:
      - The secret to reveal, given as its key or its link (C(https://host/secret/KEY)).
    type: str
  passphrase:
    description:
      - The secret's passphrase. A wrong one is answered like an unknown secret and does not destroy it;
        20 wrong tries lock it for 30 minutes.
    type: str
  metadata_key:
    description:
      - The receipt to read, given as its key or its C(/private/) link.
    type: str
  recent:
    description:
      - List the account's recent receipts (needs O(username) and O(api_token)).
    type: bool
  status:
    description:
      - Check the service status (C(/status)), or the credentials too (C(/authcheck)) when they are given.
    type: bool
seealso:
  - module: oneshot.secrets.ots_secret
  - plugin: oneshot.secrets.ots_retrieve
    plugin_type: lookup
author:
  - oneshot.secrets maintainers (@oneshot-secrets)
"""

EXAMPLES = r"""
- name: Has the recipient opened it yet?
  oneshot.secrets.ots_secret_info:
    metadata_key: "{{ shared.metadata_key }}"
  register: receipt

- name: Read a secret someone shared with us (destroys it)
  oneshot.secrets.ots_secret_info:
    secret_key: https://eu.onetimesecret.com/secret/2w8f1r5gk1b6wz0c8cxnb0ojnj3ls7ck
    passphrase: "{{ agreed_phrase }}"
  register: handoff
  no_log: true

- name: Are our credentials good?
  oneshot.secrets.ots_secret_info:
    status: true
    username: it@example.com
    api_token: "{{ vault_ots_token }}"
"""

RETURN = r"""
value:
  description: The revealed secret (O(secret_key)). Null in check mode.
  returned: O(secret_key) is given
  type: str
receipt:
  description: The receipt, without secret values, with numbers as integers, C(secret_url), C(metadata_url), C(expires_at).
  returned: O(metadata_key) is given
  type: dict
receipts:
  description: Recent receipts of the account.
  returned: O(recent=true)
  type: list
  elements: dict
service_status:
  description: The server's status answer, for example V(nominal) in C(status).
  returned: O(status=true)
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oneshot.secrets.plugins.module_utils.ots import (
    connection_argument_spec,
    key_from_reference,
    run_module,
)


def gather(module, client):
    params = module.params
    if params["secret_key"]:
        key_from_reference(params["secret_key"])
        if module.check_mode:
            return dict(value=None)
        return dict(value=client.retrieve(params["secret_key"], passphrase=params["passphrase"])["value"])
    if params["metadata_key"]:
        return dict(receipt=client.metadata(params["metadata_key"]))
    if params["recent"]:
        return dict(receipts=client.recent())
    return dict(service_status=client.status())


def main():
    spec = connection_argument_spec()
    spec.update(
        secret_key=dict(type="str", no_log=False),
        passphrase=dict(type="str", no_log=True),
        metadata_key=dict(type="str", no_log=False),
        # No defaults: a default would satisfy required_one_of and turn an empty task into a status check.
        recent=dict(type="bool"),
        status=dict(type="bool"),
    )
    module = AnsibleModule(
        argument_spec=spec,
        mutually_exclusive=[("secret_key", "metadata_key", "recent", "status")],
        required_one_of=[("secret_key", "metadata_key", "recent", "status")],
        supports_check_mode=True,
    )
    result = run_module(module, lambda client: gather(module, client))
    # Revealing destroys the secret on the server: that is a change, and it says so.
    revealed = bool(module.params["secret_key"]) and not module.check_mode
    module.exit_json(changed=revealed, **result)


if __name__ == "__main__":
    main()
