# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.oneshot.secrets.plugins.modules import pwpush_push
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_args import run_main
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import canned, response

OSS_VERSION = canned("pwpush_version_oss")


def run_module(args, capsys):
    return run_main(pwpush_push.main, dict({"url": "https://pw.example.test", "token": "api-token"}, **args), capsys)


@pytest.mark.parametrize("args, message", [
    ({"payload": "s3cret-value", "expire_after_views": 0}, "expire_after_views"),
    ({"payload": "s3cret-value", "expire_after_days": 1, "expire_after_duration": "1 day"}, "mutually exclusive"),
    ({"payload": "s3cret-value", "kind": "gif"}, "kind"),
    ({"payload": "s3cret-value", "reuse_existing": True}, "name"),
    ({"state": "absent"}, "url_token"),
    ({"payload": "s3cret-value", "expire_after_views": "many"}, "expire_after_views"),
])
def test_bad_input_fails_before_any_request(args, message, http, capsys):
    calls, answers = http
    code, output = run_module(args, capsys)
    assert code == 1 and output["failed"]
    assert message in output["msg"]
    assert calls == []
    assert "s3cret-value" not in json.dumps(output)


def test_check_mode_creates_nothing(http, capsys):
    calls, answers = http
    answers.append(response(200, OSS_VERSION))
    code, output = run_module({"payload": "s3cret-value", "_ansible_check_mode": True}, capsys)
    assert code == 0 and output["changed"] is True and output["url"] is None
    assert [call[0] for call in calls] == ["GET"]


def test_create_returns_the_link_and_no_secret(http, capsys):
    calls, answers = http
    answers.extend([response(200, OSS_VERSION), response(201, {
        "url_token": "tok123456", "html_url": "https://pw.example.test/p/tok123456", "passphrase": "open sesame",
        "expire_after_days": 2, "expire_after_views": 1, "expired": False})])
    code, output = run_module({"payload": "s3cret-value", "passphrase": "open sesame", "expire_after_days": 2}, capsys)
    assert code == 0 and output["changed"] is True
    assert output["url"] == "https://pw.example.test/p/tok123456"
    text = json.dumps(output)
    assert "open sesame" not in text and "s3cret-value" not in text
    sent = calls[1][2]["json"]["push"]
    assert sent == {"payload": "s3cret-value", "passphrase": "open sesame", "kind": "text", "expire_after_days": 2}


def test_absent_on_an_expired_push_is_not_a_change(http, capsys):
    calls, answers = http
    answers.append(response(200, {"logs": [{"kind": "creation"}, {"kind": "expire"}]}))
    code, output = run_module({"state": "absent", "url_token": "https://pw.example.test/p/tok123456/r",
                               "api_version": "v2"}, capsys)
    assert code == 0 and output["changed"] is False
    assert [call[0] for call in calls] == ["GET"]
    assert calls[0][1].endswith("/api/v2/pushes/tok123456/audit")


def test_absent_expires_a_live_push(http, capsys):
    calls, answers = http
    answers.extend([response(200, {"logs": [{"kind": "creation"}]}),
                    response(200, {"url_token": "tok123456", "expired": True, "passphrase": "open sesame"})])
    code, output = run_module({"state": "absent", "url_token": "tok123456", "api_version": "v2"}, capsys)
    assert code == 0 and output["changed"] is True
    assert output["expired_tokens"] == ["tok123456"]
    assert calls[-1][0] == "DELETE"
    assert "open sesame" not in json.dumps(output)


def test_validate_certs_false_warns(http, capsys):
    calls, answers = http
    answers.append(response(200, OSS_VERSION))
    code, output = run_module({"payload": "s3cret-value", "validate_certs": False, "_ansible_check_mode": True}, capsys)
    assert code == 0
    # ansible-core 2.19+ returns warnings as structured summaries; older ones as strings.
    assert "validate_certs is false" in json.dumps(output["warnings"])
