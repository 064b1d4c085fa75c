# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_pushsecurity/spec.py: the stolen credentials as given (a list or a CSV file), checked before any request; never a
password in a message."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.errors import PushSecurityError
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.spec import (
    load_credentials_file,
    passwords_shown_in,
    validate_credentials,
)


@pytest.mark.parametrize("items, message", [
    ("nope", "must be a list"),
    ([{"email": "x@example.com"}], r"^credentials\[1\] \(x@example.com\) has no password.$"),
    ([{"email": "a@example.com", "password": "pw-a-1"}, {"email": "x@example.com", "password": None}],
     r"^credentials\[2\] \(x@example.com\) has no password.$"),
    ([{"email": "x@example.com", "password": ""}], r"credentials\[1\] \(x@example.com\): password must be"),
    ([{"password": "p"}], r"^credentials\[1\] has no email.$"),
    ([{"email": "bad", "password": "p"}], r"credentials\[1\]: email is not an email address"),
    ([{"email": "x@example.com", "password": "p", "metadata": "src"}], "metadata"),
    ([{"email": "x@example.com", "password": "p", "extra": 1}], "unknown keys: extra"),
    (["x@example.com"], "must be a dict"),
])
def test_validation_names_the_item(items, message):
    with pytest.raises(PushSecurityError, match=message):
        validate_credentials(items)


def test_validation_never_quotes_a_password():
    with pytest.raises(PushSecurityError) as info:
        validate_credentials([{"email": "x@example.com", "password": "hunter2", "metadata": 5}])
    assert "hunter2" not in info.value.message


def test_src_json_is_read_and_checked(tmp_path):
    src = tmp_path / "leak.json"
    src.write_text('[{"email": "a@example.com", "password": "pw-1", "metadata": {"feed": "x"}}]')
    assert load_credentials_file(str(src)) == [{"email": "a@example.com", "password": "pw-1", "metadata": {"feed": "x"}}]


def test_src_csv_other_columns_become_metadata(tmp_path):
    src = tmp_path / "leak.csv"
    src.write_text('\ufeffemail,password,breach,note\na@example.com,"p,w""1",combo-2026,\nb@example.com,pw-2,,\n',
                   encoding="utf-8")
    assert load_credentials_file(str(src)) == [
        {"email": "a@example.com", "password": 'p,w"1', "metadata": {"breach": "combo-2026"}},
        {"email": "b@example.com", "password": "pw-2"},
    ]


@pytest.mark.parametrize("content, message", [
    (None, "src: cannot read"),
    ('[{"email": "a@example.com", "password": "hunter2"', "not a valid JSON list"),
    ("a@example.com,hunter2\nb@example.com,hunter2\n", "header row naming the columns email, password \\(it has 2 cell"),
    ("", "header row naming the columns email, password \\(it has 0 cell"),
    ("email,password\na@example.com,hunter2,extra\n", "line 2 has more cells than the header"),
    ("email,password\nnot-an-email,hunter2\n", r"src\[1\]: email is not an email address"),
    ("email,password\na@example.com,\n", r"src\[1\] \(a@example.com\): password must be"),
    ('{"email": "a@example.com", "password": "hunter2"}', "src must be a list"),
    (b"email,password\na@example.com,\xff\n", "not UTF-8"),
])
def test_src_errors_name_the_problem_never_the_password(tmp_path, content, message):
    src = tmp_path / "leak"
    if isinstance(content, bytes):
        src.write_bytes(content)
    elif content is not None:
        src.write_text(content)
    with pytest.raises(PushSecurityError, match=message) as info:
        load_credentials_file(str(src))
    assert "hunter2" not in info.value.message


def test_passwords_shown_in_finds_only_passwords_inside_the_texts():
    emails = ["summer2024@example.com", "bob@example.com"]
    passwords = {"summer2024", "example", "not-there", "bob@example.com!", "b"}
    assert passwords_shown_in(emails, passwords) == {"summer2024", "example", "b"}
    assert passwords_shown_in([], passwords) == set()
    assert passwords_shown_in(emails, set()) == set()


def pairs(*pairs):
    return [{"email": email, "password": password} for email, password in pairs]


@pytest.mark.parametrize("email", ["bob@example.com:Sup3rSecret", "bob@example.com\n", "bob@exa mple.com",
                                   "bob@@example.com", "bob@example", "<bob@example.com>"])
def test_pushsecurity_email_check_is_strict_and_never_quotes_the_cell(email):
    with pytest.raises(PushSecurityError, match=r"credentials\[1\]: email is not an email address") as info:
        validate_credentials(pairs((email, "pw-1")))
    assert "Sup3rSecret" not in info.value.message and email.strip() not in info.value.message


def test_pushsecurity_src_email_password_rows_keep_the_password_out_of_messages(tmp_path):
    src = tmp_path / "leak.csv"
    src.write_text("email,password\nbob@example.com:Sup3rSecret\n")
    with pytest.raises(PushSecurityError) as info:
        load_credentials_file(str(src))
    assert "Sup3rSecret" not in info.value.message and "email:password" in info.value.message
    src.write_text('[{"email": "bob@example.com:Sup3rSecret", "password": "x"}]')
    with pytest.raises(PushSecurityError) as info:
        load_credentials_file(str(src))
    assert "Sup3rSecret" not in info.value.message


def test_pushsecurity_messages_that_quote_an_email_mask_the_passwords():
    with pytest.raises(PushSecurityError) as info:
        validate_credentials(pairs(("hunter22@example.com", "hunter22"))
                             + [{"email": "c@example.com", "password": "p", "metadata": "x"}])
    assert "hunter22" not in info.value.message
