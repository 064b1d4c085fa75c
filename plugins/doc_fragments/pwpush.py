# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Connection options shared by every Password Pusher module and lookup.
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the Password Pusher server, without C(/api).
      - The hosted service is V(https://pwpush.com) (also V(https://eu.pwpush.com) and other regions);
        a self-hosted open-source instance is its own address, for example V(https://pwpush.example.com).
      - Only V(http://) or V(https://) with a host, an optional port and an optional path. A user name or password
        (C(user:password@)), a query (C(?)) or a fragment (C(#)) is refused before any request.
      - Modules read E(PWPUSH_URL) when this option is not set.
    type: str
    default: https://pwpush.com
  token:
    description:
      - API token of the user (created in the web UI under C(/users/token)), sent as a C(Bearer) token.
      - Needed for file pushes, lists, audit logs and O(oneshot.secrets.pwpush_push#module:reuse_existing); optional
        for text, URL and QR pushes when the server allows anonymous pushes.
      - Modules read E(PWPUSH_TOKEN) when this option is not set.
    type: str
  email:
    description:
      - Email of the token's user. When set, the legacy C(X-User-Email)/C(X-User-Token) headers are sent
        as well, for servers that predate Bearer tokens.
      - Modules read E(PWPUSH_EMAIL) when this option is not set.
    type: str
  api_version:
    description:
      - Which API to speak. V(auto) asks C(GET /api/v2/version) once, without following redirects;
        an answer means API v2, a 404 means a server older than v2.3 that only has API v1.
      - Modules read E(PWPUSH_API_VERSION) when this option is not set.
    type: str
    choices: [auto, v2, v1]
    default: auto
  retries:
    description:
      - How many times a request is retried. 429 answers are retried for every request, waiting
        as long as C(Retry-After) asks; 5xx answers, timeouts and broken connections only for reads and
        deletes. A create is never sent again once the server may have stored it.
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
      - name: PWPUSH_URL
    vars:
      - name: pwpush_url
  token:
    env:
      - name: PWPUSH_TOKEN
    vars:
      - name: pwpush_token
  email:
    env:
      - name: PWPUSH_EMAIL
    vars:
      - name: pwpush_email
  api_version:
    env:
      - name: PWPUSH_API_VERSION
    vars:
      - name: pwpush_api_version
  validate_certs:
    env:
      - name: PWPUSH_VALIDATE_CERTS
    vars:
      - name: pwpush_validate_certs
  ca_path:
    env:
      - name: PWPUSH_CA_PATH
    vars:
      - name: pwpush_ca_path
"""

    # Options of pwpush_push and the pwpush lookup that shape a new push.
    PUSH_OPTIONS = r"""
options:
  kind:
    description:
      - What the push carries. V(text) is a secret text, V(url) a link the recipient is sent to,
        V(qr) a text shown as a QR code (at most 1024 characters), V(file) the files given to the module.
    type: str
    choices: [text, url, qr, file]
    default: text
  passphrase:
    description:
      - A passphrase the recipient must type before the payload is shown. Send it through another channel.
      - At least 8 characters, and not part of the link's fixed text (see the security guide), because Ansible masks it wherever
        it occurs in the result, so a shorter one could corrupt the returned link.
    type: str
  expire_after_days:
    description:
      - Days (1-90) until the push expires.
      - This is the field of the open-source edition and of API v1. On the hosted edition it is converted to
        the matching O(expire_after_duration) (1-7, 14, 21, 30, 60 or 90 days) and refused otherwise.
      - Mutually exclusive with O(expire_after_duration). Omitted, the server's default applies (usually 7 days).
    type: int
  expire_after_duration:
    description:
      - Time until the push expires, as the hosted edition's duration code (V(0)-V(17)) or its name,
        V(15 minutes), V(30 minutes), V(45 minutes), V(1 hour), V(6 hours), V(12 hours), V(1 day) to V(6 days),
        V(1 week), V(2 weeks), V(3 weeks), V(1 month), V(2 months), V(3 months).
      - The open-source edition only expires after whole days; whole-day durations are converted to
        O(expire_after_days), shorter ones are refused (the server would silently use its default).
    type: str
  expire_after_views:
    description:
      - Views (1-100) until the push expires. Out-of-range values are refused here because the server
        would silently replace them with its default.
    type: int
  deletable_by_viewer:
    description:
      - Let the recipient expire the push once read. Omitted, the server's default applies (usually on).
    type: bool
  retrieval_step:
    description:
      - Show a click-through page before the payload, so link scanners in mail and chat do not
        use up views. The returned link then ends in C(/r).
    type: bool
  note:
    description:
      - A note only the owner sees in the dashboard (needs O(token) to be useful).
    type: str
"""
