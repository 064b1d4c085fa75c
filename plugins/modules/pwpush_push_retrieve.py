#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pwpush_push_retrieve
short_description: Read the secret behind a Password Pusher link (counts a view)
version_added: 0.1.0
description:
  - Returns the payload of a push. This B(counts a view), which may expire the push for good, so it is a module of
    its own and not an option of the read-only M(oneshot.secrets.pwpush_push_info). Use C(no_log) on the task.
  - The task reports C(changed) when a view may have been counted - not for an expired push, nor with the
    owner's O(token) (one read of the audit log, which only the owner may read, tells). An administrator's
    retrieval counts no view on the server either, but nothing an administrator can read through the API tells
    it apart from a counted view, so it is reported as C(changed).
extends_documentation_fragment:
  - oneshot.secrets.pwpush
  - oneshot.secrets.connection
  - oneshot.secrets.attributes
  - oneshot.secrets.attributes.PWPUSH
attributes:
  check_mode:
    support: full
    details:
      - Nothing is retrieved in check mode, because a retrieval counts a view; the push's preview (its link) is
        returned instead, which also tells whether the token and link are right.
options:
  url_token:
    description:
      - The push, given as its token or any of its links (C(https://host/p/TOKEN), C(.../p/TOKEN/r)).
    type: str
    required: true
  passphrase:
    description:
      - The push's passphrase. Five wrong tries in a minute lock the push for a while (HTTP 429).
      - The API takes it as a query parameter, so it can appear in the server's and proxies' access logs.
    type: str
seealso:
  - module: oneshot.secrets.pwpush_push_info
  - plugin: oneshot.secrets.pwpush_retrieve
    plugin_type: lookup
author:
  - oneshot.secrets maintainers (@oneshot-secrets)
"""

EXAMPLES = r"""
- name: Read a secret that was pushed to us (counts a view)
  oneshot.secrets.pwpush_push_retrieve:
    url_token: "{{ handoff_link }}"
    passphrase: "{{ agreed_phrase }}"
  register: handoff
  no_log: true
"""

RETURN = r"""
push:
  description:
    - The push's fields without the passphrase, with C(payload) (null once expired). In check mode only the
      preview's C(url_token) and C(url).
  returned: always
  type: dict
  sample: {"url_token": "fkwjfvhall92", "expired": false, "views_remaining": 0}
payload:
  description: The secret. Null when the push has expired.
  returned: not check mode
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import (
    connection_argument_spec,
    run_module,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import redact


def retrieve(module, client):
    reference = module.params["url_token"]
    if module.check_mode:
        return dict(changed=False, push=client.preview(reference))
    push = client.retrieve(reference, passphrase=module.params["passphrase"])
    payload = push.get("payload")
    shown = redact(push)
    shown["payload"] = payload
    return dict(changed=client.retrieval_counted_a_view(reference, push), push=shown, payload=payload)


def main():
    spec = connection_argument_spec()
    spec.update(
        url_token=dict(type="str", required=True, no_log=False),
        passphrase=dict(type="str", no_log=True),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    module.exit_json(**run_module(module, lambda client: retrieve(module, client)))


if __name__ == "__main__":
    main()
