# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._core.pacing import Pacer
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.client import PushSecurityClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.errors import PushSecurityError
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.spec import (
    load_credentials_file,
    passwords_shown_in,
    validate_credentials,
)
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, response

BASE = "https://ps.example.test"


def creds(count):
    return [{"email": "user%d@example.com" % i, "password": "pw-%d" % i} for i in range(count)]


def make_client(answers, **kwargs):
    client = PushSecurityClient(url=BASE, api_key="key", retries=kwargs.pop("retries", 2), **kwargs)
    client.http.pacer = Pacer(0, max_rate_limited=0)  # no waiting in unit tests
    return client, ScriptedSession(client.http, answers)


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


def test_1200_credentials_go_in_three_batches_and_nothing_secret_comes_back():
    answers = [response(200, {"result": []})] * 3
    client, stub = make_client(answers)
    result = client.add_stolen_credentials(creds(1200))
    assert result["submitted"] == 1200 and result["batches"] == 3
    assert [len(call[2]["json"]) for call in stub.calls] == [500, 500, 200]
    assert stub.calls[0][2]["json"][0] == {"email": "user0@example.com", "password": "pw-0", "metadata": None}
    assert "pw-0" not in repr(result)


def test_429_is_retried_with_backoff():
    client, stub = make_client([response(429), response(200, {"result": []})])
    client.add_stolen_credentials(creds(2))
    assert len(stub.calls) == 2 and len(stub.sleeps) == 1


def test_a_failed_batch_says_what_was_already_sent():
    client, stub = make_client([response(200, {"result": []}), response(500)])
    with pytest.raises(PushSecurityError, match=r"Batch 2 of 3 failed; 500 credential\(s\) in 1 earlier batch"):
        client.add_stolen_credentials(creds(1001))
    assert len(stub.calls) == 2  # the 500 was not retried: the batch may have been stored


@pytest.mark.parametrize("status, message", [(401, "not valid"), (403, "Full access"), (400, "rejected")])
def test_errors(status, message):
    client, _stub = make_client([response(status, {"message": "nope"})])
    with pytest.raises(PushSecurityError, match=message):
        client.delete_all_stolen_credentials()


def test_api_key_is_required():
    with pytest.raises(PushSecurityError, match="api_key is required"):
        PushSecurityClient(url=BASE, api_key=None)


def test_the_limiter_keeps_to_the_rate_with_a_burst():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    bucket = Pacer(rate=10, burst=10, max_rate_limited=0, clock=lambda: now[0], sleep=sleep)
    for _request in range(30):
        bucket.wait()
    # 10 at once, then 20 more at 10 a second
    assert abs(now[0] - 2.0) < 0.01


def test_dry_run_checks_everything_and_sends_nothing():
    client, stub = make_client([])
    assert client.add_stolen_credentials(creds(1001), batch_size=250, dry_run=True) == dict(
        submitted=1001, batches=5, emails=["user%d@example.com" % i for i in range(1001)])
    with pytest.raises(PushSecurityError, match=r"credentials\[2\]: email is not"):
        client.add_stolen_credentials(creds(1) + [{"email": "bad", "password": "p"}], dry_run=True)
    with pytest.raises(PushSecurityError, match=r"batch_size must be between 1 and 500 \(the API's limit\), got 501"):
        client.add_stolen_credentials(creds(1), batch_size=501, dry_run=True)
    assert stub.calls == []
