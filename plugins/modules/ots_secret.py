#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ots_secret
short_description: Share, generate or burn an onetimesecret secret
version_added: 0.1.0
description:
  - With O(state=present), shares O(secret) on onetimesecret (hosted or self-hosted) and returns the one-time
    link to give a person. Without O(secret), the server generates one and the module returns it as RV(value).
  - With O(state=absent), burns the secret of O(metadata_key) so its link no longer works.
  - Every run of O(state=present) creates a new secret; the server has no way to find an earlier one.
extends_documentation_fragment:
  - oneshot.secrets.ots
  - oneshot.secrets.connection
  - oneshot.secrets.ots.secret_options
  - oneshot.secrets.attributes
  - oneshot.secrets.attributes.OTS
attributes:
  check_mode:
    support: full
    details:
      - Nothing is shared, generated or burned. For O(state=absent) the receipt is read to predict C(changed).
options:
  state:
    description:
      - V(present) shares (or generates) a secret; V(absent) burns the secret of O(metadata_key).
    type: str
    choices: [present, absent]
    default: present
  secret:
    description:
      - The secret to share, 8 characters to 10000 bytes. Omit it to have the server generate one.
      - Not part of the link's fixed text such as the server's address, because Ansible masks it wherever it occurs in the
        result, so a shorter one could corrupt the returned link. Put words around a PIN.
      - Never returned, never logged.
    type: str
  recipient:
    description:
      - An email address the server sends the link to (not the secret). Needs an account (O(username), O(api_token)).
    type: str
  length:
    description:
      - Length of a generated secret (no O(secret)), 1 to 128. Omitted, the server's default (12).
      - It must not be shorter than the number of character sets in use (4 by default) - the server puts one
        character of each set in and would hand back a longer secret.
      - Servers before v0.23 ignore it and always generate 12 characters.
    type: int
  character_sets:
    description:
      - Which characters a generated secret (no O(secret)) is made of. An omitted key keeps the server's default
        (every set on, ambiguous characters C(ilo1IO0) left out). At least one set must stay on.
      - Sent as a JSON body, which the v1 API reads since onetimesecret v0.24. An older server would ignore the
        whole body; the module notices from the answer, burns the secret it got and fails.
    type: dict
    suboptions:
      uppercase:
        description: Letters A-Z.
        type: bool
      lowercase:
        description: Letters a-z.
        type: bool
      numbers:
        description: Digits 0-9.
        type: bool
      symbols:
        description: The symbols C(!@#$%^&*()_-+=[]{}|:;"'<>,.?/~`).
        type: bool
      exclude_ambiguous:
        description: Leave out C(i l o 1 I O 0).
        type: bool
  metadata_key:
    description:
      - The receipt key of the secret to burn with O(state=absent) (or its C(/private/) link). Keep it private.
    type: str
seealso:
  - module: oneshot.secrets.ots_secret_info
  - plugin: oneshot.secrets.ots
    plugin_type: lookup
author:
  - oneshot.secrets maintainers (@oneshot-secrets)
"""

EXAMPLES = r"""
- name: Share a database password for one day
  oneshot.secrets.ots_secret:
    secret: "{{ db_password }}"
    ttl: 86400
    passphrase: "{{ agreed_phrase }}"
  register: shared

- name: Give the person the link
  ansible.builtin.debug:
    msg: "Open {{ shared.secret_url }} (works once)"

- name: Let the server generate a password, mailed as a link to the new hire (needs an account)
  oneshot.secrets.ots_secret:
    url: https://eu.onetimesecret.com
    username: it@example.com
    api_token: "{{ vault_ots_token }}"
    recipient: new.hire@example.com
  register: generated
  no_log: true

- name: A 24-character PIN-like secret of letters and digits only
  oneshot.secrets.ots_secret:
    length: 24
    character_sets:
      symbols: false
  register: pin
  no_log: true

- name: Burn it when plans change (a secret with a passphrase needs it to be burned too)
  oneshot.secrets.ots_secret:
    state: absent
    metadata_key: "{{ shared.metadata_key }}"
    passphrase: "{{ agreed_phrase }}"
"""

RETURN = r"""
secret_url:
  description: The one-time link to give the recipient (C(<share domain or url>/secret/<secret_key>)). Null in check mode.
  returned: state=present
  type: str
  sample: https://us.onetimesecret.com/secret/2w8f1r5gk1b6wz0c8cxnb0ojnj3ls7ck
secret_key:
  description: The key of the secret (the last part of the link).
  returned: state=present and not check mode
  type: str
metadata_key:
  description: The receipt key, needed to check or burn the secret. Keep it private.
  returned: state=present and not check mode
  type: str
metadata_url:
  description: The creator's receipt page.
  returned: state=present and not check mode
  type: str
ttl:
  description: The requested lifetime in seconds.
  returned: state=present and not check mode
  type: int
expires_at:
  description: When the secret expires (UTC, ISO 8601).
  returned: state=present and not check mode
  type: str
  sample: "2026-11-24T10:00:00Z"
state:
  description: The receipt state (V(new), V(received), V(burned), V(expired)).
  returned: when the server says
  type: str
passphrase_required:
  description: Whether the secret needs a passphrase to be revealed.
  returned: when the server says
  type: bool
recipient:
  description: The address the link was mailed to, obscured by the server (as V(ne***@e***.com)); empty without
    O(recipient).
  returned: state=present and not check mode
  type: list
  elements: str
share_domain:
  description: The custom domain the link is on (O(share_domain)), or empty.
  returned: state=present and not check mode
  type: str
custid:
  description: Who made the secret, as the server names the caller - the account's email, or V(anon).
  returned: state=present and not check mode
  type: str
created:
  description: When the secret was made, in seconds since 1970-01-01 UTC.
  returned: state=present and not check mode
  type: int
updated:
  description: When the receipt last changed, in seconds since 1970-01-01 UTC.
  returned: state=present and not check mode
  type: int
secret_ttl:
  description: Seconds the secret has left.
  returned: when the server says
  type: int
metadata_ttl:
  description: Seconds the receipt (RV(metadata_key)) is kept; twice RV(ttl) on current servers.
  returned: state=present and not check mode
  type: int
identifier:
  description: The same as RV(metadata_key), under its newer name (onetimesecret v0.24 and later).
  returned: when the server says
  type: str
secret_identifier:
  description: The same as RV(secret_key), under its newer name (onetimesecret v0.24 and later).
  returned: when the server says
  type: str
has_passphrase:
  description: The same as RV(passphrase_required), under its newer name (onetimesecret v0.24 and later).
  returned: when the server says
  type: bool
recipients:
  description: The same as RV(recipient), under its newer name (onetimesecret v0.24 and later).
  returned: when the server says
  type: list
  elements: str
receipt_ttl:
  description: The same as RV(metadata_ttl), under its newer name (onetimesecret v0.24 and later).
  returned: when the server says
  type: int
receipt_url:
  description: The server's own link to the receipt page (onetimesecret v0.24 and later); RV(metadata_url) is this
    link when the server sends one.
  returned: when the server says
  type: str
value:
  description: The generated secret. Only when O(secret) was not given; use C(no_log) on the task.
  returned: state=present, no O(secret), not check mode
  type: str
"""

from ansible_collections.oneshot.secrets.plugins.module_utils._core.module import ServiceModule
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import OtsClient
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.errors import OtsError
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.options import OTS_SECRET
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.spec import (
    key_from_reference,
    validate_generate_options,
    validate_secret_options,
)


def ensure_present(module, client):
    params = module.params
    options = dict(passphrase=params["passphrase"], ttl=params["ttl"], recipient=params["recipient"])
    validate_secret_options(secret=params["secret"], authenticated=client.authenticated, **options)
    generate_options = dict(length=params["length"], character_sets=params["character_sets"])
    if params["secret"] is None:
        validate_generate_options(**generate_options)
    elif params["length"] is not None or params["character_sets"] is not None:
        raise OtsError("length and character_sets shape a generated secret: omit secret to have one generated.")
    if module.check_mode:
        return dict(changed=True, secret_url=None)
    options["share_domain"] = params["share_domain"]
    if params["secret"] is None:
        receipt = client.generate(**dict(options, **generate_options))
    else:
        receipt = client.share(params["secret"], **options)
    receipt["changed"] = True
    return receipt


def ensure_absent(module, client):
    params = module.params
    key = key_from_reference(params["metadata_key"], what="metadata_key")
    if module.check_mode:
        try:
            receipt = client.metadata(key)
        except OtsError as exc:  # a missing receipt means nothing to burn
            if exc.status == 404 and exc.body_message in ("Unknown secret", "Not Found"):
                return dict(changed=False)
            raise
        return dict(changed=receipt.get("state") in ("new", "viewed"), state=receipt.get("state"))
    changed, receipt = client.burn(key, passphrase=params["passphrase"])
    result = dict(changed=changed)
    if receipt:
        result["state"] = receipt.get("state")
    return result


def main():
    own = dict(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        secret=dict(type="str", no_log=True),
        recipient=dict(type="str"),
        metadata_key=dict(type="str", no_log=False),
        length=dict(type="int"),
        character_sets=dict(type="dict", options=dict(
            (name, dict(type="bool")) for name in ("uppercase", "lowercase", "numbers", "symbols", "exclude_ambiguous"))),
    )
    module = ServiceModule(
        OtsClient, OTS_SECRET,
        argument_spec=own,
        required_if=[("state", "absent", ("metadata_key",))],
        mutually_exclusive=[("secret", "metadata_key")],
        supports_check_mode=True,
    )
    ensure = ensure_present if module.params["state"] == "present" else ensure_absent
    result = module.run(lambda client: ensure(module, client))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
