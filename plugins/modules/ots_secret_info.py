#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ots_secret_info
short_description: Read an onetimesecret receipt, list recent secrets or check the service
version_added: 0.1.0
description:
  - It changes nothing on the server. To reveal a secret, which destroys it, use M(oneshot.secrets.ots_secret_reveal).
  - O(metadata_key) reads the receipt (state V(new), V(received), V(burned), V(expired)) without touching the secret.
  - O(recent=true) lists the account's recent receipts; O(status=true) checks the service (and the credentials,
    when given).
extends_documentation_fragment:
  - oneshot.secrets.ots
  - oneshot.secrets.connection
  - oneshot.secrets.attributes
  - oneshot.secrets.attributes.OTS
  - oneshot.secrets.attributes.INFO_MODULE
options:
  secret_key:
    description:
      - Not available here. Revealing a secret destroys it, so it is the job of
        M(oneshot.secrets.ots_secret_reveal); giving it fails with a message that says so.
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

- name: Are our credentials good?
  oneshot.secrets.ots_secret_info:
    status: true
    username: it@example.com
    api_token: "{{ vault_ots_token }}"
"""

RETURN = r"""
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


from ansible_collections.oneshot.secrets.plugins.module_utils._core.module import ServiceModule
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import OtsClient


def gather(module, client):
    params = module.params
    if params["metadata_key"]:
        return dict(receipt=client.metadata(params["metadata_key"]))
    if params["recent"]:
        return dict(receipts=client.recent())
    return dict(service_status=client.status())


def main():
    own = dict(
        secret_key=dict(type="str", no_log=False),
        metadata_key=dict(type="str", no_log=False),
        # No defaults: a default would satisfy required_one_of and turn an empty task into a status check.
        recent=dict(type="bool"),
        status=dict(type="bool"),
    )
    module = ServiceModule(
        OtsClient,
        argument_spec=own,
        mutually_exclusive=[("secret_key", "metadata_key", "recent", "status")],
        required_one_of=[("secret_key", "metadata_key", "recent", "status")],
        supports_check_mode=True,
    )
    if module.params["secret_key"]:
        module.fail_json(msg="secret_key is not an option of ots_secret_info, which changes nothing: use "
                             "oneshot.secrets.ots_secret_reveal to reveal (and so destroy) a secret.")
    result = module.run(lambda client: gather(module, client))
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
