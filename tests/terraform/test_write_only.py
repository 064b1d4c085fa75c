# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write-only arguments (Terraform >= 1.11) and the ephemeral oneshot_pwpush_retrieve (Terraform >= 1.10), under
the real binaries: 1.0.3 (ONESHOT_TERRAFORM) refuses the write-only form in words that name the other one; the
rest runs under a Terraform >= 1.11 (ONESHOT_TERRAFORM, ONESHOT_TERRAFORM_NEW or the `terraform` on PATH) and is
skipped, saying so, where there is none. Each ends by finding no secret in any output, trace log, state or saved
plan (its members, unzipped).
"""

import re

import pytest
from realtf import terraform_at_least, terraform_binary

from conftest import OTS_TOKEN, OTS_USERNAME, PWPUSH_EMAIL, PWPUSH_TOKEN

PAYLOAD = "tf-wo-payload-Qx81nn"
PAYLOAD_2 = "tf-wo-payload-changed-Ty55"
PASSPHRASE = "tf-wo-passphrase-Vb20"
SECRET = "tf-wo-ots-secret-Kd73"
ANSWER = "tf-wo-answered-password-Rr46"
SECRETS = (PAYLOAD, PAYLOAD_2, PASSPHRASE, SECRET, ANSWER, PWPUSH_TOKEN, OTS_TOKEN)

NEWER, NEWER_VERSION = terraform_at_least((1, 11, 0))
needs_newer = pytest.mark.skipif(NEWER is None, reason="write-only arguments need Terraform >= 1.11: %s" % (
    NEWER_VERSION,))

HEADER = """terraform {
  required_providers {
    oneshot = {
      source  = "terraform.local/oneshot/oneshot"
      version = ">= 0.1.0"
    }
  }
}

provider "oneshot" {}
"""

EPHEMERAL_VARIABLES = """
variable "payload" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "passphrase" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "payload_version" {
  type    = number
  default = 1
}
"""

WO_PUSH_TF = HEADER + EPHEMERAL_VARIABLES + """
resource "oneshot_pwpush_push" "db" {
  payload_wo         = var.payload
  passphrase_wo      = var.passphrase
  payload_wo_version = var.payload_version
  expire_after_views = 2
}
"""


def pwpush_env(fake, payload=PAYLOAD, token=PWPUSH_TOKEN):
    env = {"PWPUSH_URL": fake.url, "PWPUSH_EMAIL": PWPUSH_EMAIL, "TF_VAR_payload": payload,
           "TF_VAR_passphrase": PASSPHRASE}
    if token:
        env["PWPUSH_TOKEN"] = token
    return env


def owner_reads(fake, token, passphrase=None):
    """The push as its owner reads it (counts no view): what the provider sent."""
    response = fake.get("/api/v2/pushes/%s.json" % token, params={"passphrase": passphrase} if passphrase else None,
                        headers={"Authorization": "Bearer %s" % PWPUSH_TOKEN})
    assert response.status_code == 200, response.text
    return response.json()


def fake_push(fake, token):
    return next(p for p in fake.get("/_fake/pwpush/pushes").json() if p["url_token"] == token)


def assert_plan_file_scanned(ws):
    """The leak check read the saved plan's members (else it could not fail on them)."""
    assert any(what.startswith("tfplan:") for what, _text in ws.everything_written())


@needs_newer
def test_payload_wo_is_sent_and_kept_nowhere(workspace, pwpush_oss):
    fake = pwpush_oss
    ws = workspace(env=pwpush_env(fake), binary=NEWER)
    ws.write(WO_PUSH_TF)
    ws.tf("init")
    plan = ws.tf("plan", "-out=tfplan")
    assert re.search(r"\+ payload_wo +=  ?\(write-only attribute\)", plan.output), plan
    assert re.search(r"\+ passphrase_wo +=  ?\(write-only attribute\)", plan.output), plan
    ws.tf("apply", "tfplan")  # ephemeral variables are given again at apply (the plan file has none)

    state = ws.resource("oneshot_pwpush_push.db")
    assert state["payload_wo"] is None and state["passphrase_wo"] is None and state["sealed"] == []
    assert state["payload_wo_version"] == 1 and state["passphrase_protected"] is True
    token = state["url_token"]
    assert owner_reads(fake, token, PASSPHRASE)["payload"] == PAYLOAD

    # Nothing of the payload is kept, so a changed one alone plans nothing; its version replaces the push.
    ws.tf("plan", "-detailed-exitcode", env={"TF_VAR_payload": PAYLOAD_2}, expect=0)
    bumped = {"TF_VAR_payload": PAYLOAD_2, "TF_VAR_payload_version": "2"}
    plan = ws.tf("plan", "-detailed-exitcode", env=bumped, expect=2)
    assert "# forces replacement" in plan.output and "payload_wo_version" in plan.output
    ws.tf("apply", "-auto-approve", env=bumped)
    new_token = ws.resource("oneshot_pwpush_push.db")["url_token"]
    assert new_token != token and fake_push(fake, token)["expired"] is True
    assert owner_reads(fake, new_token, PASSPHRASE)["payload"] == PAYLOAD_2

    ws.tf("destroy", "-auto-approve", env=bumped)
    assert fake_push(fake, new_token)["expired"] is True
    assert_plan_file_scanned(ws)
    ws.assert_no_leak(*SECRETS)


