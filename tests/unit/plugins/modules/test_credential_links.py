# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import itertools
import json
import threading

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._credential_links import DEFAULT_ALPHABET
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.reuse import BULK_NOTE
from ansible_collections.oneshot.secrets.plugins.modules import credential_links
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_args import run_main
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, response

BASE = "https://pw.example.test"
OTS = "https://ots.example.test"
OSS_VERSION = {"application_version": "2.11.4", "api_version": "2.1", "edition": "oss", "features": {}}
HOSTED_VERSION = dict(OSS_VERSION, edition="commercial")
GIVEN = "given-password-0123"


@pytest.fixture(autouse=True)
def no_environment(monkeypatch):
    for name in ("PWPUSH_URL", "PWPUSH_TOKEN", "PWPUSH_EMAIL", "OTS_URL", "OTS_USERNAME", "OTS_TOKEN",
                 "PWPUSH_VALIDATE_CERTS", "OTS_VALIDATE_CERTS", "PWPUSH_CA_PATH", "OTS_CA_PATH", "PWPUSH_API_VERSION"):
        monkeypatch.delenv(name, raising=False)


def run_module(args, capsys, service="pwpush"):
    base = {"url": BASE, "token": "api-token-0001"} if service == "pwpush" else {
        "service": "ots", "url": OTS, "username": "owner@example.com", "api_token": "ots-token-0001"}
    return run_main(credential_links.main, dict(base, **args), capsys)


def push(token, name=None, expired=False, **fields):
    """A listed push as credential_links makes it (text, its note, no passphrase), unless fields say otherwise."""
    return dict({"url_token": token, "html_url": BASE + "/p/" + token, "name": name, "expired": expired,
                 "retrieval_step": True, "deletable_by_viewer": False, "note": BULK_NOTE, "passphrase": "",
                 "created_at": "2026-12-05T11:55:20.123Z", "expire_after_days": 1}, **fields)


class Server:
    """Answers by path (the module runs creates in parallel): version, the active list, creates."""

    def __init__(self, monkeypatch, version=None, active=(), create_answers=None):
        self.version = version or OSS_VERSION
        self.active = list(active)
        self.create_answers = list(create_answers or [])
        self.numbers = itertools.count()
        self.lock = threading.Lock()
        self.calls = ScriptedSession.everywhere(monkeypatch, server=self.request).calls

    def request(self, method, url, **kwargs):
        with self.lock:
            if url.endswith("/api/v2/version"):
                return response(200, self.version)
            if url.endswith("/api/v2/pushes/active"):
                page = kwargs["params"]["page"]
                return response(200, self.active[(page - 1) * 50:page * 50])
            if url.endswith("/audit") and getattr(self, "audit", None) is not None:
                return response(200, self.audit)
            if method == "POST" and url.endswith("/api/v2/pushes"):
                if self.create_answers:
                    return self.create_answers.pop(0)
                return response(201, push("tok%06d" % next(self.numbers), kwargs["json"]["push"].get("name")))
            raise AssertionError("unexpected request %s %s" % (method, url))

    def creates(self):
        return [call[2]["json"]["push"] for call in self.calls if call[0] == "POST"]


