#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pushsecurity_stolen_credentials
short_description: Submit stolen credentials to Push Security, or delete all of them
version_added: 0.1.0
description:
  - With O(state=present), adds the O(credentials) (leaked email and plain-text password pairs from a
    threat-intelligence feed) to Push Security's stolen credential detection, in batches of at most 500
    (the API's limit), keeping to the API's rate limit. Every item is checked before the first batch is sent.
  - With O(state=absent), B(deletes ALL custom stolen credentials of the organisation). The API has no way to
    delete some of them; O(credentials) is not used then.
  - The API cannot list what it holds, so O(state=present) reports C(changed) whenever there is something to send.
extends_documentation_fragment:
  - oneshot.secrets.pushsecurity
  - oneshot.secrets.connection
  - oneshot.secrets.attributes
  - oneshot.secrets.attributes.PUSHSECURITY
attributes:
  check_mode:
    support: full
    details:
      - Nothing is sent. The items are validated and the counts of what would be sent (or that everything would be
        deleted) are returned.
options:
  state:
    description:
      - V(present) adds O(credentials). V(absent) deletes every custom stolen credential of the organisation.
    type: str
    choices: [present, absent]
    default: present
  credentials:
    description:
      - The leaked credentials to add. Thousands in one task are fine; they are sent 500 at a time.
      - Mutually exclusive with O(src), which is faster for large exports and keeps the passwords out of Ansible's
        variables altogether.
    type: list
    elements: dict
    default: []
    suboptions:
      email:
        description:
          - Email address of the employee. Required; an item without it is refused by its place in the list.
        type: str
      password:
        description:
          - The plain-text password (hashes never match). Never returned, never logged.
          - Required; an item without it is refused by its place in the list and its email.
        type: str
      metadata:
        description: What the feed says about where it was found; attached to matching findings.
        type: dict
  src:
    description:
      - A threat-intel export to read the credentials from instead of O(credentials), on the host the module runs
        on; for this API module that is usually the controller (a play on C(localhost), or C(delegate_to=localhost)).
      - Either a JSON list of items with the keys of O(credentials) (JSON when the first non-blank character is
        C([) or C({)), or CSV with a header row naming C(email) and C(password); the other CSV columns of a row
        become its C(metadata), empty cells left out.
      - The passwords never become task arguments or variables, so they cannot show up in templating errors, in the
        C(-vvvv) invocation or in registered results; messages about a bad item name its place (C(src[N]), from 1) and email.
      - Every item is checked before the first batch is sent, as with O(credentials).
    type: path
  batch_size:
    description:
      - Credentials per request, 1 to 500.
    type: int
    default: 500
author:
  - oneshot.secrets maintainers (@oneshot-secrets)
"""

EXAMPLES = r"""
- name: Report leaked credentials from a threat-intel export
  oneshot.secrets.pushsecurity_stolen_credentials:
    api_key: "{{ vault_pushsecurity_key }}"
    credentials: "{{ lookup('ansible.builtin.file', 'leak.json') | from_json }}"
  register: report

- name: How many went out
  ansible.builtin.debug:
    msg: "{{ report.submitted }} credentials in {{ report.batches }} batches"

- name: A large export, read by the module itself (faster; passwords never become variables)
  oneshot.secrets.pushsecurity_stolen_credentials:
    src: /srv/threat-intel/leak-2026-11.csv  # header: email,password,breach,first_seen
  delegate_to: localhost

- name: Start over - this deletes EVERY custom stolen credential of the organisation
  oneshot.secrets.pushsecurity_stolen_credentials:
    state: absent
"""

RETURN = r"""
submitted:
  description: How many credentials were sent (or, in check mode, would be).
  returned: state=present
  type: int
  sample: 1200
batches:
  description: How many requests they took.
  returned: state=present
  type: int
  sample: 3
emails:
  description: The emails that were submitted, in order. Passwords are never returned.
  returned: state=present
  type: list
  elements: str
deleted:
  description: V(all) when every custom stolen credential was (or in check mode would be) deleted.
  returned: state=absent
  type: str
"""

from ansible_collections.oneshot.secrets.plugins.module_utils._core.module import ServiceModule
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.client import MAX_BATCH, PushSecurityClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.errors import PushSecurityError
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.spec import (
    load_credentials_file,
    passwords_of,
    passwords_shown_in,
)


def ensure_present(module, client, credentials):
    # The client checks the items and batch_size (in check mode too, sending nothing) before any request.
    result = client.add_stolen_credentials(credentials, batch_size=module.params["batch_size"],
                                           dry_run=module.check_mode)
    result["changed"] = result["submitted"] > 0
    return result


def ensure_absent(module, client, credentials):
    if not module.check_mode:
        client.delete_all_stolen_credentials()
    return dict(changed=True, deleted="all")


def take_credentials(module):
    """The items to send, from O(credentials) or read from the O(src) file (which checks them as it reads)."""
    if module.params["state"] != "present":
        return []
    if module.params["src"]:
        try:
            return load_credentials_file(module.params["src"])
        except PushSecurityError as exc:
            module.fail_json(msg=exc.message)
    # The argument spec fills in metadata=None for an item without it; the API takes null, the client allows it.
    return module.params["credentials"]


def keep_masking_linear(module, credentials):
    """Take the passwords out of AnsibleModule's masking once the argument spec has checked them.

    Why this touches AnsibleModule's state instead of using it as designed: AnsibleModule masks every
    no_log value in every string of the result (remove_values(): each string is searched for each value),
    so a no_log password per credential costs credentials x strings - the result returns every email, and
    the invocation (when Ansible asks for it) repeats the list: 4 s for 5,000 credentials, about 100 s for
    25,000, in remove_values alone (docs/performance.md, `make bench`). AnsibleModule has no public way to
    narrow its masking after validation, and every alternative is worse: `password` without no_log puts
    the passwords into the syslog/journal line AnsibleModule writes at start-up and into argument-spec
    errors; no_log on the whole `credentials` list masks the emails the module returns; an action plugin
    would move `src` off the host the module runs on.

    So the spec keeps `password` no_log (start-up log and argument-spec errors are masked as designed),
    and after that, here, the masking is narrowed to what can show a password:
    - the result holds counts and emails, never a password (the client returns no other string);
    - a password that occurs inside an email stays masked (passwords_shown_in(), linear in the emails);
    - the client masks every password of the call in every message it raises (PushSecurityClient._secrets,
      validate_credentials()), so fail_json needs no help;
    - the invocation shows a count instead of the list, so no password, and no 10,000 emails to search.
    Passwords read from `src` never were arguments; the same rule keeps masking those found in an email.
    The other no_log values (api_key) stay as they are.
    """
    passwords = set(passwords_of(credentials))
    others = set(value for value in module.no_log_values if value not in passwords)
    # A password that is also the value of another no_log option (api_key) stays masked.
    others |= set(value for value in (module.params.get("api_key"),) if value in passwords)
    emails = [item["email"] for item in credentials if isinstance(item.get("email"), str)]
    module.no_log_values = others | passwords_shown_in(emails, passwords)
    if module.params["credentials"]:
        module.params["credentials"] = "%d credential(s), not shown" % len(module.params["credentials"])


def main():
    # Types only: the values (emails, batch_size's range, api_key's presence) are checked by the client.
    own = dict(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        # email and password are required, checked by the client: Ansible's own check would not say which item.
        credentials=dict(type="list", elements="dict", default=[], options=dict(
            email=dict(type="str"),
            password=dict(type="str", no_log=True),
            metadata=dict(type="dict"),
        )),
        src=dict(type="path"),
        batch_size=dict(type="int", default=MAX_BATCH),
    )
    module = ServiceModule(PushSecurityClient, argument_spec=own, mutually_exclusive=[("credentials", "src")])
    credentials = take_credentials(module)
    keep_masking_linear(module, credentials)
    ensure = ensure_present if module.params["state"] == "present" else ensure_absent
    module.exit_json(**module.run(lambda client: ensure(module, client, credentials)))


if __name__ == "__main__":
    main()
