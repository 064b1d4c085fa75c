# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The conformance matrix: every policy case through every door (doors.py), against the fake servers.

EXPECT says, for each case, what each door must show, or why the case has no meaning behind it (NA). A door or a
case missing from EXPECT fails test_the_table_is_complete; an error code raised in plugins/ that no case names
fails test_every_policy_code_has_a_case.
"""

import os
import re

import pytest
import requests
from conftest import PWPUSH_TOKEN, ROOT
from doors import BULK_NAME_PREFIX, RUNS, ActionDoor, LookupDoor, ModuleDoor, TerraformDoor

DOORS = ("module", "lookup", "action", "terraform")
GRACE = "initial password for grace"  # credential_links' default push name for grace
MASK = "********"


class NA:
    def __init__(self, reason):
        self.reason = reason


@pytest.fixture
def door(request, terraform_workspace):
    return {"module": ModuleDoor(), "lookup": LookupDoor(), "action": ActionDoor()}.get(request.param) or \
        _TERRAFORM.setdefault("door", TerraformDoor(terraform_workspace))


_TERRAFORM = {}


def refused(outcome, *words, absent=()):
    """The door refused, in a sentence holding words, never a mask or a traceback, nor what must stay absent."""
    assert outcome.failed, outcome
    for word in words:
        assert word in outcome.message, outcome
    assert "Traceback" not in outcome.message, outcome
    for secret in absent:
        assert secret not in outcome.message and secret not in repr(outcome.result), outcome


def make_push(servers, payload, **push):
    """A push made straight through the API, as another client or the web UI would."""
    answer = requests.post(servers.pwpush.url + "/api/v2/pushes", json={"push": dict(payload=payload, **push)},
                           headers={"Authorization": "Bearer %s" % PWPUSH_TOKEN}, timeout=10)
    answer.raise_for_status()
    return answer.json()


# --------------------------------------------------------------------------- the cases
# Each takes (door, servers, echo_url) and asserts; the server must be unchanged after every refusal.

def unknown_option(door, servers, _echo):
    """A misspelt option to either service (expire_after_view, tll) is refused by name, nothing sent."""
    for service, misspelt, secret in (("pwpush", "expire_after_view", "unknown-option-payload"),
                                      ("ots", "tll", "unknown-option-secret")):
        before = servers.state(service)
        outcome = door.push(service, secret, servers.connection(service),
                            {("x_" if door.name == "action" else "") + misspelt: 1})
        if door.name == "terraform":
            refused(outcome, misspelt, "not expected here")
        else:
            refused(outcome, "Unsupported parameters for (oneshot.secrets.", misspelt, absent=(secret,))
        assert servers.state(service) == before


def infinite_timeout(door, servers, _echo):
    before = servers.state("pwpush")
    outcome = door.push("pwpush", "infinite-timeout-payload", servers.connection("pwpush"), {"timeout": float("inf")})
    refused(outcome, "timeout must be a finite number")
    assert servers.state("pwpush") == before


def views_out_of_range(door, servers, _echo):
    before = servers.state("pwpush")
    outcome = door.push("pwpush", "views-range-payload", servers.connection("pwpush"), {"expire_after_views": 101})
    refused(outcome, "views" if door.name == "action" else "expire_after_views", "100")
    assert servers.state("pwpush") == before


# Where results are masked (modules, credential_links), a short secret or one inside a returned field would garble
# what the door shows, so it is refused there in plain words; lookups and Terraform return nothing masked: pushed.
MASKED_RESULTS = ("module", "action")


def short_secret(door, servers, _echo):
    """A 4-digit PIN, to both services."""
    for service in ("pwpush", "ots"):
        before = servers.state(service)
        outcome = door.push(service, "4711", servers.connection(service), {})
        if door.name not in MASKED_RESULTS:
            assert not outcome.failed, outcome
            assert len(servers.state(service)) == len(before) + 1
            continue
        # One plain sentence about the length, not one garbled by masking the PIN in it.
        assert re.match(r"(payload|secret|people\[1\] \(grace\): password) must be (at least 8|a string of 8)",
                        outcome.message), outcome
        refused(outcome)
        assert servers.state(service) == before


def secret_in_name(door, servers, _echo):
    """A secret that is also a field the door returns (a push's name; credential_links: the person's name)."""
    before = servers.state("pwpush")
    secret = "grace-initial-pw-%s" % door.name
    name = BULK_NAME_PREFIX + secret if door.name == "action" else secret
    outcome = door.push("pwpush", secret, servers.connection("pwpush"), {"name": name})
    if door.name not in MASKED_RESULTS:
        assert not outcome.failed, outcome
        return
    refused(outcome, "name")
    assert servers.state("pwpush") == before


def _reuse_refused(door, servers, impostor):
    outcome = door.push("pwpush", "the-real-password-1", servers.connection("pwpush"), dict(
        {"name": impostor["name"]}, **({"reuse_existing": True} if door.name == "module" else {})))
    assert not outcome.failed, outcome
    if door.name == "module":
        assert outcome.result["reused"] is False and outcome.result["url_token"] != impostor["url_token"]
    else:
        assert outcome.result["reused"] == 0 and impostor["url_token"] not in outcome.result["links"][0]["link"]


def _unique_grace(door, case):
    """A person of this cell alone: what one cell made is never another's to reuse."""
    return "%s-%s-%s" % (GRACE, case, door.name)