@pytest.mark.parametrize("args, message", [
    ({"people": ["ann", "bob", "ann"]}, "people names ann twice"),
    ({"people": []}, "people is empty"),
    ({"people": ["ann"], "password_length": 7}, "password_length must be between 8"),
    ({"people": ["ann"], "views": 0}, "views must be between 1 and 100"),
    ({"people": [{"name": "ann", "views": 101}]}, "people[1] (ann): views must be between 1 and 100"),
    ({"people": [{"name": "ann", "password": "short"}]}, "people[1] (ann): password must be a string of 8"),
    ({"people": [{"email": "ann@example.com"}]}, "people[1] has no name"),
    ({"people": [["ann"]]}, "people[1] must be a name or a dictionary"),
    ({"people": [{"name": "ann", "email": "ann at example.com"}], "send_email": True},
     "people[1] (ann): email 'ann at example.com' is not an address"),
    ({"people": ["ann"], "name_template": "password"}, "name_template must hold {name}"),
    ({"people": ["ann"], "name_template": "{name} {other}"}, "name_template"),
    ({"people": ["ann"], "concurrency": 9}, "concurrency must be between 1 and 8"),
    ({"people": ["ann"], "pace": -1}, "pace must be 0"),
    ({"people": ["ann"], "password_alphabet": "ab c"}, "password_alphabet must hold printable"),
    ({"people": ["ann"], "password_alphabet": "aaaa"}, "password_alphabet must hold at least 2"),
    ({"people": ["ann"], "ttl_hours": 0}, "ttl_hours must be above 0"),
    ({"people": ["ann"], "username": "someone@example.com"}, "username is an option of service=ots"),
    ({"people": ["ann"], "stage": "push"}, "stage=push needs pending"),
    ({"people": ["ann"], "pending": ["ann"]}, "pending and passwords are options of stage=push"),
    ({"people": ["ann"], "stage": "push", "pending": ["bob"]}, "pending names bob, who is not in people"),
    ({"people": ["ann"], "stage": "push", "pending": ["ann"], "passwords": {"ann": "short"}},
     "passwords has no password of 8 to 1024 characters for ann"),
])
def test_bad_input_fails_before_any_request(args, message, http, capsys):
    calls, _answers = http
    args["people"] = [dict(person, password=GIVEN) if isinstance(person, dict) and "password" not in person
                      and "name" in person else person for person in args["people"]]
    code, output = run_module(args, capsys)
    assert code == 1 and output["failed"]
    assert message in output["msg"], output["msg"]
    assert calls == []
    text = json.dumps(output)
    assert GIVEN not in text and "api-token-0001" not in text


@pytest.mark.parametrize("args, message", [
    ({"people": ["ann"], "views": 2}, "views must be 1 with service=ots"),
    ({"people": ["ann"], "ttl_hours": 800}, "ttl_hours=800.0 is outside what onetimesecret keeps: 1 minute (0.0167) to 720 hours"),
    ({"people": [{"name": "ann", "email": "ann@example.com"}], "send_email": True, "api_token": None,
      "username": None}, "send_email with service=ots needs an account"),
    ({"people": ["ann"], "token": "pw-token-0001"}, "token is an option of service=pwpush"),
    ({"people": ["ann"], "previous_links": [{"name": "ann", "link": "not a link"}]}, "previous_links[1] (ann)"),
    ({"people": ["ann"], "previous_links": [{"name": "ann", "link": OTS + "/secret/k", "expires": "tomorrow"}]},
     "previous_links[1] (ann): expires must be a time such as 2026-12-05T11:55:20Z"),
])
def test_bad_ots_input_fails_before_any_request(args, message, http, capsys):
    calls, _answers = http
    code, output = run_module(args, capsys, service="ots")
    assert code == 1 and message in output["msg"], output["msg"]
    assert calls == []


def test_first_run_creates_a_push_per_new_person_in_one_scan(monkeypatch, capsys):
    served = push("oldtoken001", "initial password for bob")
    others = [push("other%05d" % n, "something else %d" % n) for n in range(60)]  # two pages
    server = Server(monkeypatch, active=others[:10] + [served] + others[10:])
    code, output = run_module({"people": ["ann", {"name": "bob", "email": "bob@example.com"},
                                          {"name": "cid", "password": GIVEN, "views": 3, "ttl_hours": 72}],
                               "password_length": 24}, capsys)
    assert code == 0, output
    assert output["changed"] is True and output["created"] == 2 and output["reused"] == 1 and output["paced"] == 0
    assert [link["name"] for link in output["links"]] == ["ann", "bob", "cid"]
    assert output["links"][1] == {"name": "bob", "email": "bob@example.com", "link": BASE + "/p/oldtoken001/r",
                                  "expires": "2026-12-06T11:55:20Z", "reused": True}
    assert all(link["link"].endswith("/r") and not link["reused"] for link in output["links"][::2])
    # The lifetime the server gave each push (its answer), and creates that say credential_links made them.
    assert [link["expires"] for link in output["links"]] == ["2026-12-06T11:55:20Z"] * 3
    assert {call[2]["headers"]["User-Agent"] for call in server.calls if call[0] == "POST"} == {
        "oneshot.secrets (pwpush; kind=text; credential_links)"}
    # One scan for everybody: the version, two pages of the list, then only creates.
    pages = [call[2]["params"]["page"] for call in server.calls if "/active" in call[1]]
    assert pages == [1, 2]
    creates = server.creates()
    assert sorted(create["name"] for create in creates) == ["initial password for ann", "initial password for cid"]
    by_name = dict((create["name"], create) for create in creates)
    assert by_name["initial password for cid"]["payload"] == GIVEN
    assert by_name["initial password for cid"]["expire_after_views"] == 3
    assert by_name["initial password for cid"]["expire_after_days"] == 3
    assert by_name["initial password for ann"]["expire_after_days"] == 1
    # Generated on this host, of the length and alphabet asked; given passwords are not returned.
    assert list(output["passwords"]) == ["ann"]
    assert output["passwords"]["ann"] == by_name["initial password for ann"]["payload"]
    assert len(output["passwords"]["ann"]) == 24 and set(output["passwords"]["ann"]) <= set(DEFAULT_ALPHABET)
    assert GIVEN not in json.dumps(output) and "api-token-0001" not in json.dumps(output)
    agents = [call[2].get("headers", {}).get("User-Agent") for call in server.calls if call[0] == "POST"]
    assert all("kind=text" in agent for agent in agents)


