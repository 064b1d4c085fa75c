# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: pwpush
short_description: Push secrets to Password Pusher and return their links
version_added: 0.1.0
description:
  - Each term is a secret. Creates one push per term and returns its link, in the same order.
  - All terms share one pool of keep-alive connections, so hundreds of secrets take one lookup call instead of a
    task each; O(concurrency) creates run in parallel.
  - The secrets never appear in the result. Every call creates new pushes; use the
    M(oneshot.secrets.pwpush_push) module with O(oneshot.secrets.pwpush_push#module:reuse_existing) for idempotent runs.
  - Module only, on purpose - file pushes (the files are read where the module runs, a lookup runs on the
    controller), C(notify_emails_to) (one recipient list would be mailed every link of the call, and mail is
    capped per push and per day) and C(reuse_existing) (a lookup cannot report C(changed)). Use
    M(oneshot.secrets.pwpush_push) for those.
  - In check mode (C(ansible-playbook --check)) every term and option is checked as in a real run, against the
    server's version answer too (a read that changes nothing), and no push is created. The result is C(null) for
    each term.
  - A lookup sees only the run's check mode (C(ansible_check_mode)), not a task's C(check_mode) keyword. A task with
    C(check_mode) set to true still creates its pushes, and one with C(check_mode) set to false still changes nothing
    under C(--check).
  - A keyword that is not one of the options below fails the lookup before any request, in the words a module uses
    for an unknown parameter, so a misspelt option is never ignored.
extends_documentation_fragment:
  - oneshot.secrets.pwpush
  - oneshot.secrets.connection
  - oneshot.secrets.pwpush.plugins
  - oneshot.secrets.pwpush.push_options
options:
  _terms:
    description:
      - The secrets to push (or links for O(kind=url), texts for O(kind=qr)). File pushes are not available here.
      - Any length, a 4-digit PIN included. Nothing masks a lookup's result, so the module's 8-character minimum
        for O(oneshot.secrets.pwpush_push#module:payload) does not apply here.
    type: list
    elements: str
    required: true
  kind:
    description:
      - What each push carries. V(text) is a secret text, V(url) a link the recipient is sent to,
        V(qr) a text shown as a QR code (at most 1024 characters). File pushes need the M(oneshot.secrets.pwpush_push) module.
    type: str
    choices: [text, url, qr]
    default: text
  concurrency:
    description:
      - How many pushes are created at the same time, 1 to 8. Every term is validated before the first one is
        created. The server's rate limit (pwpush.com allows 120 requests a minute) still applies and is honoured
        through C(Retry-After).
    type: int
    default: 4
  name:
    description:
      - A label for every push of this call, shown to the owner in the dashboard and lists (needs O(token)).
    type: str
  account_id:
    description:
      - Account to create the pushes in, for users with several accounts on the hosted edition
        (M(oneshot.secrets.pwpush_push_info) with O(oneshot.secrets.pwpush_push_info#module:accounts=true) lists them).
    type: int
seealso:
  - module: oneshot.secrets.pwpush_push
author:
  - oneshot.secrets maintainers (@oneshot-secrets)
"""

EXAMPLES = r"""
- name: One link per generated password, one view each, expiring after a day
  ansible.builtin.set_fact:
    links: "{{ query('oneshot.secrets.pwpush', *passwords, expire_after_views=1, expire_after_days=1) }}"
  vars:
    passwords: "{{ users | map('extract', generated) | list }}"
  no_log: true

- name: Against a self-hosted server with a token from the vault
  ansible.builtin.debug:
    msg: "{{ lookup('oneshot.secrets.pwpush', 'S3cr3t!-for-bob', url='https://pwpush.example.com', token=vault_token, retrieval_step=true) }}"
"""

RETURN = r"""
_raw:
  description:
    - One share link per term (ending in C(/r) when O(retrieval_step) is on).
    - In check mode C(null) for each term (nothing is created).
  type: list
  elements: str
"""

from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.bulk import MAX_CONCURRENCY
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import PayloadSpecs, PushSpec
from ansible_collections.oneshot.secrets.plugins.plugin_utils.lookup import ServiceLookupBase


class LookupModule(ServiceLookupBase):
    CLIENT = PwpushClient
    CHANGES_SERVER = True
    SECRET_TERMS = True

    def validate(self, client, terms):
        options = PushSpec.options(self.get_option)  # what it shares with pwpush_push (module_utils/_*/options.py)
        if options["kind"] == "file":
            raise PwpushError("kind=file is not available in the lookup; use the pwpush_push module.")
        concurrency = self.get_option("concurrency")
        if not 1 <= concurrency <= MAX_CONCURRENCY:  # create_pushes' own check, here for check mode too
            raise PwpushError("concurrency must be between 1 and %d (got %s)." % (MAX_CONCURRENCY, concurrency))
        specs = PayloadSpecs(terms, **options)  # built one at a time: no object per term but its link
        for spec in specs:  # every term against this server's rules (asks its version once), before any push
            client.prepare(spec)
        return specs

    def change(self, client, terms, validated):  # validated: the PayloadSpecs validate() checked
        return client.create_pushes(validated, concurrency=self.get_option("concurrency"),
                                    select=lambda push: push["url"])