def reuse_across_kind(door, servers, _echo):
    _reuse_refused(door, servers, make_push(servers, "http://evil.example/phish-login", kind="url",
                                            name=_unique_grace(door, "kind")))


def reuse_across_passphrase(door, servers, _echo):
    _reuse_refused(door, servers, make_push(servers, "someone-elses-secret", passphrase="not-given-to-grace",
                                            name=_unique_grace(door, "passphrase")))


def check_mode_create(door, servers, _echo):
    for service in ("pwpush", "ots"):
        before = servers.state(service)
        outcome = door.push(service, "check-mode-secret-1", servers.connection(service), {}, check=True)
        assert not outcome.failed, outcome
        assert servers.state(service) == before, "%s changed the %s server in check mode" % (door.name, service)


def check_mode_retrieve(door, servers, _echo):
    push = make_push(servers, "check-mode-retrieve-1", expire_after_views=1)
    before = servers.state("pwpush")
    # Without the owner's token: the owner's views are not counted, a recipient's are.
    outcome = door.retrieve("pwpush", push["html_url"], {"url": servers.pwpush.url}, check=True)
    assert not outcome.failed, outcome
    assert servers.state("pwpush") == before, "%s spent a view in check mode" % door.name


def server_echoes_the_secret(door, servers, echo):
    outcome = door.push("pwpush", "echoed-secret-value-42", dict(url=echo + "/422/json", token=PWPUSH_TOKEN), {})
    refused(outcome, absent=("echoed-secret-value-42", PWPUSH_TOKEN))


def userinfo_in_url(door, servers, _echo):
    url = servers.pwpush.url.replace("http://", "http://someone:userinfo-pass-77@")
    before = servers.state("pwpush")
    outcome = door.push("pwpush", "userinfo-case-payload", dict(url=url, token=PWPUSH_TOKEN), {})
    refused(outcome, "url" if door.name != "terraform" else "pwpush_url", absent=("userinfo-pass-77",))
    assert servers.state("pwpush") == before


def wrong_token(door, servers, _echo):
    before = servers.state("pwpush")
    connection = dict(servers.connection("pwpush"), token="wrong-token-000000001")
    outcome = door.push("pwpush", "wrong-token-payload", connection, {"name": "wrong token case"})
    refused(outcome, "pwpush_token" if door.name == "terraform" else "token", absent=("wrong-token-000000001",))
    assert servers.state("pwpush") == before


def account_required(door, servers, _echo):
    """Mail the link without an account: each door names the settings in its own words."""
    before = servers.state("ots")
    if door.name == "action":
        outcome = door.push("ots", "account-case-secret", {"url": servers.ots.url}, {"x_send_email": True})
        refused(outcome, "username", "api_token")
    else:
        outcome = door.push("ots", "account-case-secret", {"url": servers.ots.url}, {"recipient": "bob@example.com"})
        refused(outcome, *(("ots_username (OTS_USERNAME)", "ots_api_token (OTS_TOKEN)") if door.name == "terraform"
                           else ("username (OTS_USERNAME)", "api_token (OTS_TOKEN)")))
    assert servers.state("ots") == before


def token_required(door, servers, _echo):
    """A file push without a token (only the module door has file pushes)."""
    before = servers.state("pwpush")
    outcome = door.push("pwpush", "file-case-note-1", {"url": servers.pwpush.url}, {"kind": "file",
                                                                                    "files": ["/etc/hostname"]})
    refused(outcome, "set token (PWPUSH_TOKEN)")
    assert servers.state("pwpush") == before


def no_answer(door, servers, _echo):
    """Nothing listens at url: a problem of the url setting, named in the door's words."""
    outcome = door.push("pwpush", "no-answer-payload-1", {"url": "http://127.0.0.1:9", "token": PWPUSH_TOKEN},
                        {"timeout": 2} if door.name != "terraform" else {})
    refused(outcome, "pwpush_url (PWPUSH_URL)" if door.name == "terraform" else "127.0.0.1:9",
            absent=("no-answer-payload-1", PWPUSH_TOKEN))


