# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_pwpush/spec.py: what may be pushed, checked before any request; references and redaction."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import (
    PayloadSpecs,
    PushSpec,
    check_notify_emails,
    redact,
    token_from_reference,
)


@pytest.mark.parametrize("reference", ["tok123456", "https://pwpush.com/p/tok123456", "https://pwpush.com/p/tok123456/r",
                                       "https://h/en/p/tok123456", "https://h/p/tok123456.json",
                                       "http://h/f/tok123456", "https://h/p/tok123456/preview"])
def test_token_from_reference(reference):
    assert token_from_reference(reference) == "tok123456"


@pytest.mark.parametrize("reference", ["", None, "not a token!", "https://h/x/y"])
def test_token_from_reference_rejects(reference):
    with pytest.raises(PwpushError):
        token_from_reference(reference)


@pytest.mark.parametrize("kwargs, message", [
    (dict(payload=""), "payload is required"),
    (dict(payload="x", expire_after_views=0), "expire_after_views must be between 1 and 100"),
    (dict(payload="x", expire_after_views=101), "expire_after_views"),
    (dict(payload="x", expire_after_days=0), "expire_after_days must be between 1 and 90"),
    (dict(payload="x", expire_after_days=91), "expire_after_days"),
    (dict(payload="x", expire_after_duration="18"), "expire_after_duration"),
    (dict(payload="x", expire_after_days=1, expire_after_duration="6"), "mutually exclusive"),
    (dict(kind="qr", payload="q" * 1025), "at most 1024"),
    (dict(kind="url", payload="ftp://example.com/x"), "http:// or https://"),
    (dict(kind="url", payload="example.com"), "http:// or https://"),
    (dict(kind="file", files=[]), "needs files"),
    (dict(kind="file", files=["/nonexistent/file"]), "does not exist"),
    (dict(kind="text", payload="x", files=["/etc/hostname"]), "only be given with kind=file"),
    (dict(kind="gif", payload="x"), "kind must be one of"),
    (dict(payload="x", passphrase=""), "passphrase must not be empty"),
    (dict(payload="x" * (1024 * 1024 + 1)), "1 MiB"),
])
def test_push_spec_rejects_bad_input(kwargs, message):
    with pytest.raises(PwpushError, match=message):
        PushSpec(**kwargs).validate(has_token=True)


def test_file_push_needs_a_token(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("x")
    with pytest.raises(PwpushError, match="need an API token"):
        PushSpec(kind="file", files=[str(path)]).validate(has_token=False)


def test_too_many_files(tmp_path):
    paths = []
    for index in range(11):
        path = tmp_path / ("%d.txt" % index)
        path.write_text("x")
        paths.append(str(path))
    with pytest.raises(PwpushError, match="at most 10 files"):
        PushSpec(kind="file", files=paths).validate(has_token=True)


def test_redact():
    assert redact({"payload": "a", "passphrase": "", "x": 1}) == {"x": 1, "passphrase_protected": False}


def test_payload_specs_build_each_spec_when_asked():
    specs = PayloadSpecs(["a", "b", "c"], expire_after_views=2, retrieval_step=True)
    assert len(specs) == 3
    assert specs[1].payload == "b" and specs[1].expire_after_views == 2 and specs[1].retrieval_step is True
    assert specs[1] is not specs[1]
    assert [spec.payload for spec in specs] == ["a", "b", "c"]
    with pytest.raises(PwpushError, match="Unknown push option"):
        PayloadSpecs(["a"], colour="red")


@pytest.mark.parametrize("kwargs, option", [
    (dict(payload="1"), "payload"),
    (dict(payload="1234567"), "payload"),
    (dict(payload="a-secret", passphrase="p"), "passphrase"),
])
def test_pwpush_refuses_short_payloads_and_passphrases(kwargs, option):
    with pytest.raises(PwpushError, match="^%s must be at least 8 characters" % option):
        PushSpec(**kwargs).validate(has_token=True)


def test_notify_emails_to_is_sent_tidied():
    assert check_notify_emails(["a@example.com ", " b.c+d@mail.example.org"]) == "a@example.com,b.c+d@mail.example.org"
