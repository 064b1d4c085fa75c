#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pwpush_request_info
short_description: Read a Password Pusher request and what was sent to it, or list your requests
version_added: 0.1.0
description:
  - Returns a request you own (Password Pusher Pro) with what it asks, whether it is expired, and the pushes people sent
    to it (C(request.responses), their tokens in C(request.response_tokens)). O(list) lists your active or expired
    requests.
  - It changes nothing on the server and counts no view. To read what a person sent, give one of
    C(request.response_tokens) to M(oneshot.secrets.pwpush_push_retrieve) (that writes to the push's audit log and,
    for anyone but its owner, counts a view).
  - Only Password Pusher Pro serves requests; elsewhere the task fails saying so.
  - Needs O(token) (the request's owner).
extends_documentation_fragment:
  - oneshot.secrets.pwpush
  - oneshot.secrets.connection
  - oneshot.secrets.attributes
  - oneshot.secrets.attributes.PWPUSH
  - oneshot.secrets.attributes.INFO_MODULE
options:
  url_token:
    description:
      - The request, as its token or its link (C(https://host/req/TOKEN), C(.../req/TOKEN/r)).
      - Required unless O(list) is given.
    type: str
  retrieve:
    description:
      - Not available here. Reading what was sent is a retrieval of its push, the job of
        M(oneshot.secrets.pwpush_push_retrieve), so that this module stays read-only; V(true) fails with a message
        that says so.
    type: bool
    default: false
  list:
    description:
      - List the token user's V(active) or V(expired) requests, newest first.
    type: str
    choices: [active, expired]
  limit:
    description:
      - With O(list), stop after this many requests.
    type: int
seealso:
  - module: oneshot.secrets.pwpush_request
  - module: oneshot.secrets.pwpush_push_retrieve
author:
  - oneshot.secrets maintainers (@oneshot-secrets)
"""

EXAMPLES = r"""
- name: Has the vendor sent the key yet?
  oneshot.secrets.pwpush_request_info:
    token: "{{ pwpush_api_token }}"
    url_token: "{{ ask.url_token }}"
  register: asked

- name: Read what they sent (the newest response)
  oneshot.secrets.pwpush_push_retrieve:
    token: "{{ pwpush_api_token }}"
    url_token: "{{ asked.request.response_tokens | last }}"
  register: sent
  no_log: true
  when: asked.request.response_tokens | length > 0

- name: My open requests
  oneshot.secrets.pwpush_request_info:
    token: "{{ pwpush_api_token }}"
    list: active
  register: open_requests
"""

RETURN = r"""
request:
  description:
    - The request without its passphrase (C(passphrase_protected) says whether it has one), its link as C(url),
      C(responses) (the pushes it received, each with its C(url_token) and C(created_at)) and C(response_tokens).
  returned: unless O(list)
  type: dict
  sample: {"url_token": "fkwjfvhall92", "name": "billing-api-key", "expired": false,
           "url": "https://pwpush.com/req/fkwjfvhall92/r", "response_tokens": ["q3xk0dlq7ma"]}
requests:
  description: The requests of O(list), newest first, described like RV(request).
  returned: O(list) is set
  type: list
  elements: dict
"""

from ansible_collections.oneshot.secrets.plugins.module_utils._core.module import ServiceModule
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush import asks
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient


def gather(module, client):
    params = module.params
    if params["list"]:
        return dict(changed=False, requests=asks.list_requests(client, params["list"], limit=params["limit"]))
    return dict(changed=False, request=asks.show_request(client, params["url_token"]))


def main():
    own = dict(
        url_token=dict(type="str", no_log=False),
        retrieve=dict(type="bool", default=False),
        list=dict(type="str", choices=["active", "expired"]),
        limit=dict(type="int"),
    )
    module = ServiceModule(
        PwpushClient,
        argument_spec=own,
        mutually_exclusive=[("list", "url_token"), ("retrieve", "list")],
        required_one_of=[("url_token", "list")],
        required_by={"limit": "list"},
        supports_check_mode=True,
    )
    if module.params["retrieve"]:
        module.fail_json(msg="retrieve is not an option of pwpush_request_info, which never counts a view: give one "
                             "of request.response_tokens to oneshot.secrets.pwpush_push_retrieve to read what was sent.")
    if module.params["limit"] is not None and module.params["limit"] < 1:
        module.fail_json(msg="limit must be 1 or more (got %d)." % module.params["limit"])
    if not module.params["token"]:
        module.fail_json(msg="pwpush_request_info needs token (PWPUSH_TOKEN): only a request's owner can read it.")
    result = module.run(lambda client: gather(module, client))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
