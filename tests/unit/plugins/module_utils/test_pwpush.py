# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gc
import itertools
import tracemalloc

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.durations import parse_duration
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import (
    PayloadSpecs,
    PushSpec,
    redact,
    token_from_reference,
)
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, response

BASE = "https://pw.example.test"
OSS_VERSION = {"application_version": "2.11.4", "api_version": "2.1", "edition": "oss", "features": {}}
HOSTED_VERSION = {"application_version": "2.11.4", "api_version": "2.1", "edition": "commercial", "features": {}}
CREATED = {"url_token": "tok123456", "html_url": BASE + "/p/tok123456", "json_url": BASE + "/p/tok123456.json",
           "passphrase": "open sesame", "expire_after_views": 1, "retrieval_step": False}


def make_client(answers, **kwargs):
    kwargs.setdefault("token", "api-token")
    client = PwpushClient(url=BASE, retries=kwargs.pop("retries", 2), **kwargs)
    stub = ScriptedSession(client.http, answers)
    return client, stub


# --- input validation, before any request -------------------------------------------------

@pytest.mark.parametrize("value, code", [(0, 0), ("17", 17), ("1 hour", 3), ("1 Day", 6), ("7 days", 12),
                                         ("3 months", 17), ("2 weeks", 13)])
def test_parse_duration_accepts_codes_and_names(value, code):
    assert parse_duration(value) == code


@pytest.mark.parametrize("value", [18, "-1", "forever", "1 fortnight", True])
def test_parse_duration_rejects_the_rest(value):
    with pytest.raises(PwpushError, match="expire_after_duration"):
        parse_duration(value)


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


def test_validation_fails_before_any_request():
    client, stub = make_client([])
    with pytest.raises(PwpushError, match="expire_after_views"):
        client.create_push(PushSpec(payload="s3cret-value", expire_after_views=0))
    assert stub.calls == []


# --- expiry field per edition ----------------------------------------------------------------

def test_oss_gets_days_and_duration_is_converted():
    client, stub = make_client([response(200, OSS_VERSION), response(201, CREATED)])
    client.create_push(PushSpec(payload="s3cret-value", expire_after_duration="2 days"))
    sent = stub.calls[1][2]["json"]["push"]
    assert sent["expire_after_days"] == 2
    assert "expire_after_duration" not in sent


def test_oss_refuses_a_duration_shorter_than_a_day():
    client, stub = make_client([response(200, OSS_VERSION)])
    with pytest.raises(PwpushError, match="shorter than a day"):
        client.create_push(PushSpec(payload="s3cret-value", expire_after_duration="1 hour"))
    assert len(stub.calls) == 1  # only the version question


def test_hosted_gets_duration_and_days_are_converted():
    client, stub = make_client([response(200, HOSTED_VERSION), response(201, CREATED)])
    client.create_push(PushSpec(payload="s3cret-value", expire_after_days=7))
    sent = stub.calls[1][2]["json"]["push"]
    assert sent["expire_after_duration"] == 12
    assert "expire_after_days" not in sent


def test_hosted_refuses_days_without_a_duration():
    client, _stub = make_client([response(200, HOSTED_VERSION)])
    with pytest.raises(PwpushError, match="expire_after_days=8 has no"):
        client.create_push(PushSpec(payload="s3cret-value", expire_after_days=8))


# --- version detection ----------------------------------------------------------------------

def test_version_404_means_api_v1_and_is_cached():
    client, stub = make_client([response(404, {"error": "not-found"}), response(200, {"api_version": "1.5"}),
                                response(201, CREATED)])
    assert client.api == "v1"
    assert client.expiry_field == "expire_after_days"
    client.create_push(PushSpec(payload="s3cret-value", expire_after_days=3))
    method, url, kwargs = stub.calls[2]
    assert url == BASE + "/p.json"
    assert kwargs["json"]["password"]["expire_after_days"] == 3
    assert [call[1] for call in stub.calls[:2]] == [BASE + "/api/v2/version", BASE + "/api/v1/version.json"]
    assert stub.calls[0][2]["allow_redirects"] is False


def test_v1_sends_qr_as_a_password_of_kind_qr():
    # 2.2.2 permits password[kind] on /p.json; without it the server would store a text push.
    client, stub = make_client([response(404, {}), response(200, {"api_version": "1.5"}), response(201, CREATED)])
    client.create_push(PushSpec(kind="qr", payload="hello-qr-text"))
    method, url, kwargs = stub.calls[2]
    assert (method, url) == ("POST", BASE + "/p.json")
    assert kwargs["json"]["password"]["kind"] == "qr"


def test_explicit_v1_skips_detection():
    client, stub = make_client([response(200, {"api_version": "1.5"})], api_version="v1")
    assert client.api == "v1"
    assert stub.calls == []
    assert client.instance_info()["expiry_field"] == "expire_after_days"
    assert [call[1] for call in stub.calls] == [BASE + "/api/v1/version.json"]


