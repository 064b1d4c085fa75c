#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ots_secret_reveal
short_description: Reveal the secret behind an onetimesecret link (destroys it)
version_added: 0.1.0
description:
  - Returns the value of a secret. B(This destroys it on the server); nobody can open the link afterwards, so the
    task reports C(changed). It is a module of its own and not an option of the read-only
    M(oneshot.secrets.ots_secret_info). Use C(no_log) on the task.
extends_documentation_fragment:
  - oneshot.secrets.ots
  - oneshot.secrets.connection
  - oneshot.secrets.attributes
  - oneshot.secrets.attributes.OTS
attributes:
  check_mode:
    support: full
    details:
      - Nothing is revealed in check mode, because revealing destroys the secret; the key is checked for its form
        only (the API has no read that leaves a secret intact).
options:
  secret_key:
    description:
      - The secret to reveal, given as its key or its link (C(https://host/secret/KEY)).
    type: str
    required: true
  passphrase:
    description:
      - The secret's passphrase. A wrong one is answered like an unknown secret and does not destroy it;
        20 wrong tries lock it for 30 minutes.
    type: str
seealso:
  - module: oneshot.secrets.ots_secret_info
  - plugin: oneshot.secrets.ots_retrieve
    plugin_type: lookup
author:
  - oneshot.secrets maintainers (@oneshot-secrets)
"""

EXAMPLES = r"""
- name: Read a secret someone shared with us (destroys it)
  oneshot.secrets.ots_secret_reveal:
    secret_key: https://eu.onetimesecret.com/secret/2w8f1r5gk1b6wz0c8cxnb0ojnj3ls7ck
    passphrase: "{{ agreed_phrase }}"
  register: handoff
  no_log: true
"""

RETURN = r"""
value:
  description: The revealed secret. Null in check mode.
  returned: always
  type: str
"""

from ansible_collections.oneshot.secrets.plugins.module_utils._core.module import ServiceModule
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import OtsClient
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.spec import key_from_reference


def reveal(module, client):
    key_from_reference(module.params["secret_key"])
    if module.check_mode:
        return dict(changed=False, value=None)
    value = client.retrieve(module.params["secret_key"], passphrase=module.params["passphrase"])["value"]
    # Revealing destroys the secret on the server: that is a change, and it says so.
    return dict(changed=True, value=value)


def main():
    own = dict(
        secret_key=dict(type="str", required=True, no_log=False),
        passphrase=dict(type="str", no_log=True),
    )
    module = ServiceModule(OtsClient, argument_spec=own, supports_check_mode=True)
    module.exit_json(**module.run(lambda client: reveal(module, client)))


if __name__ == "__main__":
    main()
