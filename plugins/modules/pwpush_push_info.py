#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pwpush_push_info
short_description: Preview, retrieve or audit a Password Pusher push, or list your pushes
version_added: 0.1.0
description:
  - By default previews a push (its link), which never counts a view. A preview does not tell whether the push is
    still active (the server answers it for expired pushes too); the owner's O(list=active) does.
  - O(retrieve=true) returns the payload and B(counts a view), which may expire the push; use C(no_log) on the task.
    The task reports C(changed) when a view was counted, so not for an expired push, nor with the owner's or an
    admin's O(token) (one read of the audit log, which only they may read, tells them apart).
  - O(audit=true) returns the push's audit log (owner only), O(list) lists your active or expired pushes.
extends_documentation_fragment:
  - oneshot.secrets.pwpush
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
    details:
      - Previews, audits and lists run as usual. O(retrieve=true) is not done in check mode, because it counts a view;
        the preview is returned instead.
  diff_mode:
    support: none
  platform:
    platforms: all
  action_group:
    support: full
    membership: [oneshot.secrets.pwpush]
options:
  url_token:
    description:
      - The push, given as its token or any of its links (C(https://host/p/TOKEN), C(.../p/TOKEN/r)).
      - Required unless O(list) is given.
    type: str
  passphrase:
    description:
      - The push's passphrase, for O(retrieve=true). Five wrong tries in a minute lock the push for a while (HTTP 429).
    type: str
  retrieve:
    description:
      - Return the payload. Counts a view unless the token is the owner's, and may expire the push.
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
seealso:
  - module: oneshot.secrets.pwpush_push
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

- name: Read a secret that was pushed to us (counts a view)
  oneshot.secrets.pwpush_push_info:
    url_token: "{{ handoff_link }}"
    passphrase: "{{ agreed_phrase }}"
    retrieve: true
  register: handoff
  no_log: true

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
"""

RETURN = r"""
push:
  description:
    - The push. A preview has only C(url_token) and C(url). A retrieval adds the push's fields and C(payload)
      (null once expired). The passphrase is never returned.
  returned: unless O(list) or O(audit)
  type: dict
  sample: {"url_token": "fkwjfvhall92", "url": "https://pwpush.com/p/fkwjfvhall92"}
payload:
  description: The secret, with O(retrieve=true). Null when the push has expired.
  returned: O(retrieve=true) and not check mode
  type: str
audit_log:
  description: Audit log entries (C(kind) is creation, view, expire, failed_passphrase or failed_view).
  returned: O(audit=true)
  type: list
  elements: dict
pushes:
  description: The pushes of O(list), newest first, without payloads or passphrases, each with its share C(url).
  returned: O(list) is set
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oneshot.secrets.plugins.module_utils.pwpush import (
    connection_argument_spec,
    run_module,
    redact,
)


def gather(module, client):
    params = module.params
    if params["list"]:
        return dict(changed=False, pushes=client.list_pushes(params["list"], limit=params["limit"]))
    if params["audit"]:
        return dict(changed=False, audit_log=client.audit(params["url_token"]))
    if params["retrieve"] and not module.check_mode:
        push = client.retrieve(params["url_token"], passphrase=params["passphrase"])
        payload = push.get("payload")
        shown = redact(push)
        shown["payload"] = payload
        return dict(changed=client.retrieval_counted_a_view(params["url_token"], push), push=shown, payload=payload)
    return dict(changed=False, push=client.preview(params["url_token"]))


def main():
    spec = connection_argument_spec()
    spec.update(
        url_token=dict(type="str", no_log=False),
        passphrase=dict(type="str", no_log=True),
        retrieve=dict(type="bool", default=False),
        audit=dict(type="bool", default=False),
        list=dict(type="str", choices=["active", "expired"]),
        limit=dict(type="int"),
    )
    module = AnsibleModule(
        argument_spec=spec,
        mutually_exclusive=[("retrieve", "audit", "list"), ("list", "url_token")],
        required_one_of=[("url_token", "list")],
        required_by={"limit": "list"},
        supports_check_mode=True,
    )
    if module.params["limit"] is not None and module.params["limit"] < 1:
        module.fail_json(msg="limit must be 1 or more (got %d)." % module.params["limit"])
    result = run_module(module, lambda client: gather(module, client))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
