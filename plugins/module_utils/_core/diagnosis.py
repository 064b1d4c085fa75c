# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What went wrong with an attempt or an answer, in words for the user: TLS failures, connections that never
opened, answers of an unexpected shape. Never quotes a body: it may echo a secret.
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ssl

try:
    import requests
except ImportError:  # pragma: no cover - the transport says requests is missing before any attempt
    requests = None

from ansible_collections.oneshot.secrets.plugins.module_utils._core.bounded import AttemptFailed, origin

# OpenSSL verify codes that mean "no trusted CA vouches for this certificate" (ca_path is the fix).
_UNTRUSTED_CODES = frozenset((2, 18, 19, 20, 21, 27, 28))


def classify(exc, watch, base_url):
    """An exception of requests as an AttemptFailed; a cut deadline wins over what the cut looked like."""
    if watch.expired:
        return AttemptFailed("deadline")
    if isinstance(exc, requests.exceptions.SSLError):
        return AttemptFailed("tls", _tls_message(exc, base_url))
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return AttemptFailed("connect_timeout")
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return AttemptFailed("deadline")
    if isinstance(exc, requests.exceptions.ConnectionError):
        if _connection_never_opened(exc):
            return AttemptFailed("never_opened")
        if _caused_by(exc, "ReadTimeoutError"):
            return AttemptFailed("deadline")
        return AttemptFailed("broken")
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
        return AttemptFailed("broken")
    # Messages of requests may quote the full URL with its query; name only the type.
    return AttemptFailed("other", "Request to %s failed (%s)." % (base_url, type(exc).__name__))


def _causes(exc):
    """exc and the exceptions it wraps (args, urllib3's .reason, __cause__, __context__)."""
    seen = []
    todo = [exc]
    while todo and len(seen) < 20:
        current = todo.pop(0)
        if not isinstance(current, BaseException) or any(current is known for known in seen):
            continue
        seen.append(current)
        todo.extend(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))
        for attribute in ("reason", "__cause__", "__context__"):
            todo.append(getattr(current, attribute, None))
    return seen


def _caused_by(exc, type_name):
    return any(type(cause).__name__ == type_name for cause in _causes(exc))


def _tls_message(exc, base_url):
    """One sentence naming the real cause of a TLS failure: trust, expiry, host name, strictness or handshake."""
    causes = _causes(exc)
    verification = next((c for c in causes if isinstance(c, getattr(ssl, "SSLCertVerificationError", ()))), None)
    if verification is not None:
        code = getattr(verification, "verify_code", None)
        reason = getattr(verification, "verify_message", None) or "refused"
        if code in _UNTRUSTED_CODES:
            return ("TLS verification failed for %s: the certificate is not trusted (%s). Set ca_path to the CA "
                    "bundle that signed it, or validate_certs=false for a throwaway test server." % (base_url, reason))
        if code in (9, 10):
            return ("TLS verification failed for %s: %s; renew the server's certificate (or check this host's "
                    "clock)." % (base_url, reason))
        if code == 62 or "hostname" in reason.lower() or "ip address mismatch" in reason.lower():
            return ("TLS verification failed for %s: the certificate is not issued for this host name (%s); use "
                    "the name the certificate was issued for in url." % (base_url, reason))
        return ("TLS verification failed for %s: the certificate was refused (%s). It is not a question of trust, "
                "so ca_path does not help: since Python 3.13 certificates are checked strictly (key usage, "
                "authority key identifier, critical basic constraints); the certificate (or its CA) must be "
                "reissued with them." % (base_url, reason))
    handshake = next((c for c in causes if isinstance(c, ssl.SSLError)), None)
    reason = (getattr(handshake, "reason", None) or getattr(handshake, "strerror", None) or "no details") \
        if handshake is not None else "no details"
    return ("The TLS handshake with %s failed (%s): check that url is an https server, and that it speaks TLS 1.2 "
            "or later." % (base_url, reason))


def _connection_never_opened(exc):
    """True when the TCP/TLS connection was refused or unresolvable, so nothing reached the server."""
    text = repr(exc.args[0]) if exc.args else ""
    for marker in ("NewConnectionError", "NameResolutionError", "Failed to resolve", "Connection refused"):
        if marker in text:
            return True
    return False


def json_or_none(response):
    """The decoded JSON body, or None for an empty or non-JSON body (nested too deeply to decode included)."""
    if not response.content:
        return None
    try:
        return response.json()
    except (ValueError, RecursionError):
        return None


def describe_body(response):
    """What a body is, in a few words for a message: never its content, which may echo a secret."""
    content = response.content or b""
    if not content.strip():
        return "an empty body"
    head = content[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in head:
        return "an HTML page (from a proxy or another server?)"
    try:
        body = response.json()
    except RecursionError:
        return "JSON nested too deeply to read"
    except ValueError:
        return "text that is not JSON (%s)" % (response.headers.get("Content-Type") or "no Content-Type")
    if isinstance(body, dict):
        return "a JSON object"
    if isinstance(body, list):
        return "a JSON list"
    if body is None:
        return "JSON null"
    if isinstance(body, bool):
        return "JSON %s" % ("true" if body else "false")
    if isinstance(body, (int, float)):
        return "a JSON number"
    return "a JSON string"


def unexpected_answer(response, expected):
    """'http://host answered HTTP 200 with a JSON list where a push (a JSON object) was expected'."""
    return "%s answered HTTP %d with %s where %s was expected" % (
        origin(response.url), response.status_code, describe_body(response), expected)
