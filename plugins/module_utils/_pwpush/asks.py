# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Password Pusher requests: ask a person for a secret; what they send arrives as a push you own.

Named asks.py, not requests.py, so that it never shadows the requests library.
Only Password Pusher Pro (pwpush.com) serves requests (API 2.1, edition commercial, features.requests.enabled);
the open-source application has no requests routes and says features.requests.enabled false. The contract and
where it comes from: docs/pwpush.md, "Requests".
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.oneshot.secrets.plugins.module_utils._core.diagnosis import json_or_none, unexpected_answer
from ansible_collections.oneshot.secrets.plugins.module_utils._core.masking import (
    refuse_secret_in_link,
    refuse_short_secret,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.answers import is_token, json_object
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.durations import parse_duration
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import (
    LIST_REQUESTS,
    REQUEST_CREATE,
    REQUEST_EXPIRE,
    REQUEST_PREVIEW,
    REQUEST_SHOW,
    PwpushError,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.existing import unlisted_message
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.reuse import same_request
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import MAX_TEXT_BYTES, check_notify_emails

LIST_PAGE_SIZE = 50
LIST_MAX_PAGE = 200
_BARE_TOKEN = re.compile(r"^[A-Za-z0-9_\-]{4,}$")
_TOKEN_IN_LINK = re.compile(r"/req/([A-Za-z0-9_\-]+?)(?:\.json)?(?:/r|/preview)?/?(?:[?#].*)?$")


def requests_served(client):
    """(True, None) when the server serves requests, else (False, the reason in one clause)."""
    if client.api != "v2":
        return False, "%s speaks only API v1" % client.url
    info = client.version_info()
    flag = json_object(json_object(info.get("features")).get("requests")).get("enabled")
    if flag is True:
        return True, None
    return False, "its version answer (edition %s, API %s) says features.requests.enabled is %s" % (
        client.edition, info.get("api_version"), "false" if flag is False else "missing")


def require_requests(client):
    served, reason = requests_served(client)
    if not served:
        raise PwpushError("%s does not serve requests: %s; requests are a Password Pusher Pro feature "
                          "(pwpush.com), not part of the open-source edition." % (client.url, reason))


def token_from_link(reference):
    """A request's url_token from its token or its link (https://host/req/TOKEN, .../req/TOKEN/r)."""
    text = str(reference or "").strip()
    if not text:
        raise PwpushError("url_token is empty: give the request's token or its link.")
    if _BARE_TOKEN.match(text):
        return text
    match = _TOKEN_IN_LINK.search(text)
    if match and text.startswith(("http://", "https://", "/")):
        return match.group(1)
    raise PwpushError("url_token %r is neither a request token nor a request link (https://host/req/TOKEN)." % text)


def request_fields(request_text, name=None, note=None, passphrase=None, expire_after_duration=None,
                   retrieval_step=None, include_requestor=None, response_file_attachments=None,
                   notify_emails_to=None, notify_emails_to_locale=None, masked_results=True):
    """The body fields of POST /api/v2/requests, checked like the server checks them, before any request.

    masked_results: the door masks no_log values in its results (Ansible), so a short passphrase is refused.
    """
    if not request_text or not request_text.strip():
        raise PwpushError("request is empty: give the message the person will read.")
    if len(request_text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise PwpushError("request is longer than the server takes (%d bytes)." % MAX_TEXT_BYTES)
    refuse_short_secret("passphrase", passphrase, PwpushError, masked_results)
    fields = {"request": request_text}
    # The server's field is close_after_duration (the hosted enum 0-17); the CLI's expire_after_duration is
    # dropped by the server.
    duration = parse_duration(expire_after_duration)
    optional = (("name", name), ("note", note), ("passphrase", passphrase), ("close_after_duration", duration),
                ("retrieval_step", retrieval_step), ("include_requestor", include_requestor),
                ("response_file_attachments", response_file_attachments),
                ("notify_emails_to_locale", notify_emails_to_locale))
    fields.update((key, value) for key, value in optional if value is not None)
    if notify_emails_to:
        fields["notify_emails_to"] = check_notify_emails(notify_emails_to)
    return fields


def describe(client, found):
    """A request as a result shows it: no passphrase; its link as url; each response's push token."""
    clean = dict((k, v) for k, v in found.items() if k != "passphrase")
    clean["passphrase_protected"] = bool(found.get("passphrase"))
    link = found.get("html_url")
    clean["url"] = link if isinstance(link, str) and link.startswith(("http://", "https://")) else None
    responses = found.get("responses")
    clean["responses"] = [dict(r) for r in responses if isinstance(r, dict)] if isinstance(responses, list) else []
    clean["response_tokens"] = [r.get("url_token") for r in clean["responses"] if is_token(r.get("url_token"))]
    return clean


def _answer(client, response, operation, ok=(200,)):
    if response.status_code not in ok:
        client.raise_for_answer(response, operation)
    body = json_or_none(response)
    if not isinstance(body, dict) or not is_token(body.get("url_token")):
        raise PwpushError("Could not %s: %s." % (operation.text, unexpected_answer(
            response, "the request (a JSON object with its url_token)")), status=response.status_code)
    return body


def prepare_request(client, fields):
    """Every check of a create that needs the client (check mode runs it too): token, link, server."""
    client.require_token("create a request")
    if fields.get("passphrase"):
        client.keep_secret(fields["passphrase"])
        # Ansible masks a no_log value wherever it occurs: inside the link it would spoil the returned url.
        refuse_secret_in_link("passphrase", fields["passphrase"], [client.url + "/req/", client.url + "/api/v2/requests/"],
                              ("/r", "/preview", ""), PwpushError, client.masked_results)
    require_requests(client)


def create_request(client, fields):
    """Create a request; returns it described, with the link to send as url."""
    prepare_request(client, fields)
    response = client.send("POST", "/api/v2/requests", json={"request": fields}, idempotent=False,
                           operation=REQUEST_CREATE)
    if response.status_code == 201 and not isinstance(json_or_none(response), dict):
        raise PwpushError("Could not create the request: %s; it may have been stored, check your list of requests "
                          "before running again." % unexpected_answer(response, "the new request"), status=201)
    found = describe(client, _answer(client, response, REQUEST_CREATE, ok=(200, 201)))
    if not found["url"]:
        found["url"] = preview_request(client, found["url_token"])
    return found


def preview_request(client, reference):
    token = token_from_link(reference)
    response = client.send("GET", "/api/v2/requests/%s/preview" % token, operation=REQUEST_PREVIEW)
    if response.status_code != 200:
        client.raise_for_answer(response, REQUEST_PREVIEW)
    body = json_or_none(response)
    if not isinstance(body, dict) or not isinstance(body.get("url"), str):
        raise PwpushError("Could not read the request's link: %s." % unexpected_answer(
            response, "a JSON object with its url"), status=response.status_code)
    return body["url"]


def show_request(client, reference):
    """The request (owner only): what it asks, whether it is expired, and the pushes it received. Read-only."""
    client.require_token("read a request")
    token = token_from_link(reference)  # bad input fails before any request
    require_requests(client)
    response = client.send("GET", "/api/v2/requests/%s" % token, operation=REQUEST_SHOW)
    return describe(client, _answer(client, response, REQUEST_SHOW))


def expire_request(client, reference, check_mode=False):
    """Expire a request. Returns (changed, request-or-None): already expired or gone is no change."""
    client.require_token("expire a request")
    token = token_from_link(reference)  # bad input fails before any request
    require_requests(client)
    try:
        current = show_request(client, token)
    except PwpushError as exc:
        if exc.status == 404:
            return False, None
        raise
    if current.get("expired") is True:
        return False, current
    if check_mode:
        return True, current
    response = client.send("DELETE", "/api/v2/requests/%s" % token, operation=REQUEST_EXPIRE)
    if response.status_code == 404:
        return False, None
    return True, describe(client, _answer(client, response, REQUEST_EXPIRE))


def iter_requests(client, which="active", on_truncated=None):
    """Yield the token user's active or expired requests, newest first, page by page (on_truncated(): the list
    ended at the server's last page, full, so more exist than it lists)."""
    if which not in LIST_REQUESTS:
        raise PwpushError("list must be active or expired (got %r)." % which)
    client.require_token("list requests")
    require_requests(client)
    for page in range(1, LIST_MAX_PAGE + 1):
        response = client.send("GET", "/api/v2/requests/%s" % which, params={"page": page},
                               operation=LIST_REQUESTS[which])
        if response.status_code != 200:
            client.raise_for_answer(response, LIST_REQUESTS[which])
        batch = json_or_none(response)
        if not isinstance(batch, list) or not all(isinstance(r, dict) and is_token(r.get("url_token")) for r in batch):
            raise PwpushError("Could not %s: %s." % (LIST_REQUESTS[which].text, unexpected_answer(
                response, "a JSON list of requests (objects with a url_token)")), status=response.status_code)
        for found in batch:
            yield describe(client, found)
        if len(batch) < LIST_PAGE_SIZE:
            return
    if on_truncated is not None:
        on_truncated()


def list_requests(client, which="active", limit=None):
    found = []
    for item in iter_requests(client, which):
        if limit is not None and len(found) >= limit:
            break
        found.append(item)
    return found


def find_active_by_name(client, name, passphrase_protected=False):
    """The newest active request of that name, behind a passphrase exactly when one is asked for, or None."""
    truncated = []
    for item in iter_requests(client, "active", on_truncated=lambda: truncated.append(True)):
        if same_request(item, name, passphrase_protected):
            return item
    if truncated:
        raise PwpushError(unlisted_message(1, repr(name), "request") + "; expire old requests, or turn "
                          "reuse off to make a new one.")
    return None
