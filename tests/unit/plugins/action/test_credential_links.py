# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin's choice (in Ansible's process or the module on the host) and what it hands the shared code.
The run itself is the module's (tests/unit/plugins/modules/test_credential_links.py, the integration target)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from unittest.mock import MagicMock

import pytest

from ansible_collections.oneshot.secrets.plugins.action import credential_links as action
from ansible_collections.oneshot.secrets.plugins.module_utils._credential_links import InputError

GIVEN = "given-password-0123"


def make(args, transport="local", become=False, async_val=0, check_mode=False, environment=None):
    task = MagicMock(args=args, async_val=async_val, check_mode=check_mode, environment=environment,
                     action="oneshot.secrets.credential_links")
    connection = MagicMock(transport=transport, has_native_async=False)
    connection._shell.tmpdir = None
    templar = MagicMock()
    templar.template.side_effect = lambda value: value
    plugin = action.ActionModule(task, connection, MagicMock(become=become), MagicMock(), templar, None)
    plugin._execute_module = MagicMock(return_value={"changed": False, "from": "module"})
    plugin._remove_tmp_path = MagicMock()
    return plugin


@pytest.fixture
def seen(monkeypatch):
    """Stands in for the shared run: keeps what it was given, answers with a failure that quotes a secret."""
    calls = []

    def outcome(task, environ, report=None):
        calls.append((task, environ))
        task.warn("a warning")
        return None, dict(msg="the server said %s" % GIVEN, status=500)

    monkeypatch.setattr(action, "outcome", outcome)
    return calls


@pytest.mark.parametrize("where", [dict(transport="ssh"), dict(become=True)])
def test_elsewhere_the_module_runs_on_the_host(where, seen):
    plugin = make({"people": ["ann"]}, **where)
    assert plugin.run(task_vars={})["from"] == "module"
    assert plugin._execute_module.call_args.kwargs["module_name"] == "oneshot.secrets.credential_links"
    assert "wrap_async" not in plugin._execute_module.call_args.kwargs
    assert not seen


@pytest.mark.parametrize("transport", ["local", "ssh"])
def test_async_is_refused_before_anything_runs(transport, seen):
    plugin = make({"people": ["ann"]}, transport=transport, async_val=60)
    result = plugin.run(task_vars={})
    assert result["failed"] and "cannot run with async" in result["msg"] and "job file" in result["msg"]
    assert not plugin._execute_module.called and not seen


@pytest.mark.parametrize("no_log, warned", [(False, True), (True, False)])
@pytest.mark.parametrize("transport", ["local", "ssh"])
def test_new_passwords_without_no_log_are_warned_about(no_log, warned, transport, monkeypatch):
    monkeypatch.setattr(action, "outcome", lambda task, environ, report=None: (dict(passwords={"ann": "x" * 20}, links=[]), None))
    plugin = make({"people": ["ann"]}, transport=transport)
    plugin._task.no_log = no_log
    plugin._execute_module.return_value = dict(passwords={"ann": "x" * 20}, links=[])
    result = plugin.run(task_vars={})
    assert (action.NO_LOG_WARNING in result.get("warnings", [])) is warned


def test_on_the_controller_the_shared_code_runs_here(seen, monkeypatch):
    monkeypatch.setenv("PWPUSH_URL", "https://from.controller.example")
    people = [{"name": "ann", "password": GIVEN}] + ["person%d" % n for n in range(100)]
    plugin = make({"people": people, "concurrency": "4"}, check_mode=True,
                  environment=[{"PWPUSH_TOKEN": "from-the-task"}, {"PWPUSH_EMAIL": 7}])
    result = plugin.run(task_vars={})
    task, environ = seen[0]
    assert not plugin._execute_module.called
    assert task.check_mode is True
    assert task.params["people"] is people  # not copied
    assert task.params["concurrency"] == 4 and task.params["service"] == "pwpush"  # validated, defaults filled
    assert environ["PWPUSH_URL"] == "https://from.controller.example"
    assert environ["PWPUSH_TOKEN"] == "from-the-task" and environ["PWPUSH_EMAIL"] == "7"
    # A given password is masked everywhere in the result, as AnsibleModule masks it.
    assert result["failed"] and GIVEN not in repr(result) and result["status"] == 500
    assert result["warnings"] == ["a warning"]


@pytest.mark.parametrize("args, words", [
    ({"people": ["ann"], "bogus": 1}, ["Unsupported parameters for (oneshot.secrets.credential_links) module", "bogus"]),
    ({"people": ["ann"], "views": "many"}, ["views"]),
    ({}, ["people"]),
])
def test_refused_arguments_name_the_option_before_any_request(args, words, seen):
    result = make(args).run(task_vars={})
    assert result["failed"] and not seen
    for word in words:
        assert word in result["msg"]


