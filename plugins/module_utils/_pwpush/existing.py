# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What PwpushClient does with pushes that exist: preview, retrieve, expire, audit, notify, list, reuse.

A mixin of PwpushClient (client.py), which provides _send, _raise_for, _push_path, describe, api and token.
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.oneshot.secrets.plugins.module_utils._core.diagnosis import json_or_none, unexpected_answer
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.answers import (
    answered_at,
    epoch_of,
    expired_before_request,
    is_token,
    json_object,
    v1_audit_to_logs,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import (
    ACCOUNTS,
    AUDIT,
    EXPIRE,
    LIST_PUSHES,
    NOTIFY,
    PREVIEW,
    RETRIEVE,
    PwpushError,
    error_text,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.reuse import same_push
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import (
    KINDS,
    check_notify_emails,
    kind_from_reference,
    redact,
    token_from_reference,
)

LIST_PAGE_SIZE = 50
LIST_MAX_PAGE = 200

# The User-Agent of a create names the kind: the push's audit log keeps it in its "creation" entry, and that is the
# only place the server remembers a push's kind where its owner can read it without counting a view (the lists and
# the push JSON carry no kind). reuse_existing reads it back.
USER_AGENT = "oneshot.secrets (pwpush)"
KIND_AGENT = USER_AGENT[:-1] + "; kind=%s)"
# credential_links' pushes (text, never behind a passphrase) say so: their audit log alone can tell they are active.
BULK_AGENT = USER_AGENT[:-1] + "; kind=text; credential_links)"
_KIND_IN_AGENT = re.compile(r"^oneshot\.secrets \(pwpush; kind=(text|url|qr|file)(; credential_links)?\)")

# Audit entries that spend nothing, and those only an expired push has (a view after expiry, the owner's expiry).
_NOTHING_SPENT = ("creation", "owner_view", "admin_view")
_SPENT = ("expire", "failed_view")
# A recorded expiry this close (seconds, by the server's clock) is checked by reading the push.
_EXPIRY_MARGIN = 600


def unlisted_message(count, who, kind="push"):
    """Why reuse cannot be decided for `count` names (`who`) the owner's list of `kind`s did not reach."""
    plural = kind + ("es" if kind.endswith("sh") else "s")
    return ("%s: no active %s of that name among the %d newest active %s of this account, and the server lists "
            "no further (the account has more), so %s may already have one. Nothing was made" % (
                who, kind, LIST_MAX_PAGE * LIST_PAGE_SIZE, plural, "it" if count == 1 else "they"))


class ExistingPushes:
    """Calls on a push by its token or link, and on the token user's lists."""

    def preview(self, reference):
        token = token_from_reference(reference)
        response = self.send("GET", self._push_path(token, "/preview"), operation=PREVIEW)
        if response.status_code != 200:
            self.raise_for_answer(response, PREVIEW)
        body = json_or_none(response)
        if not isinstance(body, dict) or not isinstance(body.get("url"), str):
            raise PwpushError("Could not preview the push: %s." % unexpected_answer(
                response, "its preview (a JSON object with its url)"), status=response.status_code)
        return dict(url_token=token, url=body["url"])

    def retrieve(self, reference, passphrase=None):
        """The push with its payload. Counts a view (unless the token is the owner's)."""
        token = token_from_reference(reference)
        if getattr(self.http, "read_only", False):
            raise PwpushError("the push %s was not retrieved: check mode spends no view (preview it instead)." % token,
                              code="check_mode")
        params = {"passphrase": passphrase} if passphrase else None
        if passphrase:
            self._secrets.add(passphrase)
        response = self.send("GET", self._push_path(token, kind=kind_from_reference(reference)), params=params,
                             operation=RETRIEVE)
        if response.status_code != 200:
            self.raise_for_answer(response, RETRIEVE)
        push = json_or_none(response)
        if not isinstance(push, dict):
            raise PwpushError("Could not retrieve the push: %s (this may have counted a view)." % unexpected_answer(
                response, "the push (a JSON object)"), status=response.status_code)
        return push

    def retrieval_counted_a_view(self, reference, push):
        """Whether retrieve() may have counted a view: not for an expired push, not for the owner's token.

        Only the owner may read the push's audit log (Api::V2::PushesController#audit checks owned_by? alone),
        so one read-only request tells. An administrator's retrieval logs admin_view and counts no view, but an
        administrator is refused the audit log (403) like anybody else: that, and any other reason the log
        cannot be read, is taken as a counted view (the safe side).
        """
        if push.get("expired"):
            return False
        if not self.token:
            return True
        token = token_from_reference(reference)
        try:
            response = self.send("GET", self._push_path(token, "/audit"), params={"page": 1},
                                 operation=AUDIT)
        except PwpushError:
            return True
        return response.status_code != 200

    def expire(self, reference, known_active=False):
        """Expire a push now. Returns (changed, push-or-None): already expired or gone is not a change.

        known_active: the caller has just seen the push in the owner's active list, so the audit read that tells an
        earlier expiry is spared (the DELETE answer's timing still tells one apart).
        """
        token = token_from_reference(reference)
        # Both APIs answer 200 with the push again for an already expired one (Api::V1::PushesController#destroy,
        # which v2 inherits): the owner's audit log tells, without a write.
        if self.token and not known_active and self._manually_expired(token):
            return False, None
        response = self.send("DELETE", self._push_path(token, kind=kind_from_reference(reference)),
                             operation=EXPIRE)
        if response.status_code == 200:
            push = json_or_none(response)
            if not isinstance(push, dict):
                raise PwpushError("Could not expire the push: %s; it may have been expired." % unexpected_answer(
                    response, "the expired push (a JSON object)"), status=200)
            # Without the owner's token the audit log is closed: tell a second expiry apart by time.
            return not expired_before_request(push, response), redact(push)
        if response.status_code == 404:
            return False, None
        # Servers before 2.0 (API v1.4, e.g. 1.50's passwords_controller.rb#destroy) refused a second expiry with
        # 422 "That push is already expired."; later ones answer 200 (above).
        if response.status_code == 422 and "expired" in error_text(response).lower():
            return False, None
        self.raise_for_answer(response, EXPIRE)

    def _manually_expired(self, token):
        """For the owner: whether the audit log already records an expiry (read-only, counts no view)."""
        try:
            return any(entry.get("kind") == "expire" for entry in self.audit(token))
        except PwpushError as exc:
            if exc.status in (401, 403, 404):
                return False  # not the owner (or gone): the DELETE answer decides
            raise

    def audit(self, reference, max_pages=LIST_MAX_PAGE):
        """Every audit log entry of a push (owner only), across pages."""
        self.require_token("audit a push")
        token = token_from_reference(reference)
        entries = []
        for page in range(1, max_pages + 1):
            batch, _response = self._audit_page(token, page)
            entries.extend(batch)
            if self.api == "v1" or len(batch) < LIST_PAGE_SIZE:
                break
        return entries

    def _audit_page(self, token, page):
        """(the entries of one page of a push's audit log, API v1's converted; the response)."""
        response = self.send("GET", self._push_path(token, "/audit"), params={"page": page}, operation=AUDIT)
        if response.status_code != 200:
            self.raise_for_answer(response, AUDIT)
        body = json_object(json_or_none(response))
        v1_views = "logs" not in body
        batch = (body.get("views") or []) if v1_views else body["logs"]
        if not body or not isinstance(batch, list) or not all(isinstance(entry, dict) for entry in batch):
            raise PwpushError("Could not read the audit log: %s." % unexpected_answer(
                response, "a JSON object with its log entries (a list of objects) in logs (views for API v1)"),
                status=response.status_code)
        return (v1_audit_to_logs(batch) if v1_views else batch), response

    def notify_emails(self, reference, emails, locale=None):
        """Have the server mail the link of an existing push (owner only, API v2; 5 requests a minute per user)."""
        self.require_token("send a push's link by email")
        addresses = check_notify_emails(emails)
        self.require_notify_support()
        token = token_from_reference(reference)
        body = {"notify_emails_to": addresses}
        if locale:
            body["notify_emails_to_locale"] = locale
        response = self.send("POST", self._push_path(token, "/notify_emails"), json=body, idempotent=False,
                             operation=NOTIFY)
        if response.status_code not in (200, 201):
            self.raise_for_answer(response, NOTIFY)
        return dict(url_token=token, notify_emails_to=addresses.split(","),
                    message=(json_or_none(response) or {}).get("message"))

    def list_accounts(self):
        """The accounts the token's user can push to (GET /api/v2/accounts: hosted edition only)."""
        self.require_token("list accounts")
        if self.api != "v2":
            raise PwpushError("Accounts need a server with API v2; this one only has API v1.")
        response = self.send("GET", "/api/v2/accounts", operation=ACCOUNTS)
        if response.status_code == 404:
            raise PwpushError("Could not list accounts: %s has no accounts API (HTTP 404); only the hosted edition "
                              "(pwpush.com) has accounts." % self.url, status=404)
        if response.status_code != 200:
            self.raise_for_answer(response, ACCOUNTS)
        accounts = json_or_none(response)
        if isinstance(accounts, dict) and isinstance(accounts.get("accounts"), list):
            accounts = accounts["accounts"]
        if not isinstance(accounts, list):
            raise PwpushError("The server answered the account list with something other than a JSON list.")
        return accounts

    def iter_pushes(self, which="active", on_truncated=None):
        """Yield the caller's active or expired pushes, page by page, without secrets.

        The server lists LIST_MAX_PAGE pages at most (10,000 pushes) and refuses the next: on_truncated() is called
        when the list ends there full, so a caller can tell "not in the list" from "not listed".
        """
        if which not in ("active", "expired"):
            raise PwpushError("list must be active or expired (got %r)." % which)
        self.require_token("list pushes")
        for page in range(1, LIST_MAX_PAGE + 1):
            if self.api == "v2":
                path = "/api/v2/pushes/%s" % which
            else:
                path = "/p/%s.json" % which
            response = self.send("GET", path, params={"page": page}, operation=LIST_PUSHES[which])
            if response.status_code != 200:
                self.raise_for_answer(response, LIST_PUSHES[which])
            batch = json_or_none(response)
            if not isinstance(batch, list) or not all(isinstance(push, dict) and is_token(push.get("url_token"))
                                                      for push in batch):
                raise PwpushError("Could not list %s pushes: %s." % (which, unexpected_answer(
                    response, "a JSON list of pushes (objects with a url_token)")), status=response.status_code)
            for push in batch:
                yield self.describe(push)
            if len(batch) < LIST_PAGE_SIZE:
                return
        if on_truncated is not None:
            on_truncated()

    def list_pushes(self, which="active", limit=None):
        pushes = []
        for push in self.iter_pushes(which):
            if limit is not None and len(pushes) >= limit:
                break
            pushes.append(push)
        return pushes

    def active_by_name(self, names, kind="text", passphrase_protected=False, on_truncated=None):
        """{name: push} of the newest active push called each of `names` that is the same push (reuse.same_push),
        from ONE paged scan of the owner's list (on_truncated: as iter_pushes).

        Only the names asked for are kept (memory grows with them, not with the list); the lists come newest
        first, so the first push seen of a name that passes is its newest.
        """
        wanted = set(names)
        found = {}
        for push in self.iter_pushes("active", on_truncated=on_truncated):
            name = push.get("name")
            if name in wanted and name not in found and same_push(push, name, kind, passphrase_protected,
                                                                  self.created_kind):
                found[name] = push
        return found

    def find_active_by_name(self, name, kind, passphrase_protected=False):
        """The newest active push of that name that is the same push as asked for (reuse.same_push), or None."""
        if kind not in KINDS:
            raise PwpushError("kind must be one of %s (got %r)." % (", ".join(KINDS), kind))
        truncated = []
        for push in self.iter_pushes("active", on_truncated=lambda: truncated.append(True)):
            if same_push(push, name, kind, passphrase_protected, self.created_kind):
                return push
        if truncated:
            raise PwpushError(unlisted_message(1, repr(name)) + "; expire old pushes, or turn reuse off to make a "
                              "new one.")
        return None

    def owner_read(self, reference):
        """The push as its owner reads it, without secrets, or None when the server has no such push.

        Only the owner's read counts no view (the audit log records it as owner_view); call it with the owner's token
        (after audit(), which refuses anyone else), never to read somebody else's push.
        """
        token = token_from_reference(reference)
        response = self.send("GET", self._push_path(token, kind=kind_from_reference(reference)), operation=PREVIEW)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            self.raise_for_answer(response, PREVIEW)
        push = json_or_none(response)
        if not isinstance(push, dict) or not is_token(push.get("url_token")):
            raise PwpushError("Could not read the push %s: %s." % (token, unexpected_answer(
                response, "the push (a JSON object with its url_token)")), status=response.status_code)
        return self.describe(push)

    def owned_push(self, reference, expires=None, read=False):
        """(push without secrets, the kind this collection created it as or None) when the token's user owns it,
        else None; never counts a view.

        The owner's audit log is read first: only an owner may read it (others get 403, a push of another server
        404), and only the owner's retrieval counts no view. Its creation entry names the kind (KIND_AGENT). It often
        tells whether the push is active (told_by_audit: then the push is {"expired": ...} alone); otherwise, and
        always with read=True (a refresh wants views and expiry), the owner's read does (it carries no name: the
        show view leaves it out).
        """
        token = token_from_reference(reference)
        try:
            entries, response = self._audit_page(token, 1)
        except PwpushError as exc:
            if exc.status in (401, 403, 404):
                return None
            raise
        created = [entry for entry in entries if entry.get("kind") == "creation"]
        match = _KIND_IN_AGENT.match(created[0].get("user_agent") or "") if created else None
        told = None if read else told_by_audit(entries, match, expires, answered_at(response))
        push = told if told is not None else self.owner_read(reference)
        return (push, match.group(1) if match else None) if push is not None else None

    def created_kind(self, token):
        """The kind this collection named when it created the push (from the audit log), or None if unknown."""
        try:
            entries = self.audit(token)
        except PwpushError as exc:
            if exc.status in (403, 404):
                return None
            raise
        for entry in entries:
            if entry.get("kind") == "creation":
                match = _KIND_IN_AGENT.match(entry.get("user_agent") or "")
                return match.group(1) if match else None
        return None


def told_by_audit(entries, agent_match, expires, now):
    """What page 1 of a push's audit log tells without reading the push: {"expired": True} when only an expired push
    has such entries; {"expired": False} for a credential_links push (no passphrase) with no view spent, nothing past
    page 1, and its recorded expiry (`expires`, from when it was made) still ahead of the server's clock; else None.
    """
    kinds = [entry.get("kind") for entry in entries]
    if any(kind in _SPENT for kind in kinds):
        return {"expired": True}
    ends = epoch_of(expires)
    if (agent_match is None or not agent_match.group(2) or len(entries) >= LIST_PAGE_SIZE or ends is None
            or any(kind not in _NOTHING_SPENT for kind in kinds) or ends - now < _EXPIRY_MARGIN):
        return None
    return {"expired": False, "passphrase_protected": False}
