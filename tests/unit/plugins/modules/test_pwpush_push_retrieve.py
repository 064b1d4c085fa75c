# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.modules import pwpush_push_retrieve
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_args import run_main
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import canned, response

OSS_VERSION = canned("pwpush_version_oss")
PUSH = {"url_token": "tok123456", "payload": "s3cret-value", "passphrase": "open sesame", "expired": False,
        "views_remaining": 0}


def run_module(args, capsys):
    return run_main(pwpush_push_retrieve.main, dict({"url": "https://pw.example.test", "url_token": "tok123456"}, **args), capsys)


def test_check_mode_only_previews(http, capsys):
    calls, answers = http
    answers.extend([response(200, OSS_VERSION), response(200, {"url": "https://pw.example.test/p/tok123456"})])
    code, output = run_module({"_ansible_check_mode": True}, capsys)
    assert code == 0 and output["changed"] is False
    assert "payload" not in output
    assert calls[-1][1].endswith("/api/v2/pushes/tok123456/preview")


def test_anonymous_retrieval_counts_a_view_and_hides_the_passphrase(http, capsys):
    calls, answers = http
    answers.extend([response(200, OSS_VERSION), response(200, PUSH)])
    code, output = run_module({"passphrase": "open sesame"}, capsys)
    assert code == 0 and output["changed"] is True
    assert output["payload"] == "s3cret-value"
    assert "passphrase" not in output["push"] and output["push"]["passphrase_protected"] is True
    assert calls[-1][2]["params"] == {"passphrase": "open sesame"}


def test_owner_retrieval_counts_no_view(http, capsys):
    calls, answers = http
    answers.extend([response(200, OSS_VERSION), response(200, PUSH), response(200, {"logs": []})])
    code, output = run_module({"token": "owner-token"}, capsys)
    assert code == 0 and output["changed"] is False
    assert calls[-1][1].endswith("/audit")


def test_url_token_is_required(http, capsys):
    calls, answers = http
    _code, output = run_main(pwpush_push_retrieve.main, {"url": "https://pw.example.test"}, capsys)
    assert output["failed"] and "url_token" in output["msg"] and calls == []


FILE_PUSH = {"url_token": "tok123456", "payload": "a note for you", "passphrase": "", "expired": False,
             "views_remaining": 1,
             "files": [{"filename": "vpn.ovpn", "content_type": "application/octet-stream",
                        "url": "https://pw.example.test/pfb/blobs/redirect/s1--ab/vpn.ovpn"}]}


def download(content):
    return response(200, content=content, headers={"Content-Length": str(len(content)),
                                                   "Content-Type": "application/octet-stream"})


def test_dest_saves_the_attachments_and_is_a_change(http, capsys, tmp_path):
    calls, answers = http
    answers.extend([response(200, OSS_VERSION), response(200, FILE_PUSH), download(b"client\nremote vpn\n")])
    code, output = run_module({"dest": str(tmp_path)}, capsys)
    assert code == 0 and output["changed"] is True, output
    assert [f["filename"] for f in output["files"]] == ["vpn.ovpn"] and output["files"][0]["size"] == 18
    assert (tmp_path / "vpn.ovpn").read_bytes() == b"client\nremote vpn\n"
    assert "remote vpn" not in str(output)
    assert calls[-1][1] == "https://pw.example.test/pfb/blobs/redirect/s1--ab/vpn.ovpn"
    assert calls[-1][2]["timeout"] == 900.0 and calls[1][2]["timeout"] == 30.0


def test_check_mode_with_dest_downloads_and_writes_nothing(http, capsys, tmp_path):
    calls, answers = http
    answers.extend([response(200, OSS_VERSION), response(200, {"url": "https://pw.example.test/p/tok123456"})])
    code, output = run_module({"dest": str(tmp_path), "_ansible_check_mode": True}, capsys)
    assert code == 0 and output["changed"] is False and output["files"] == []
    assert calls[-1][1].endswith("/preview") and list(tmp_path.iterdir()) == []