# --- results never carry secrets ------------------------------------------------------------

def test_create_result_has_no_passphrase_or_payload_and_a_working_json_url():
    body = dict(CREATED, retrieval_step=True, json_url=BASE + "/p/tok123456/r.json", payload="s3cret-value")
    client, _stub = make_client([response(200, OSS_VERSION), response(201, body)])
    push = client.create_push(PushSpec(payload="s3cret-value", passphrase="open sesame", retrieval_step=True))
    assert "passphrase" not in push and "payload" not in push
    assert push["passphrase_protected"] is True
    assert push["url"] == BASE + "/p/tok123456/r"
    assert push["json_url"] == BASE + "/api/v2/pushes/tok123456"


def test_redact():
    assert redact({"payload": "a", "passphrase": "", "x": 1}) == {"x": 1, "passphrase_protected": False}


# --- the transport's last answer, in the client's words (the retry rules: test_http.py) -----------------

def test_create_is_not_resent_after_a_5xx():
    client, stub = make_client([response(200, OSS_VERSION), response(502, raw="bad gateway")])
    with pytest.raises(PwpushError, match="HTTP 502"):
        client.create_push(PushSpec(payload="s3cret-value"))
    assert len(stub.calls) == 2


def test_reads_are_retried_after_5xx_then_give_up_clearly():
    client, stub = make_client([response(500), response(503), response(500)], retries=2)
    with pytest.raises(PwpushError, match="HTTP 500"):
        client.version_info()
    assert len(stub.calls) == 3


def test_429_after_the_retry_budget_says_rate_limited():
    answers = [response(429, raw="Retry later\n", headers={"Retry-After": "1"})] * 3
    client, _stub = make_client(answers, retries=2)
    with pytest.raises(PwpushError, match="rate limited"):
        client.version_info()


# --- error mapping --------------------------------------------------------------------------

@pytest.mark.parametrize("answer, action, message", [
    (response(401), "retrieve", "authentication failed"),
    (response(401, {"error": "That passphrase is incorrect."}), "retrieve", "wrong or missing passphrase"),
    (response(401, {"error": "not deletable"}), "expire", "only the owner"),
    (response(404, {"error": "not-found"}), "retrieve", "push not found"),
    (response(403, {"error": "That push doesn't belong to you."}), "audit", "does not belong"),
])
def test_error_mapping(answer, action, message):
    # Without a token expire sends its DELETE at once; audit needs one.
    client, _stub = make_client([response(200, OSS_VERSION), answer], token="api-token" if action == "audit" else None)
    client.version_info()
    with pytest.raises(PwpushError, match=message):
        if action == "retrieve":
            client.retrieve("tok123456", passphrase="guess")
        elif action == "expire":
            client.expire("tok123456")
        else:
            client.audit("tok123456")


def test_422_names_the_fields():
    client, _stub = make_client([response(200, OSS_VERSION), response(422, {"payload": ["must be a valid URL"]})])
    with pytest.raises(PwpushError, match="payload: must be a valid URL"):
        client.create_push(PushSpec(kind="url", payload="https://example.com"))


def test_expire_already_expired_or_missing_is_no_change():
    client, _stub = make_client([response(422, {"error": "That push is already expired."}),
                                 response(404, {"error": "not-found"})], api_version="v1", token=None)
    # 422: servers before 2.0 (1.x) refused a second expiry; 2.x answer 200 (see test_pwpush_fidelity.py)
    assert client.expire("tok123456") == (False, None)
    assert client.expire("tok123456") == (False, None)


def test_owner_expire_reads_the_audit_log_first():
    audit = {"logs": [{"kind": "creation"}, {"kind": "expire"}]}
    client, stub = make_client([response(200, OSS_VERSION), response(200, audit)])
    assert client.expire("https://pw.example.test/p/tok123456/r") == (False, None)
    assert [call[0] for call in stub.calls] == ["GET", "GET"]  # no DELETE sent


@pytest.mark.parametrize("expired_on, changed", [("2026-11-23T10:00:00.250Z", True), ("2026-11-23T09:59:50.000Z", False)])
def test_v2_delete_answers_200_twice_so_expired_on_decides(expired_on, changed):
    body = dict(CREATED, expired=True, expired_on=expired_on)
    date = {"Date": "Mon, 23 Nov 2026 10:00:00 GMT"}
    client, stub = make_client([response(200, OSS_VERSION), response(200, body, headers=date)], token=None)
    result_changed, push = client.expire("tok123456")
    assert result_changed is changed
    assert stub.calls[-1][0] == "DELETE"
    assert "passphrase" not in push


