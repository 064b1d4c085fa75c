# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PwpushError and the wording of a failed answer, keyed on the operation and the HTTP status.

For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

from ansible_collections.oneshot.secrets.plugins.module_utils._core.diagnosis import json_or_none
from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import ServiceError, term
from ansible_collections.oneshot.secrets.plugins.module_utils._core.masking import mask_secrets
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.options import PWPUSH_CONNECTION


class PwpushError(ServiceError):
    """A Password Pusher failure, phrased for the user."""

    OPTIONS = PWPUSH_CONNECTION


class Operation(namedtuple("Operation", ["key", "text"])):
    """What a request was for: `key` chooses the wording of a failure, `text` completes "Could not ..."."""

    __slots__ = ()


VERSION = Operation("version", "read the server version")
VERSION_V1 = Operation("version_v1", "read the server version (API v1)")
CREATE = Operation("create", "create the push")
CREATE_FILES = Operation("create_files", "create the file push")
PREVIEW = Operation("preview", "preview the push")
RETRIEVE = Operation("retrieve", "retrieve the push")
AUDIT = Operation("audit", "read the audit log")
EXPIRE = Operation("expire", "expire the push")
NOTIFY = Operation("notify", "send the push's link by email")
ACCOUNTS = Operation("accounts", "list accounts")
LIST_PUSHES = {
    "active": Operation("list_active", "list active pushes"),
    "expired": Operation("list_expired", "list expired pushes"),
}
# Requests (ask a person for a secret; asks.py): their own wording for 403, 404 and 422.
REQUEST_CREATE = Operation("request_create", "create the request")
REQUEST_SHOW = Operation("request_show", "read the request")
REQUEST_PREVIEW = Operation("request_preview", "read the request's link")
REQUEST_EXPIRE = Operation("request_expire", "expire the request")
LIST_REQUESTS = {
    "active": Operation("request_list_active", "list active requests"),
    "expired": Operation("request_list_expired", "list expired requests"),
}
_REQUEST_KEYS = (REQUEST_CREATE.key, REQUEST_SHOW.key, REQUEST_PREVIEW.key, REQUEST_EXPIRE.key) + tuple(
    operation.key for operation in LIST_REQUESTS.values())

# Where an operation changes what a status means; every other pair takes the status's general wording below.
# {detail} is the server's own text (secrets masked), {url} the server.
_WORDING = {
    (401, RETRIEVE.key): "wrong or missing passphrase (HTTP 401: {detail})",
    (401, EXPIRE.key): "not allowed (HTTP 401: {detail}): only the owner can expire it unless deletable_by_viewer is on",
    (404, VERSION.key): ("HTTP 404 from {url}/api/v2/version: this server has no API v2 (it is older than 2.3); "
                         "use api_version auto or v1"),
    (404, REQUEST_CREATE.key): ("HTTP 404 from {url}/api/v2/requests: this server does not serve requests "
                                "(a Password Pusher Pro feature)"),
}
for _key in _REQUEST_KEYS:
    _WORDING.setdefault((403, _key), "forbidden (HTTP 403: {detail}): the request does not belong to this token's user")
    _WORDING.setdefault((404, _key), "request not found (HTTP 404): the token is wrong, or the request was deleted")
# What a 422 rejected: a notification request is not a push.
_REJECTED = {NOTIFY.key: "the request", REQUEST_CREATE.key: "the request"}


def raise_for(response, operation, url, secrets, retries):
    """Raise the PwpushError for a failed answer: "Could not <operation>: <what the status means here>."."""
    status = response.status_code
    body = json_or_none(response)
    secrets = tuple(secrets)
    detail = mask_secrets(error_text(response), secrets, limit=200)
    if status == 401 and not response.content:
        message = ("authentication failed (HTTP 401 with an empty body): the token or email is not valid for %s. "
                   "Check %s and %s." % (url, term("token"), term("url")))
    elif (status, operation.key) in _WORDING:
        message = _WORDING[(status, operation.key)].format(detail=detail, url=url)
    elif status == 401:
        message = "authentication required (HTTP 401: %s): set %s" % (detail, term("token"))
    elif status == 403:
        message = "forbidden (HTTP 403: %s): the push does not belong to this token's user" % detail
    elif status == 404:
        message = "push not found (HTTP 404): the token is wrong, or the push was deleted"
    elif status == 422:
        what = _REJECTED.get(operation.key, "the push")
        message = "the server rejected %s (HTTP 422): %s" % (what, mask_secrets(_field_errors(body, detail), secrets))
    elif status == 429:
        message = "rate limited by %s (HTTP 429) after %d retries: %s" % (url, retries, detail or "slow down")
    elif status == 400:
        message = "bad request (HTTP 400): %s" % detail
    elif 300 <= status < 400:
        location = mask_secrets(response.headers.get("Location", "?"), secrets)
        message = ("HTTP %d redirect to %s: point url at the server itself (a fresh instance redirects to "
                   "/first_run until its first admin exists)" % (status, location))
    else:
        message = "HTTP %d from %s: %s" % (status, url, detail or "no details")
    concerns = dict(code="bad_credentials", option="token") if term("token") in message else {}
    raise PwpushError("Could not %s: %s." % (operation.text, message.rstrip(".")), status=status, body=body,
                      **concerns)


def error_text(response):
    body = json_or_none(response)
    if isinstance(body, dict):
        for key in ("error", "message", "errors"):
            if key in body:
                return str(body[key])
        return _field_errors(body, "")
    text = (response.text or "").strip()
    if text.startswith("<"):
        return "an HTML error page (%s)" % (response.headers.get("Content-Type") or "text/html")
    return text  # cut to 200 characters by raise_for once the secrets are masked


def _field_errors(body, fallback):
    """422 bodies are keyed by field; name them after our options."""
    if not isinstance(body, dict):
        return fallback or "no details"
    names = {"payload": "payload", "files": "files", "kind": "kind", "expire_after_days": "expire_after_days",
             "expire_after_views": "expire_after_views", "expire_after_duration": "expire_after_duration"}
    parts = []
    for field, errors in sorted(body.items()):
        if isinstance(errors, list):
            errors = "; ".join(str(e) for e in errors)
        parts.append("%s: %s" % (names.get(field, field), errors))
    return ", ".join(parts) or fallback or "no details"