def test_every_person_served_is_no_change(monkeypatch, capsys):
    server = Server(monkeypatch, active=[push("tok%03d" % n, "initial password for p%d" % n) for n in range(3)])
    code, output = run_module({"people": ["p0", "p1", "p2"]}, capsys)
    assert code == 0 and output["changed"] is False and output["created"] == 0 and output["reused"] == 3
    assert output["passwords"] == {}
    assert server.creates() == []


def test_the_newest_push_of_a_name_is_reused(monkeypatch, capsys):
    Server(monkeypatch, active=[push("newer0001", "initial password for ann"), push("older0001", "initial password for ann")])
    code, output = run_module({"people": ["ann"]}, capsys)
    assert code == 0 and output["links"][0]["link"] == BASE + "/p/newer0001/r"


@pytest.mark.parametrize("impostor", [
    dict(deletable_by_viewer=None, note=""),  # a URL push (to a phishing page) of the same name
    dict(passphrase="only-the-owner-knows"),  # a push behind a passphrase the person was never given
    dict(note="made by oneshot.secrets credential_links (kind=qr)"),  # another kind
    dict(note=""),  # made elsewhere: its kind cannot be told (the audit log names none)
], ids=["url", "passphrase", "qr", "unknown-kind"])
def test_a_push_of_the_same_name_that_is_not_the_same_push_is_never_reused(monkeypatch, capsys, impostor):
    server = Server(monkeypatch, active=[push("fake00001", "initial password for ann", **impostor),
                                         push("older0001", "initial password for ann")])
    server.audit = {"logs": []}
    code, output = run_module({"people": ["ann"]}, capsys)
    assert code == 0 and output["links"][0]["link"] == BASE + "/p/older0001/r" and output["reused"] == 1


def test_the_marked_pushes_are_reused_without_an_audit_request(monkeypatch, capsys):
    server = Server(monkeypatch, active=[push("tok%06d" % n, "initial password for p%d" % n) for n in range(60)])
    code, output = run_module({"people": ["p%d" % n for n in range(60)]}, capsys)
    assert code == 0 and output["reused"] == 60 and not any("/audit" in call[1] for call in server.calls)


def test_new_pushes_carry_the_note_that_marks_their_kind(monkeypatch, capsys):
    server = Server(monkeypatch)
    run_module({"people": ["ann"]}, capsys)
    created = [call[2]["json"]["push"] for call in server.calls if call[0] == "POST"]
    assert created and created[0]["note"] == BULK_NOTE


def test_check_mode_reads_and_creates_nothing(monkeypatch, capsys):
    server = Server(monkeypatch, active=[push("tok001", "initial password for bob")])
    code, output = run_module({"people": ["ann", "bob"], "_ansible_check_mode": True}, capsys)
    assert code == 0 and output["changed"] is True and output["created"] == 1 and output["reused"] == 1
    assert output["links"][0]["link"] is None and output["links"][1]["reused"] is True
    assert output["passwords"] == {}
    assert all(call[0] == "GET" for call in server.calls)


def test_without_a_token_nothing_is_reused_and_a_warning_says_so(monkeypatch, capsys):
    server = Server(monkeypatch)
    code, output = run_module({"people": ["ann"], "token": None}, capsys)
    assert code == 0 and output["created"] == 1
    assert "there is no token" in json.dumps(output["warnings"])
    assert not any("/active" in call[1] for call in server.calls)


