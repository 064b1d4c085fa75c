# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Salted, slow digests that stand in state for payloads, secrets and passphrases.

Terraform keeps every attribute of a resource in its state file. For the attributes listed
in a resource's sealed block the provider stores `scrypt1$SALT$HASH` instead of the value:
enough to tell at plan time whether the configured value changed, useless for reading the
secret back (scrypt makes guessing a weak passphrase slow; the random salt defeats tables).
"""

import base64
import hashlib
import hmac
import os

PREFIX = "scrypt1"
# 16 MiB of memory and ~50 ms per digest: once per hashed attribute and plan.
_N, _R, _P, _LEN = 2 ** 14, 8, 1, 32


def _b64(data):
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(value, salt):
    return hashlib.scrypt(value.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=_LEN, maxmem=64 * 1024 * 1024)


def make(value, salt=None):
    """A new digest of value (a fresh random salt unless one is given)."""
    salt = os.urandom(16) if salt is None else salt
    return "%s$%s$%s" % (PREFIX, _b64(salt), _b64(_scrypt(value, salt)))


# What import stores for a secret the push or secret has but nobody can read back (see servicer.py: the next plan
# takes the configured value).
IMPORTED = "imported"


def is_imported(stored_values):
    """Whether a sealed block's stored values were written by import (no digest to compare a value with)."""
    return any(value == IMPORTED for value in (stored_values or {}).values())


def is_digest(stored):
    return isinstance(stored, str) and stored.startswith(PREFIX + "$") and stored.count("$") == 2


def matches(value, stored):
    """Whether value is the plain text behind the digest stored."""
    if not isinstance(value, str) or not is_digest(stored):
        return False
    _prefix, salt, expected = stored.split("$")
    try:
        salt_bytes, expected_bytes = _unb64(salt), _unb64(expected)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(_scrypt(value, salt_bytes), expected_bytes)


def public_id(prefix, key):
    """A stable, non-secret id for a resource whose real key is a secret link (shown in Terraform's logs)."""
    return "%s-%s" % (prefix, hashlib.sha256(key.encode("utf-8")).hexdigest()[:16])
