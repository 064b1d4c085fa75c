# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""credential_links: who is served past the server's listing limit, and the plan/push stages (a stub client)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._credential_links import check_stage
from ansible_collections.oneshot.secrets.plugins.module_utils._credential_links_run import pwpush_links, silent
from ansible_collections.oneshot.secrets.plugins.module_utils._credential_links_served import (
    ots_served,
    pwpush_served,
    record_unchanged,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.answers import epoch_of
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError

LINK = "https://pw.example.test/p/%s/r"
EXPIRES = "2026-12-06T11:55:20Z"
CREATED = dict(created_at="2026-12-05T11:55:20.123Z", expire_after_days=1)


def person(name, password=None):
    return dict(name=name, email=None, password=password, views=1, ttl_hours=24.0,
                push_name="initial password for %s" % name)


class StubClient:
    """What credential_links asks of PwpushClient: a listing (maybe truncated), owned pushes, creates."""

    api = "v2"
    url = "https://pw.example.test"
    expiry_field = "expire_after_days"

    def __init__(self, listed=(), truncated=False, owned=None, token="token"):
        self.token = token
        self.listed = dict(("initial password for %s" % name, LINK % name) for name in listed)
        self.truncated = truncated
        self.owned = owned or {}
        self.asked = []
        self.created = []

    def active_by_name(self, names, on_truncated=None):
        if self.truncated:
            on_truncated()
        return dict((name, dict(CREATED, url=link)) for name, link in self.listed.items() if name in names)

    def owned_push(self, link, expires):
        self.asked.append((link, expires))
        return self.owned.get(link)

    def prepare(self, spec):
        return spec

    def create_push(self, spec):
        self.created.append((spec.name, spec.payload))
        return dict(CREATED, url=LINK % (spec.name.split()[-1] + "-new"))


def active(name, kind="text", **fields):
    return dict(dict(url=LINK % name, expired=False, deleted=False, passphrase_protected=False), **fields), kind


def served(client, people, previous=()):
    warnings = []
    return pwpush_served(client, people, [dict(name=name, link=link, expires=EXPIRES) for name, link in previous], 2,
                         warnings.append, silent), warnings


def test_a_complete_listing_is_the_truth_and_the_record_is_not_read():
    client = StubClient(listed=["ann"])
    found, _warnings = served(client, [person("ann"), person("bob")], [("bob", LINK % "bob")])
    assert found == {"ann": (LINK % "ann", EXPIRES)} and client.asked == []


def test_past_the_listing_each_recorded_link_is_checked():
    client = StubClient(listed=["ann"], truncated=True, owned={
        LINK % "bob": active("bob"),
        LINK % "cid": active("cid", expired=True),
        LINK % "dan": active("dan", kind="url"),
        LINK % "eve": active("eve", passphrase_protected=True),
    })
    people = [person(name) for name in ("ann", "bob", "cid", "dan", "eve")]
    found, _warnings = served(client, people, [(name, LINK % name) for name in ("bob", "cid", "dan", "eve")])
    assert found == {"ann": (LINK % "ann", EXPIRES), "bob": (LINK % "bob", EXPIRES)}
    assert sorted(client.asked) == sorted((LINK % name, EXPIRES) for name in ("bob", "cid", "dan", "eve"))


def test_a_link_told_active_by_its_audit_log_alone_keeps_its_record():
    client = StubClient(truncated=True, owned={LINK % "bob": ({"expired": False, "passphrase_protected": False},
                                                              "text")})
    found, _warnings = served(client, [person("bob")], [("bob", LINK % "bob")])
    assert found == {"bob": (LINK % "bob", EXPIRES)}


@pytest.mark.parametrize("record", [[], [("bob", LINK % "bob")]], ids=["no record", "not this account's push"])
def test_past_the_listing_a_person_in_neither_stops_the_run(record):
    client = StubClient(truncated=True)
    with pytest.raises(PwpushError) as caught:
        served(client, [person("bob")], record)
    message = caught.value.message
    assert "people bob: no active push of that name among the 10000 newest" in message
    assert "previous_links" in message and "reuse=false" in message


def test_without_a_token_the_record_is_kept_unchecked_and_a_warning_counts_the_others():
    client = StubClient(token=None)
    found, warnings = served(client, [person("ann"), person("bob")], [("ann", LINK % "ann")])
    assert found == {"ann": (LINK % "ann", EXPIRES)} and client.asked == []
    assert warnings and "1 get a new one" in warnings[0]


def run(client, people, stage, pending=None, previous=None):
    return pwpush_links(client, people, previous, reuse=True, send_email=False, concurrency=1, check_mode=False,
                        length=20, alphabet="abcdefgh", warn=lambda _text: None, stage=stage, pending=pending)


def test_plan_makes_nothing_and_returns_the_new_passwords_and_who_is_pending():
    client = StubClient(listed=["ann"])
    result = run(client, [person("ann"), person("bob"), person("cid", password="given-pass-1")], "plan")
    assert client.created == [] and result["changed"] is False
    assert result["pending"] == ["bob", "cid"] and list(result["passwords"]) == ["bob"]
    assert result["links"][0]["reused"] and result["links"][1]["link"] is None


def test_push_makes_the_pending_links_with_the_plans_passwords_and_keeps_the_others():
    people = [person("ann"), person("bob"), person("cid", password="given-pass-1")]
    client = StubClient()
    plan = run(StubClient(listed=["ann"]), [dict(item) for item in people], "plan")
    chosen = check_stage("push", people, plan["pending"], plan["passwords"])
    result = run(client, chosen, "push", pending=plan["pending"], previous=plan["links"])
    assert sorted(client.created) == sorted([("initial password for bob", plan["passwords"]["bob"]),
                                             ("initial password for cid", "given-pass-1")])
    assert [link["link"] for link in result["links"]] == [LINK % "ann", LINK % "bob-new", LINK % "cid-new"]
    assert [link["expires"] for link in result["links"]] == [EXPIRES] * 3
    assert result["created"] == 2 and result["reused"] == 1 and result["passwords"] == {}


@pytest.mark.parametrize("rows, unchanged", [
    ([dict(name="ann", link=LINK % "ann", email=None, expires=EXPIRES),
      dict(name="old", link=LINK % "old", email=None, expires=None)], True),
    ([dict(name="ann", link=LINK % "ann", email="ann@example.com", expires=EXPIRES)], False),  # the email changed
    ([dict(name="ann", link=LINK % "other", email=None, expires=EXPIRES)], False),  # another link
    ([dict(name="ann", link=LINK % "ann", email=None, expires=None)], False),  # a record from before expires
    ([], False),  # no record yet
])
def test_the_record_is_unchanged_only_when_it_holds_every_link_email_and_expiry_as_now(rows, unchanged):
    assert record_unchanged([dict(name="ann", email=None, link=LINK % "ann", expires=EXPIRES, reused=True)],
                            rows) is unchanged


def test_onetimesecret_keeps_a_recorded_link_until_its_expiry():
    now = epoch_of(EXPIRES)
    rows = [dict(name="ann", link=LINK % "ann", expires="2026-12-06T11:55:21Z"),
            dict(name="bob", link=LINK % "bob", expires=EXPIRES), dict(name="cid", link=LINK % "cid", expires=None)]
    found = ots_served([person(name) for name in ("ann", "bob", "cid")], rows, now=now)
    assert sorted(found) == ["ann", "cid"]
