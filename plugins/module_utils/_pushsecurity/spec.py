# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stolen credentials as given (a list or a CSV file), checked before any request; never a password in a
message.
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.oneshot.secrets.plugins.module_utils._core.checks import is_email
from ansible_collections.oneshot.secrets.plugins.module_utils._core.masking import mask_secrets
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.errors import PushSecurityError
from ansible_collections.oneshot.secrets.plugins.module_utils.csv_rows import CsvError, rows_from_csv


def passwords_of(credentials):
    """Every password string among the items, to mask in messages (the module keeps them out of no_log_values)."""
    if not isinstance(credentials, list):
        return []
    return [item["password"] for item in credentials
            if isinstance(item, dict) and isinstance(item.get("password"), str) and item["password"]]


def validate_credentials(credentials, name="credentials"):
    """Check every item before anything is sent; messages name the item, never its password.

    An email that fails the check is not quoted: an `email:password` cell would put a password there.
    Whatever else a message quotes is masked with every password of the list.
    """
    if not isinstance(credentials, list):
        raise PushSecurityError("%s must be a list of {email, password, metadata} items." % name)
    allowed = frozenset(("email", "password", "metadata"))

    def refuse(message):
        raise PushSecurityError(mask_secrets(message, passwords_of(credentials)))

    # Items counted from 1 with their email, as the collection names list items elsewhere (people[1] (alice)).
    for number, item in enumerate(credentials, 1):
        where = "%s[%d]" % (name, number)
        if not isinstance(item, dict):
            refuse("%s must be a dict with email and password." % where)
        unknown = set(item) - allowed
        if unknown:
            refuse("%s has unknown keys: %s (allowed: email, password, metadata)." % (
                where, ", ".join(sorted(unknown))))
        email = item.get("email")
        if email is None or email == "":
            refuse("%s has no email." % where)
        if not is_email(email):
            hint = ""
            if isinstance(email, str) and ":" in email:
                hint = " (it holds a ':' - an email:password row goes in two columns, email and password)"
            refuse("%s: email is not an email address%s; the value is not shown, it may hold a password." % (where, hint))
        where = "%s (%s)" % (where, email)
        password = item.get("password")
        if password is None:
            refuse("%s has no password." % where)
        if not isinstance(password, str) or password == "":
            refuse("%s: password must be a non-empty string." % where)
        metadata = item.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            refuse("%s: metadata must be a dict or null." % where)


def load_credentials_file(path):
    """Read a threat-intel export: a JSON list of {email, password, metadata} items, or CSV with a header
    naming email and password (other columns become each item's metadata). JSON when the first non-blank
    character is '[' or '{'. Errors name the file and the line, never a cell."""
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8-sig")
    except (IOError, OSError) as exc:
        raise PushSecurityError("src: cannot read %s: %s." % (path, exc.strerror or exc))
    except UnicodeDecodeError as exc:
        raise PushSecurityError("src: %s is not UTF-8 text (byte %d)." % (path, exc.start))
    if text.lstrip()[:1] in ("[", "{"):
        try:
            items = json.loads(text)
        except ValueError as exc:
            # json's message gives the position only ("Expecting ',' delimiter: line 3 column 5 (char 40)").
            raise PushSecurityError("src: %s is not a valid JSON list: %s." % (path, exc))
    else:
        try:
            items = rows_from_csv(text, keep=("email", "password"), rest_into="metadata",
                                  required=("email", "password"))
        except CsvError as exc:
            raise PushSecurityError("src: %s: %s." % (path, exc))
        for item in items:
            if not item["metadata"]:
                del item["metadata"]
    validate_credentials(items, name="src")
    return items


def passwords_shown_in(texts, passwords):
    """The passwords that occur inside any of texts (e.g. the returned emails), to keep masking those.

    Linear in the number of texts: every substring of each text whose length is that of some password is
    looked up in a set, instead of searching every text for every password.
    """
    lengths = sorted(set(len(password) for password in passwords))
    wanted = set(passwords)
    shown = set()
    for text in texts:
        size = len(text)
        for length in lengths:
            if length > size:
                break
            for start in range(size - length + 1):
                piece = text[start:start + length]
                if piece in wanted:
                    shown.add(piece)
    return shown
