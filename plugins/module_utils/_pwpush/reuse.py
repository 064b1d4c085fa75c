# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether an existing push may stand for the one a task asks for: the one predicate of every reuse
(pwpush_push reuse_existing, credential_links, distribute_credentials; pwpush_request by the same rule).

A push is the same when its name, kind and passphrase protection are those asked for and it is still active.
Anyone with the account's token can make a push of any name, so the name alone proves nothing: a URL push to a
phishing page or a push behind a passphrase named "initial password for grace" must never become grace's
password link.

The lists carry no kind. What they carry decides most cases at no cost:
- a URL push is the only kind whose deletable_by_viewer is null (the server's assign_deletable_by_viewer);
- passphrase_protected (from the listed passphrase) tells pushes behind a passphrase.
Text, QR and file pushes look alike there, so the kind comes from what this collection wrote when it made the push:
the note of a credential_links push (BULK_NOTE, free to read), else the User-Agent of the push's creation entry in
its audit log (one request). A push whose kind cannot be told this way is never reused.
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# The note of every push credential_links makes: its kind, readable in the owner's list without another request.
BULK_NOTE = "made by oneshot.secrets credential_links (kind=text)"
_KIND_IN_NOTE = re.compile(r"^made by oneshot\.secrets [a-z_]+ \(kind=(text|url|qr|file)\)\Z")


def listed_kind_hint(push):
    """The kind a push's note names (BULK_NOTE), or None when the note does not say."""
    match = _KIND_IN_NOTE.match(push.get("note") or "")
    return match.group(1) if match else None


def _active_with(item, name, passphrase_protected):
    """Active, of that name, behind a passphrase exactly when one is asked for."""
    if item.get("name") != name or item.get("expired") or item.get("deleted"):
        return False
    return bool(item.get("passphrase_protected")) == bool(passphrase_protected)


def may_be_same(push, name, kind, passphrase_protected):
    """What the list entry alone can tell: False rules the push out; True needs the kind confirmed (same_push)."""
    return _active_with(push, name, passphrase_protected) and (push.get("deletable_by_viewer") is None) == (
        kind == "url")


def same_request(request, name, passphrase_protected):
    """True when a listed request (pwpush_request; requests have no kind) may stand for the one asked for."""
    return _active_with(request, name, passphrase_protected)


def same_push(push, name, kind, passphrase_protected, created_kind):
    """True when the listed push may be handed out as the one asked for.

    created_kind(url_token): the kind named in the push's audit log, or None; asked only when the note does not
    name the kind.
    """
    if not may_be_same(push, name, kind, passphrase_protected):
        return False
    hinted = listed_kind_hint(push)
    if hinted is not None:
        return hinted == kind
    return created_kind(push["url_token"]) == kind
