#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pwpush_request
short_description: Ask a person for a secret with a Password Pusher request, or expire the request
version_added: 0.1.0
description:
  - Creates a request on Password Pusher Pro (U(https://pwpush.com)) and returns its link. Send the link to the
    person (a vendor, a new colleague); what they submit arrives as a push that the O(token)'s user owns.
    M(oneshot.secrets.pwpush_request_info) lists the pushes a request received,
    M(oneshot.secrets.pwpush_push_retrieve) reads one.
  - Expires a request with O(state=absent), so its link accepts nothing more.
  - Only Password Pusher Pro serves requests; the open-source edition and API v1 servers do not, and the task fails
    saying so (M(oneshot.secrets.pwpush_instance_info) returns C(requests) to check first).
  - Needs O(token).
extends_documentation_fragment:
  - oneshot.secrets.pwpush
  - oneshot.secrets.connection
  - oneshot.secrets.attributes
  - oneshot.secrets.attributes.PWPUSH
attributes:
  check_mode:
    support: full
    details:
      - Nothing is created or expired and C(changed) is predicted. The server's version, the request to expire and,
        for O(reuse_existing), the list of active requests are still read.
options:
  state:
    description:
      - V(present) creates a request (or reuses one, see O(reuse_existing)).
      - V(absent) expires the request given by O(url_token), or every active request called O(name).
        A request that is already expired or does not exist is not a change.
    type: str
    choices: [present, absent]
    default: present
  request:
    description:
      - The message the person reads when they open the link, for example what to send. Required with
        O(state=present). It is not a secret; do not put one in it.
    type: str
  name:
    description:
      - A label shown to the owner. With O(reuse_existing) it identifies the request.
    type: str
  note:
    description:
      - A note only the owner sees.
    type: str
  passphrase:
    description:
      - A passphrase the person must enter to open the request (at least 8 characters). Never returned.
    type: str
  expire_after_duration:
    description:
      - When the request closes, as the hosted edition's duration code V(0) to V(17) or its name (V(1 hour),
        V(1 day), V(1 week), V(3 months), ...). Sent as the server's C(close_after_duration); without it the server
        uses its default.
    type: str
  retrieval_step:
    description:
      - Put a click-through step before the request page (stops link scanners from opening it).
    type: bool
  include_requestor:
    description:
      - The server's C(include_requestor) switch, to show who asks (the O(token)'s user) on the request page.
    type: bool
  response_file_attachments:
    description:
      - The server's C(response_file_attachments) switch, to let the person attach files to what they send.
    type: bool
  notify_emails_to:
    description:
      - Email addresses the server mails the request's link to; 1 to 5 distinct addresses, checked as the server
        checks them before any request.
    type: list
    elements: str
  notify_emails_to_locale:
    description:
      - Language of those emails, for example V(en) or V(de).
    type: str
  reuse_existing:
    description:
      - When an active request with this O(name) exists for the token's user, behind a passphrase exactly when
        O(passphrase) is set, return it with C(changed=false) instead of creating another, so re-runs are
        idempotent. Needs O(name). Only the name and whether there is a passphrase are compared (the rule of
        O(oneshot.secrets.pwpush_push#module:reuse_existing)).
    type: bool
    default: false
  url_token:
    description:
      - The request to expire with O(state=absent), as its token or its link (C(https://host/req/TOKEN)).
    type: str
seealso:
  - module: oneshot.secrets.pwpush_request_info
  - module: oneshot.secrets.pwpush_push_retrieve
  - module: oneshot.secrets.pwpush_instance_info
author:
  - oneshot.secrets maintainers (@oneshot-secrets)
"""

EXAMPLES = r"""
- name: Ask the vendor for the API key
  oneshot.secrets.pwpush_request:
    token: "{{ pwpush_api_token }}"
    request: Please send the production API key for the billing integration.
    name: billing-api-key
    expire_after_duration: 3 days
    notify_emails_to:
      - vendor@example.com
    reuse_existing: true
  register: ask

- name: Or send the link yourself
  ansible.builtin.debug:
    msg: "Please use {{ ask.url }} to send us the key."

- name: Close the request once the key has arrived
  oneshot.secrets.pwpush_request:
    token: "{{ pwpush_api_token }}"
    state: absent
    url_token: "{{ ask.url_token }}"
"""

RETURN = r"""
url:
  description: The request's link to send to the person.
  returned: O(state=present), except in check mode when nothing exists yet
  type: str
  sample: https://pwpush.com/req/fkwjfvhall92/r
url_token:
  description: The request's token.
  returned: O(state=present) (except in check mode when nothing exists yet), or one request expired
  type: str
request:
  description:
    - The request as the server describes it, without its passphrase (C(passphrase_protected) says whether it has
      one); C(responses) lists the pushes it received, C(response_tokens) their tokens.
  returned: O(state=present), except in check mode when nothing exists yet
  type: dict
reused:
  description: True when an existing request was returned because of O(reuse_existing).
  returned: O(state=present)
  type: bool
expired_tokens:
  description: The requests this run expired (or would expire, in check mode).
  returned: O(state=absent)
  type: list
  elements: str
"""

from ansible_collections.oneshot.secrets.plugins.module_utils._core.module import ServiceModule
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush import asks
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient


def argument_spec():
    """pwpush_request's own options (ServiceModule adds the connection options)."""
    return dict(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        request=dict(type="str"),
        name=dict(type="str"),
        note=dict(type="str"),
        passphrase=dict(type="str", no_log=True),
        expire_after_duration=dict(type="str"),
        retrieval_step=dict(type="bool"),
        include_requestor=dict(type="bool"),
        response_file_attachments=dict(type="bool"),
        notify_emails_to=dict(type="list", elements="str"),
        notify_emails_to_locale=dict(type="str"),
        reuse_existing=dict(type="bool", default=False),
        url_token=dict(type="str", no_log=False),
    )


def ensure_present(module, client):
    params = module.params
    fields = asks.request_fields(
        params["request"], name=params["name"], note=params["note"], passphrase=params["passphrase"],
        expire_after_duration=params["expire_after_duration"], retrieval_step=params["retrieval_step"],
        include_requestor=params["include_requestor"], response_file_attachments=params["response_file_attachments"],
        notify_emails_to=params["notify_emails_to"], notify_emails_to_locale=params["notify_emails_to_locale"])
    asks.prepare_request(client, fields)  # before any write, in check mode too
    if params["reuse_existing"]:
        existing = asks.find_active_by_name(client, params["name"], passphrase_protected=bool(params["passphrase"]))
        if existing:
            return dict(changed=False, reused=True, url=existing["url"], url_token=existing["url_token"],
                        request=existing)
    if module.check_mode:
        return dict(changed=True, reused=False, url=None, url_token=None, request=None)
    created = asks.create_request(client, fields)
    return dict(changed=True, reused=False, url=created["url"], url_token=created["url_token"], request=created)


def ensure_absent(module, client):
    params = module.params
    # A bad url_token fails before any request.
    targets = [asks.token_from_link(params["url_token"])] if params["url_token"] else None
    asks.require_requests(client)
    if targets is None:
        targets = [found["url_token"] for found in asks.iter_requests(client, "active")
                   if found.get("name") == params["name"] and not found.get("expired")]
    expired = []
    for target in targets:
        changed, found = asks.expire_request(client, target, check_mode=module.check_mode)
        if changed:
            expired.append(found["url_token"])
    result = dict(changed=bool(expired), expired_tokens=expired)
    if len(targets) == 1 and expired:
        result["url_token"] = expired[0]
    return result


def main():
    module = ServiceModule(
        PwpushClient,
        argument_spec=argument_spec(),
        mutually_exclusive=[("request", "url_token")],
        required_if=[
            ("state", "present", ("request",)),
            ("reuse_existing", True, ("name",)),
            ("state", "absent", ("url_token", "name"), True),
        ],
        supports_check_mode=True,
    )
    if not module.params["token"]:
        module.fail_json(msg="pwpush_request needs token (PWPUSH_TOKEN): only a signed-in user can ask for "
                             "a secret and own what arrives.")
    ensure = ensure_present if module.params["state"] == "present" else ensure_absent
    result = module.run(lambda client: ensure(module, client))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
