# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The follow-up of credential_links: whose link was opened, when, and which links still work. Reads only.

Password Pusher: per link the owner's audit log (a read never counted as a view) and the owner's read of the push
(logged as owner_view, not counted either). onetimesecret: the receipt (metadata) where its key is known, else one
read of the account's recent receipts; what neither tells is reported as unknown with the reason.
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import time

from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import OptionError
from ansible_collections.oneshot.secrets.plugins.module_utils._core.pool import run_all
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.errors import OtsError
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.spec import key_from_reference
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import token_from_reference

FOLLOWUP = dict(
    service=dict(type="str", default="pwpush", choices=["pwpush", "ots"]),
    links=dict(type="list", elements="dict", required=True),
    concurrency=dict(type="int", default=8, min=1, max=8),
    pace=dict(type="float", default=0.0, or_zero=True, min=0.001, max=1000, unit="requests a second"),
)

STATUSES = ("opened", "unopened", "expired", "unknown", "no_link")
# Receipt states of a secret that can no longer be opened (received: it was).
_OTS_GONE = ("received", "burned", "expired", "orphaned")
NO_OTS_KEY = ("onetimesecret tells nothing about a secret without its receipt (reading the secret would spend it): "
              "give the row's receipt, or username and api_token to find it among the account's recent receipts")
NOT_IN_RECENT = ("not among the account's recent receipts that still name their secret: it was read, burned or has "
                 "expired (onetimesecret then drops the secret's key from the receipt), is older than the 30 days "
                 "listed, or belongs to another account")


class FollowupInputError(OptionError):
    """Bad input, found before any request: one sentence naming the option."""

    def __init__(self, message, option="links"):
        super(FollowupInputError, self).__init__(option, message)


def check_links(links, service):
    """The rows as [{name, email, link, receipt}]: the rows of distribute_credentials' CSV (user,email,link) fit."""
    if not links:
        raise FollowupInputError("links is empty: give the rows of the earlier run (name or user, and link).")
    rows = []
    seen = set()
    for number, row in enumerate(links, start=1):
        name = row.get("name", row.get("user"))
        if not isinstance(name, str) or not name.strip():
            raise FollowupInputError("links[%d] has no name (or user): a non-empty string." % number)
        if name in seen:
            raise FollowupInputError("links names %s twice: one row a person." % name)
        seen.add(name)
        link = row.get("link") or None
        receipt = row.get("receipt") or None
        where = "links[%d] (%s)" % (number, name)
        if link is not None and not (isinstance(link, str) and link.startswith(("http://", "https://"))):
            raise FollowupInputError("%s: link must be an http(s) link or empty." % where)
        if receipt is not None and service != "ots":
            raise FollowupInputError("%s: receipt is an onetimesecret receipt key; service is %s." % (where, service))
        try:
            if link is not None:
                key = token_from_reference(link) if service == "pwpush" else key_from_reference(link)
            if receipt is not None:
                receipt = key_from_reference(receipt, what="receipt")
        except (PwpushError, OtsError) as exc:
            raise FollowupInputError("%s: %s" % (where, exc.message))
        email = row.get("email") or None
        rows.append(dict(name=name, email=email if isinstance(email, str) else None, link=link, receipt=receipt,
                         key=key if link is not None else None))
    return rows


def _person(row, opened=None, opened_at=None, expired=None, expired_at=None, views=None, reason=None, receipt=None):
    if row["link"] is None:
        status = "no_link"
        reason = reason or "the row holds no link"
    elif opened:
        status = "opened"
    elif opened is False and expired is not None:
        status = "expired" if expired else "unopened"
    else:
        status = "unknown"
    return dict(name=row["name"], email=row["email"], link=row["link"], status=status, opened=opened,
                opened_at=opened_at, expired=expired, expired_at=expired_at, views=views, reason=reason,
                receipt=receipt or row["receipt"])