def test_the_hosted_edition_gets_a_duration(monkeypatch, capsys):
    server = Server(monkeypatch, version=HOSTED_VERSION)
    code, output = run_module({"people": ["ann"], "ttl_hours": 5, "views": 2}, capsys)
    assert code == 0
    assert server.creates()[0]["expire_after_duration"] == 3  # 1 hour: the longest that is not longer than 5 hours
    assert "expire_after_days" not in server.creates()[0]


def test_send_email_asks_the_server_to_mail_each_person(monkeypatch, capsys):
    server = Server(monkeypatch)
    code, output = run_module({"people": [{"name": "ann", "email": "ann@example.com"}], "send_email": True}, capsys)
    assert code == 0 and server.creates()[0]["notify_emails_to"] == "ann@example.com"


def test_a_429_is_waited_out_and_makes_no_duplicate(monkeypatch, capsys):
    server = Server(monkeypatch, create_answers=[response(429, raw="Retry later\n", headers={"Retry-After": "0"})])
    code, output = run_module({"people": ["ann"], "retries": 0}, capsys)
    assert code == 0, output
    assert output["created"] == 1 and output["paced"] == 1
    assert len(server.creates()) == 2  # the refused one and the one stored


def test_a_failed_create_fails_the_task_and_keeps_what_was_made(monkeypatch, capsys):
    refused = response(422, {"payload": ["is invalid"]})
    server = Server(monkeypatch, create_answers=[response(201, push("tok000001", "initial password for ann")), refused])
    code, output = run_module({"people": ["ann", "bob"], "concurrency": 1}, capsys)
    assert code == 1
    assert output["msg"].startswith("Could not make the link of bob: ")
    assert "payload: is invalid" in output["msg"] and "1 of 2 new links were made" in output["msg"]
    assert output["created"] == 1 and output["links"][0]["link"] == BASE + "/p/tok000001/r"
    assert output["links"][1]["link"] is None
    assert list(output["passwords"]) == ["ann"]
    assert output["passwords"]["ann"] not in output["msg"]
    assert len(server.creates()) == 2


def test_a_server_error_is_one_sentence_naming_the_server(monkeypatch, capsys, http):
    calls, answers = http
    answers.append(response(401, {"error": "You need to sign in or sign up before continuing."}))
    code, output = run_module({"people": ["ann"]}, capsys)
    assert code == 1 and "HTTP 401" in output["msg"] and "api-token-0001" not in json.dumps(output)


def test_url_comes_from_the_service_variable(monkeypatch, capsys):
    monkeypatch.setenv("OTS_URL", "https://from-env.example.test")
    monkeypatch.setenv("PWPUSH_URL", "https://wrong.example.test")
    stub = ScriptedSession.everywhere(monkeypatch, [response(200, {
        "secret_key": "s" * 31, "metadata_key": "m" * 31, "ttl": 86400, "state": "new"})])
    code, output = run_main(credential_links.main, {"service": "ots", "people": ["ann"]}, capsys)
    assert code == 0, output
    assert [call[1] for call in stub.calls] == ["https://from-env.example.test/api/v1/share"]
    assert output["links"][0]["link"] == "https://from-env.example.test/secret/" + "s" * 31


def test_ots_reuses_previous_links_and_shares_the_others(http, capsys):
    calls, answers = http
    answers.append(response(200, {"secret_key": "k" * 31, "metadata_key": "m" * 31, "ttl": 7200, "state": "new",
                                  "created": 1796471720}))
    # The rows of the playbook's CSV (user,email,link,expires): user stands for name.
    previous = [{"user": "bob", "email": "", "link": OTS + "/secret/" + "b" * 31, "expires": "2096-01-01T00:00:00Z"},
                {"name": "cid", "link": ""}]
    code, output = run_module({"people": ["bob", {"name": "cid", "ttl_hours": 2}], "previous_links": previous}, capsys,
                              service="ots")
    assert code == 0, output
    assert output["links"] == [
        {"name": "bob", "email": None, "link": OTS + "/secret/" + "b" * 31, "expires": "2096-01-01T00:00:00Z",
         "reused": True},
        {"name": "cid", "email": None, "link": OTS + "/secret/" + "k" * 31, "expires": "2026-12-05T13:55:20Z",
         "reused": False}]
    assert output["created"] == 1 and output["reused"] == 1 and output["changed"] is True
    assert [call[1] for call in calls] == [OTS + "/api/v1/share"]
    form = calls[0][2]["data"]
    assert form["ttl"] == "7200" and form["secret"] == output["passwords"]["cid"]


