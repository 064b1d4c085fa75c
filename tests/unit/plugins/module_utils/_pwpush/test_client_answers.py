# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_pwpush/client.py against answers of the wrong shape: one sentence naming the server and what was expected, a
PwpushError, never a Python exception of another kind."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import PushSpec
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import BAD_GATEWAY_HTML, WRONG_ANSWERS, ScriptedSession, canned, response

PW = "https://pw.example.test"
OSS_VERSION = canned("pwpush_version_oss")
TOKEN = "tok123456"
HTML = BAD_GATEWAY_HTML
PWPUSH_METHODS = {
    "version": (lambda c: c.instance_info(), [], "a JSON object"),
    "version-v1": (lambda c: c.instance_info(), [response(404, {"error": "not found"})], "a JSON object"),
    "create": (lambda c: c.create_push(PushSpec(payload="s3cret-value")), [response(200, OSS_VERSION)],
               "the new push (a JSON object with its url_token)"),
    "preview": (lambda c: c.preview(TOKEN), [response(200, OSS_VERSION)], "its preview (a JSON object with its url)"),
    "retrieve": (lambda c: c.retrieve(TOKEN), [response(200, OSS_VERSION)], "the push (a JSON object)"),
    "expire": (lambda c: c.expire(TOKEN), [response(200, OSS_VERSION), response(200, {"logs": []})],
               "the expired push (a JSON object)"),
    "audit": (lambda c: c.audit(TOKEN), [response(200, OSS_VERSION)], "its log entries"),
    "list": (lambda c: c.list_pushes("active"), [response(200, OSS_VERSION)], "a JSON list of pushes"),
    "find_active_by_name": (lambda c: c.find_active_by_name("db", "text"), [response(200, OSS_VERSION)],
                            "a JSON list of pushes"),
}
LISTING = ("list", "find_active_by_name")


def pwpush(answers, **kwargs):
    kwargs.setdefault("token", "api-token")
    client = PwpushClient(url=PW, retries=0, **kwargs)
    return client, ScriptedSession(client.http, answers)


@pytest.mark.parametrize("method, name, answer, described", [
    (method,) + case for method in sorted(PWPUSH_METHODS) for case in WRONG_ANSWERS
    if not (method in LISTING and case[0] in ("list", "empty-list"))])  # a list is what a list answers
def test_pwpush_methods_name_the_server_and_what_was_expected(method, name, answer, described):
    call, before, expected = PWPUSH_METHODS[method]
    client, _stub = pwpush(before + [answer()])
    with pytest.raises(PwpushError) as info:
        call(client)
    message = info.value.message
    assert PW in message and expected in message and described in message, message
    assert "Traceback" not in message and "\n" not in message


@pytest.mark.parametrize("method", ["list", "find_active_by_name"])
@pytest.mark.parametrize("item", [5, "tok", None, {"name": "db"}, {"url_token": 7}], ids=str)
def test_pwpush_list_items_must_be_pushes(method, item):
    call, before, _expected = PWPUSH_METHODS[method]
    client, _stub = pwpush(before + [response(200, [item])])
    with pytest.raises(PwpushError, match="a JSON list of pushes"):
        call(client)


@pytest.mark.parametrize("body", [{"logs": "x"}, {"logs": [1]}, {"views": [None]}, {}], ids=str)
def test_pwpush_audit_entries_must_be_objects(body):
    client, _stub = pwpush([response(200, OSS_VERSION), response(200, body)])
    with pytest.raises(PwpushError, match="Could not read the audit log: .* where a JSON object with its log entries"):
        client.audit(TOKEN)


def test_pwpush_a_created_push_without_a_string_token_may_have_been_stored():
    client, _stub = pwpush([response(200, OSS_VERSION), response(201, {"url_token": 12345})])
    with pytest.raises(PwpushError, match="without a url_token; the push may have been stored"):
        client.create_push(PushSpec(payload="s3cret-value"))


@pytest.mark.parametrize("html_url", [12345, None, ["x"], "javascript:alert(1)"], ids=str)
def test_pwpush_an_unusable_html_url_gives_way_to_the_built_link(html_url):
    client, _stub = pwpush([response(200, OSS_VERSION), response(201, {"url_token": TOKEN, "html_url": html_url})])
    assert client.create_push(PushSpec(payload="s3cret-value"))["url"] == PW + "/p/" + TOKEN


@pytest.mark.parametrize("features", [[], "all", None, {"pushes": []}, {"pushes": {"url_pushes": "off"}}], ids=str)
def test_pwpush_features_of_the_wrong_shape_are_no_features(features):
    version = dict(OSS_VERSION, features=features, edition=5)
    client, _stub = pwpush([response(200, version), response(201, {"url_token": TOKEN})])
    info = client.instance_info()
    assert isinstance(info["features"], dict) and info["edition"] == "oss"
    assert client.create_push(PushSpec(kind="url", payload="https://example.com"))["url_token"] == TOKEN


def test_pwpush_strings_and_nulls_in_a_push_pass_through():
    body = {"url_token": TOKEN, "html_url": None, "expire_after_views": "five", "expired": None, "expired_on": 17,
            "retrieval_step": None}
    client, _stub = pwpush([response(200, OSS_VERSION), response(200, body, headers={"Date": "nonsense"})],
                           token=None)
    changed, push = client.expire(TOKEN)
    assert changed is True and push["expire_after_views"] == "five"


def test_pwpush_error_pages_of_a_proxy_are_named_not_quoted():
    client, _stub = pwpush([response(502, raw=HTML, headers={"Content-Type": "text/html"})])
    with pytest.raises(PwpushError, match=r"HTTP 502 from %s: an HTML error page \(text/html\)" % PW):
        client.instance_info()
