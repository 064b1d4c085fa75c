#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pwpush_push
short_description: Create or expire a Password Pusher push (a self-destructing secret link)
version_added: 0.1.0
description:
  - Creates a push on Password Pusher (hosted U(https://pwpush.com) or a self-hosted instance) and returns
    the link to hand to a person. The payload never appears in the result or in logs.
  - Expires a push with O(state=absent).
  - Speaks API v2 and, for servers older than v2.3, API v1; sends the expiry field the server honours.
extends_documentation_fragment:
  - oneshot.secrets.pwpush
  - oneshot.secrets.connection
  - oneshot.secrets.pwpush.push_options
  - oneshot.secrets.attributes
  - oneshot.secrets.attributes.PWPUSH
attributes:
  check_mode:
    support: full
    details:
      - Nothing is created or expired and C(changed) is predicted. The server's version and, for O(reuse_existing),
        the list of active pushes are still read, so the same input errors show up in check mode.
options:
  state:
    description:
      - V(present) creates a push (or reuses one, see O(reuse_existing)).
      - V(absent) expires the push given by O(url_token), or every active push called O(name).
        A push that is already expired or does not exist is not a change.
    type: str
    choices: [present, absent]
    default: present
  payload:
    description:
      - The secret (text), the link (O(kind=url)) or the QR text (O(kind=qr)). Required unless O(kind=file).
      - At least 8 characters, and not part of the link's fixed text such as the server's address, because Ansible masks it
        wherever it occurs in the result, so a shorter one could corrupt the returned link. Put words around a PIN.
      - Never returned, never logged.
    type: str
  files:
    description:
      - Paths of 1 to 10 files to push with O(kind=file) (needs O(token)). Read on the host that runs the module.
    type: list
    elements: path
  name:
    description:
      - A label shown to the owner. With O(reuse_existing) it identifies the push.
    type: str
  reuse_existing:
    description:
      - When an active push with this O(name) and O(kind), and with a passphrase exactly when O(passphrase) is
        set, already exists for the token's user, return it with C(changed=false) instead of creating another.
        Makes re-runs idempotent. Needs O(name) and O(token).
      - Only the name, the kind and whether there is a passphrase are compared; a changed payload does not replace
        the push. Expire it first (O(state=absent)). M(oneshot.secrets.credential_links) reuses by the same rule.
      - The server's lists do not say a push's kind. This module names the kind when it creates a push (in the
        User-Agent the server records in the push's audit log) and reads it back from the audit log (one read-only
        request per push of that name; no view is counted). A push of that name whose kind cannot be told that way
        (made in the web UI, with another client, or before this collection recorded kinds) is never
        reused, and a new push is created.
    type: bool
    default: false
  notify_emails_to:
    description:
      - Email addresses the server mails the link to (hosted edition, and open-source servers 2.9.2 or later with email
        enabled; older ones are refused before any request).
      - 1 to 5 distinct addresses, checked as the server checks them before any request. The server also caps
        the recipients of one push at 5 in all and each user's recipients per day (500 by default).
      - With O(url_token) and O(state=present), the link of that existing push is mailed (owner only). The server
        allows 5 such requests a minute per user. This sends mail on every run, so the task always reports
        C(changed); in check mode only the push's existence is checked.
    type: list
    elements: str
  notify_emails_to_locale:
    description:
      - Language of those emails, for example V(en) or V(de).
    type: str
  account_id:
    description:
      - Account to create the push in, for users with several accounts on the hosted edition.
    type: int
  url_token:
    description:
      - The push to expire with O(state=absent), or whose link to mail with O(state=present) and
        O(notify_emails_to), given as its token or any of its links.
    type: str
seealso:
  - module: oneshot.secrets.pwpush_push_info
  - plugin: oneshot.secrets.pwpush
    plugin_type: lookup
author:
  - oneshot.secrets maintainers (@oneshot-secrets)
"""

EXAMPLES = r"""
- name: Push a generated password, one view, expiring after a day
  oneshot.secrets.pwpush_push:
    url: https://pwpush.example.com
    token: "{{ pwpush_api_token }}"
    payload: "{{ lookup('ansible.builtin.password', '/dev/null', length=24) }}"
    expire_after_views: 1
    expire_after_days: 1
    retrieval_step: true
    name: "onboarding {{ new_user }}"
  register: push

- name: Give the person the link (never the password)
  ansible.builtin.debug:
    msg: "Your initial password: {{ push.url }}"

- name: Idempotent re-runs - reuse the active push called 'db-admin'
  oneshot.secrets.pwpush_push:
    payload: "{{ db_admin_password }}"
    name: db-admin
    reuse_existing: true
    expire_after_duration: 1 hour
  environment:
    PWPUSH_TOKEN: "{{ vault_pwpush_token }}"

- name: Send two files (needs a token)
  oneshot.secrets.pwpush_push:
    kind: file
    files:
      - /etc/ssl/private/customer.key
      - /etc/ssl/certs/customer.crt
    payload: Key and certificate for the customer portal
    passphrase: "{{ agreed_phrase }}"
    expire_after_views: 2

- name: Mail the link of an existing push to two more people
  oneshot.secrets.pwpush_push:
    url_token: "{{ push.url_token }}"
    notify_emails_to:
      - alice@example.com
      - bob@example.com

- name: Expire a push now
  oneshot.secrets.pwpush_push:
    state: absent
    url_token: "{{ push.url }}"
"""

RETURN = r"""
url:
  description: The link to give the recipient (with C(/r) when the retrieval step is on). In check mode null for a new push.
  returned: state=present
  type: str
  sample: https://pwpush.com/p/fkwjfvhall92
url_token:
  description: The push's token.
  returned: state=present, or state=absent when a push was expired
  type: str
  sample: fkwjfvhall92
json_url:
  description: The API address of the push (built from url_token; the server's own is wrong with the retrieval step).
  returned: state=present and not check mode
  type: str
  sample: https://pwpush.com/api/v2/pushes/fkwjfvhall92
html_url:
  description: The link as the server built it (from its public host; ending in C(/r) when the retrieval step is on).
  returned: state=present and not check mode
  type: str
expire_after_days:
  description: Days until expiry, as the server stored it.
  returned: when the server says
  type: int
expire_after_duration:
  description: Duration code until expiry (hosted edition).
  returned: when the server says
  type: int
expire_after_views:
  description: Views until expiry.
  returned: state=present and not check mode
  type: int
views_remaining:
  description: Views left.
  returned: state=present and not check mode
  type: int
days_remaining:
  description: Days left.
  returned: when the server says
  type: int
expired:
  description: Whether the push is expired.
  returned: state=present and not check mode
  type: bool
passphrase_protected:
  description: Whether a passphrase is needed. The passphrase itself is never returned.
  returned: state=present and not check mode
  type: bool
name:
  description: The push's name (shown to its owner only), or null. API v2 servers send it for a new push and in the
    owner's lists (so for a reused one).
  returned: when the server says
  type: str
  sample: db-admin
note:
  description: The owner's note on the push (shown to its owner only), or null. Sent as RV(name) is.
  returned: when the server says
  type: str
account_id:
  description: The account the push belongs to (the hosted edition; see M(oneshot.secrets.pwpush_push_info)'s
    O(oneshot.secrets.pwpush_push_info#module:accounts)), or null for a push made without a token.
  returned: when the server says
  type: int
  sample: 1001
retrieval_step:
  description: Whether the recipient first sees a page with a button to reveal the secret (RV(url) then ends in C(/r)).
  returned: state=present and not check mode
  type: bool
deletable_by_viewer:
  description: Whether the recipient may expire the push once they have seen it.
  returned: state=present and not check mode
  type: bool
deleted:
  description: Whether someone expired the push by hand (its owner, or a recipient when RV(deletable_by_viewer)).
  returned: state=present and not check mode
  type: bool
expired_on:
  description: When the push expired (UTC, ISO 8601, as the server wrote it); null while it is active.
  returned: state=present and not check mode
  type: str
created_at:
  description: When the push was created (UTC, ISO 8601, as the server wrote it).
  returned: state=present and not check mode
  type: str
  sample: "2026-11-24T10:00:00.000Z"
updated_at:
  description: When the push last changed (UTC, ISO 8601, as the server wrote it).
  returned: state=present and not check mode
  type: str
  sample: "2026-11-24T10:00:00.000Z"
reused:
  description: True when an existing push was returned because of O(reuse_existing).
  returned: state=present
  type: bool
notify_emails_to:
  description: The addresses the server was asked to mail the link of the existing push O(url_token) to.
  returned: O(url_token) and O(notify_emails_to) with O(state=present)
  type: list
  elements: str
message:
  description: The server's answer to that request.
  returned: O(url_token) and O(notify_emails_to) with O(state=present), not in check mode
  type: str
  sample: Recipient(s) are added to the queue to be sent.
expired_tokens:
  description: Tokens of the pushes that were (or in check mode would be) expired.
  returned: state=absent
  type: list
  elements: str
"""

from ansible_collections.oneshot.secrets.plugins.module_utils._core.module import ServiceModule
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.options import PWPUSH_PUSH, PWPUSH_PUSH_OWNER
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import PushSpec, check_notify_emails


def argument_spec():
    """pwpush_push's own options (ServiceModule adds the connection and push options)."""
    return dict(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        payload=dict(type="str", no_log=True),
        files=dict(type="list", elements="path"),
        notify_emails_to=dict(type="list", elements="str"),
        notify_emails_to_locale=dict(type="str"),
        reuse_existing=dict(type="bool", default=False),
        url_token=dict(type="str", no_log=False),
    )


def push_spec(params):
    emails = params["notify_emails_to"]
    return PushSpec.from_options(
        params.get, payload=params["payload"], files=params["files"],
        notify_emails_to=",".join(emails) if emails else None,
        notify_emails_to_locale=params["notify_emails_to_locale"],
    )


def ensure_present(module, client):
    params = module.params
    spec = push_spec(params)
    client.prepare(spec)  # every check, including the expiry the server honours, before any write
    if params["reuse_existing"]:
        existing = client.find_active_by_name(params["name"], kind=params["kind"],
                                              passphrase_protected=bool(params["passphrase"]))
        if existing:
            existing.update(changed=False, reused=True)
            return existing
    if module.check_mode:
        return dict(changed=True, reused=False, url=None, url_token=None)
    push = client.create_push(spec)
    push.update(changed=True, reused=False)
    return push


def notify_existing(module, client):
    params = module.params
    addresses = check_notify_emails(params["notify_emails_to"])
    if module.check_mode:
        client.require_notify_support()  # a server that would refuse the real run refuses the check too
        token = client.preview(params["url_token"])["url_token"]
        return dict(changed=True, url_token=token, notify_emails_to=addresses.split(","))
    result = client.notify_emails(params["url_token"], addresses, locale=params["notify_emails_to_locale"])
    result["changed"] = True
    return result


def ensure_absent(module, client):
    params = module.params
    if params["url_token"]:
        targets = [params["url_token"]]
    else:
        targets = [push["url_token"] for push in client.iter_pushes("active")
                   if push.get("name") == params["name"] and not push.get("expired")]
    expired = []
    for target in targets:
        if module.check_mode:
            try:
                client.preview(target)
            except PwpushError as exc:
                if exc.status == 404:
                    continue
                raise
            expired.append(target)
            continue
        # Found in the owner's active list just now (by name): no audit read before the DELETE.
        changed, push = client.expire(target, known_active=not params["url_token"])
        if changed:
            expired.append(push.get("url_token") or target)
    result = dict(changed=bool(expired), expired_tokens=expired)
    if len(targets) == 1 and expired:
        result["url_token"] = expired[0]
    return result


def main():
    module = ServiceModule(
        PwpushClient, PWPUSH_PUSH, PWPUSH_PUSH_OWNER,
        argument_spec=argument_spec(),
        mutually_exclusive=[("expire_after_days", "expire_after_duration"), ("payload", "url_token")],
        required_if=[
            ("reuse_existing", True, ("name",)),
            ("state", "absent", ("url_token", "name"), True),
        ],
        supports_check_mode=True,
    )
    if module.params["reuse_existing"] and not module.params["token"]:
        module.fail_json(msg="reuse_existing needs token (PWPUSH_TOKEN): finding a push by name reads your list of pushes.")
    if module.params["state"] == "absent" and not module.params["url_token"] and not module.params["token"]:
        module.fail_json(msg="state=absent by name needs token (PWPUSH_TOKEN) to find the pushes; or give url_token.")
    if module.params["state"] == "present" and module.params["url_token"]:
        if not module.params["notify_emails_to"]:
            module.fail_json(msg="url_token with state=present needs notify_emails_to (the addresses to mail the "
                                 "push's link to); to create a push give payload instead.")
        if not module.params["token"]:
            module.fail_json(msg="notify_emails_to for an existing push needs token (PWPUSH_TOKEN): only its "
                                 "owner may send its link.")
        ensure = notify_existing
    else:
        ensure = ensure_present if module.params["state"] == "present" else ensure_absent
    result = module.run(lambda client: ensure(module, client))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