def test_a_missing_dest_fails_before_the_retrieval(http, capsys, tmp_path):
    calls, _answers = http
    code, output = run_module({"dest": str(tmp_path / "nope")}, capsys)
    assert code == 1 and "does not exist" in output["msg"] and calls == []


@pytest.mark.parametrize("option, value, said", [
    ("max_download_bytes", 0, "max_download_bytes must be between 1 and 1099511627776 bytes (got 0)."),
    ("max_push_bytes", -5, "max_push_bytes must be between 1 and 1099511627776 bytes (got -5)."),
    ("max_push_bytes", 2 ** 41, "max_push_bytes must be between 1 and 1099511627776 bytes (got 2199023255552)."),
    ("max_files", 0, "max_files must be between 1 and 1000 (got 0)."),
    ("max_files", 1001, "max_files must be between 1 and 1000 (got 1001)."),
    ("download_timeout", 0, "download_timeout must be above 0 and at most 86400 seconds (got 0)."),
    ("download_timeout", "inf", "download_timeout must be a finite number, above 0 and at most 86400 seconds "
                                "(got inf)."),
    ("download_timeout", "nan", "download_timeout must be a finite number, above 0 and at most 86400 seconds "
                                "(got nan)."),
])
def test_every_number_is_checked_before_any_request(http, capsys, tmp_path, option, value, said):
    calls, _answers = http
    code, output = run_module({"dest": str(tmp_path), option: value}, capsys)
    assert code == 1 and output["msg"] == said and calls == []


def test_a_name_conflict_after_the_retrieval_still_returns_the_payload(http, capsys, tmp_path):
    (tmp_path / "vpn.ovpn").write_bytes(b"mine")
    calls, answers = http
    answers.extend([response(200, OSS_VERSION), response(200, FILE_PUSH)])
    code, output = run_module({"dest": str(tmp_path)}, capsys)
    assert code == 1 and "exists already: set force=true" in output["msg"]
    assert output["payload"] == "a note for you" and output["files"] == [] and output["changed"] is True
    assert (tmp_path / "vpn.ovpn").read_bytes() == b"mine"


def warning_text(entry):
    """A warning's text: a string, or (ansible-core 2.19 and later) an event whose "msg" holds it."""
    while isinstance(entry, dict):
        entry = entry.get("msg", entry.get("event", ""))
    return entry


def test_a_renamed_attachment_is_said_in_the_result_and_a_warning(http, capsys, tmp_path):
    calls, answers = http
    hostile = dict(FILE_PUSH, files=[dict(FILE_PUSH["files"][0], filename="\x1b]0;pwned\x07.bashrc")])
    answers.extend([response(200, OSS_VERSION), response(200, hostile), download(b"alias ls='rm -rf ~'\n")])
    code, output = run_module({"dest": str(tmp_path)}, capsys)
    assert code == 0 and output["files"][0]["renamed"] is True
    assert output["files"][0]["path"] == str(tmp_path / "_]0;pwned_.bashrc")
    assert [p.name for p in tmp_path.iterdir()] == ["_]0;pwned_.bashrc"]
    warning = "The attachment the server named '\\x1b]0;pwned\\x07.bashrc' was saved as %s" % (
        tmp_path / "_]0;pwned_.bashrc")
    texts = [warning_text(entry) for entry in output["warnings"]]
    assert any(text.startswith(warning) for text in texts), output["warnings"]
    assert "\x1b" not in " ".join(texts) and "\x07" not in " ".join(texts)


def test_more_files_than_max_files_fail_with_the_payload_and_nothing_saved(http, capsys, tmp_path):
    calls, answers = http
    many = dict(FILE_PUSH, files=[dict(FILE_PUSH["files"][0], filename="f%d" % n) for n in range(11)])
    answers.extend([response(200, OSS_VERSION), response(200, many)])
    code, output = run_module({"dest": str(tmp_path)}, capsys)
    assert code == 1 and "has 11 attachments, more than max_files (10)" in output["msg"]
    assert output["payload"] == "a note for you" and output["files"] == [] and list(tmp_path.iterdir()) == []
    assert len(calls) == 2
