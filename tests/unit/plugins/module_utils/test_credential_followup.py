# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""credential_links_info: the follow-up of each link over the real clients, the HTTP scripted (nothing on the network)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._credential_followup import (
    FollowupInputError,
    check_links,
    followup,
    summary,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import OtsClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, canned, response

PW = "https://pw.example.test"
OTS = "https://ots.example.test"
VERSION = canned("pwpush_version_oss")
OTS_KEY = "k" * 31


def pwpush(answers):
    client = PwpushClient(url=PW, token="owner-token", retries=0, read_only=True)
    return client, ScriptedSession(client.http, [response(body=VERSION)] + answers)


def push(token, expired=False, expired_on=None):
    return response(body={"url_token": token, "expired": expired, "expired_on": expired_on, "payload": "s3cret-pass",
                          "html_url": "%s/p/%s" % (PW, token), "retrieval_step": True})


def audit(*kinds):
    return response(body={"logs": [{"kind": kind, "created_at": "2025-05-0%dT08:00:00.000Z" % number}
                                   for number, kind in enumerate(kinds, start=1)]})


def rows(*names, **links):
    return [dict(user=name, email="%s@example.com" % name, link=links.get(name, "%s/p/tok%s/r" % (PW, name)))
            for name in names]


def test_opened_unopened_and_expired_people_from_the_owners_reads_only():
    client, stub = pwpush([audit("creation", "owner_view", "view", "view"), push("tokann", True, "2025-05-03"),
                           audit("creation"), push("tokbob"),
                           audit("creation", "expire"), push("tokcid", True, "2025-05-04")])
    people, unreadable = followup(client, "pwpush", check_links(rows("ann", "bob", "cid"), "pwpush"), 1)
    assert [(p["name"], p["status"], p["opened"], p["opened_at"], p["expired"], p["views"]) for p in people] == [
        ("ann", "opened", True, "2025-05-03T08:00:00.000Z", True, 2),
        ("bob", "unopened", False, None, False, 0),
        ("cid", "expired", False, None, True, 0)]
    assert unreadable == 0
    assert all(method == "GET" for method, _url, _kwargs in stub.calls)
    assert "s3cret-pass" not in repr(people)
    counts, lines = summary(people)
    assert counts == dict(opened=1, unopened=1, expired=1, unknown=0, no_link=0)
    assert lines[1] == "bob  unopened  %s/p/tokbob/r" % PW


def test_a_push_of_someone_else_is_unknown_and_a_row_without_link_is_said():
    client, stub = pwpush([response(403, {"error": "forbidden"})])
    people, _unreadable = followup(client, "pwpush", check_links(rows("ann", "bob", bob=""), "pwpush"), 1)
    assert people[0]["status"] == "unknown" and "HTTP 403" in people[0]["reason"]
    assert people[1]["status"] == "no_link" and people[1]["opened"] is None
    assert len(stub.calls) == 2  # the version and one audit read: no read of a push the token does not own


def test_a_refused_token_fails_the_task():
    client, _stub = pwpush([response(401, {"error": "unauthorized"}), response(401, {"error": "unauthorized"})])
    with pytest.raises(PwpushError, match="Could not follow up the link of ann"):
        followup(client, "pwpush", check_links(rows("ann", "bob"), "pwpush"), 1)


def test_one_unreadable_link_is_unknown_the_rest_reported():
    client, _stub = pwpush([response(500, {"error": "boom"}), audit("creation"), push("tokbob")])
    people, unreadable = followup(client, "pwpush", check_links(rows("ann", "bob"), "pwpush"), 1)
    assert unreadable == 1 and people[0]["status"] == "unknown" and "could not be read" in people[0]["reason"]
    assert people[1]["status"] == "unopened"


@pytest.mark.parametrize("links, message", [
    ([], "links is empty"),
    ([dict(link=PW + "/p/tok/r")], r"links\[1\] has no name"),
    ([dict(name="ann", link="x"), ], r"links\[1\] \(ann\): link must be an http\(s\) link"),
    ([dict(name="ann"), dict(user="ann")], "links names ann twice"),
    ([dict(name="ann", link=PW + "/p/tok/r", receipt=OTS_KEY)], "receipt is an onetimesecret receipt key"),
    ([dict(name="ann", link="https://evil.example/it-reset")], r"links\[1\] \(ann\): url_token"),
])
def test_bad_rows_are_refused_naming_the_row(links, message):
    with pytest.raises(FollowupInputError, match=message):
        check_links(links, "pwpush")


def ots(answers, account=True):
    credentials = dict(username="me@example.com", api_token="ots-token") if account else {}
    client = OtsClient(url=OTS, retries=0, read_only=True, **credentials)
    return client, ScriptedSession(client.http, answers)


def receipt(state, secret=None, **fields):
    body = dict(state=state, metadata_key="m" * 31, created=1000, ttl=3600, updated=2000, **fields)
    if secret:
        body["secret_identifier"] = secret
    return body


def test_ots_by_receipt_key_and_from_the_accounts_recent_list():
    links = [dict(user="ann", link="%s/secret/%s" % (OTS, "a" * 31), receipt="r" * 31),
             dict(user="bob", link="%s/secret/%s" % (OTS, "b" * 31)),
             dict(user="cid", link="%s/secret/%s" % (OTS, "c" * 31))]
    client, stub = ots([response(body=[receipt("new", secret="b" * 31)]),
                        response(body=receipt("received", received=1500))])
    people, _unreadable = followup(client, "ots", check_links(links, "ots"), 1, now=2000)
    assert [(p["name"], p["status"], p["opened_at"]) for p in people] == [
        ("ann", "opened", "1970-01-01T00:25:00Z"), ("bob", "unopened", None), ("cid", "unknown", None)]
    assert "recent receipts" in people[2]["reason"] and people[1]["receipt"] == "m" * 31
    assert [call[1].rsplit("/", 1)[-1] for call in stub.calls] == ["recent", "r" * 31]


def test_ots_without_account_or_receipt_says_what_cannot_be_told_and_asks_nothing():
    client, stub = ots([], account=False)
    people, _unreadable = followup(client, "ots", check_links([dict(user="ann", link="%s/secret/%s" % (
        OTS, "a" * 31))], "ots"), 1, now=2000)
    assert people[0]["status"] == "unknown" and "reading the secret would spend it" in people[0]["reason"]
    assert stub.calls == []


def test_ots_secret_past_its_lifetime_is_expired_though_the_list_says_new():
    client, _stub = ots([response(body=[receipt("new", secret="b" * 31)])])
    people, _unreadable = followup(client, "ots", check_links([dict(user="bob", link="%s/secret/%s" % (
        OTS, "b" * 31))], "ots"), 1, now=10000)
    assert people[0]["status"] == "expired" and people[0]["expired_at"] == "1970-01-01T01:16:40Z"
