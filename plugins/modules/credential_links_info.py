#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: credential_links_info
short_description: Follow up the links of M(oneshot.secrets.credential_links) - opened or not, when, expired or not
version_added: 0.1.0
description:
  - Reads back the links handed out by M(oneshot.secrets.credential_links) (for example the rows of the CSV
    C(user,email,link) of the playbook C(oneshot.secrets.distribute_credentials)) and tells, per person, whether the
    link was opened, when, and whether it still opens. It changes nothing and never spends a view - its client sends
    reads only.
  - Password Pusher - per link, the owner's audit log (its C(view) entries are the person's views) and the owner's
    read of the push (whether it has expired). Neither counts as a view; the server records the second as an
    C(owner_view). Needs O(token), the token of the user who made the pushes.
  - onetimesecret - a secret cannot be looked at without spending it, only its receipt can. With the row's
    C(receipt) (the receipt key or link) the receipt is read; otherwise, with O(username) and O(api_token), the
    account's recent receipts are read once and each link found by its key. A link that neither reaches is
    reported V(unknown) with the reason (the service drops the secret's key from a receipt once it is read, burned
    or expired, and lists 30 days).
  - Up to O(concurrency) reads in flight over one connection, so thousands of links take seconds.
extends_documentation_fragment:
  - oneshot.secrets.connection
  - oneshot.secrets.attributes
  - oneshot.secrets.attributes.INFO_MODULE
attributes:
  action_group:
    description: Not in an action group - it serves both Password Pusher and onetimesecret.
    support: none
    membership: []
