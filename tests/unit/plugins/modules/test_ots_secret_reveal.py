# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.oneshot.secrets.plugins.modules import ots_secret_reveal
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_args import run_main
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import response

KEY = "2w8f1r5gk1b6wz0c8cxnb0ojnj3ls7ck"


def run_module(args, capsys):
    return run_main(ots_secret_reveal.main, dict({"url": "https://ots.example.test"}, **args), capsys)


def test_check_mode_reveals_nothing(http, capsys):
    calls, answers = http
    code, output = run_module({"secret_key": KEY, "_ansible_check_mode": True}, capsys)
    assert code == 0 and output["changed"] is False and output["value"] is None
    assert calls == []


def test_reveal_destroys_and_says_changed(http, capsys):
    calls, answers = http
    answers.append(response(200, {"value": "s3cret-value", "secret_key": KEY}))
    code, output = run_module({"secret_key": "https://ots.example.test/secret/" + KEY, "passphrase": "pass-phrase"},
                              capsys)
    assert code == 0 and output["changed"] is True and output["value"] == "s3cret-value"
    assert calls[0][0] == "POST" and calls[0][1].endswith("/api/v1/secret/" + KEY)
    assert "pass-phrase" not in json.dumps(output)


@pytest.mark.parametrize("key", ["tooshort", "https://host/nothing/here"])
def test_malformed_keys_fail_before_any_request(key, http, capsys):
    calls, answers = http
    code, output = run_module({"secret_key": key}, capsys)
    assert code == 1 and "secret_key" in output["msg"] and calls == []
