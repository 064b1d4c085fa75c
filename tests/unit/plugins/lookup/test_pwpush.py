# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pwpush lookup; in check mode it validates as a real run and creates nothing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleError

from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import canned, response

URL = "https://pw.example.test"
OSS_VERSION = canned("pwpush_version_oss")
CHECK = {"ansible_check_mode": True}


def created(token):
    return response(201, {"url_token": token, "html_url": "%s/p/%s" % (URL, token)})


def test_one_link_per_term_in_order(http, lookup):
    calls, answers = http
    answers.extend([response(200, OSS_VERSION), created("tok-aaaa1"), created("tok-bbbb2")])
    links = lookup("pwpush").run(["first-secret", "second-secret"], variables={}, url=URL, concurrency=1,
                                 expire_after_views=2)
    assert links == [URL + "/p/tok-aaaa1", URL + "/p/tok-bbbb2"]
    sent = [call[2]["json"]["push"] for call in calls if call[0] == "POST"]
    assert [push["payload"] for push in sent] == ["first-secret", "second-secret"]
    assert all(push["expire_after_views"] == 2 for push in sent)


def test_connection_options_come_from_variables(http, lookup):
    calls, answers = http
    answers.extend([response(200, OSS_VERSION), created("tok-cccc3")])
    lookup("pwpush").run(["a-secret"], variables={"pwpush_url": URL, "pwpush_token": "var-token"}, concurrency=1)
    assert calls[0][1] == URL + "/api/v2/version"
    assert all(call[1].startswith(URL) for call in calls)


def test_a_bad_term_fails_before_any_push(http, lookup):
    calls, answers = http
    answers.append(response(200, OSS_VERSION))
    with pytest.raises(AnsibleError) as error:
        lookup("pwpush").run(["a-secret", ""], variables={}, url=URL)
    assert "pwpush lookup" in str(error.value) and "payload" in str(error.value)
    assert [call[0] for call in calls] == ["GET"]


def test_file_pushes_are_refused(http, lookup):
    with pytest.raises(AnsibleError, match="kind"):
        lookup("pwpush").run(["a-secret"], variables={}, url=URL, kind="file")
    assert http[0] == []


def test_pwpush_creates_nothing_and_returns_none_per_term(http, lookup):
    calls, answers = http
    answers.append(response(200, OSS_VERSION))  # the version says which expiry this server honours
    result = lookup("pwpush").run(["first-secret", "second-secret"], variables=CHECK, url=URL, expire_after_days=3)
    assert result == [None, None]
    assert [(call[0], call[1]) for call in calls] == [("GET", URL + "/api/v2/version")]


@pytest.mark.parametrize("options, words", [
    (dict(expire_after_views=500), "expire_after_views"),
    (dict(kind="file"), "kind"),
    (dict(concurrency=9), "concurrency"),
])
def test_pwpush_validates_as_a_real_run(http, lookup, options, words):
    calls, answers = http
    answers.append(response(200, OSS_VERSION))
    with pytest.raises(AnsibleError, match=words):
        lookup("pwpush").run(["first-secret"], variables=CHECK, url=URL, **options)
    assert all(call[0] == "GET" for call in calls)


def test_pwpush_refuses_an_expiry_this_server_cannot_honour_in_check_mode(http, lookup):
    calls, answers = http
    answers.append(response(200, OSS_VERSION))  # whole days only: the server's answer decides, not the options
    with pytest.raises(AnsibleError, match="pwpush lookup: expire_after_duration=3 is shorter than a day"):
        lookup("pwpush").run(["first-secret"], variables=CHECK, url=URL, expire_after_duration=3)
    assert len(calls) == 1