options:
  service:
    description: Where the links were made - V(pwpush) (Password Pusher) or V(ots) (onetimesecret).
    type: str
    choices: [pwpush, ots]
    default: pwpush
  links:
    description:
      - One row a person - C(name) (or C(user)), C(link), and optionally C(email) and, with O(service=ots), C(receipt)
        (the receipt key or link). The rows of the CSV of C(distribute_credentials) (read with
        P(oneshot.secrets.from_csv#filter)) and the RV(oneshot.secrets.credential_links#module:links) of
        M(oneshot.secrets.credential_links) fit as they are; other keys are ignored.
      - A row without a link is reported as V(no_link). Names must be unique. Every row is checked before any request.
    type: list
    elements: dict
    required: true
  url:
    description:
      - Base URL of the server.
      - When not set, E(PWPUSH_URL) (O(service=pwpush)) or E(OTS_URL) (O(service=ots)), else V(https://pwpush.com)
        or V(https://us.onetimesecret.com).
    type: str
  token:
    description:
      - Password Pusher API token of the user who made the pushes; required with O(service=pwpush) (only the owner
        may read a push's audit log without spending a view). When not set, E(PWPUSH_TOKEN).
    type: str
  email:
    description:
      - Password Pusher - email of the token's user, for servers that predate Bearer tokens. When not set,
        E(PWPUSH_EMAIL). Only with O(service=pwpush).
    type: str
  username:
    description:
      - onetimesecret account (email) that made the secrets; with O(api_token), links without a C(receipt) are looked
        up in its recent receipts. When not set, E(OTS_USERNAME). Only with O(service=ots).
    type: str
  api_token:
    description: onetimesecret API token of O(username). When not set, E(OTS_TOKEN). Only with O(service=ots).
    type: str
  validate_certs:
    description:
      - Verify the server's TLS certificate. When not set, E(PWPUSH_VALIDATE_CERTS) or E(OTS_VALIDATE_CERTS), else V(true).
    type: bool
    default: null
  ca_path:
    description: Path of a PEM CA bundle to verify the server's certificate with. When not set, E(PWPUSH_CA_PATH) or E(OTS_CA_PATH).
    type: path
  retries:
    description: How many times a read is retried after a 5xx answer, a timeout or a broken connection.
    type: int
    default: 3
  concurrency:
    description: How many reads are in flight at once, 1 to 8, over one keep-alive session.
    type: int
    default: 8
  pace:
    description:
      - At most this many requests a second, for all workers together; V(0) relies on the server's C(429) answers
        alone (each is waited out as its C(Retry-After) asks).
    type: float
    default: 0
notes:
  - A link the server does not answer for (after O(retries)) is reported V(unknown) with the reason and a warning
    counts them; a refused token, or no link answered at all, fails the task.
  - Password Pusher counts a view of the retrieval step's final page only; opening the link's first page
    (C(/r), with the button) is not a view, so such a person is reported V(unopened).
seealso:
  - module: oneshot.secrets.credential_links
  - module: oneshot.secrets.pwpush_push
  - module: oneshot.secrets.ots_secret
author:
  - oneshot.secrets maintainers (@oneshot-secrets)
"""

EXAMPLES = r"""
- name: Who opened their link (the CSV of distribute_credentials; PWPUSH_URL and PWPUSH_TOKEN from the environment)
  oneshot.secrets.credential_links_info:
    links: "{{ lookup('ansible.builtin.file', '/srv/links.csv') | oneshot.secrets.from_csv(neutralized=true) }}"
  delegate_to: localhost
  run_once: true
  register: followup

- name: The table
  ansible.builtin.debug:
    msg: "{{ followup.lines }}"

- name: Expire the links nobody opened
  oneshot.secrets.pwpush_push:
    state: absent
    url_token: "{{ item.link }}"
  loop: "{{ followup.people | selectattr('status', 'equalto', 'unopened') }}"
  loop_control:
    label: "{{ item.name }}"
  delegate_to: localhost
"""

RETURN = r"""
people:
  description: One entry a row of O(links), in their order. No secret.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The person's name.
      type: str
    email:
      description: The row's email, or null.
      type: str
    link:
      description: The row's link, or null.
      type: str
    status:
      description:
        - V(opened) - viewed at least once; V(unopened) - never viewed and still opens; V(expired) - never viewed
          and no longer opens (lifetime over, expired or burned by its owner); V(unknown) - see RV(people[].reason);
          V(no_link) - the row holds no link.
      type: str
      choices: [opened, unopened, expired, unknown, no_link]
    opened:
      description: Whether the link was opened; null when it cannot be told.
      type: bool
    opened_at:
      description: When it was first opened (the server's time, UTC), or null.
      type: str
    expired:
      description: Whether the link no longer opens (an opened onetimesecret link has); null when it cannot be told.
      type: bool
    expired_at:
      description: When it expired, when the server says, or null.
      type: str
    views:
      description: Password Pusher - how many views the audit log holds; null otherwise.
      type: int
    reason:
      description: Why the status is V(unknown) or V(no_link); null otherwise.
      type: str
    receipt:
      description:
        - onetimesecret - the receipt key, when known (given or found), to burn the secret with
          M(oneshot.secrets.ots_secret) O(oneshot.secrets.ots_secret#module:state=absent). Keep it private. Null for
          Password Pusher.
      type: str
  sample:
    - {name: alice, email: alice@example.com, link: "https://pwpush.com/p/abcdefghij1234/r", status: opened,
       opened: true, opened_at: "2025-05-02T08:14:03.000Z", expired: true, expired_at: "2025-05-02T08:14:03.000Z",
       views: 1, reason: null, receipt: null}
counts:
  description: How many people have each status.
  returned: always
  type: dict
  sample: {opened: 812, unopened: 170, expired: 15, unknown: 0, no_link: 3}
lines:
  description: One line a person for a table - the name, the status (with when it was opened, or why unknown), the link.
  returned: always
  type: list
  elements: str
  sample:
    - "alice  opened 2025-05-02T08:14:03.000Z  https://pwpush.com/p/abcdefghij1234/r"
unreadable:
  description: How many links could not be read (reported V(unknown) with the reason).
  returned: always
  type: int
paced:
  description: How many requests had to wait, for O(pace) or because the server answered C(429).
  returned: always
  type: int
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import ServiceError
from ansible_collections.oneshot.secrets.plugins.module_utils._core.options import argument_spec_keys
from ansible_collections.oneshot.secrets.plugins.module_utils._core.pacing import Pacer
from ansible_collections.oneshot.secrets.plugins.module_utils._core.transport import INSECURE_WARNING
from ansible_collections.oneshot.secrets.plugins.module_utils._core.values import check_numbers
from ansible_collections.oneshot.secrets.plugins.module_utils._credential_followup import (
    FOLLOWUP,
    FollowupInputError,
    check_links,
    followup,
    summary,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._credential_links_task import (
    connection,
    connection_argument_spec,
    refuse_other_service_options,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import OtsClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient


def checked(module, options):
    """The rows, with everything refused before any request (FollowupInputError names the option)."""
    params = module.params
    service = params["service"]
    refuse_other_service_options(params, FollowupInputError)
    check_numbers(FOLLOWUP, params.get)
    if service == "pwpush" and not options.get("token"):
        raise FollowupInputError("token (PWPUSH_TOKEN) is required with service=pwpush: only the user who made the "
                                 "pushes may read their audit logs without spending a view.", option="token")
    return check_links(params["links"], service)


def run(module):
    options = connection(module, os.environ)
    rows = checked(module, options)
    if options["validate_certs"] is False:
        module.warn(INSECURE_WARNING)
    pacer = Pacer(module.params["pace"])
    client_class = PwpushClient if module.params["service"] == "pwpush" else OtsClient
    # Reads only, in check mode or not: the transport refuses anything but GET and HEAD.
    client = client_class(pacer=pacer, read_only=True, **options)
    try:
        people, unreadable = followup(client, module.params["service"], rows, module.params["concurrency"])
    finally:
        client.close()
    if unreadable:
        module.warn("%d link(s) could not be read and are reported as unknown (see each reason)." % unreadable)
    counts, lines = summary(people)
    return dict(changed=False, people=people, counts=counts, lines=lines, unreadable=unreadable, paced=pacer.paced)


def main():
    module = AnsibleModule(argument_spec=dict(connection_argument_spec(), **argument_spec_keys(FOLLOWUP)),
                           supports_check_mode=True)
    result, failure = None, None
    try:
        result = run(module)
    except ServiceError as exc:
        failure = dict(msg=exc.message, status=exc.status)
    if failure is not None:
        # Outside the except clause: at -vvv ansible-core before 2.19 would add the traceback to the result.
        module.fail_json(**failure)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
