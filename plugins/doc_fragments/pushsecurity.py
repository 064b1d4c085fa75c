# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Connection options shared by every Push Security module.
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the Push Security REST API.
      - Only V(http://) or V(https://) with a host, an optional port and an optional path. A user name or password
        (C(user:password@)), a query (C(?)) or a fragment (C(#)) is refused before any request.
      - Modules read E(PUSHSECURITY_URL) when this option is not set.
    type: str
    default: https://api.pushsecurity.com
  api_key:
    description:
      - API key from the Settings page of the Push admin console, sent as C(x-api-key).
        Writes need a C(Full access) key; a C(Read only) key is refused with HTTP 403.
      - Modules read E(PUSHSECURITY_API_KEY) when this option is not set.
    type: str
  retries:
    description:
      - How many times a request is retried after HTTP 429 (with exponential backoff and jitter, or
        C(Retry-After) when sent). The client also keeps to the API's limit of 10 requests a second (burst 10)
        by itself. A submission that met a 5xx or a timeout is reported, not sent again.
    type: int
    default: 5
requirements:
  - requests (Python library, on the host that runs the module)
"""