@needs_newer
def test_secret_wo_is_shared_and_kept_nowhere(workspace, ots_fake):
    ws = workspace(env={"OTS_URL": ots_fake.url, "OTS_USERNAME": OTS_USERNAME, "OTS_TOKEN": OTS_TOKEN,
                        "TF_VAR_secret": SECRET}, binary=NEWER)
    ws.write(HEADER + """
variable "secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "oneshot_ots_secret" "key" {
  secret_wo         = var.secret
  secret_wo_version = 1
  ttl               = 3600
}
""")
    ws.tf("init")
    assert re.search(r"\+ secret_wo +=  ?\(write-only attribute\)", ws.tf("plan", "-out=tfplan").output)
    ws.tf("apply", "tfplan")
    state = ws.resource("oneshot_ots_secret.key")
    assert state["secret_wo"] is None and state["sealed"] == [] and state["state"] == "new"
    ws.tf("plan", "-detailed-exitcode", expect=0)
    secret_key = state["url"].rstrip("/").rsplit("/", 1)[1]
    response = ots_fake.post("/api/v1/secret/%s" % secret_key)
    assert response.status_code == 200 and response.json()["value"] == SECRET
    ws.tf("destroy", "-auto-approve")
    assert_plan_file_scanned(ws)
    ws.assert_no_leak(*SECRETS)


def _owned_push(fake, payload, views=2):
    """A push made by the token's owner (as the answer to their Password Pusher request is theirs)."""
    response = fake.post("/api/v2/pushes", json={"push": {"payload": payload, "expire_after_views": views}},
                         headers={"Authorization": "Bearer %s" % PWPUSH_TOKEN})
    assert response.status_code in (200, 201), response.text
    return response.json()["url_token"]


@needs_newer
def test_an_answer_read_ephemerally_into_a_write_only_payload(workspace, pwpush_oss):
    """ephemeral oneshot_pwpush_retrieve -> payload_wo: the answer is passed on, and is in nothing Terraform keeps.
    The owner's reads (at plan and at apply) count no view."""
    fake = pwpush_oss
    answer = _owned_push(fake, ANSWER)
    ws = workspace(env=dict(pwpush_env(fake), TF_VAR_answer=answer), binary=NEWER)
    ws.write(HEADER + """
variable "answer" {
  type      = string
  sensitive = true
  ephemeral = true
}

ephemeral "oneshot_pwpush_retrieve" "answer" {
  url = var.answer
}

resource "oneshot_pwpush_push" "handover" {
  payload_wo         = ephemeral.oneshot_pwpush_retrieve.answer.payload
  payload_wo_version = 1
}
""")
    ws.tf("init")
    ws.tf("plan", "-out=tfplan")
    applied = ws.tf("apply", "tfplan")
    assert "counted a view" not in applied.output
    handover = ws.resource("oneshot_pwpush_push.handover")
    assert owner_reads(fake, handover["url_token"])["payload"] == ANSWER
    assert fake_push(fake, answer)["view_count"] == 0 and fake_push(fake, answer)["expired"] is False
    assert all(r["mode"] == "managed" for r in ws.state()["resources"])
    ws.tf("destroy", "-auto-approve")
    assert_plan_file_scanned(ws)
    ws.assert_no_leak(*(SECRETS + (answer,)))