def another_service(door, servers, _echo):
    """A url of another service (the onetimesecret server where Password Pusher is expected)."""
    outcome = door.push("pwpush", "another-service-payload", {"url": servers.ots.url, "token": PWPUSH_TOKEN}, {})
    refused(outcome, "is not a Password Pusher server",
            "pwpush_url (PWPUSH_URL)" if door.name == "terraform" else "url (PWPUSH_URL)",
            absent=("another-service-payload", PWPUSH_TOKEN))


NO_REUSE_LOOKUP = NA("a lookup never reuses: every call creates (its docs say so)")
NO_REUSE_TF = NA("a resource's push is the one in its state: nothing is found by name")
NO_TIMEOUT_TF = NA("the provider has no timeout setting (Terraform's own timeouts apply)")
ONLY_LINKS = NA("credential_links only makes links")
TF_NO_READ = NA("the provider makes pushes; it does not read them")

EXPECT = {
    unknown_option: {},
    infinite_timeout: {"terraform": NO_TIMEOUT_TF},
    views_out_of_range: {},
    short_secret: {},
    secret_in_name: {},
    reuse_across_kind: {"lookup": NO_REUSE_LOOKUP, "terraform": NO_REUSE_TF},
    reuse_across_passphrase: {"lookup": NO_REUSE_LOOKUP, "terraform": NO_REUSE_TF},
    check_mode_create: {},
    check_mode_retrieve: {"action": ONLY_LINKS, "terraform": TF_NO_READ},
    server_echoes_the_secret: {},
    userinfo_in_url: {},
    wrong_token: {},
    account_required: {"lookup": NA("the ots lookup has no recipient option (its docs list what it takes)")},
    token_required: {"lookup": NA("lookups make no file pushes"), "action": ONLY_LINKS,
                     "terraform": NA("the provider makes no file pushes")},
    no_answer: {},
    another_service: {},
}
# The error codes of the core (module_utils/_core/errors.py users) and the case that proves each.
CODES = {"invalid_value": infinite_timeout, "bad_credentials": wrong_token, "account_required": account_required,
         "token_required": token_required, "no_answer": no_answer, "not_the_service": another_service,
         "check_mode": check_mode_create}


@pytest.mark.parametrize("door", DOORS, indirect=True)
@pytest.mark.parametrize("case", list(EXPECT), ids=lambda case: case.__name__)
def test_matrix(case, door, servers, echo_server):
    cell = EXPECT[case].get(door.name)
    if isinstance(cell, NA):
        pytest.skip("no meaning behind the %s door: %s" % (door.name, cell.reason))
    case(door, servers, echo_server)


def test_the_table_is_complete():
    for case, cells in EXPECT.items():
        assert set(cells) <= set(DOORS), case.__name__
        for door_name, cell in cells.items():
            assert isinstance(cell, NA) and cell.reason, (case.__name__, door_name)


# Plugins the matrix does not run, and why; a new plugin must be run by a door (doors.RUNS) or named here.
NOT_RUN = {
    "modules/credential_links": "run through its action plugin (the action door); the module path is the same code",
    "modules/credential_links_info": "reads only (nothing changed); the pwpush and ots clients' errors, run above",
    "modules/ots_secret_info": "reads only (no secret in, nothing changed); its errors are the ots client's, run above",
    "modules/pwpush_instance_info": "reads only (no secret in, nothing changed); the pwpush client's errors, run above",
    "modules/pwpush_push_info": "reads only (no secret in, nothing changed); the pwpush client's errors, run above",
    "modules/pwpush_request_info": "reads only (no secret in, nothing changed); the pwpush client's errors, run above",
    "modules/pwpush_request": "the same client, spec checks and reuse predicate as pwpush_push (tested in units)",
    "modules/pushsecurity_stolen_credentials": "another service (Push Security): no link to garble, no reuse",
}


def test_every_plugin_is_run_by_a_door_or_says_why_not():
    run = set("modules/%s" % name for name in RUNS["module"]) | set("lookup/%s" % name for name in RUNS["lookup"]) | \
        set("action/%s" % name for name in RUNS["action"])
    found = set()
    for kind in ("modules", "lookup", "action"):
        found.update("%s/%s" % (kind, name[:-3]) for name in os.listdir(os.path.join(ROOT, "plugins", kind))
                     if name.endswith(".py") and not name.startswith("_"))
    assert found - run - set(NOT_RUN) == set(), "plugins that no door runs and NOT_RUN does not explain"
    assert set(NOT_RUN) <= found and not set(NOT_RUN) & run, "NOT_RUN names plugins that are gone or are run"


def test_every_policy_code_has_a_case():
    raised = set()
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "plugins")):
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(folder, name)) as handle:
                    raised.update(re.findall(r"\bcode=\"([a-z_]+)\"", handle.read()))
    assert raised and raised <= set(CODES), sorted(raised - set(CODES))
    assert all(case in EXPECT for case in CODES.values())
