# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: ots
short_description: Share secrets on onetimesecret and return their one-time links
version_added: 0.1.0
description:
  - Each term is a secret. Shares one secret per term and returns its link, in the same order.
  - All terms share one HTTPS connection. Every call creates new secrets.
  - In check mode (C(ansible-playbook --check)) every term and option is checked as in a real run and nothing is
    sent to the server. The result is C(null) for each term.
  - A lookup sees only the run's check mode (C(ansible_check_mode)), not a task's C(check_mode) keyword. A task with
    C(check_mode) set to true still stores its secrets, and one with C(check_mode) set to false still changes nothing
    under C(--check).
  - A keyword that is not one of the options below fails the lookup before any request, in the words a module uses
    for an unknown parameter, so a misspelt option is never ignored.
extends_documentation_fragment:
  - oneshot.secrets.ots
  - oneshot.secrets.connection
  - oneshot.secrets.ots.plugins
  - oneshot.secrets.ots.secret_options
options:
  _terms:
    description: The secrets to share, up to 10000 bytes each (any length, since nothing masks a lookup's result).
    type: list
    elements: str
    required: true
seealso:
  - module: oneshot.secrets.ots_secret
author:
  - oneshot.secrets maintainers (@oneshot-secrets)
"""

EXAMPLES = r"""
- name: One-time links for two passwords, one hour each, on the EU region
  ansible.builtin.debug:
    msg: "{{ query('oneshot.secrets.ots', first_password, second_password, ttl=3600, url='https://eu.onetimesecret.com') }}"
"""

RETURN = r"""
_raw:
  description:
    - One link per term (C(<share domain or url>/secret/<key>)).
    - In check mode C(null) for each term (nothing is stored).
  type: list
  elements: str
"""

from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import OtsClient
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.spec import validate_secret_options
from ansible_collections.oneshot.secrets.plugins.plugin_utils.lookup import ServiceLookupBase


class LookupModule(ServiceLookupBase):
    CLIENT = OtsClient
    CHANGES_SERVER = True
    SECRET_TERMS = True

    def validate(self, client, terms):
        options = dict(passphrase=self.get_option("passphrase"), ttl=self.get_option("ttl"))
        for term in terms:  # reject every bad term before the first secret is stored
            validate_secret_options(secret=term, authenticated=client.authenticated,
                                    masked_results=client.masked_results, **options)
        return options

    def change(self, client, terms, validated):  # validated: the secret options validate() checked
        return [client.share(term, share_domain=self.get_option("share_domain"), **validated)["secret_url"]
                for term in terms]
