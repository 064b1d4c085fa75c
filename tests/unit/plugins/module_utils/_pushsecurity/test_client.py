# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_pushsecurity/client.py: PushSecurityClient over scripted answers (the HTTP stub): batches, retries, the rate,
dry runs, and error answers of any shape in one sentence that quotes no password."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._core.pacing import Pacer
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.client import PushSecurityClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.errors import PushSecurityError
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, response

BASE = "https://ps.example.test"
HTML = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
WRONG_OBJECTS = [
    ("list", lambda: response(200, [])),
    ("empty", lambda: response(200)),
    ("html", lambda: response(200, raw=HTML)),
    ("deep", lambda: response(200, raw="[" * 50000)),
]


def creds(count):
    return [{"email": "user%d@example.com" % i, "password": "pw-%d" % i} for i in range(count)]


def make_client(answers, **kwargs):
    client = PushSecurityClient(url=BASE, api_key="key", retries=kwargs.pop("retries", 2), **kwargs)
    client.http.pacer = Pacer(0, max_rate_limited=0)  # no waiting in unit tests
    return client, ScriptedSession(client.http, answers)


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


def pairs(*pairs):
    return [{"email": email, "password": password} for email, password in pairs]


@pytest.mark.parametrize("answer", [
    response(400, raw="Invalid items: %r" % [{"email": "a@example.com", "password": 'pw-with-"quote-1'}]),
    response(400, raw="Invalid items: %r" % [{"email": "a@example.com", "password": "pw-with-'quote-1"}]),
    response(400, {"message": json.dumps([{"email": "a@example.com", "password": 'pw-with-"quote-1'}])}),
    response(400, {"message": "bad item {'password': 'pw-with-\"quote-1'} and %s" % ("x" * 180)}),
    response(500, raw="x" * 190 + 'pw-with-"quote-1'),
])
def test_pushsecurity_errors_mask_every_password_of_the_call(answer):
    client, _stub = make_client([answer], retries=0)
    with pytest.raises(PushSecurityError) as info:
        client.add_stolen_credentials(pairs(("a@example.com", 'pw-with-"quote-1'), ("b@example.com", "pw-with-'quote-1")))
    for piece in ("quote-1", "pw-with", "with-\\"):
        assert piece not in info.value.message, info.value.message


def answers_ids(cases):
    return [case[0] for case in cases]


@pytest.mark.parametrize("status", [400, 500, 502])
@pytest.mark.parametrize("name, answer", WRONG_OBJECTS, ids=answers_ids(WRONG_OBJECTS))
def test_pushsecurity_error_answers_of_any_shape_are_one_sentence(status, name, answer):
    wrong = answer()
    wrong.status_code = status
    client, _stub = make_client([wrong], retries=0)
    with pytest.raises(PushSecurityError) as info:
        client.delete_all_stolen_credentials()
    assert ("HTTP %d" % status) in info.value.message
    assert "<html" not in info.value.message.lower() and "[[[" not in info.value.message
