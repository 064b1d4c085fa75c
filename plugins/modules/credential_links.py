#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: credential_links
short_description: Give many people a password each, as self-destructing links (Password Pusher or onetimesecret)
version_added: 0.1.0
description:
  - Takes a list of people, generates a password for each one who has no link yet (with Python's C(secrets) module, on the
    host that runs the module) and pushes every password to Password Pusher or onetimesecret over one connection,
    several at a time. Returns the link of each person and, for the host step, the new passwords.
  - Re-runs are idempotent. With Password Pusher, ONE paged read of the token owner's active pushes finds the people
    already served (their push is called O(name_template)); with onetimesecret, O(previous_links) names them (for
    example the rows of the CSV of the earlier run). Nobody already served gets a second link or a new password.
  - Password Pusher lists 10,000 active pushes at most. In an account with more, the people it does not list are
    looked up in O(previous_links), link by link (the owner's reads, never a view; one read a link when the record
    gives its C(expires)); if someone is in neither, the task fails before anything is made, saying who, rather than
    risk a second link.
  - When the passwords must be set on hosts, split the run in two - O(stage=plan) (who needs a link, with the new
    passwords; nothing is made), set the passwords, then O(stage=push) with RV(pending) and RV(passwords) - so that no
    link exists whose password is not set on every host. An interrupted run then leaves either no link (the next run
    makes a new password) or a link whose password is set (the next run reuses it).
  - Built for whole organisations. Requests are spaced by O(pace) and every C(429) answer (the server refused the
    request and stored nothing) is waited out as its C(Retry-After) asks, for all workers at once, then sent again,
    so a run larger than the server's rate limit finishes with no failed person and no duplicate link.
  - Run it on the controller (C(delegate_to=localhost) or a play on localhost) with C(no_log=true) on the task, and
    feed RV(passwords) to the task that sets the accounts' passwords.
  - On the controller (the local connection, without C(become)) its action plugin runs the same code inside
    Ansible's own process, as a lookup does, reading the controller's environment and the task's C(environment); on
    any other host, or when the controller's Python has no C(requests), the module runs on that host.
extends_documentation_fragment:
  - oneshot.secrets.connection
  - oneshot.secrets.attributes
attributes:
  check_mode:
    support: full
    details:
      - Nothing is created. The server's version and, with O(service=pwpush) and O(reuse), the list of active pushes
        are still read, so C(changed), RV(created) and RV(reused) are what a real run would do; new people get
        C(link=null) and RV(passwords) is empty.
  action:
    description: Indicates this has a corresponding action plugin, so some or all of the work is done on the controller.
    support: full
    details:
      - On the controller the work is done in Ansible's own process (no module is sent); elsewhere the module runs on
        the target.
  action_group:
    description: Not in an action group - it serves both Password Pusher and onetimesecret.
    support: none
    membership: []
