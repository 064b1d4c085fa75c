# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleError

from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import response

URL = "https://pw.example.test"
OSS_VERSION = {"application_version": "2.11.4", "api_version": "2.1", "edition": "oss", "features": {}}


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
