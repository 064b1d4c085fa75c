# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The transport options every service shares (plugins/module_utils/_core/transport.py); each service's fragment adds
    # url, credentials and retries, whose meaning differs per API.
    DOCUMENTATION = r"""
options:
  timeout:
    description:
      - Seconds one request may take in all, a deadline rather than a per-read timeout; connecting, the server's
        headers and its whole answer must be done within it, whatever a slow server or a proxy in between does.
      - Each retry gets the same time again; the waits between attempts come on top. The error names the
        timeout, the number of attempts and the time they took in all.
      - An answer is read as a stream and refused beyond 8 MiB, far more than any real answer of these APIs.
      - Above 0 and at most 86400 (a day); infinite and NaN values are refused before any request.
    type: float
    default: 30
  validate_certs:
    description:
      - Verify the server's TLS certificate. Turn off only for a throwaway test server.
      - Modules read the service's variable when this option is not set - E(PWPUSH_VALIDATE_CERTS),
        E(OTS_VALIDATE_CERTS) or E(PUSHSECURITY_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description:
      - Path of a PEM CA bundle to verify the server's certificate with (a private CA, a TLS-inspecting proxy).
      - Modules read the service's variable when this option is not set - E(PWPUSH_CA_PATH), E(OTS_CA_PATH) or
        E(PUSHSECURITY_CA_PATH).
    type: path
"""