def _pwpush_person(client, row):
    if row["link"] is None:
        return _person(row)
    try:
        entries = client.audit(row["key"])
    except PwpushError as exc:
        if exc.status in (403, 404):
            return _person(row, reason="the token's user cannot read this push's audit log (HTTP %d): it is not "
                                       "theirs, or not on this server" % exc.status)
        raise
    push = client.owner_read(row["key"])
    if push is None:
        return _person(row, reason="the server no longer has this push")
    views = sorted(str(entry.get("created_at") or "") for entry in entries if entry.get("kind") == "view")
    return _person(row, opened=bool(views), opened_at=(views[0] or None) if views else None,
                   expired=bool(push.get("expired")), expired_at=push.get("expired_on"), views=len(views))


def _stamp(epoch):
    if isinstance(epoch, int) and not isinstance(epoch, bool) and epoch > 0:
        return (datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=epoch)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


def _ots_person(row, receipt, now):
    """A person from their receipt (read by its key, or found in the account's recent list)."""
    state = receipt.get("state")
    key = receipt.get("metadata_key")
    if state == "received":
        return _person(row, opened=True, opened_at=_stamp(receipt.get("received")), expired=True,
                       expired_at=_stamp(receipt.get("received")), receipt=key)
    if state in _OTS_GONE:
        return _person(row, opened=False, expired=True, expired_at=_stamp(receipt.get("updated")), receipt=key)
    if state in ("new", "viewed"):
        created, ttl = receipt.get("created"), receipt.get("ttl")
        ends = created + ttl if isinstance(created, int) and isinstance(ttl, int) else None
        lapsed = ends is not None and ends <= now
        return _person(row, opened=False, expired=lapsed, expired_at=_stamp(ends) if lapsed else None, receipt=key)
    return _person(row, reason="the receipt says state %r, which this module does not know" % state, receipt=key)


def _ots_by_receipt(client, row, now):
    try:
        return _ots_person(row, client.metadata(row["receipt"]), now)
    except OtsError as exc:
        if getattr(exc, "body_message", None) in ("Unknown secret", "Not Found"):
            # The receipt outlives its secret (twice the lifetime): gone, the secret is gone too.
            return _person(row, opened=None, expired=True, reason="the receipt is gone: the secret has expired; "
                           "whether it was read first cannot be told")
        raise


def followup(client, service, rows, concurrency, now=None):
    """(one entry a row in the order given, how many links could not be read: those are unknown, with why)."""
    now = int(time.time()) if now is None else now
    listed = {}
    if service == "ots" and client.authenticated and any(row["link"] and not row["receipt"] for row in rows):
        for receipt in client.recent():
            secret = receipt.get("secret_key") or receipt.get("secret_identifier")
            if isinstance(secret, str) and secret:
                listed[secret] = receipt

    def check(index):
        row = rows[index]
        if service == "pwpush":
            return _pwpush_person(client, row)
        if row["link"] is None:
            return _person(row)
        if row["receipt"]:
            return _ots_by_receipt(client, row, now)
        if row["key"] in listed:
            return _ots_person(row, listed[row["key"]], now)
        return _person(row, reason=NOT_IN_RECENT if client.authenticated else NO_OTS_KEY)

    people, failures = run_all(check, len(rows), concurrency, (PwpushError, OtsError))
    # A link the server would not answer for is that person's unknown; a refused token, or no link answered at
    # all (server down, wrong url), is the whole task's failure.
    refused = [failure for failure in failures if failure[1].status == 401]
    if refused or (failures and len(failures) == len([row for row in rows if row["link"]])):
        index, error = (refused or failures)[0]
        raise type(error)("Could not follow up the link of %s: %s (%d link(s) could not be read)." % (
            rows[index]["name"], error.message.rstrip("."), len(failures)), status=error.status)
    for index, error in failures:
        people[index] = _person(rows[index], reason="could not be read: %s" % error.message.rstrip("."))
    return people, len(failures)


def summary(people):
    """{status: count} for every status, and a line a person for a table (no secret: names, states, links)."""
    counts = dict((status, 0) for status in STATUSES)
    lines = []
    for person in people:
        counts[person["status"]] += 1
        when = " %s" % person["opened_at"] if person["opened_at"] else ""
        why = " (%s)" % person["reason"] if person["status"] == "unknown" else ""
        lines.append("%s  %s%s%s  %s" % (person["name"], person["status"], when, why, person["link"] or "-"))
    return counts, lines
