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
  timeout:
    description:
      - Seconds one request may take in all, a deadline rather than a per-read timeout; connecting, the API's
        headers and its whole answer must be done within it, whatever a slow API or a proxy in between does.
      - Each retry gets the same time again; the waits between attempts come on top. The error names the
        timeout, the number of attempts and the time they took in all.
      - A success answer is never read (the API echoes every submitted password in it); an error answer is read
        as a stream and refused beyond 8 MiB.
    type: float
    default: 30
  validate_certs:
    description:
      - Verify the API's TLS certificate.
      - Modules read E(PUSHSECURITY_VALIDATE_CERTS) when this option is not set.
    type: bool
    default: true
  ca_path:
    description:
      - Path of a PEM CA bundle to verify the API's certificate with (for a TLS-inspecting proxy).
      - Modules read E(PUSHSECURITY_CA_PATH) when this option is not set.
    type: path
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