def test_a_refused_argument_does_not_show_a_given_password(seen):
    result = make({"people": [{"name": "ann", "password": GIVEN}], "views": GIVEN}).run(task_vars={})
    assert result["failed"] and GIVEN not in repr(result)


def test_boolean_refusal_is_an_input_error():
    task = action.ControllerTask({}, False, [])
    assert task.boolean("no") is False and task.boolean(None) is None
    with pytest.raises(InputError):
        task.boolean("maybe")


@pytest.mark.parametrize("value, held", [
    ({"links": [{"name": "ann", "link": "https://x/p/abc/r"}], "created": 0}, False),
    ({"links": [{"name": "ann", "link": "https://x/p/abc/r?t=TOKEN-1"}]}, True),
    ({"nested": [("a", {"deep": {"x": "xx TOKEN-1 xx"}})]}, True),
    ({"count": 12345}, True),  # a number that holds a no_log value is masked by remove_values too
    ({"flag": True, "none": None}, False),
])
def test_holds_any_agrees_with_remove_values(value, held):
    secrets = {"TOKEN-1", "2345"}
    assert action.holds_any(value, secrets) is held
    assert (action.remove_values(value, secrets) != value) is held


@pytest.mark.parametrize("password", ["a", "alice", "s3cr3t"])
def test_a_short_password_is_refused_in_plain_words_not_masked(password, seen):
    result = make({"people": [{"name": "alice", "email": "alice@example.com", "password": password}]}).run(task_vars={})
    assert result["failed"] and not seen
    assert result["msg"] == "people[1] (alice): password must be a string of 8 to 1024 characters."


@pytest.mark.parametrize("people", [
    [{"name": "alice-the-admin", "password": "alice-the-admin"}],
    [{"name": "bob", "email": "bob.secret-word@example.com", "password": "secret-word"}],
    [{"name": "ann", "password": "carol-smith"}, "carol-smith-jr"],
])
def test_a_password_that_masking_would_find_in_a_name_or_email_is_refused(people, monkeypatch):
    monkeypatch.setattr(action, "outcome", action.outcome)  # the real run: refused before any request
    result = make({"people": people, "url": "https://pw.example.test"}).run(task_vars={})
    assert result["failed"] and result["msg"] == (
        "people[1]: password must not be part of a name or email of people: Ansible masks it wherever it occurs in "
        "the result, so that name, its email and its line would show ********.")


TOKEN = "task-token-0123456789"


def test_a_no_log_option_given_in_the_task_is_masked(monkeypatch):
    """The token (no_log in the spec) is masked in the result, known from the spec, not from ansible-core's
    private validator state."""
    def outcome(task, environ, report=None):
        assert TOKEN in task.no_log_values
        return None, dict(msg="the server refused %s" % TOKEN, status=401)

    monkeypatch.setattr(action, "outcome", outcome)
    result = make({"people": ["ann"], "token": TOKEN}).run(task_vars={})
    assert result["failed"] and result["status"] == 401
    assert TOKEN not in repr(result) and "********" in result["msg"]


def test_a_no_log_option_is_masked_in_a_refusal_too(seen):
    result = make({"people": ["ann"], "token": TOKEN, "views": TOKEN}).run(task_vars={})
    assert result["failed"] and not seen and TOKEN not in repr(result)


@pytest.mark.parametrize("value, found", [
    ("s3cret-value", {"s3cret-value"}),
    (12345678, {"12345678"}),
    ("", set()),
    (None, set()),
    (True, set()),
    ({"a": ["x-secret", {"b": 1.5}]}, {"x-secret", "1.5"}),
])
def test_secret_values_are_the_texts_of_no_log_options(value, found):
    spec = {"token": {"type": "raw", "no_log": True}, "url": {"type": "str"}}
    assert action.secret_values(spec, {"token": value, "url": "https://shown.example"}) == found


def test_secret_values_of_suboptions():
    spec = {"servers": {"type": "list", "elements": "dict", "options": {
        "name": {"type": "str"}, "key": {"type": "str", "no_log": True}}},
        "one": {"type": "dict", "options": {"password": {"type": "str", "no_log": True}}}}
    params = {"servers": [{"name": "a", "key": "key-one"}, {"name": "b", "key": None}], "one": {"password": "pw-two"}}
    assert action.secret_values(spec, params) == {"key-one", "pw-two"}


def test_the_plugin_reads_no_private_validator_state():
    with open(action.__file__, encoding="utf-8") as source:
        assert "_no_log_values" not in source.read()
