#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pwpush_push_info
short_description: Preview or audit a Password Pusher push, list your pushes or accounts
version_added: 0.1.0
description:
  - By default previews a push (its link), which never counts a view. A preview does not tell whether the push is
    still active (the server answers it for expired pushes too); the owner's O(list=active) does.
  - It changes nothing on the server and counts no view. To read the payload, which counts a view, use
    M(oneshot.secrets.pwpush_push_retrieve).
  - O(audit=true) returns the push's audit log (owner only), O(list) lists your active or expired pushes,
    O(accounts=true) lists the accounts your O(token) can push to (hosted edition), to find an O(oneshot.secrets.pwpush_push#module:account_id).
extends_documentation_fragment:
  - oneshot.secrets.pwpush
  - oneshot.secrets.connection
  - oneshot.secrets.attributes
  - oneshot.secrets.attributes.PWPUSH
  - oneshot.secrets.attributes.INFO_MODULE
options:
  url_token:
    description:
      - The push, given as its token or any of its links (C(https://host/p/TOKEN), C(.../p/TOKEN/r)).
      - Required unless O(list) is given.
    type: str
  retrieve:
    description:
      - Not available here. Reading the payload counts a view, so it is the job of
        M(oneshot.secrets.pwpush_push_retrieve); V(true) fails with a message that says so.
    type: bool
    default: false
  audit:
    description:
      - Return the audit log (all pages). Needs the owner's O(token).
    type: bool
    default: false
  list:
    description:
      - List the token user's V(active) or V(expired) pushes, page by page.
    type: str
    choices: [active, expired]
  limit:
    description:
      - With O(list), stop after this many pushes.
    type: int
  accounts:
    description:
      - List the accounts the O(token)'s user can push to (C(GET /api/v2/accounts)). Only the hosted edition
        (pwpush.com) has accounts; other servers answer 404, which fails the task.
    type: bool
    default: false
seealso:
  - module: oneshot.secrets.pwpush_push
  - module: oneshot.secrets.pwpush_push_retrieve
  - plugin: oneshot.secrets.pwpush_retrieve
    plugin_type: lookup
author:
  - oneshot.secrets maintainers (@oneshot-secrets)
"""

EXAMPLES = r"""
- name: Preview a link (counts no view; the server answers even for an expired push, so this does not tell)
  oneshot.secrets.pwpush_push_info:
    url_token: https://pwpush.com/p/fkwjfvhall92
  register: preview

- name: Check that a link still works - the owner's list of active pushes (counts no view)
  oneshot.secrets.pwpush_push_info:
    list: active
    token: "{{ pwpush_api_token }}"
  register: active

- name: Fail when the push is no longer active
  ansible.builtin.assert:
    that: push.url_token in active.pushes | map(attribute='url_token')
    fail_msg: The link {{ push.url }} no longer works (used up, expired or deleted).

- name: Who opened the link?
  oneshot.secrets.pwpush_push_info:
    url_token: "{{ push.url_token }}"
    audit: true
    token: "{{ pwpush_api_token }}"
  register: audit

- name: My 20 newest active pushes
  oneshot.secrets.pwpush_push_info:
    list: active
    limit: 20
    token: "{{ pwpush_api_token }}"
  register: active

- name: Which accounts can this token push to (hosted edition)?
  oneshot.secrets.pwpush_push_info:
    accounts: true
    token: "{{ pwpush_api_token }}"
  register: my_accounts
"""

RETURN = r"""
push:
  description:
    - The push's preview, its C(url_token) and C(url).
  returned: unless O(list), O(audit) or O(accounts)
  type: dict
  sample: {"url_token": "fkwjfvhall92", "url": "https://pwpush.com/p/fkwjfvhall92"}
audit_log:
  description: Audit log entries (C(kind) is creation, view, expire, failed_passphrase or failed_view).
  returned: O(audit=true)
  type: list
  elements: dict
accounts:
  description: The accounts of the token's user, as the server lists them (each with its C(id)).
  returned: O(accounts=true)
  type: list
  elements: dict
  sample: [{"id": 1001, "name": "Acme Support Team"}]
pushes:
  description: The pushes of O(list), newest first, without payloads or passphrases, each with its share C(url).
  returned: O(list) is set
  type: list
  elements: dict
"""


from ansible_collections.oneshot.secrets.plugins.module_utils._core.module import ServiceModule
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient


def gather(module, client):
    params = module.params
    if params["accounts"]:
        return dict(changed=False, accounts=client.list_accounts())
    if params["list"]:
        return dict(changed=False, pushes=client.list_pushes(params["list"], limit=params["limit"]))
    if params["audit"]:
        return dict(changed=False, audit_log=client.audit(params["url_token"]))
    return dict(changed=False, push=client.preview(params["url_token"]))


def main():
    own = dict(
        url_token=dict(type="str", no_log=False),
        retrieve=dict(type="bool", default=False),
        audit=dict(type="bool", default=False),
        list=dict(type="str", choices=["active", "expired"]),
        limit=dict(type="int"),
        accounts=dict(type="bool", default=False),
    )
    module = ServiceModule(
        PwpushClient,
        argument_spec=own,
        mutually_exclusive=[("retrieve", "audit", "list", "accounts"), ("list", "url_token"), ("accounts", "url_token")],
        required_one_of=[("url_token", "list", "accounts")],
        required_by={"limit": "list"},
        supports_check_mode=True,
    )
    if module.params["retrieve"]:
        module.fail_json(msg="retrieve is not an option of pwpush_push_info, which never counts a view: use "
                             "oneshot.secrets.pwpush_push_retrieve to read the payload.")
    if module.params["limit"] is not None and module.params["limit"] < 1:
        module.fail_json(msg="limit must be 1 or more (got %d)." % module.params["limit"])
    result = module.run(lambda client: gather(module, client))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