@needs_newer
def test_an_ephemeral_read_without_the_owners_token_counts_a_view_and_says_so(workspace, pwpush_oss):
    fake = pwpush_oss
    answer = _owned_push(fake, ANSWER, views=3)
    ws = workspace(env=dict(pwpush_env(fake, token=None), TF_VAR_answer=answer), binary=NEWER)
    ws.write(HEADER + """
variable "answer" {
  type      = string
  sensitive = true
  ephemeral = true
}

ephemeral "oneshot_pwpush_retrieve" "answer" {
  url = var.answer
}
""")
    ws.tf("init")
    plan = ws.tf("plan")
    assert "Warning: The read counted a view of the push" in plan.output, plan
    assert fake_push(fake, answer)["view_count"] == 1
    ws.assert_no_leak(*SECRETS)


def test_write_only_arguments_are_refused_where_terraform_would_store_them(workspace, pwpush_oss):
    """Terraform before 1.11 takes payload_wo for an ordinary argument and would keep it in state: refused at
    validation, naming the sealed block, before any request."""
    if terraform_at_least((1, 11, 0))[0] == terraform_binary():
        pytest.skip("ONESHOT_TERRAFORM is >= 1.11, which has write-only arguments (run with 1.0.3 to test this)")
    fake = pwpush_oss
    fake.post("/_fake/reset")
    ws = workspace(env=pwpush_env(fake))
    ws.write(HEADER + """
variable "payload" {
  type      = string
  sensitive = true
}

resource "oneshot_pwpush_push" "db" {
  payload_wo         = var.payload
  payload_wo_version = 1
}
""")
    ws.tf("init")
    plan = ws.tf("plan", "-out=tfplan", expect=1)
    assert "Error: payload_wo needs Terraform 1.11 or later" in plan.output, plan
    assert "sealed { payload = ... }" in " ".join(plan.output.replace("│", " ").split()), plan
    assert not [route for route in fake.get("/_fake/requests").json() if route.startswith("POST ")]
    ws.assert_no_leak(*SECRETS)


def test_both_forms_at_once_are_refused(workspace, pwpush_oss):
    ws = workspace(env=pwpush_env(pwpush_oss))
    ws.write(HEADER + """
variable "payload" {
  type      = string
  sensitive = true
}

resource "oneshot_pwpush_push" "db" {
  payload_wo = var.payload
  sealed {
    payload = var.payload
  }
}
""")
    ws.tf("init")
    plan = ws.tf("plan", expect=1)
    assert "Error: payload_wo and the sealed block are two forms of the same secrets" in plan.output, plan
    ws.assert_no_leak(*SECRETS)


def test_neither_form_is_refused(workspace, pwpush_oss):
    ws = workspace(env=pwpush_env(pwpush_oss))
    ws.write(HEADER + """
resource "oneshot_pwpush_push" "db" {
  expire_after_views = 2
}
""")
    ws.tf("init")
    plan = ws.tf("plan", expect=1)
    assert "Error: payload_wo or the sealed block is required" in plan.output, plan


@needs_newer
def test_an_imported_push_is_adopted_by_the_write_only_form(workspace, pwpush_oss):
    """import, then a plan that takes the configuration in place (no new push), its apply without a create."""
    fake = pwpush_oss
    token = _owned_push(fake, PAYLOAD)
    ws = workspace(env=dict(pwpush_env(fake), TF_VAR_passphrase=""), binary=NEWER)
    ws.write(HEADER + EPHEMERAL_VARIABLES.replace('''variable "passphrase" {
  type      = string
  sensitive = true
  ephemeral = true
}
''', "") + """
resource "oneshot_pwpush_push" "db" {
  payload_wo         = var.payload
  payload_wo_version = var.payload_version
  expire_after_views = 2
}
""")
    ws.tf("init")
    ws.tf("import", "oneshot_pwpush_push.db", token)
    plan = ws.tf("plan", "-detailed-exitcode", expect=2)
    assert "Warning: Configuration taken as it is for an imported" in plan.output, plan
    assert "1 to change" in plan.output and "forces replacement" not in plan.output, plan
    before = fake.get("/_fake/requests").json()
    ws.tf("apply", "-auto-approve")
    sent = [route for route, count in fake.get("/_fake/requests").json().items()
            if count > before.get(route, 0) and not route.startswith("GET ")]
    assert sent == []  # the adoption sends nothing
    state = ws.resource("oneshot_pwpush_push.db")
    assert state["url_token"] == token and state["sealed"] == [] and state["payload_wo_version"] == 1
    ws.tf("plan", "-detailed-exitcode", expect=0)
    ws.assert_no_leak(*SECRETS)
