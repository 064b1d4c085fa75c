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
        description: Email address of the employee.
        type: str
        required: true
      password:
        description: The plain-text password (hashes never match). Never returned, never logged.
        type: str
        required: true
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
        C(-vvvv) invocation or in registered results; messages about a bad item name its index (from 0) and email.
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oneshot.secrets.plugins.module_utils.pushsecurity import (
    MAX_BATCH,
    PushSecurityError,
    connection_argument_spec,
    load_credentials_file,
    passwords_shown_in,
    run_module,
    validate_credentials,
)


def ensure_present(module, client, credentials):
    if not credentials:
        return dict(changed=False, submitted=0, batches=0, emails=[])
    if module.check_mode:
        size = module.params["batch_size"]
        return dict(changed=True, submitted=len(credentials), batches=(len(credentials) + size - 1) // size,
                    emails=[item["email"] for item in credentials])
    result = client.add_stolen_credentials(credentials, batch_size=module.params["batch_size"], checked=True)
    result["changed"] = True
    return result


def ensure_absent(module, client, credentials):
    if not module.check_mode:
        client.delete_all_stolen_credentials()
    return dict(changed=True, deleted="all")


def take_credentials(module):
    """The credentials to send, from O(credentials) or the O(src) file, checked; masking kept linear.

    Ansible masks every no_log value in every string of the result, the invocation included: with a no_log
    password per credential that grows with credentials x strings (minutes for 10,000). The result holds no
    password, only counts and emails, so the invocation shows a count instead of the list and only passwords
    that occur inside an email are masked. Passwords read from O(src) never were arguments; the same rule
    adds the ones that occur inside an email.
    """
    if module.params["state"] != "present":
        module.params["credentials"] = []
        return []
    try:
        if module.params["src"]:
            credentials = load_credentials_file(module.params["src"])
        else:
            credentials = [dict((key, value) for key, value in item.items() if key != "metadata" or value is not None)
                           for item in module.params["credentials"]]
            validate_credentials(credentials)
    except PushSecurityError as exc:
        module.params["credentials"] = "not shown"
        module.fail_json(msg=exc.message)
    passwords = set(item["password"] for item in credentials)
    shown = passwords_shown_in([item["email"] for item in credentials], passwords)
    module.no_log_values = set(value for value in module.no_log_values if value not in passwords) | shown
    module.params["credentials"] = "%d credential(s), not shown" % len(credentials)
    return credentials


def main():
    spec = connection_argument_spec()
    spec.update(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        credentials=dict(type="list", elements="dict", default=[], options=dict(
            email=dict(type="str", required=True),
            password=dict(type="str", required=True, no_log=True),
            metadata=dict(type="dict"),
        )),
        src=dict(type="path"),
        batch_size=dict(type="int", default=MAX_BATCH),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, mutually_exclusive=[("credentials", "src")])
    credentials = take_credentials(module)
    if not 1 <= module.params["batch_size"] <= MAX_BATCH:
        module.fail_json(msg="batch_size must be between 1 and %d (the API's limit), got %d." % (
            MAX_BATCH, module.params["batch_size"]))
    if not module.params["api_key"]:
        module.fail_json(msg="api_key is required: set it or PUSHSECURITY_API_KEY (a Full access key for writes).")
    ensure = ensure_present if module.params["state"] == "present" else ensure_absent
    result = run_module(module, lambda client: ensure(module, client, credentials))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
