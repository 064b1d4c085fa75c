# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_core/masking.py: values Ansible's masking would find inside a returned link are refused where results are masked
(masked_results; issue 14), and mask_secrets() hides every quoting of a secret a server may echo."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import random
import string

import pytest

from ansible.module_utils.common.parameters import remove_values

from ansible_collections.oneshot.secrets.plugins.module_utils._core import masking

PIN = "1234"
FAKE_URL = "http://127.0.0.1:41234"  # the shape of the fakes' addresses


def test_the_guards_refuse_by_default_and_not_where_results_are_not_masked():
    with pytest.raises(ValueError, match="at least 8 characters"):
        masking.refuse_short_secret("payload", PIN)
    with pytest.raises(ValueError, match="part of the link"):
        masking.refuse_secret_in_link("payload", "41234/p/", [FAKE_URL + "/p/"])
    masking.refuse_short_secret("payload", PIN, masked_results=False)
    masking.refuse_secret_in_link("payload", "41234/p/", [FAKE_URL + "/p/"], masked_results=False)


def _candidates(links, rng):
    """Values a user might push: every piece of the links, and random values of every length up to 12."""
    values = set()
    for link in links:
        for start in range(len(link)):
            for end in range(start + 1, min(len(link), start + 24) + 1):
                values.add(link[start:end])
    alphabet = string.ascii_lowercase + string.digits + "-_:/."
    for length in range(1, 13):
        for _count in range(40):
            values.add("".join(rng.choice(alphabet) for _char in range(length)))
    return sorted(values)


def _accepted(option, value, prefixes, suffixes):
    try:
        masking.refuse_short_secret(option, value)
        masking.refuse_secret_in_link(option, value, prefixes, suffixes)
    except ValueError:
        return False
    return True


def test_links_survive_ansible_masking_of_every_accepted_value():
    """Property: a value the modules accept is never found by Ansible's no_log masking in the links they return."""
    rng = random.Random(14)
    pwpush_prefixes = [FAKE_URL + path for path in ("/p/", "/f/", "/r/", "/api/v2/pushes/")]
    ots_prefixes = [FAKE_URL + path for path in ("/secret/", "/private/")]

    def pwpush_links():  # the fake's tokens: secrets.token_urlsafe(8..14).lower(), like the real server's
        token = "".join(rng.choice(string.ascii_lowercase + string.digits + "-_") for _char in range(rng.randint(11, 19)))
        return [FAKE_URL + "/p/" + token, FAKE_URL + "/p/" + token + "/r", FAKE_URL + "/api/v2/pushes/" + token,
                FAKE_URL + "/p/" + token + ".json"]

    def ots_links():  # base-36 keys of 31 or 62 characters
        return [FAKE_URL + path + "".join(rng.choice(string.ascii_lowercase + string.digits)
                                          for _char in range(rng.choice((31, 62)))) for path in ("/secret/", "/private/")]

    checked = 0
    for make_links, prefixes, suffixes in ((pwpush_links, pwpush_prefixes, ("/r", ".json", "")),
                                           (ots_links, ots_prefixes, ("",))):
        for value in _candidates(make_links(), rng):
            if not _accepted("payload", value, prefixes, suffixes):
                continue
            links = make_links()
            masked = remove_values(links, frozenset([value]))
            assert masked == links, "%r corrupts %r" % (value, links)
            checked += 1
    assert checked > 1000


def test_the_issue_values_are_refused():
    for value in ("1", "p", "0"):
        assert not _accepted("payload", value, [FAKE_URL + "/p/"], ("",))


@pytest.mark.parametrize("secret", ['pa"ss\'wo\\rd-1', "plain-password-2", "caf\u00e9 cr\u00e8me", "a b&c=d/e"])
def test_mask_secrets_covers_every_quoting_a_server_may_echo(secret):
    echoes = [secret, json.dumps(secret), json.dumps(secret, ensure_ascii=False), repr(secret), repr([secret]),
              repr({"password": secret}), json.dumps({"password": secret})]
    for echo in echoes:
        masked = masking.mask_secrets("server said: %s" % echo, [secret])
        assert "********" in masked
        for piece in (secret, secret[:6], secret[-6:]):
            assert piece not in masked, (echo, masked)


def test_mask_secrets_never_cuts_a_secret_in_half():
    secret = "correct-horse-battery"
    for offset in range(170, 210):
        text = "x" * offset + secret + " and the rest of a long answer" * 5
        masked = masking.mask_secrets(text, [secret], limit=200)
        assert "corr" not in masked and len(masked) <= 200 + len("********...")
