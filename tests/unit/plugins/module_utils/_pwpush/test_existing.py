# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_pwpush/existing.py: pushes that exist: expire, audit, lists, the kind of a listed push, notify_emails."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gc
import tracemalloc

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.answers import epoch_of
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.existing import (
    BULK_AGENT,
    KIND_AGENT,
    _KIND_IN_AGENT,
    told_by_audit,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.reuse import BULK_NOTE
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, canned, response, stubbed

BASE = "https://pw.example.test"
OSS_VERSION = canned("pwpush_version_oss")
CREATED = {"url_token": "tok123456", "html_url": BASE + "/p/tok123456", "json_url": BASE + "/p/tok123456.json",
           "passphrase": "open sesame", "expire_after_views": 1, "retrieval_step": False}
HOSTED_VERSION = canned("pwpush_version_hosted")


def make_client(answers, **kwargs):
    kwargs.setdefault("token", "api-token")
    return stubbed(PwpushClient, answers, url=BASE, **kwargs)


def test_expire_already_expired_or_missing_is_no_change():
    client, _stub = make_client([response(422, {"error": "That push is already expired."}),
                                 response(404, {"error": "not-found"})], api_version="v1", token=None)
    # 422: servers before 2.0 (1.x) refused a second expiry; 2.x answer 200 (see the API v1 test below)
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


def listed(token, name="db", deletable=True):
    return {"url_token": token, "name": name, "expired": False, "deletable_by_viewer": deletable,
            "retrieval_step": True, "html_url": "%s/p/%s/r" % (BASE, token)}


def audit(kind):
    agent = "oneshot.secrets (pwpush; kind=%s)" % kind if kind else "Mozilla/5.0"
    return {"logs": [{"kind": "creation", "user_agent": agent}, {"kind": "owner_view", "user_agent": "x"}]}


def test_a_url_push_is_never_reused_for_text_and_costs_no_audit_read():
    client, stub = make_client([response(200, OSS_VERSION), response(200, [listed("urltok1", deletable=None)])])
    assert client.find_active_by_name("db", "text") is None
    assert [call[1] for call in stub.calls] == [BASE + "/api/v2/version", BASE + "/api/v2/pushes/active"]


@pytest.mark.parametrize("created_as, wanted, reused", [
    ("text", "text", True), ("qr", "text", False), ("file", "text", False), ("text", "qr", False),
    ("url", "url", True), (None, "text", False),
])
def test_the_kind_comes_from_the_creation_entry(created_as, wanted, reused):
    deletable = None if created_as == "url" else True
    client, _stub = make_client([response(200, OSS_VERSION), response(200, [listed("tok1234", deletable=deletable)]),
                                 response(200, audit(created_as))])
    found = client.find_active_by_name("db", wanted)
    assert (found is not None) is reused
    if reused:
        assert found["url_token"] == "tok1234" and found["url"] == BASE + "/p/tok1234/r"


def test_an_unreadable_audit_log_means_the_kind_is_unknown():
    client, _stub = make_client([response(200, OSS_VERSION), response(200, [listed("tok1234")]),
                                 response(403, {"error": "That push doesn't belong to you."})])
    assert client.find_active_by_name("db", "text") is None


def test_notify_existing_push():
    answer = {"message": "Recipient(s) are added to the queue to be sent."}
    client, stub = make_client([response(200, HOSTED_VERSION), response(201, answer)])
    result = client.notify_emails(BASE + "/p/tok123456/r", ["a@example.com"], locale="de")
    method, url, kwargs = stub.calls[1]
    assert (method, url) == ("POST", BASE + "/api/v2/pushes/tok123456/notify_emails")
    assert kwargs["json"] == {"notify_emails_to": "a@example.com", "notify_emails_to_locale": "de"}
    assert result == {"url_token": "tok123456", "notify_emails_to": ["a@example.com"], "message": answer["message"]}


def test_notify_errors_name_the_server_answer():
    limit = {"base": ["The maximum number of emails has been reached for today"]}
    client, _stub = make_client([response(200, HOSTED_VERSION), response(422, limit)])
    with pytest.raises(PwpushError, match="rejected the request .*reached for today"):
        client.notify_emails("tok123456", ["a@example.com"])
    client, stub = make_client([], token=None)
    with pytest.raises(PwpushError, match="token"):
        client.notify_emails("tok123456", ["a@example.com"])
    assert stub.calls == []


def test_v1_owner_expire_reads_the_audit_log_instead_of_deleting_twice():
    client, stub = make_client([response(200, {"views": [{"kind": "creation"}, {"kind": "expire"}]})],
                               api_version="v1")
    assert client.expire("tok123456") == (False, None)
    assert [call[:2] for call in stub.calls] == [("GET", BASE + "/p/tok123456/audit.json")]


def _scan_peak(pages, wanted):
    """Bytes the one scan of `pages` pages of active pushes held at its peak beyond the map it returned."""
    client = PwpushClient(url=BASE, token="api-token-0001", api_version="v2")
    names = ["initial password for person%05d" % n for n in range(pages * 50)]

    def answer(method, url, **kwargs):
        page = kwargs["params"]["page"]
        batch = [{"url_token": "tok%08d" % n, "name": names[n], "html_url": BASE + "/p/tok%08d" % n,
                  "expired": False, "note": BULK_NOTE,
                  "deletable_by_viewer": False, "passphrase": "", "created_at": "x" * 200} for n in range((page - 1) * 50, min(page * 50, len(names)))]
        if page * 50 >= len(names):
            batch = batch[:-1]  # a short last page ends the scan
        return response(200, batch)

    ScriptedSession(client.http, server=answer)
    gc.collect()
    tracemalloc.start()
    try:
        links = client.active_by_name(names[:wanted])
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(links) == wanted
    return peak - current


def test_the_scan_keeps_no_page_only_the_names_asked():
    # 40 pages of pushes and the same 10 names asked: a scan that kept the pages would grow with them.
    assert _scan_peak(40, 10) - _scan_peak(4, 10) < 40 * 1024


EXPIRES = "2026-12-06T11:55:20Z"


def test_the_agents_name_the_kind_and_credential_links():
    assert _KIND_IN_AGENT.match(KIND_AGENT % "qr").groups() == ("qr", None)
    assert _KIND_IN_AGENT.match(BULK_AGENT).groups() == ("text", "; credential_links")


def entry(kind):
    return dict(kind=kind, user_agent=BULK_AGENT if kind == "creation" else "Mozilla/5.0")


NOW = epoch_of(EXPIRES) - 3600


@pytest.mark.parametrize("kinds, agent, expires, told", [
    (["creation", "owner_view", "admin_view"], BULK_AGENT, EXPIRES, {"expired": False, "passphrase_protected": False}),
    (["creation", "view", "expire"], BULK_AGENT, EXPIRES, {"expired": True}),
    (["creation", "failed_view"], KIND_AGENT % "text", None, {"expired": True}),
    (["creation", "view"], BULK_AGENT, EXPIRES, None),  # one view of maybe several: the push is read
    (["creation"], KIND_AGENT % "text", EXPIRES, None),  # may be behind a passphrase
    (["creation"], BULK_AGENT, None, None),  # no recorded expiry
    (["creation"], BULK_AGENT, "2026-12-06T11:00:20Z", None),  # within the margin of the server's clock
    (["creation"] + ["owner_view"] * 49, BULK_AGENT, EXPIRES, None),  # page 1 is full: page 2 may hold a view
    (["creation", "failed_passphrase"], BULK_AGENT, EXPIRES, None),  # an entry it does not know
])
def test_the_audit_log_alone_tells_only_what_it_proves(kinds, agent, expires, told):
    entries = [entry(kind) for kind in kinds]
    match = _KIND_IN_AGENT.match(agent)
    assert told_by_audit(entries, match, expires, NOW) == told


def test_a_recorded_link_told_active_by_its_audit_log_is_not_read():
    audit = {"logs": [dict(kind="creation", user_agent=BULK_AGENT), dict(kind="owner_view", user_agent="x")]}
    date = {"Date": "Sat, 05 Dec 2026 12:00:00 GMT"}  # the server's clock decides, not this host's
    client, stub = make_client([response(200, OSS_VERSION), response(200, audit, headers=date)])
    told = client.owned_push(BASE + "/p/tok123456/r", EXPIRES)
    assert told == ({"expired": False, "passphrase_protected": False}, "text")
    assert [call[1] for call in stub.calls][1:] == [BASE + "/api/v2/pushes/tok123456/audit"]


def test_a_recorded_link_whose_audit_log_cannot_tell_is_read_by_its_owner():
    audit = {"logs": [dict(kind="creation", user_agent=BULK_AGENT), dict(kind="view", user_agent="x")]}
    pushed = dict(CREATED, expired=True, created_at="2026-12-05T11:55:20Z", expire_after_days=1)
    client, stub = make_client([response(200, OSS_VERSION), response(200, audit), response(200, pushed)])
    push, kind = client.owned_push(BASE + "/p/tok123456/r", EXPIRES)
    assert push["expired"] is True and kind == "text" and "passphrase" not in push
    assert [call[1] for call in stub.calls][1:] == [BASE + "/api/v2/pushes/tok123456/audit",
                                                    BASE + "/api/v2/pushes/tok123456"]


def test_a_refresh_reads_the_push_even_when_its_audit_log_tells():
    audit = {"logs": [dict(kind="creation", user_agent=BULK_AGENT), dict(kind="expire", user_agent="x")]}
    pushed = dict(CREATED, expired=True, created_at="2026-12-05T11:55:20Z", expire_after_days=1)
    client, stub = make_client([response(200, OSS_VERSION), response(200, audit), response(200, pushed)])
    push, kind = client.owned_push("tok123456", read=True)
    assert push["expired"] is True and push["expire_after_days"] == 1 and kind == "text"
    assert [call[1] for call in stub.calls][1:] == [BASE + "/api/v2/pushes/tok123456/audit",
                                                    BASE + "/api/v2/pushes/tok123456"]


def test_an_api_v1_audit_log_tells_a_spent_push_as_v2_does():
    audit = {"views": [dict(kind=0, successful=True, user_agent="x"), dict(kind=1, user_agent="x")]}
    client, stub = make_client([response(200, audit)], api_version="v1")
    assert client.owned_push("tok123456") == ({"expired": True}, None)
    assert [call[1] for call in stub.calls] == [BASE + "/p/tok123456/audit.json"]


def test_an_audit_log_that_is_not_one_is_an_error_not_a_guess():
    client, _stub = make_client([response(200, OSS_VERSION), response(200, {"logs": "none"})])
    with pytest.raises(PwpushError, match="Could not read the audit log: .* a JSON object with its log entries"):
        client.owned_push("tok123456", EXPIRES)
