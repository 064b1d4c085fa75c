# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provider under the real Terraform binary (1.0.3), against the project's fake servers.

Every command runs with TF_LOG=trace; each test ends by checking that no secret (payloads,
passphrases, tokens) and no Python traceback is in any output, trace log or file Terraform
wrote (terraform.tfstate included), and the workspace fixture checks that no provider process
or socket directory outlived the commands.
"""

import os
import re

import pytest

from conftest import OTS_TOKEN, OTS_USERNAME, PWPUSH_EMAIL, PWPUSH_TOKEN

PAYLOAD = "tf-real-payload-Zq8v3aa"
PAYLOAD_2 = "tf-real-payload-changed-Hj2p"
PASSPHRASE = "tf-real-passphrase-Lm4k"
SECRET = "tf-real-ots-secret-Wx7c"
SECRET_2 = "tf-real-ots-secret-changed-Pp0d"
SECRETS = (PAYLOAD, PAYLOAD_2, PASSPHRASE, SECRET, SECRET_2, PWPUSH_TOKEN, OTS_TOKEN)

HEADER = """terraform {
  required_version = ">= 1.0.3"
  required_providers {
    oneshot = {
      source  = "terraform.local/oneshot/oneshot"
      version = ">= 0.1.0"
    }
  }
}

provider "oneshot" {}
"""

PUSH_TF = HEADER + """
variable "payload" {
  type      = string
  sensitive = true
}

variable "passphrase" {
  type      = string
  sensitive = true
}

data "oneshot_pwpush_instance" "server" {}

resource "oneshot_pwpush_push" "db" {
  sealed {
    payload    = var.payload
    passphrase = var.passphrase
  }
  expire_after_days  = 3
  expire_after_views = 2
  name               = "db password"
}

output "link" {
  value     = oneshot_pwpush_push.db.url
  sensitive = true
}

output "server" {
  value = join(" ", [for key in ["edition", "api_version", "expiry_field"] : data.oneshot_pwpush_instance.server[key]])
}
"""

OTS_TF = HEADER + """
variable "secret" {
  type      = string
  sensitive = true
}

resource "oneshot_ots_secret" "key" {
  sealed {
    secret = var.secret
  }
  ttl = 3600
}

