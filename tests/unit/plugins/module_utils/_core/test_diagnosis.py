# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""diagnosis.py: TLS failures named by cause, answers described without their content.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ssl

import pytest
import requests
import urllib3

from ansible_collections.oneshot.secrets.plugins.module_utils._core.diagnosis import (
    describe_body,
    json_or_none,
    unexpected_answer,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import ServiceError
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, bare_transport, response

BASE = "https://svc.example.test"


def _verification_error(code, message):
    cause = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: %s" % message)
    cause.verify_code = code
    cause.verify_message = message
    wrapped = urllib3.exceptions.MaxRetryError(None, BASE, urllib3.exceptions.SSLError(cause))
    return requests.exceptions.SSLError(wrapped)


@pytest.mark.parametrize("error, wanted, unwanted", [
    (_verification_error(20, "unable to get local issuer certificate"), "is not trusted", "strictly"),
    (_verification_error(18, "self-signed certificate"), "Set ca_path", "strictly"),
    (_verification_error(10, "certificate has expired"), "certificate has expired; renew", "not trusted"),
    (_verification_error(62, "Hostname mismatch, certificate is not valid for 'x'."), "not issued for this host name",
     "not trusted"),
    (_verification_error(92, "CA cert does not include key usage extension"),
     "refused (CA cert does not include key usage extension). It is not a question of trust", "not trusted"),
    (requests.exceptions.SSLError(urllib3.exceptions.MaxRetryError(None, BASE, urllib3.exceptions.SSLError(
        ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")))), "TLS handshake with", "not trusted"),
])
def test_tls_failures_name_their_cause(error, wanted, unwanted):
    http = bare_transport(BASE, retries=2)
    stub = ScriptedSession(http, [error])
    with pytest.raises(ServiceError) as info:
        http.request("GET", "/version")
    assert len(stub.calls) == 1
    assert wanted in info.value.message and unwanted not in info.value.message


@pytest.mark.parametrize("content, headers, described", [
    (b"", {}, "an empty body"),
    (b"  \n", {}, "an empty body"),
    (b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", {"Content-Type": "text/html"}, "an HTML page"),
    (b"[" * 50000, {}, "JSON nested too deeply to read"),
    (b"[1, 2]", {}, "a JSON list"),
    (b"null", {}, "JSON null"),
    (b"42", {}, "a JSON number"),
    (b'"ok"', {}, "a JSON string"),
    (b"{}", {}, "a JSON object"),
    (b"ok then", {"Content-Type": "text/plain"}, "text that is not JSON (text/plain)"),
])
def test_bodies_are_described_without_their_content(content, headers, described):
    http = bare_transport(BASE)
    ScriptedSession(http, [response(200, content=content, headers=headers)])
    answer = http.request("GET", "/version")
    assert describe_body(answer).startswith(described)
    assert unexpected_answer(answer, "a JSON object") == "%s answered HTTP 200 with %s where a JSON object was expected" % (
        BASE, describe_body(answer))


def test_deep_nesting_is_not_json():
    http = bare_transport(BASE)
    ScriptedSession(http, [response(200, content=b"[" * 50000)])
    assert json_or_none(http.request("GET", "/version")) is None
