# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_pwpush/bulk.py: many pushes over one client (create_pushes): order, validation first, failures, memory, bounds."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gc
import itertools
import tracemalloc

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import PayloadSpecs, PushSpec
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, canned, response, stubbed

BASE = "https://pw.example.test"
OSS_VERSION = canned("pwpush_version_oss")
CREATED = {"url_token": "tok123456", "html_url": BASE + "/p/tok123456", "json_url": BASE + "/p/tok123456.json",
           "passphrase": "open sesame", "expire_after_views": 1, "retrieval_step": False}


def make_client(answers, **kwargs):
    kwargs.setdefault("token", "api-token")
    return stubbed(PwpushClient, answers, url=BASE, **kwargs)


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