def test_ots_check_mode_sends_nothing(http, capsys):
    calls, _answers = http
    code, output = run_module({"people": ["ann"], "_ansible_check_mode": True}, capsys, service="ots")
    assert code == 0 and output["changed"] is True and output["links"][0]["link"] is None and calls == []


def test_given_passwords_are_masked_in_the_invocation(monkeypatch, capsys):
    from ansible.module_utils.ansible_release import __version__ as ansible_core_version

    Server(monkeypatch)
    args = {"people": [{"name": "ann", "password": GIVEN}, "bob"]}
    if tuple(int(part) for part in ansible_core_version.split(".")[:2]) >= (2, 20):
        args["_ansible_inject_invocation"] = True  # since 2.20 the invocation is returned only when asked for
    code, output = run_module(args, capsys)
    assert code == 0
    assert output["invocation"]["module_args"]["people"][0]["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert GIVEN not in json.dumps(output)


def test_other_keys_of_a_person_are_ignored_with_a_warning_naming_them(monkeypatch, capsys):
    server = Server(monkeypatch)
    code, output = run_module({"people": [{"name": "ann", "groups": "wheel-group-value", "shell": "/bin/zsh"}]},
                              capsys)
    assert code == 0 and output["created"] == 1, output
    warnings = json.dumps(output["warnings"])
    assert "ignored the key(s) groups, shell" in warnings and "wheel-group-value" not in warnings
    assert len(server.creates()) == 1


def test_send_email_mails_only_the_people_with_an_email(monkeypatch, capsys):
    server = Server(monkeypatch)
    code, output = run_module({"people": ["ann", {"name": "bob", "email": "bob@example.com"}], "send_email": True},
                              capsys)
    assert code == 0 and output["created"] == 2, output
    by_name = dict((create["name"], create) for create in server.creates())
    assert "notify_emails_to" not in by_name["initial password for ann"]
    assert by_name["initial password for bob"]["notify_emails_to"] == "bob@example.com"


@pytest.mark.parametrize("args, expected", [({}, True), ({"retrieval_step": False}, False)])
def test_links_have_the_retrieval_step_unless_turned_off(args, expected, monkeypatch, capsys):
    server = Server(monkeypatch)
    code, output = run_module(dict({"people": ["ann"]}, **args), capsys)
    assert code == 0, output
    assert server.creates()[0]["retrieval_step"] is expected


def test_a_short_password_is_refused_unmasked_and_hidden_from_the_invocation(monkeypatch, capsys):
    server = Server(monkeypatch)
    code, output = run_module({"people": [{"name": "alice", "email": "alice@example.com", "password": "a"}]}, capsys)
    assert code == 1 and output["msg"] == "people[1] (alice): password must be a string of 8 to 1024 characters."
    if "invocation" in output:  # ansible-core before 2.19 returns it here; later ones log it alone
        shown = output["invocation"]["module_args"]["people"][0]
        assert shown["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" and shown["name"] == "alice"
    assert server.calls == []


@pytest.mark.parametrize("value, words", [
    ({"pace": float("inf")}, "pace must be a finite number"),
    ({"pace": 1e-320}, "pace must be 0 or between 0.001 and 1000"),
    ({"ttl_hours": float("inf")}, "ttl_hours must be a finite number"),
    ({"ttl_hours": 2161}, "ttl_hours must be above 0 and at most 2160 hours"),
    ({"timeout": float("inf")}, "timeout must be a finite number"),
    ({"people": [{"name": "ann", "ttl_hours": float("nan")}]}, "people[1] (ann): ttl_hours must be a finite number"),
])
def test_numbers_are_finite_and_in_range_before_any_request(monkeypatch, capsys, value, words):
    server = Server(monkeypatch)
    code, output = run_module(dict({"people": ["ann"]}, **value), capsys)
    assert code == 1 and words in output["msg"] and "Traceback" not in output["msg"]
    assert server.calls == []
