# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

import pytest

from ansible.module_utils import basic
from ansible.module_utils.ansible_release import __version__ as ansible_core_version

from ansible_collections.oneshot.secrets.plugins.modules import pushsecurity_stolen_credentials as module_under_test
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_args import run_main
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import response


def creds(count):
    return [{"email": "user%d@example.com" % i, "password": "leaked-pw-%d" % i} for i in range(count)]


def run_module(args, capsys):
    args = dict({"url": "https://ps.example.test", "api_key": "test-api-key-1"}, **args)
    return run_main(module_under_test.main, args, capsys)


def test_check_mode_counts_through_the_client_and_sends_nothing(http, capsys):
    calls, _answers = http
    code, output = run_module({"credentials": creds(1200), "_ansible_check_mode": True}, capsys)
    assert code == 0 and output["changed"] is True
    assert output["submitted"] == 1200 and output["batches"] == 3 and len(output["emails"]) == 1200
    assert calls == [] and "leaked-pw-" not in json.dumps(output)


@pytest.mark.parametrize("args, message", [
    ({"batch_size": 501}, r"^batch_size must be between 1 and 500 \(the API's limit\), got 501\.$"),
    ({"batch_size": 0}, r"^batch_size must be between 1 and 500 \(the API's limit\), got 0\.$"),
    ({"api_key": ""}, r"^api_key is required"),
    ({"credentials": [{"email": "user0@example.com:leaked-pw-0", "password": "leaked-pw-0"}]},
     r"^credentials\[1\]: email is not an email address"),
    # The item named as the client names it, not Ansible's "missing required arguments: password found in credentials".
    ({"credentials": creds(1) + [{"email": "user1@example.com"}]}, r"^credentials\[2\] \(user1@example.com\) has no password\.$"),
    ({"credentials": creds(1) + [{"password": "leaked-pw-1"}]}, r"^credentials\[2\] has no email\.$"),
])
@pytest.mark.parametrize("check_mode", [False, True])
def test_the_client_refuses_bad_input_before_any_request(http, capsys, args, message, check_mode):
    calls, _answers = http
    args = dict({"credentials": creds(2), "_ansible_check_mode": check_mode}, **args)
    code, output = run_module(args, capsys)
    assert code == 1 and output["failed"]
    assert re.search(message, output["msg"]), output["msg"]
    assert calls == [] and "leaked-pw-" not in json.dumps(output)


def test_10000_credentials_mask_linearly_and_a_password_inside_an_email_stays_masked(http, capsys, monkeypatch):
    calls, answers = http
    items = creds(10000) + [{"email": "summer2024@example.com", "password": "summer2024"}]
    answers.extend([response(200, {"result": []})] * 21)
    masked_with = []

    def remove_values(value, no_log_strings):
        masked_with.append((isinstance(value, str), set(no_log_strings)))
        return real_remove_values(value, no_log_strings)

    real_remove_values = basic.remove_values
    monkeypatch.setattr(basic, "remove_values", remove_values)
    args = {"credentials": items}
    if tuple(int(part) for part in ansible_core_version.split(".")[:2]) >= (2, 20):
        args["_ansible_inject_invocation"] = True  # since 2.20 the invocation is returned only when asked for
    code, output = run_module(args, capsys)
    # AnsibleModule searches every result string for every no_log value: with the 10,001 passwords among
    # them that is minutes in a playbook. Only the api key and the password shown inside an email are left.
    # The result is masked with the narrowed set; the full set only ever masks a single string (the start-up log
    # line, and on some ansible-core versions a log line at exit), which stays linear.
    assert (False, {"test-api-key-1", "summer2024"}) in masked_with
    assert all(is_string for is_string, strings in masked_with if len(strings) > 2)
    assert code == 0 and output["submitted"] == 10001 and output["batches"] == 21
    assert output["emails"][0] == "user0@example.com" and output["emails"][-1] == "********@example.com"
    assert output["invocation"]["module_args"]["credentials"] == "10001 credential(s), not shown"
    assert "leaked-pw-" not in json.dumps(output) and "summer2024" not in json.dumps(output)
    assert len(calls) == 21


class FakeModule:
    def __init__(self, params, no_log_values):
        self.params = params
        self.no_log_values = set(no_log_values)


def test_masking_keeps_other_no_log_values_and_a_password_that_is_also_the_api_key():
    items = [{"email": "a@example.com", "password": "pw-a-1"}, {"email": "b@example.com", "password": "same-as-key"}]
    module = FakeModule({"credentials": items, "api_key": "same-as-key"}, ["pw-a-1", "same-as-key", "other-secret"])
    module_under_test.keep_masking_linear(module, items)
    assert module.no_log_values == {"same-as-key", "other-secret"}
    assert module.params["credentials"] == "2 credential(s), not shown"