def test_lists_page_until_a_short_page():
    page = [dict(CREATED, url_token="t%03d" % i, name="n%d" % i) for i in range(50)]
    client, stub = make_client([response(200, OSS_VERSION), response(200, page), response(200, page[:3])])
    pushes = client.list_pushes("active")
    assert len(pushes) == 53
    assert [call[2]["params"]["page"] for call in stub.calls[1:]] == [1, 2]
    assert all("passphrase" not in push for push in pushes)


def test_lists_need_a_token():
    client, stub = make_client([], token=None)
    with pytest.raises(PwpushError, match="token"):
        client.list_pushes("active")
    assert stub.calls == []


def test_create_pushes_keeps_order_in_parallel():
    created = [dict(CREATED, url_token="tok%05d" % i, html_url=BASE + "/p/tok%05d" % i) for i in range(20)]
    answers = [response(200, OSS_VERSION)] + [response(201, body) for body in created]
    client, stub = make_client(answers)
    pushes = client.create_pushes([PushSpec(payload="secret-%03d" % i) for i in range(20)], concurrency=4)
    assert len(pushes) == 20
    assert len(set(push["url_token"] for push in pushes)) == 20
    sent = [call[2]["json"]["push"]["payload"] for call in stub.calls[1:]]
    assert sorted(sent) == sorted("secret-%03d" % i for i in range(20))


def test_create_pushes_validates_all_first():
    client, stub = make_client([response(200, OSS_VERSION)])
    with pytest.raises(PwpushError, match="expire_after_views"):
        client.create_pushes([PushSpec(payload="ok-payload"), PushSpec(payload="bad-payload", expire_after_views=0)], concurrency=4)
    assert len(stub.calls) == 1


def test_create_pushes_reports_the_first_failure_and_counts_the_rest():
    created = [dict(CREATED, url_token="tok%05d" % i, html_url=BASE + "/p/tok%05d" % i) for i in range(4)]
    answers = [response(200, OSS_VERSION), response(201, created[0]), response(422, {"payload": ["is too long"]})]
    client, stub = make_client(answers + [response(201, body) for body in created[1:]])
    with pytest.raises(PwpushError, match=r"payload: is too long \(4 of 5 pushes were created before the failure"):
        client.create_pushes([PushSpec(payload="secret-%03d" % i) for i in range(5)], concurrency=4)
    assert len(stub.calls) == 6  # every push was still tried


def test_payload_specs_build_each_spec_when_asked():
    specs = PayloadSpecs(["a", "b", "c"], expire_after_views=2, retrieval_step=True)
    assert len(specs) == 3
    assert specs[1].payload == "b" and specs[1].expire_after_views == 2 and specs[1].retrieval_step is True
    assert specs[1] is not specs[1]
    assert [spec.payload for spec in specs] == ["a", "b", "c"]
    with pytest.raises(PwpushError, match="Unknown push option"):
        PayloadSpecs(["a"], colour="red")


def test_create_pushes_with_payload_specs_keeps_order():
    created = [dict(CREATED, url_token="tok%05d" % i, html_url=BASE + "/p/tok%05d" % i) for i in range(3)]
    client, stub = make_client([response(200, OSS_VERSION)] + [response(201, body) for body in created])
    links = client.create_pushes(PayloadSpecs(["xxxxxxxx", "yyyyyyyy", "zzzzzzzz"], expire_after_views=2), select=lambda push: push["url"])
    assert links == [BASE + "/p/tok%05d" % i for i in range(3)]
    assert [call[2]["json"]["push"] for call in stub.calls[1:]] == [
        {"payload": payload * 8, "expire_after_views": 2, "kind": "text"} for payload in "xyz"]


def _peak_beyond_results(count):
    """Bytes create_pushes held at its peak beyond what it returned, for `count` pushes (as the lookup calls it)."""
    client, _stub = make_client([])
    numbers = itertools.count()

    def answer(method, url, **kwargs):
        if url.endswith("/version"):
            return response(200, OSS_VERSION)
        token = "tok%08d" % next(numbers)
        return response(201, dict(CREATED, url_token=token, html_url=BASE + "/p/" + token))

    ScriptedSession(client.http, server=answer)
    specs = PayloadSpecs(["secret-%06d" % n for n in range(count)])
    gc.collect()
    tracemalloc.start()
    try:
        links = client.create_pushes(specs, concurrency=4, select=lambda push: push["url"])
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(links) == count
    return peak - current


def test_create_pushes_holds_nothing_per_push_but_its_result():
    # A Future, a PushSpec or an answer kept per push would each add hundreds of bytes a push.
    growth = (_peak_beyond_results(2200) - _peak_beyond_results(200)) / 2000.0
    assert growth < 64, "%.0f bytes a push beyond the results" % growth


def test_create_pushes_concurrency_is_bounded():
    client, _stub = make_client([])
    with pytest.raises(PwpushError, match="concurrency must be between 1 and 8"):
        client.create_pushes([PushSpec(payload="x")], concurrency=9)
