"""Tests of the Push Security fake: stolen credentials, auth, validation, throttling, harness.

Every server is started through tests/fakes/serve, as the integration tests start it.
Run: pytest -q tests/fakes/test_pushsecurity_server.py
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest
import requests

from conftest import SERVE, FakeServer, fake_env, fake_servers, run_with_passthrough, run_with_script

KEY = "ps-full-key-0123456789"
RO_KEY = "ps-readonly-key-9876543210"
ROUTE = "/v1/controls/stolenCredentials"
UNLIMITED = ("--rate", "0")

UNAUTHORIZED = {"message": "Unauthorized"}
DENIED = {"message": "User is not authorized to access this resource with an explicit deny"}
INVALID = {"message": "Invalid request body"}
THROTTLED = {"message": "Too Many Requests"}
NO_ROUTE = {"message": "Missing Authentication Token"}


class PushSecurityServer(FakeServer):
    """`serve pushsecurity`, with the stolen-credentials route, x-api-key sessions and the stored list."""

    @property
    def api(self) -> str:
        return self.url + ROUTE

    def session(self, key: str | None = KEY) -> requests.Session:
        session = requests.Session()
        if key is not None:
            session.headers["x-api-key"] = key
        return session

    def stored(self) -> dict:
        return requests.get(self.url + "/_fake/stolen-credentials", timeout=5).json()


servers = fake_servers("pushsecurity", PushSecurityServer)


@pytest.fixture
def fake(servers) -> PushSecurityServer:
    return servers("--api-key", KEY, "--read-only-key", RO_KEY, *UNLIMITED)


def creds(count: int, prefix: str = "user", **extra) -> list[dict]:
    return [{"email": "%s%d@example.com" % (prefix, i), "password": "pw-%s-%d" % (prefix, i), **extra}
            for i in range(count)]


# --------------------------------------------------------------------------- add and delete


def test_add_echoes_the_credentials(fake):
    body = [{"email": "john.hill@example.com", "password": "myAm@z!ngP4$$w0rdTh4tUcantGu3$$",
             "metadata": {"key": "value"}},
            {"email": "jane@example.com", "password": "<p&ss>", "metadata": None},
            {"email": "joe@example.com", "password": "pässwörd", "extra": "ignored"}]
    response = fake.session().post(fake.api, json=body)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"result": [
        {"email": "john.hill@example.com", "password": "myAm@z!ngP4$$w0rdTh4tUcantGu3$$", "metadata": {"key": "value"}},
        {"email": "jane@example.com", "password": "<p&ss>", "metadata": None},
        {"email": "joe@example.com", "password": "pässwörd", "metadata": None}]}
    assert "<p&ss>" in response.text and "pässwörd" in response.text  # no \\u escaping
    assert fake.stored() == {"count": 3, "emails": ["john.hill@example.com", "jane@example.com", "joe@example.com"],
                             "batches": 1}


@pytest.mark.parametrize("content_type", [None, "application/json", "application/json; charset=utf-8"])
def test_json_or_no_content_type_is_accepted(fake, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = fake.session().post(fake.api, data=json.dumps(creds(1)), headers=headers)
    assert response.status_code == 200 and fake.stored()["count"] == 1


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_other_content_types_are_refused(fake, content_type):
    # The page: "Body application/json required"; API Gateway's UNSUPPORTED_MEDIA_TYPE answer (a guess).
    response = fake.session().post(fake.api, data=json.dumps(creds(1)), headers={"Content-Type": content_type})
    assert response.status_code == 415 and response.json() == {"message": "Unsupported Media Type"}
    assert fake.stored() == {"count": 0, "emails": [], "batches": 0}
    # auth first: a missing key is still a 401
    assert fake.session(None).post(fake.api, data="x", headers={"Content-Type": content_type}).status_code == 401


def test_resubmitting_is_accepted_and_idempotent(fake):
    session = fake.session()
    assert session.post(fake.api, json=creds(3)).status_code == 200
    again = session.post(fake.api, json=creds(3) + creds(1))  # duplicates inside a batch too
    assert again.status_code == 200 and len(again.json()["result"]) == 4
    assert fake.stored() == {"count": 3, "emails": ["user0@example.com", "user1@example.com", "user2@example.com"],
                             "batches": 2}
    other_password = [{"email": "user0@example.com", "password": "another"}]
    assert session.post(fake.api, json=other_password).status_code == 200
    stored = fake.stored()
    assert stored["count"] == 4 and stored["emails"].count("user0@example.com") == 1


def test_check_helper_matches_plain_text_only(fake):
    fake.session().post(fake.api, json=[{"email": "a@example.com", "password": "Secret-1"}])
    check = fake.url + "/_fake/stolen-credentials/check"
    assert requests.post(check, json={"email": "a@example.com", "password": "Secret-1"}, timeout=5).json() == \
        {"stored": True}
    for wrong in ({"email": "a@example.com", "password": "secret-1"}, {"email": "b@example.com", "password": "Secret-1"}):
        assert requests.post(check, json=wrong, timeout=5).json() == {"stored": False}
    assert requests.post(check, json={"email": "a@example.com"}, timeout=5).status_code == 400


def test_delete_all(fake):
    session = fake.session()
    session.post(fake.api, json=creds(5))
    deleted = session.delete(fake.api)
    assert deleted.status_code == 200 and deleted.content == b""
    assert fake.stored() == {"count": 0, "emails": [], "batches": 1}
    assert session.delete(fake.api).status_code == 200  # nothing left: still OK
    assert session.post(fake.api, json=creds(1)).status_code == 200
    assert fake.stored()["count"] == 1


def test_batch_of_exactly_500(fake):
    response = fake.session().post(fake.api, json=creds(500, metadata={"source": "feed"}))
    assert response.status_code == 200 and len(response.json()["result"]) == 500
    assert fake.stored()["count"] == 500


# --------------------------------------------------------------------------- auth


@pytest.mark.parametrize("key", [None, "", "wrong-key", KEY.upper(), KEY[:-1]])
@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_missing_or_unknown_key_is_401(fake, key, method):
    fake.session().post(fake.api, json=creds(1))
    response = fake.session(key).request(method, fake.api, json=creds(2, "other"))
    assert response.status_code == 401 and response.json() == UNAUTHORIZED
    assert "Retry-After" not in response.headers
    assert fake.stored()["count"] == 1


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_read_only_key_cannot_write(fake, method):
    fake.session().post(fake.api, json=creds(1))
    response = fake.session(RO_KEY).request(method, fake.api, json=creds(2, "other"))
    assert response.status_code == 403 and response.json() == DENIED
    assert fake.stored() == {"count": 1, "emails": ["user0@example.com"], "batches": 1}


def test_auth_comes_before_validation(fake):
    assert fake.session(None).post(fake.api, data="not json").status_code == 401
    assert fake.session(RO_KEY).post(fake.api, data="not json").status_code == 403


def test_unknown_routes_look_like_api_gateway(fake):
    session = fake.session()
    for method, path in (("GET", ROUTE), ("PUT", ROUTE), ("POST", ROUTE + "/"), ("POST", "/v1/controls/stolencredentials"),
                         ("GET", "/"), ("GET", "/v2/controls/stolenCredentials")):
        response = session.request(method, fake.url + path)
        assert response.status_code == 403 and response.json() == NO_ROUTE, (method, path)
    assert requests.get(fake.url + "/_fake/nothing", timeout=5).status_code == 404


# --------------------------------------------------------------------------- validation


BAD_BODIES = {
    "not json": "email=a@example.com&password=x",
    "truncated json": '[{"email": "a@example.com", "password": "x"}',
    "empty body": "",
    "object, not array": {"email": "a@example.com", "password": "x"},
    "wrapped": {"credentials": [{"email": "a@example.com", "password": "x"}]},
    "empty array": [],
    "array of strings": ["a@example.com:x"],
    "array of arrays": [["a@example.com", "x"]],
    "null item": [None],
    "missing email": [{"password": "x"}],
    "empty email": [{"email": "", "password": "x"}],
    "blank email": [{"email": "   ", "password": "x"}],
    "null email": [{"email": None, "password": "x"}],
    "numeric email": [{"email": 42, "password": "x"}],
    "missing password": [{"email": "a@example.com"}],
    "empty password": [{"email": "a@example.com", "password": ""}],
    "null password": [{"email": "a@example.com", "password": None}],
    "numeric password": [{"email": "a@example.com", "password": 1234}],
    "list password": [{"email": "a@example.com", "password": ["x"]}],
    "metadata list": [{"email": "a@example.com", "password": "x", "metadata": ["k", "v"]}],
    "metadata string": [{"email": "a@example.com", "password": "x", "metadata": "source=feed"}],
    "metadata number": [{"email": "a@example.com", "password": "x", "metadata": 1}],
    "metadata bool": [{"email": "a@example.com", "password": "x", "metadata": True}],
    "NaN": '[{"email": "a@example.com", "password": "x", "metadata": {"score": NaN}}]',
    "one bad item among good": creds(10) + [{"email": "z@example.com"}],
    "501 items": creds(501),
}


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_bad_body_is_400(fake, name):
    body = BAD_BODIES[name]
    data = body if isinstance(body, str) else json.dumps(body)
    response = fake.session().post(fake.api, data=data, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json() == INVALID
    assert fake.stored() == {"count": 0, "emails": [], "batches": 0}  # all or nothing


def test_max_batch_option(servers):
    server = servers("--api-key", KEY, "--max-batch", "3", *UNLIMITED)
    session = server.session()
    assert session.post(server.api, json=creds(3)).status_code == 200
    assert session.post(server.api, json=creds(4)).status_code == 400


def test_request_too_long(fake):
    padding = "x" * (10 * 1024 * 1024)
    response = fake.session().post(fake.api, data=json.dumps([{"email": "a@example.com", "password": padding}]))
    assert response.status_code == 413 and response.json() == {"message": "Request Too Long"}


# --------------------------------------------------------------------------- rate limit


def test_burst_past_the_bucket_is_429_then_ok_after_waiting(servers):
    server = servers("--api-key", KEY, "--read-only-key", RO_KEY, "--rate", "1", "--burst", "3")
    session = server.session()
    # Refused auth does not take tokens: the authorizer answers before the usage plan counts.
    for _attempt in range(5):
        assert server.session("nope").post(server.api, json=creds(1)).status_code == 401
        assert server.session(RO_KEY).delete(server.api).status_code == 403
    started = time.monotonic()
    responses = [session.post(server.api, json=creds(1, "r%d" % i)) for i in range(6)]
    assert time.monotonic() - started < 0.9, "too slow to test a 1/s bucket"
    assert [r.status_code for r in responses] == [200, 200, 200, 429, 429, 429]
    throttled = responses[-1]
    assert throttled.json() == THROTTLED and throttled.headers["Content-Type"] == "application/json"
    assert "Retry-After" not in throttled.headers
    assert server.stored()["batches"] == 3  # throttled requests change nothing
    time.sleep(1.05)
    assert session.post(server.api, json=creds(1)).status_code == 200
    assert session.delete(server.api).status_code == 429  # DELETE shares the bucket
    server.reset()  # refills the bucket
    assert session.delete(server.api).status_code == 200


def test_default_rate_is_10_per_second_plus_10_burst(servers):
    server = servers("--api-key", KEY)
    session = server.session()
    started = time.monotonic()
    statuses = [session.delete(server.api).status_code for _attempt in range(40)]
    elapsed = time.monotonic() - started
    ok = statuses.count(200)
    assert statuses[:10] == [200] * 10 and set(statuses) == {200, 429}
    assert 10 <= ok <= 10 + int(elapsed * 10) + 1, (ok, elapsed)
    time.sleep(0.5)
    assert [session.delete(server.api).status_code for _attempt in range(4)] == [200] * 4


# --------------------------------------------------------------------------- harness controls


def test_fault_switches(fake):
    session = fake.session()
    assert requests.post(fake.url + "/_fake/faults", json={"status": 503, "count": 2, "retry_after": 7},
                         timeout=5).status_code == 200
    for _attempt in range(2):
        response = session.post(fake.api, json=creds(1))
        assert response.status_code == 503 and response.headers["Retry-After"] == "7"
        assert response.json() == {"message": "Service Unavailable"}
    assert session.post(fake.api, json=creds(1)).status_code == 200
    assert fake.stored()["batches"] == 1

    requests.post(fake.url + "/_fake/faults", json={"status": 429, "count": 1}, timeout=5)
    forced = session.delete(fake.api)
    assert forced.status_code == 429 and forced.json() == THROTTLED and "Retry-After" not in forced.headers
    requests.post(fake.url + "/_fake/faults", json={"status": 500, "count": 1, "path_prefix": "/v2/"}, timeout=5)
    assert session.delete(fake.api).status_code == 200  # other path: untouched
    requests.post(fake.url + "/_fake/faults", json={"status": 502, "count": 1, "path_prefix": ROUTE}, timeout=5)
    broken = session.delete(fake.api)
    assert broken.status_code == 502 and broken.json() == {"message": "Internal server error"}

    requests.post(fake.url + "/_fake/faults", json={"delay": 0.3}, timeout=5)
    started = time.perf_counter()
    assert session.delete(fake.api).status_code == 200
    assert time.perf_counter() - started >= 0.3
    assert requests.delete(fake.url + "/_fake/faults", timeout=5).json()["delay"] == 0
    assert requests.post(fake.url + "/_fake/faults", json={"status": 418}, timeout=5).status_code == 400


def test_request_counts_and_reset(fake):
    session = fake.session()
    session.post(fake.api, json=creds(2))
    session.post(fake.api, json=[])
    session.delete(fake.api)
    session.post(fake.api, json=creds(1))
    counts = requests.get(fake.url + "/_fake/requests", timeout=5).json()
    assert counts == {"POST " + ROUTE: 3, "DELETE " + ROUTE: 1}
    assert fake.stored() == {"count": 1, "emails": ["user0@example.com"], "batches": 2}
    fake.reset()
    assert requests.get(fake.url + "/_fake/requests", timeout=5).json() == {}
    assert fake.stored() == {"count": 0, "emails": [], "batches": 0}


def test_log_never_contains_secrets(tmp_path):
    server = PushSecurityServer("pushsecurity", tmp_path, "--api-key", KEY, "--read-only-key", RO_KEY)
    try:
        body = [{"email": "leaky@example.com", "password": "pw-must-not-leak", "metadata": {"note": "meta-secret"}}]
        server.session().post(server.api, json=body)
        server.session().post(server.api, json=[{"email": "leaky2@example.com", "password": "pw-bad-item", "metadata": 5}])
        server.session(RO_KEY).post(server.api, json=body)
        server.session("guessed-key-123").post(server.api, json=body)
        time.sleep(0.2)
        log = server.log_text()
    finally:
        server.stop()
    assert "POST %s 200" % ROUTE in log and "POST %s 400" % ROUTE in log and "rejected body: item 0" in log
    for secret in (KEY, RO_KEY, "guessed-key-123", "pw-must-not-leak", "pw-bad-item", "leaky", "meta-secret"):
        assert secret not in log


# --------------------------------------------------------------------------- scripts


def test_serve_rejects_bad_options():
    for args in (["--api-key", KEY, "--read-only-key", KEY], ["--api-key", ""], ["--api-key", KEY, "--burst", "0"],
                 ["--api-key", KEY, "--max-batch", "0"], []):
        result = subprocess.run([str(SERVE), "pushsecurity", "--port", "0", *args], capture_output=True, text=True,
                                env=fake_env(), timeout=30, check=False)
        assert result.returncode == 2, (args, result.stderr)


def test_run_with(tmp_path):
    clear = ("PUSHSECURITY_API_KEY",)
    printed = run_with_script("pushsecurity", "r = requests.post(url + '/v1/controls/stolenCredentials', "
                              "json=[{'email': 'a@example.com', 'password': 'x'}], "
                              "headers={'x-api-key': os.environ['PUSHSECURITY_API_KEY']})\n"
                              "print(r.status_code, requests.get(url + '/_fake/stolen-credentials').json()['count'])",
                              tmp_path, clear=clear, gone_path="/_fake/requests")
    assert printed == "200 1"
    # With PUSHSECURITY_URL set, nothing is started.
    assert (run_with_passthrough("pushsecurity", "os.environ['PUSHSECURITY_URL'], os.environ['PUSHSECURITY_API_KEY']",
                                 clear=clear).split() == ["http://192.0.2.1:9", "pushsecurity-fake-demo-key-0001"])
