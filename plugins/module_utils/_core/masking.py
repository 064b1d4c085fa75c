# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What Ansible's masking asks of every door whose results it masks, and the one masking function.

- refuse_short_secret() / refuse_secret_in_link() / refuse_secret_in_fields(): Ansible masks every no_log value
  wherever it occurs as a substring of a module's result, so a short payload or passphrase would turn the returned
  link into `http://********27.0.0.1...`. Values of at least MIN_SECRET_LENGTH characters cannot be an accidental
  part of the random key of a link (docs/security.md has the arithmetic); the fixed parts of a link and the fields a
  result returns are checked here. The rule is the door's decision: masked_results=False (a door whose results are
  never masked: lookups, the Terraform provider) turns them off; modules keep the default True.
- mask_secrets(): server-echoed text and input cells are masked with every secret of the call before they reach
  a message, in the quoting a server may echo them with (JSON, Python repr, URL encoding).
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

try:
    from urllib.parse import quote, quote_plus
except ImportError:  # pragma: no cover - Python 2 is not supported by the collection
    from urllib import quote, quote_plus

MIN_SECRET_LENGTH = 8
MASK = "********"


def refuse_short_secret(option, value, error=ValueError, masked_results=True):
    """Refuse a no_log value that Ansible's masking could find inside a returned link (only where results are
    masked: masked_results).

    The error is marked `short_secret`: its message quotes no value, and masking the short value in it would
    garble it (a passphrase `s` masks every s), so callers show it unmasked (see unmask_short_secrets).
    """
    if masked_results and isinstance(value, str) and 0 < len(value) < MIN_SECRET_LENGTH:
        exc = error("%s must be at least %d characters: Ansible masks it wherever it occurs in the result, so a "
                    "shorter one could turn the returned link into ******** (put words around a short PIN or code)." % (
                        option, MIN_SECRET_LENGTH))
        exc.short_secret = True
        raise exc


def unmask_short_secrets(module):
    """Before failing with a short_secret error: hide the short no_log values from the invocation instead of
    masking them everywhere, so the sentence that explains the refusal stays readable."""
    for name, value in list(module.params.items()):
        if isinstance(value, str) and 0 < len(value) < MIN_SECRET_LENGTH and value in module.no_log_values:
            module.params[name] = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
            module.no_log_values.discard(value)


def refuse_secret_in_link(option, value, prefixes, suffixes=("",), error=ValueError, masked_results=True):
    """Refuse a value that the masking would find in a link made of a known prefix, a random key and a suffix.

    The value is refused when it lies inside a prefix or suffix, or overlaps one so that fewer than
    MIN_SECRET_LENGTH of its characters would fall on the random key. E.g. with the prefix
    `http://127.0.0.1:8443/p/`, the values `127.0.0.1:8443` and `8443/p/a` are refused. Nothing is refused where
    results are not masked (masked_results=False).
    """
    if not masked_results or not isinstance(value, str) or not value:
        return
    known = _known_text_overlapped(value, prefixes, suffixes)
    if known:
        raise error("%s must not be part of the link's fixed text (%s): Ansible masks it wherever it occurs in the "
                    "result, so the returned link would show ********." % (option, known))


def refuse_secret_in_fields(secrets, fields, error=ValueError, masked_results=True):
    """Refuse a secret that lies inside a field the result returns (a push's name or note): masked, it would hide
    that field. Neither value is quoted: the field holds the secret."""
    if not masked_results:
        return
    for option, secret in secrets.items():
        for field, text in fields.items():
            if isinstance(secret, str) and secret and isinstance(text, str) and secret in text:
                raise error("%s must not be part of %s: Ansible masks it wherever it occurs in the result, so %s "
                            "would show ********." % (option, field, field))


def _known_text_overlapped(value, prefixes, suffixes):
    """The prefix or suffix that value could match with fewer than MIN_SECRET_LENGTH characters on the key."""
    size = len(value)
    # How many of value's characters may fall on the known text: more than size - MIN leaves too few on the key.
    overlaps = range(max(1, size - MIN_SECRET_LENGTH + 1), size)
    for prefix in prefixes:
        if value in prefix or any(prefix.endswith(value[:known]) for known in overlaps):
            return prefix
    for suffix in suffixes:
        if suffix and (value in suffix or any(suffix.startswith(value[size - known:]) for known in overlaps)):
            return suffix
    return None


def _variants(secret):
    """The forms in which a server may echo a secret."""
    forms = set([secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1], repr(secret)[1:-1],
                 secret.replace("\\", "\\\\").replace("'", "\\'"), secret.replace("\\", "\\\\").replace('"', '\\"')])
    try:
        forms.update((quote(secret, safe=""), quote_plus(secret)))
    except (KeyError, UnicodeError):  # pragma: no cover - lone surrogates
        pass
    return forms


def mask_secrets(text, secrets, limit=None):
    """text with every occurrence of every secret (in any quoting of _variants) replaced by ********.

    With limit, at most that many characters of text are kept, and the cut never leaves part of a secret: the
    secrets are searched in a window long enough to hold any of them that starts before the cut.
    """
    text = "" if text is None else str(text)
    forms = set()
    for secret in secrets:
        if isinstance(secret, str) and secret:
            forms.update(form for form in _variants(secret) if form)
    window = text
    if limit is not None and len(text) > limit:
        window = text[:limit + max([len(form) for form in forms] or [0])]
    covered = bytearray(len(window))
    for form in forms:
        start = window.find(form)
        while start != -1:
            covered[start:start + len(form)] = b"\x01" * len(form)
            start = window.find(form, start + 1)
    end = len(window) if limit is None else min(limit, len(window))
    pieces = []
    index = 0
    while index < end:
        if covered[index]:
            while index < len(window) and covered[index]:
                index += 1
            pieces.append(MASK)
        else:
            start = index
            while index < end and not covered[index]:
                index += 1
            pieces.append(window[start:index])
    if end < len(text):
        pieces.append("...")
    return "".join(pieces)
