# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""pwpush_request and pwpush_request_info with scripted HTTP answers (the integration targets use the fake)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.oneshot.secrets.plugins.modules import pwpush_instance_info, pwpush_request, pwpush_request_info
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_args import run_main
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import canned, response

BASE = "https://pw.example.test"
PRO = canned("pwpush_version_requests")
OSS = {"application_version": "2.11.4", "api_version": "2.1", "edition": "oss",
       "features": {"requests": {"enabled": False}}}
REQUEST = {"url_token": "req123456", "request": "Send the key", "name": "key", "passphrase": "a-long-phrase-1",
           "close_after_duration": 13, "expired": False, "html_url": BASE + "/req/req123456/r",
           "responses": [{"url_token": "push98765", "created_at": "2026-11-27T06:00:00.000Z"}]}


def run(main, args, capsys):
    return run_main(main, dict({"url": BASE, "token": "owner-token-0001"}, **args), capsys)


def test_create_sends_the_servers_field_names_and_hides_the_passphrase(http, capsys):
    calls, answers = http
    answers.extend([response(200, PRO), response(201, REQUEST)])
    code, output = run(pwpush_request.main, {"request": "Send the key", "name": "key", "passphrase": "a-long-phrase-1",
                                             "expire_after_duration": "2 weeks", "notify_emails_to": ["v@example.com"]},
                       capsys)
    assert code == 0 and output["changed"] is True
    assert output["url"] == BASE + "/req/req123456/r" and output["url_token"] == "req123456"
    assert "passphrase" not in output["request"] and output["request"]["passphrase_protected"] is True
    assert output["request"]["response_tokens"] == ["push98765"]
    method, url, kwargs = calls[-1]
    assert (method, url) == ("POST", BASE + "/api/v2/requests")
    # close_after_duration is the server's name; the CLI's expire_after_duration would be dropped.
    assert kwargs["json"] == {"request": {"request": "Send the key", "name": "key", "passphrase": "a-long-phrase-1",
                                          "close_after_duration": 13, "notify_emails_to": "v@example.com"}}
    assert "a-long-phrase-1" not in json.dumps(output)


def test_check_mode_creates_nothing(http, capsys):
    calls, answers = http
    answers.extend([response(200, PRO)])
    code, output = run(pwpush_request.main, {"request": "Send the key", "_ansible_check_mode": True}, capsys)
    assert code == 0 and output["changed"] is True and output["url"] is None
    assert [c[0] for c in calls] == ["GET"]


def test_open_source_server_fails_in_one_sentence_before_any_write(http, capsys):
    calls, answers = http
    answers.extend([response(200, OSS)])
    code, output = run(pwpush_request.main, {"request": "Send the key"}, capsys)
    assert code == 1 and output["failed"]
    assert "does not serve requests" in output["msg"] and "features.requests.enabled is false" in output["msg"]
    assert output["msg"].count(". ") == 0
    assert [c[0] for c in calls] == ["GET"]


def test_v1_server_fails_clearly(http, capsys):
    calls, answers = http
    answers.extend([response(404, raw="<html>Not Found</html>"), response(200, {"application_version": "2.2.2"})])
    code, output = run(pwpush_request_info.main, {"list": "active"}, capsys)
    assert code == 1 and "speaks only API v1" in output["msg"]


def test_bad_input_fails_before_any_request(http, capsys):
    calls, _answers = http
    for args, option in (({"request": "Send", "expire_after_duration": "99"}, "expire_after_duration"),
                         ({"request": "Send", "notify_emails_to": ["a@example.com", "A@example.com"]},
                          "notify_emails_to"),
                         ({"request": "Send", "passphrase": "short"}, "passphrase"),
                         ({"request": "   "}, "request")):
        code, output = run(pwpush_request.main, args, capsys)
        assert code == 1 and option in output["msg"], output["msg"]
    assert calls == []


