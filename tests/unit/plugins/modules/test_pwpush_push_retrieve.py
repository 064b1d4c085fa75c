# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oneshot.secrets.plugins.modules import pwpush_push_retrieve
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_args import run_main
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import response

OSS_VERSION = {"application_version": "2.11.4", "api_version": "2.1", "edition": "oss", "features": {}}
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


def test_max_download_bytes_must_be_positive(http, capsys, tmp_path):
    calls, _answers = http
    code, output = run_module({"dest": str(tmp_path), "max_download_bytes": 0}, capsys)
    assert code == 1 and "max_download_bytes must be at least 1" in output["msg"] and calls == []


def test_download_timeout_must_be_positive(http, capsys, tmp_path):
    calls, _answers = http
    code, output = run_module({"dest": str(tmp_path), "download_timeout": 0}, capsys)
    assert code == 1 and "download_timeout must be a number of seconds above 0" in output["msg"] and calls == []


def test_a_name_conflict_after_the_retrieval_still_returns_the_payload(http, capsys, tmp_path):
    (tmp_path / "vpn.ovpn").write_bytes(b"mine")
    calls, answers = http
    answers.extend([response(200, OSS_VERSION), response(200, FILE_PUSH)])
    code, output = run_module({"dest": str(tmp_path)}, capsys)
    assert code == 1 and "exists already: set force=true" in output["msg"]
    assert output["payload"] == "a note for you" and output["files"] == [] and output["changed"] is True
    assert (tmp_path / "vpn.ovpn").read_bytes() == b"mine"