output "link" {
  value     = oneshot_ots_secret.key.url
  sensitive = true
}
"""

SERVER = {
    "hosted": "commercial v2 expire_after_duration",
    "oss": "oss v2 expire_after_days",
    "v1": "oss v1 expire_after_days",
}


def pwpush_env(fake, payload=PAYLOAD):
    return {"PWPUSH_URL": fake.url, "PWPUSH_TOKEN": PWPUSH_TOKEN, "PWPUSH_EMAIL": PWPUSH_EMAIL,
            "TF_VAR_payload": payload, "TF_VAR_passphrase": PASSPHRASE}


def ots_env(fake, secret=SECRET):
    return {"OTS_URL": fake.url, "OTS_USERNAME": OTS_USERNAME, "OTS_TOKEN": OTS_TOKEN, "TF_VAR_secret": secret}


def fake_push(fake, token):
    return next(p for p in fake.get("/_fake/pwpush/pushes").json() if p["url_token"] == token)


def view_push(fake, mode, token):
    """What a recipient does: retrieve the push without credentials (spends a view)."""
    path = "/p/%s.json" % token if mode == "v1" else "/api/v2/pushes/%s.json" % token
    response = fake.get(path, params={"passphrase": PASSPHRASE})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("mode", ["hosted", "oss", "v1"])
def test_pwpush_push_lifecycle(workspace, pwpush_servers, mode):
    fake = pwpush_servers[mode]
    fake.post("/_fake/reset")
    ws = workspace(env=pwpush_env(fake))
    ws.write(PUSH_TF)

    ws.tf("init")
    applied = ws.tf("apply", "-auto-approve")
    assert "Plan: 1 to add, 0 to change, 0 to destroy" in applied.output
    assert ws.tf("output", "-raw", "server").stdout == SERVER[mode]

    # Nothing changes on a second plan: the configured payload still matches the digest in state.
    ws.tf("plan", "-detailed-exitcode", expect=0)

    link = ws.tf("output", "-raw", "link").stdout
    state = ws.resource("oneshot_pwpush_push.db")
    assert link == state["url"] and link.startswith(fake.url + "/p/")
    token = state["url_token"]
    assert state["views_remaining"] == 2 and state["passphrase_protected"] is True
    assert state["sealed"][0]["payload"].startswith("scrypt1$")

    # The recipient opens it; a refresh follows without spending a view itself.
    view_push(fake, mode, token)
    ws.tf("apply", "-refresh-only", "-auto-approve")
    assert ws.resource("oneshot_pwpush_push.db")["views_remaining"] == 1
    assert fake_push(fake, token)["view_count"] == 1

    # A changed payload is a new push (the old one expired), planned as a replacement.
    changed = {"TF_VAR_payload": PAYLOAD_2}
    plan = ws.tf("plan", "-detailed-exitcode", env=changed, expect=2)
    assert "must be replaced" in plan.output and "# forces replacement" in plan.output
    ws.tf("apply", "-auto-approve", env=changed)
    new_token = ws.resource("oneshot_pwpush_push.db")["url_token"]
    assert new_token != token and fake_push(fake, token)["expired"] is True
    ws.tf("plan", "-detailed-exitcode", env=changed, expect=0)

    ws.tf("destroy", "-auto-approve", env=changed)
    assert fake_push(fake, new_token)["expired"] is True
    assert ws.state()["resources"] == []
    ws.assert_no_leak(*SECRETS)
    # The links are in state (sensitive) by design, but in no trace log.
    for what, text in ws.everything_written():
        if what.startswith("TF_LOG"):
            assert token not in text and new_token not in text, what


def test_ots_secret_lifecycle(workspace, ots_fake):
    ots_fake.post("/_fake/reset")
    ws = workspace(env=ots_env(ots_fake))
    ws.write(OTS_TF)

    ws.tf("init")
    ws.tf("apply", "-auto-approve")
    ws.tf("plan", "-detailed-exitcode", expect=0)
    state = ws.resource("oneshot_ots_secret.key")
    assert state["state"] == "new" and state["sealed"][0]["secret"].startswith("scrypt1$")
    link = ws.tf("output", "-raw", "link").stdout
    assert link == state["url"] and link.startswith(ots_fake.url)

    # The recipient reads it; the refresh sees the receipt move to received.
    secret_key = link.rstrip("/").rsplit("/", 1)[1]
    response = ots_fake.post("/api/v1/secret/%s" % secret_key)
    assert response.status_code == 200 and response.json()["value"] == SECRET
    ws.tf("apply", "-refresh-only", "-auto-approve")
    assert ws.resource("oneshot_ots_secret.key")["state"] == "received"

    changed = {"TF_VAR_secret": SECRET_2}
    plan = ws.tf("plan", env=changed)
    assert "must be replaced" in plan.output
    ws.tf("apply", "-auto-approve", env=changed)
    key = ws.resource("oneshot_ots_secret.key")["metadata_key"]
    assert key != state["metadata_key"]

    ws.tf("destroy", "-auto-approve", env=changed)
    held = dict((s["metadata_key"], s["state"]) for s in ots_fake.get("/_fake/ots/secrets").json())
    assert held[key] == "burned"
    ws.assert_no_leak(*SECRETS)


def test_a_secret_known_only_at_apply(workspace, pwpush_servers, ots_fake):
    """The push's link, unknown until the push exists, shared through onetimesecret: an unknown sealed value."""
    ws = workspace(env=dict(pwpush_env(pwpush_servers["oss"]), **ots_env(ots_fake)))
    ws.write(HEADER + """
variable "payload" {
  type      = string
  sensitive = true
}

resource "oneshot_pwpush_push" "db" {
  sealed {
    payload = var.payload
  }
}

resource "oneshot_ots_secret" "link" {
  sealed {
    secret = oneshot_pwpush_push.db.url
  }
}
""")
    plan = ws.tf("plan")
    assert "2 to add" in plan.output
    ws.tf("apply", "-auto-approve")
    ws.tf("plan", "-detailed-exitcode", expect=0)
    link = ws.resource("oneshot_pwpush_push.db")["url"]
    shared = ws.resource("oneshot_ots_secret.link")
    assert shared["sealed"][0]["secret"].startswith("scrypt1$")
    response = ots_fake.post("/api/v1/secret/%s" % shared["url"].rstrip("/").rsplit("/", 1)[1])
    assert response.json()["value"] == link
    ws.tf("destroy", "-auto-approve")
    ws.assert_no_leak(*SECRETS)


def _one_error(run, *expected):
    assert run.returncode == 1, run
    assert len(run.errors()) == 1, run
    for text in expected:
        assert text in run.output, run


BAD_PUSH = HEADER + """
resource "oneshot_pwpush_push" "db" {
  sealed {
    payload = "%s"
  }
  %%s
}
""" % PAYLOAD