def test_expire_is_truthful(http, capsys):
    calls, answers = http
    expired = dict(REQUEST, expired=True)
    answers.extend([response(200, PRO), response(200, REQUEST), response(200, expired)])
    code, output = run(pwpush_request.main, {"state": "absent", "url_token": BASE + "/req/req123456/r"}, capsys)
    assert code == 0 and output["changed"] is True and output["expired_tokens"] == ["req123456"]
    assert calls[-1][0] == "DELETE" and calls[-1][1] == BASE + "/api/v2/requests/req123456"
    calls[:] = []
    answers.extend([response(200, PRO), response(200, expired)])
    code, output = run(pwpush_request.main, {"state": "absent", "url_token": "req123456"}, capsys)
    assert code == 0 and output["changed"] is False
    assert "DELETE" not in [c[0] for c in calls]


def test_expire_in_check_mode_writes_nothing(http, capsys):
    calls, answers = http
    answers.extend([response(200, PRO), response(200, REQUEST)])
    code, output = run(pwpush_request.main, {"state": "absent", "url_token": "req123456", "_ansible_check_mode": True},
                       capsys)
    assert code == 0 and output["changed"] is True
    assert [c[0] for c in calls] == ["GET", "GET"]


def test_reuse_existing_by_name(http, capsys):
    calls, answers = http
    answers.extend([response(200, PRO), response(200, [REQUEST])])
    code, output = run(pwpush_request.main, {"request": "Send the key", "name": "key", "reuse_existing": True,
                                             "passphrase": "a-long-phrase-1"}, capsys)
    assert code == 0 and output["changed"] is False and output["reused"] is True
    assert output["url_token"] == "req123456"
    assert "POST" not in [c[0] for c in calls]


def test_a_request_behind_a_passphrase_is_not_reused_for_one_without(http, capsys):
    _calls, answers = http
    answers.extend([response(200, PRO), response(200, [REQUEST])])
    code, output = run(pwpush_request.main, {"request": "Send the key", "name": "key", "reuse_existing": True,
                                             "_ansible_check_mode": True}, capsys)
    assert code == 0 and output["changed"] is True and output["reused"] is False


def test_token_is_required(http, capsys):
    calls, _answers = http
    code, output = run_main(pwpush_request.main, {"url": BASE, "request": "Send the key"}, capsys)
    assert code == 1 and "needs token" in output["msg"] and calls == []


def test_info_shows_the_responses_and_refuses_retrieval(http, capsys):
    calls, answers = http
    answers.extend([response(200, PRO), response(200, REQUEST)])
    code, output = run(pwpush_request_info.main, {"url_token": "req123456"}, capsys)
    assert code == 0 and output["changed"] is False
    assert output["request"]["response_tokens"] == ["push98765"]
    assert "a-long-phrase-1" not in json.dumps(output)
    code, output = run(pwpush_request_info.main, {"url_token": "req123456", "retrieve": True}, capsys)
    assert code == 1 and "pwpush_push_retrieve" in output["msg"]
    assert len(calls) == 2


def test_info_wording_for_403_and_404(http, capsys):
    _calls, answers = http
    answers.extend([response(200, PRO), response(403, {"error": "That request doesn't belong to you."})])
    _code, output = run(pwpush_request_info.main, {"url_token": "req123456"}, capsys)
    assert "the request does not belong to this token's user" in output["msg"]
    answers.extend([response(200, PRO), response(404, {"error": "not-found"})])
    _code, output = run(pwpush_request_info.main, {"url_token": "req123456"}, capsys)
    assert "request not found (HTTP 404)" in output["msg"]


def test_instance_info_reports_requests(http, capsys):
    _calls, answers = http
    for version, served in ((PRO, True), (OSS, False)):
        answers.append(response(200, version))
        code, output = run(pwpush_instance_info.main, {}, capsys)
        assert code == 0 and output["requests"] is served


def test_passphrase_inside_the_link_is_refused_in_check_mode_too(http, capsys):
    calls, _answers = http
    code, output = run(pwpush_request.main, {"request": "Send the key", "passphrase": "pw.example.test/req/",
                                             "_ansible_check_mode": True}, capsys)
    assert code == 1 and "fixed text" in output["msg"] and calls == []
