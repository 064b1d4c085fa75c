# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Connection options shared by every onetimesecret module and lookup.
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the onetimesecret server, without C(/api).
      - Hosted regions are V(https://us.onetimesecret.com) and V(https://eu.onetimesecret.com); a self-hosted
        server is its own address.
      - Only V(http://) or V(https://) with a host, an optional port and an optional path. A user name or password
        (C(user:password@)), a query (C(?)) or a fragment (C(#)) is refused before any request.
      - Modules read E(OTS_URL) when this option is not set.
    type: str
    default: https://us.onetimesecret.com
  username:
    description:
      - Account email for HTTP Basic authentication, together with O(api_token).
        Without both, secrets are shared anonymously (7 days at most, no recipient emails).
      - Modules read E(OTS_USERNAME) when this option is not set.
    type: str
  api_token:
    description:
      - API token of the account (from the account page).
      - A wrong token is never treated as anonymous; the server refuses every request.
      - Modules read E(OTS_TOKEN) when this option is not set.
    type: str
  retries:
    description:
      - How many times a read is retried after HTTP 429, 5xx or a broken connection (429 waits for
        C(Retry-After)). Sharing, generating and revealing a secret are never sent twice, because the first
        attempt may have stored or destroyed it.
    type: int
    default: 3
requirements:
  - requests (Python library, on the host that runs the module or lookup)
"""

    # Environment and variable sources for lookups (modules use argument spec fallbacks).
    PLUGINS = r"""
options:
  url:
    env:
      - name: OTS_URL
    vars:
      - name: ots_url
  username:
    env:
      - name: OTS_USERNAME
    vars:
      - name: ots_username
  api_token:
    env:
      - name: OTS_TOKEN
    vars:
      - name: ots_api_token
  validate_certs:
    env:
      - name: OTS_VALIDATE_CERTS
    vars:
      - name: ots_validate_certs
  ca_path:
    env:
      - name: OTS_CA_PATH
    vars:
      - name: ots_ca_path
"""

    # Options that shape a new secret (ots_secret module and ots lookup).
    SECRET_OPTIONS = r"""
options:
  passphrase:
    description:
      - A passphrase the recipient must type. Send it through another channel. 8 to 128 characters, because Ansible masks it
        wherever it occurs in the result, so a shorter one could corrupt the returned link (servers have a minimum
        of their own, 4 on fresh installs).
    type: str
  ttl:
    description:
      - Seconds the secret lives, 60 to 604800 (7 days) anonymously, up to 2592000 (30 days) with an account.
        Omitted, the server's default applies (7 days). Values outside the limits are refused here because the
        server would silently clamp them (free hosted accounts are clamped to 14 days).
    type: int
  share_domain:
    description:
      - A custom domain of the account to build the link with, instead of the server's own host.
    type: str
"""