BAD_OTS = HEADER + """
resource "oneshot_ots_secret" "key" {
  sealed {
    secret = "%s"
  }
  %%s
}
""" % SECRET


@pytest.mark.parametrize("mode, line, wanted", [
    # Refused before any request: Terraform quotes the attribute's own line of the configuration.
    ("oss", "expire_after_days = 0", ["Error: Invalid expire_after_days", "expire_after_days must be between 1 and 90",
                                      "expire_after_days = 0"]),
    ("oss", "expire_after_views = 101", ["Error: Invalid expire_after_views", "expire_after_views = 101"]),
    ("hosted", 'expire_after_duration = "1 fortnight"', ["Error: Invalid expire_after_duration",
                                                         'expire_after_duration = "1 fortnight"']),
    # Refused at plan time after asking the server its edition (1.0.3 points plan diagnostics at the block).
    ("hosted", "expire_after_days = 10", ["Error: Invalid expire_after_days for this server",
                                          "only takes expire_after_duration"]),
])
def test_bad_push_arguments_fail_the_plan_naming_the_attribute(workspace, pwpush_servers, mode, line, wanted):
    ws = workspace(env=pwpush_env(pwpush_servers[mode]))
    ws.write(BAD_PUSH % line)
    _one_error(ws.tf("plan", expect=None), *wanted)
    ws.assert_no_leak(*SECRETS)


def test_bad_ttl_fails_the_plan_naming_the_attribute(workspace, ots_fake):
    ws = workspace(env=ots_env(ots_fake))
    ws.write(BAD_OTS % "ttl = 10")
    _one_error(ws.tf("plan", expect=None), "ttl must be between", "ttl = 10")
    ws.assert_no_leak(*SECRETS)


def test_anonymous_ttl_beyond_a_week_fails_the_plan(workspace, ots_fake):
    ws = workspace(env={"OTS_URL": ots_fake.url})
    ws.write(BAD_OTS % "ttl = 864000")
    _one_error(ws.tf("plan", expect=None), "Error: Invalid ttl for anonymous use", "604800 seconds for anonymous use")
    ws.assert_no_leak(*SECRETS)


def test_wrong_tokens_fail_the_apply_with_one_diagnostic(workspace, pwpush_servers, ots_fake):
    ws = workspace(env=dict(pwpush_env(pwpush_servers["oss"]), **ots_env(ots_fake)))
    ws.write(BAD_PUSH % "" + "\n" + BAD_OTS.split('provider "oneshot" {}', 1)[1] % "")
    wrong = {"PWPUSH_TOKEN": "wrong-token-0001", "OTS_TOKEN": "wrong-token-0002"}
    run = ws.tf("apply", "-auto-approve", env=wrong, expect=None)
    assert run.returncode == 1 and len(run.errors()) == 2, run
    # Each names the provider settings to check (Terraform wraps the lines).
    text = " ".join(run.output.split())
    assert re.search(r"Error: Could not create the push .*?HTTP 401.*?Check pwpush_token \(PWPUSH_TOKEN\)", text), run
    assert re.search(r"Error: Could not share the secret .*?ots_username \(OTS_USERNAME\) or ots_api_token "
                     r"\(OTS_TOKEN\) is not valid", text), run
    assert ws.state()["resources"] == []
    ws.assert_no_leak(*SECRETS, "wrong-token-0001", "wrong-token-0002")


def test_stale_socket_directories_are_removed(workspace, pwpush_servers):
    """A provider Terraform killed (failed handshake) leaves its socket directory; the next one removes it."""
    ws = workspace(env=pwpush_env(pwpush_servers["oss"]))
    ws.write(HEADER + '\ndata "oneshot_pwpush_instance" "server" {}\n')
    stale = os.path.join(ws.tmp, "oneshot-tf-999999999-dead")  # no such process
    os.makedirs(stale)
    ws.tf("plan")
    assert not os.path.exists(stale)


def test_the_leak_check_catches_a_canary(workspace):
    """assert_no_leak reads command output, trace logs and the files in the working directory."""
    ws = workspace()
    version = re.search(r"Terraform v[0-9.]+", ws.tf("version").stdout).group(0)  # 1.0.3, or ONESHOT_TERRAFORM's
    for canary in (version, "[TRACE]"):
        with pytest.raises(AssertionError):
            ws.assert_no_leak(canary)
    with open(os.path.join(ws.dir, "terraform.tfstate"), "w") as handle:
        handle.write('{"payload": "%s"}' % PAYLOAD)
    with pytest.raises(AssertionError):
        ws.assert_no_leak(PAYLOAD)
