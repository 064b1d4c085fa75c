# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_ots/spec.py: references and the options of a share, checked before any request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._ots.errors import OtsError
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.spec import (
    key_from_reference,
    validate_secret_options,
)

BASE = "https://ots.example.test"
KEY = "a" * 31


@pytest.mark.parametrize("reference", [KEY, BASE + "/secret/" + KEY, BASE + "/secret/" + KEY + "/", "http://h/private/" + KEY])
def test_key_from_reference(reference):
    assert key_from_reference(reference) == KEY


@pytest.mark.parametrize("reference, message", [("", "empty"), ("short", "too short"), ("ftp://h/secret/" + KEY, "neither"),
                                                ("not a key!", "neither")])
def test_key_from_reference_rejects(reference, message):
    with pytest.raises(OtsError, match=message):
        key_from_reference(reference)


@pytest.mark.parametrize("kwargs, message", [
    (dict(secret=""), "secret must not be empty"),
    (dict(secret="x" * 10001), "10000 bytes"),
    (dict(passphrase=""), "passphrase must not be empty"),
    (dict(passphrase="p" * 129), "at most 128"),
    (dict(ttl=59), "ttl must be between 60 and 604800"),
    (dict(ttl=604801), "ttl must be between 60 and 604800"),
    (dict(ttl=2592001, authenticated=True), "ttl must be between 60 and 2592000"),
    (dict(recipient="a@example.com"), "recipient needs an account"),
    (dict(recipient="not-an-email", authenticated=True), "not an email"),
])
def test_validation(kwargs, message):
    with pytest.raises(OtsError, match=message):
        validate_secret_options(**kwargs)


@pytest.mark.parametrize("kwargs, option", [
    (dict(secret="0"), "secret"),
    (dict(secret="a-secret", passphrase="p"), "passphrase"),
    (dict(passphrase="abc"), "passphrase"),
])
def test_ots_refuses_short_secrets_and_passphrases(kwargs, option):
    with pytest.raises(OtsError, match="^%s must be at least 8 characters" % option):
        validate_secret_options(**kwargs)
