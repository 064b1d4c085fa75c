# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What may be shared, generated or referred to on onetimesecret: its limits and the checks made before any
request (the server clamps or ignores what it does not take, so the checks come first).
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.oneshot.secrets.plugins.module_utils._core.checks import is_email
from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import term
from ansible_collections.oneshot.secrets.plugins.module_utils._core.masking import refuse_short_secret
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.errors import OtsError

TTL_MIN = 60
TTL_MAX_ANONYMOUS = 7 * 24 * 3600
TTL_MAX_ACCOUNT = 30 * 24 * 3600
SECRET_MAX_BYTES = 10000
PASSPHRASE_MAX = 128
GENERATE_MAX_LENGTH = 128
KEY_MIN_LENGTH = 20

# Onetime::Utils.strand (lib/onetime/utils.rb): the character sets `generate` draws from.
CHARACTER_SETS = (
    ("uppercase", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    ("lowercase", "abcdefghijklmnopqrstuvwxyz"),
    ("numbers", "0123456789"),
    ("symbols", "!@#$%^&*()_-+=[]{}|:;\"'<>,.?/~`"),
)
CHARACTER_SET_OPTIONS = tuple(name for name, _chars in CHARACTER_SETS) + ("exclude_ambiguous",)
AMBIGUOUS_CHARS = "ilo1IO0"

_KEY_IN_URL = re.compile(r"/(?:secret|private|receipt|metadata)/([A-Za-z0-9]+)/?(?:[?#].*)?$")
_BARE_KEY = re.compile(r"^[A-Za-z0-9]+$")


def key_from_reference(reference, what="secret_key"):
    """The key from a bare key or a link (/secret/KEY, /private/KEY, /receipt/KEY)."""
    text = str(reference or "").strip()
    if not text:
        raise OtsError("%s is empty: give the key or its link." % what)
    if _BARE_KEY.match(text):
        key = text
    else:
        match = _KEY_IN_URL.search(text)
        if not match or not text.startswith(("http://", "https://")):
            raise OtsError("%s %r is neither a key nor an onetimesecret link (https://host/secret/KEY)." % (what, text))
        key = match.group(1)
    if len(key) < KEY_MIN_LENGTH:
        raise OtsError("%s %r is too short to be an onetimesecret key (at least %d characters)." % (what, key, KEY_MIN_LENGTH))
    return key


def validate_secret_options(secret=None, passphrase=None, ttl=None, recipient=None, authenticated=False, length=None,
                            masked_results=True):
    """Refuse what the server would reject or silently change, before any request.

    masked_results: the door masks no_log values in its results (Ansible), so short secrets are refused.
    """
    if secret is not None:
        if secret == "":
            raise OtsError("secret must not be empty (omit it to generate one).")
        if len(secret.encode("utf-8")) > SECRET_MAX_BYTES:
            raise OtsError("secret is larger than %d bytes, the most onetimesecret stores." % SECRET_MAX_BYTES)
    if passphrase is not None:
        if passphrase == "":
            raise OtsError("passphrase must not be empty when given (omit it for no passphrase).")
        if len(passphrase) > PASSPHRASE_MAX:
            raise OtsError("passphrase must be at most %d characters." % PASSPHRASE_MAX)
    if ttl is not None:
        maximum = TTL_MAX_ACCOUNT if authenticated else TTL_MAX_ANONYMOUS
        if not TTL_MIN <= int(ttl) <= maximum:
            raise OtsError("ttl must be between %d and %d seconds%s (got %s); the server would silently clamp it." % (
                TTL_MIN, maximum, "" if authenticated else " for anonymous use (up to 30 days with an account)", ttl))
    if recipient is not None:
        if not authenticated:
            raise OtsError("recipient needs an account: set %s and %s." % (term("username"), term("api_token")), code="account_required",
                           option="username")
        if not is_email(recipient):
            raise OtsError("recipient %r is not an email address." % recipient)
    if length is not None and not 1 <= int(length) <= GENERATE_MAX_LENGTH:
        raise OtsError("length must be between 1 and %d (the server's maximum_length)." % GENERATE_MAX_LENGTH)
    # Last, so that a short test value still reaches the checks above.
    refuse_short_secret("secret", secret, OtsError, masked_results)
    refuse_short_secret("passphrase", passphrase, OtsError, masked_results)


def validate_generate_options(length=None, character_sets=None):
    """Refuse what strand would change without a word: no set left (it falls back to its own set) or fewer
    characters than sets (it puts one of each set in, so the secret comes out longer). Returns the sets to send."""
    validate_secret_options(length=length)
    if character_sets is None:
        sets = None
        enabled = [name for name, _chars in CHARACTER_SETS]
    else:
        if not isinstance(character_sets, dict):
            raise OtsError("character_sets must be a dictionary of %s: true/false." % ", ".join(CHARACTER_SET_OPTIONS))
        unknown = sorted(set(character_sets) - set(CHARACTER_SET_OPTIONS))
        if unknown:
            raise OtsError("character_sets: unknown key(s) %s; known are %s." % (
                ", ".join(unknown), ", ".join(CHARACTER_SET_OPTIONS)))
        sets = dict((name, value) for name, value in character_sets.items() if value is not None)
        for name, value in sets.items():
            if not isinstance(value, bool):
                raise OtsError("character_sets.%s must be true or false (got %r)." % (name, value))
        enabled = [name for name, _chars in CHARACTER_SETS if sets.get(name, True)]
        if not enabled:
            raise OtsError("character_sets turns every set off; the server would then use its own default set. "
                           "Leave at least one of uppercase, lowercase, numbers, symbols on.")
    if length is not None and len(enabled) > 1 and int(length) < len(enabled):
        raise OtsError("length %s is shorter than the %d character sets in use; the server puts one character of "
                       "each in, so the secret would be %d characters long." % (length, len(enabled), len(enabled)))
    return sets


def generated_value_fits(value, length=None, character_sets=None):
    """Whether a generated value is what was asked for (a server that ignored the request's body would not)."""
    sets = character_sets or {}
    allowed = "".join(chars for name, chars in CHARACTER_SETS if sets.get(name, True))
    if sets.get("exclude_ambiguous", True):
        allowed = "".join(c for c in allowed if c not in AMBIGUOUS_CHARS)
    if not isinstance(value, str) or (length is not None and len(value) != int(length)):
        return False
    return all(c in allowed for c in value)