options:
  service:
    description:
      - Where the links are made - V(pwpush) (Password Pusher, hosted or self-hosted) or V(ots) (onetimesecret).
    type: str
    choices: [pwpush, ots]
    default: pwpush
  people:
    description:
      - The people, each a name or a dictionary. Names must be unique (a duplicate fails before any request).
      - "A dictionary has C(name) (required), C(email) (for O(send_email)), C(password) (a given password of 8 to 1024
        characters instead of a generated one; never returned, never logged), C(views) and C(ttl_hours) (this
        person's O(views) and O(ttl_hours)). Other keys (a user list often has more) are ignored with a warning that
        names them."
    type: list
    elements: raw
    required: true
  url:
    description:
      - Base URL of the server.
      - When not set, E(PWPUSH_URL) (O(service=pwpush)) or E(OTS_URL) (O(service=ots)), else V(https://pwpush.com)
        or V(https://us.onetimesecret.com).
    type: str
  token:
    description:
      - Password Pusher API token of the owner of the pushes. Needed for O(reuse) (the owner's list of active
        pushes); without it nothing is reused and a warning says so.
      - When not set, E(PWPUSH_TOKEN). Only with O(service=pwpush).
    type: str
  email:
    description:
      - Password Pusher - email of the token's user, for servers that predate Bearer tokens (see
        M(oneshot.secrets.pwpush_push)). When not set, E(PWPUSH_EMAIL). Only with O(service=pwpush).
    type: str
  username:
    description:
      - onetimesecret account (email) that owns the secrets; with O(api_token). When not set, E(OTS_USERNAME).
        Without both, secrets are shared anonymously. Only with O(service=ots).
    type: str
  api_token:
    description:
      - onetimesecret API token of O(username). When not set, E(OTS_TOKEN). Only with O(service=ots).
    type: str
  validate_certs:
    description:
      - Verify the server's TLS certificate. Turn off only for a throwaway test server.
      - When not set, E(PWPUSH_VALIDATE_CERTS) (O(service=pwpush)) or E(OTS_VALIDATE_CERTS) (O(service=ots)), else
        V(true).
    type: bool
    default: null
  ca_path:
    description:
      - Path of a PEM CA bundle to verify the server's certificate with (a private CA, a TLS-inspecting proxy).
      - When not set, E(PWPUSH_CA_PATH) (O(service=pwpush)) or E(OTS_CA_PATH) (O(service=ots)).
    type: path
  retries:
    description:
      - How many times a read is retried after a 5xx answer, a timeout or a broken connection. A create is never sent
        again once the server may have stored it.
      - C(429) answers are not counted here - every request waits them out (up to 30 times).
    type: int
    default: 3
  ttl_hours:
    description:
      - Hours a link lives (each person may have their own C(ttl_hours)).
      - Password Pusher gets the longest lifetime its edition offers that is not longer - the hosted edition 15 minutes
        to 3 months, the open-source edition (and API v1) whole days, 1 to 90. onetimesecret keeps 1 minute to 7 days
        anonymously, 30 days with an account.
    type: float
    default: 24
  views:
    description:
      - Views before a Password Pusher link expires, 1 to 100 (each person may have their own C(views)).
      - An onetimesecret link always opens once - V(1) only.
    type: int
    default: 1
  password_length:
    description: Length of the generated passwords, 8 to 1024.
    type: int
    default: 20
  password_alphabet:
    description:
      - Characters the generated passwords are drawn from (each uniformly, with C(secrets)); printable, no spaces.
      - The default is the ASCII letters, the digits and C(-_.!).
    type: str
  name_template:
    description:
      - Name of each push (Password Pusher), with C({name}) for the person's name. It is how a re-run recognises the
        people already served, so keep it the same from run to run.
    type: str
    default: initial password for {name}
  reuse:
    description:
      - Give the people already served their link again, with no new password. Password Pusher - the newest active
        push named after them in the owner's list (one paged read for everybody; needs O(token)). onetimesecret - the
        people in O(previous_links).
      - A link that was opened or has expired is no longer in the Password Pusher list, so its person gets a new one.
      - Password Pusher - only a text push without a passphrase that this collection made is reused (the note
        this module writes says so, or for other pushes the creation entry of their audit log, one read each); a
        URL push, a push behind a passphrase or a push of another kind with the same name is never handed out as
        a password link, by the same rule as O(oneshot.secrets.pwpush_push#module:reuse_existing).
    type: bool
    default: true
  previous_links:
    description:
      - The earlier run's record, as dictionaries with C(name) (or C(user)), C(link) and, if known, C(expires) (as
        RV(links) gives it); C(email) is compared for RV(record_unchanged), other keys are ignored. The rows of the
        earlier run's CSV (C(user,email,link,expires), read with P(oneshot.secrets.from_csv#filter)) fit as they are.
        A row without a link does not count.
      - onetimesecret - the people in it keep their link (the service cannot say whether it was opened) until its
        C(expires) has passed.
      - Password Pusher - only read for the people the owner's list does not reach (in an account with more than
        10,000 active pushes). Each of their links is checked before it is reused - owned by the token's user, made
        by this collection as a text push, still active. With C(expires), the link's audit log alone usually tells
        (no view spent, no expiry, made by this module, its expiry ahead), one read instead of two. Without a token
        the people in it keep their link unchecked.
    type: list
    elements: dict
  stage:
    description:
      - V(all) finds who is served, generates the new passwords and makes the links in one task.
      - V(plan) does the first two only - RV(links) of the people served, RV(pending) (who needs a link) and
        RV(passwords) (the new generated ones); nothing is made, C(changed=false).
      - V(push) makes the links of O(pending) with the O(passwords) that O(stage=plan) returned (given passwords
        are taken from O(people)); it reads no list. The other people keep the link O(previous_links) gives them
        (pass the plan's RV(links)), so RV(links) covers everybody.
    type: str
    choices: [all, plan, push]
    default: all
  pending:
    description: With O(stage=push) - the names RV(pending) of O(stage=plan) returned.
    type: list
    elements: str
  passwords:
    description: With O(stage=push) - the RV(passwords) O(stage=plan) returned. Masked wherever Ansible shows them.
    type: dict
  send_email:
    description:
      - Have the service mail each new link to the person's C(email); people without one are not mailed.
        Password Pusher - C(notify_emails_to), API v2 servers with mail set up. onetimesecret - C(recipient), needs
        O(username) and O(api_token).
    type: bool
    default: false
  retrieval_step:
    description:
      - Password Pusher - the link opens a page with a button before the secret is shown, so that mail scanners and
        link previews that open it do not use up its views (links end in C(/r)). Ignored with O(service=ots).
    type: bool
    default: true
  concurrency:
    description:
      - How many creates are in flight at once, 1 to 8, over one keep-alive session.
    type: int
    default: 8
  pace:
    description:
      - At most this many requests a second, for all workers together; V(0) sends as fast as O(concurrency) allows
        and relies on C(429) answers alone. Below the server's limit it spares the refused requests.
    type: float
    default: 0
notes:
  - The passwords are returned in RV(passwords) because the next task needs them; put C(no_log=true) on the task.
    Nothing else in the result, in a warning or in an error holds a password or a token.
  - Given passwords (C(people[].password)) and O(passwords) are masked in the result and in the module's invocation
    and are not returned. Ansible itself prints a task's arguments unmasked elsewhere (the task header with
    C(ANSIBLE_DISPLAY_ARGS_TO_STDOUT), some callbacks) unless the task has C(no_log=true); a task that returns
    new passwords without C(no_log) gets a warning saying so.
  - C(async) is refused - Ansible would write the result, the passwords included, to a job file on the host.
  - If some creates fail, the task fails with the first failure in one sentence and still returns RV(links),
    RV(passwords) and RV(created) for the people who got their link (the others have C(link=null)).
seealso:
  - module: oneshot.secrets.pwpush_push
  - module: oneshot.secrets.ots_secret
  - plugin: oneshot.secrets.pwpush
    plugin_type: lookup
author:
  - oneshot.secrets maintainers (@oneshot-secrets)
"""

EXAMPLES = r"""
- name: A link per person (Password Pusher; PWPUSH_URL and PWPUSH_TOKEN from the environment)
  oneshot.secrets.credential_links:
    people:
      - alice
      - name: bob
        email: bob@example.com
        ttl_hours: 72
    ttl_hours: 24
    views: 1
  delegate_to: localhost
  run_once: true
  no_log: true
  register: credentials

- name: Show who got which link (no password in it)
  ansible.builtin.debug:
    msg: "{{ credentials.links | map(attribute='link') | list }}"

- name: Plan - who needs a link, with their new passwords (nothing is made yet)
  oneshot.secrets.credential_links:
    stage: plan
    people: "{{ users }}"
    previous_links: "{{ earlier_rows }}"
  delegate_to: localhost
  run_once: true
  no_log: true
  register: planned

# ... set planned.passwords on every host, then:
- name: Push - the links of the people planned, with the passwords now set on the hosts
  oneshot.secrets.credential_links:
    stage: push
    people: "{{ users }}"
    pending: "{{ planned.pending }}"
    passwords: "{{ planned.passwords }}"
    previous_links: "{{ planned.links }}"
  delegate_to: localhost
  run_once: true
  no_log: true
  register: pushed
  when: planned.pending | length > 0

- name: With onetimesecret, skip the people of the earlier CSV (user,email,link)
  oneshot.secrets.credential_links:
    service: ots
    people: "{{ users }}"
    previous_links: "{{ earlier_rows }}"
    pace: 2
  delegate_to: localhost
  run_once: true
  no_log: true
  register: credentials
"""

RETURN = r"""
links:
  description: One entry per person, in the order of O(people). No password.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The person's name.
      type: str
    email:
      description: The person's email, or null.
      type: str
    link:
      description: The link to hand to the person; null in check mode for a person who would get a new one, or when
        their create failed.
      type: str
    expires:
      description:
        - When the link expires by time, in UTC (C(2026-12-06T11:55:20Z)), from the server's answer (the lifetime the
          server gave the push, which may differ from the one asked for) or from O(previous_links); null when unknown.
          It may expire earlier, once opened. Keep it with the link (the CSV of the playbooks does) - a re-run reads
          less with it.
      type: str
    reused:
      description: True when the person was already served and the link is the earlier one.
      type: bool
  sample:
    - {name: alice, email: null, link: "https://pwpush.com/p/abcdefghij1234/r", expires: "2026-12-06T11:55:20Z",
       reused: false}
lines:
  description:
    - One line per person to print, in the order of O(people) - the name, two spaces and the link, or
      V((no link yet\)). No password.
  returned: always
  type: list
  elements: str
  sample:
    - "alice  https://pwpush.com/p/abcdefghij1234/r"
passwords:
  description:
    - SECRET. Name to password, for the people who got a new link in this run with a generated password (with
      O(stage=plan) - who will get one). Empty in check mode and with O(stage=push). Put C(no_log=true) on the task
      and use it only to set the accounts' passwords.
  returned: always
  type: dict
  sample: {alice: "<the password>"}
pending:
  description:
    - The people with no link yet - with O(stage=plan) those who need one (give it to O(stage=push)); otherwise those
      whose create failed.
  returned: always
  type: list
  elements: str
created:
  description: How many new links were made (in check mode and with O(stage=plan) - would be made).
  returned: always
  type: int
reused:
  description: How many people kept their earlier link.
  returned: always
  type: int
record_unchanged:
  description:
    - True when O(previous_links) already holds every person's link, email and expiry as they are now - a record such
      as the CSV of the earlier run needs no new write.
  returned: always
  type: bool
paced:
  description: How many requests had to wait, for O(pace) or because the server answered C(429).
  returned: always
  type: int
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oneshot.secrets.plugins.module_utils._credential_links import (
    given_passwords,
    hide_short_passwords,
    short_password_refusal,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._credential_links_task import argument_spec, outcome


class CredentialLinksModule(AnsibleModule):
    refusal = None

    def _log_invocation(self):
        # people is a list of names and dictionaries, so no argument spec can mark its passwords no_log: they are
        # added to no_log_values before Ansible logs the invocation (and so masked in the result's invocation too).
        # A password too short to use is refused, and replaced rather than masked: masking it would garble the text.
        people = self.params.get("people")
        self.refusal = short_password_refusal(people)
        if self.refusal:
            hide_short_passwords(people)
        self.no_log_values.update(given_passwords(people))
        super(CredentialLinksModule, self)._log_invocation()


def main():
    module = CredentialLinksModule(argument_spec=argument_spec(), supports_check_mode=True)
    if module.refusal:
        module.fail_json(msg=module.refusal)
    result, failure = outcome(module, os.environ)
    if failure is not None:
        # Outside an except clause: at -vvv ansible-core before 2.19 would add the traceback to the result.
        module.fail_json(**failure)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
