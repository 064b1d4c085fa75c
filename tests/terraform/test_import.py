# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""terraform import under the real binary: a push by its url_token or link, a secret by its metadata key.

Import reads what the server tells without spending a view (the owner's list, preview, the receipt). The secret
itself cannot be read back: state holds "imported" in its place, and the next plan takes the configuration as it is
(an in-place update with a warning, whose apply sends nothing); from then on plans compare digests as usual.
"""

import base64
import re

import pytest

from conftest import OTS_TOKEN, OTS_USERNAME, PWPUSH_TOKEN
from test_costs import seen, spent
from test_terraform import HEADER, PASSPHRASE, PAYLOAD, PAYLOAD_2, SECRET, SECRETS, fake_push, ots_env, pwpush_env

PUSH_TF = HEADER + """
variable "payload" {
  type      = string
  sensitive = true
}

resource "oneshot_pwpush_push" "db" {
  sealed {
    payload = var.payload
  }
  expire_after_views = 2
}
"""

SECRET_TF = HEADER + """
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
"""

ADOPTED = "Warning: Configuration taken as it is for an imported"


def make_push(fake, mode, passphrase=None):
    """A push its owner made elsewhere (not through Terraform): its url_token and link."""
    fields = {"payload": PAYLOAD, "expire_after_views": 2}
    if passphrase:
        fields["passphrase"] = passphrase
    path, body = ("/p.json", {"password": fields}) if mode == "v1" else ("/api/v2/pushes", {"push": fields})
    response = fake.post(path, json=body, headers={"Authorization": "Bearer %s" % PWPUSH_TOKEN})
    assert response.status_code in (200, 201), response.text
    push = response.json()
    return push["url_token"], push["html_url"]


def make_secret(fake):
    pair = base64.b64encode(("%s:%s" % (OTS_USERNAME, OTS_TOKEN)).encode()).decode()
    response = fake.post("/api/v1/share", data={"secret": SECRET, "ttl": "3600"},
                         headers={"Authorization": "Basic %s" % pair})
    assert response.status_code == 200, response.text
    return response.json()["metadata_key"]


@pytest.mark.parametrize("mode, by", [("oss", "token"), ("hosted", "link"), ("v1", "token")])
def test_a_push_is_imported_and_the_next_plan_takes_the_configuration(workspace, pwpush_servers, mode, by):
    fake = pwpush_servers[mode]
    token, link = make_push(fake, mode)
    ws = workspace(env=pwpush_env(fake))
    ws.write(PUSH_TF)
    ws.tf("init")
    imported = ws.tf("import", "oneshot_pwpush_push.db", token if by == "token" else link)
    assert "Import successful" in imported.output, imported
    state = ws.resource("oneshot_pwpush_push.db")
    assert state["url_token"] == token and state["url"].startswith(fake.url + "/p/" + token)
    assert state["views_remaining"] == 2 and state["expired"] is False and state["passphrase_protected"] is False
    assert state["sealed"][0] == {"payload": "imported", "passphrase": None}
    assert fake_push(fake, token)["view_count"] == 0  # nothing spent a view

    plan = ws.tf("plan", "-detailed-exitcode", expect=2)
    assert "will be updated in-place" in plan.output and ADOPTED in plan.output, plan
    assert "must be replaced" not in plan.output, plan
    before = seen(fake)
    ws.tf("apply", "-auto-approve")
    assert not [route for route in spent(fake, before) if not route.startswith("GET ")]  # nothing sent but reads
    assert ws.resource("oneshot_pwpush_push.db")["sealed"][0]["payload"].startswith("scrypt1$")
    ws.tf("plan", "-detailed-exitcode", expect=0)

    # From now on the digest decides: another payload is a new push.
    plan = ws.tf("plan", env={"TF_VAR_payload": PAYLOAD_2})
    assert "must be replaced" in plan.output, plan
    ws.tf("destroy", "-auto-approve")
    assert fake_push(fake, token)["expired"] is True and fake_push(fake, token)["view_count"] == 0
    ws.assert_no_leak(*SECRETS)


def test_a_push_with_a_passphrase_the_configuration_lacks_is_replaced(workspace, pwpush_servers):
    fake = pwpush_servers["oss"]
    token, _link = make_push(fake, "oss", passphrase=PASSPHRASE)
    ws = workspace(env=pwpush_env(fake))
    ws.write(PUSH_TF)
    ws.tf("init")
    ws.tf("import", "oneshot_pwpush_push.db", token)
    assert ws.resource("oneshot_pwpush_push.db")["passphrase_protected"] is True
    plan = ws.tf("plan")
    assert "must be replaced" in plan.output and ADOPTED not in plan.output, plan
    ws.tf("destroy", "-auto-approve")
    ws.assert_no_leak(*SECRETS)


@pytest.mark.parametrize("address, reference, env", [
    ("oneshot_pwpush_push.db", "nosuchtoken0", "pwpush"),
    ("oneshot_ots_secret.key", "nosuchmetadatakey0000000000000", "ots"),
])
def test_an_unknown_token_or_key_is_told_in_terraforms_words(workspace, pwpush_servers, ots_fake, address,
                                                             reference, env):
    ws = workspace(env=pwpush_env(pwpush_servers["oss"]) if env == "pwpush" else ots_env(ots_fake))
    ws.write(PUSH_TF if env == "pwpush" else SECRET_TF)
    ws.tf("init")
    run = ws.tf("import", address, reference, expect=1)
    assert "Cannot import non-existent remote object" in run.output and len(run.errors()) == 1, run
    assert "import_" not in run.output, run
    ws.assert_no_leak(*SECRETS)


def test_a_secret_is_imported_by_its_metadata_key(workspace, ots_fake):
    key = make_secret(ots_fake)
    ws = workspace(env=ots_env(ots_fake))
    ws.write(SECRET_TF)
    ws.tf("init")
    imported = ws.tf("import", "oneshot_ots_secret.key", key)
    assert "Import successful" in imported.output, imported
    state = ws.resource("oneshot_ots_secret.key")
    assert state["metadata_key"] == key and state["state"] == "new" and state["url"].startswith(ots_fake.url)
    assert state["sealed"][0] == {"secret": "imported", "passphrase": None}

    plan = ws.tf("plan", "-detailed-exitcode", expect=2)
    assert "will be updated in-place" in plan.output and ADOPTED in plan.output, plan
    ws.tf("apply", "-auto-approve")
    ws.tf("plan", "-detailed-exitcode", expect=0)
    ws.tf("destroy", "-auto-approve")
    held = dict((s["metadata_key"], s["state"]) for s in ots_fake.get("/_fake/ots/secrets").json())
    assert held[key] == "burned"  # never read: burned unread
    ws.assert_no_leak(*SECRETS)


def test_an_import_block_plans_the_import_and_the_adoption_together(workspace, pwpush_servers):
    """Terraform 1.5 and later: `import { to, id }` in the configuration, planned and applied like the command."""
    fake = pwpush_servers["oss"]
    ws = workspace(env=pwpush_env(fake))
    version = re.search(r"Terraform v(\d+)\.(\d+)", ws.tf("version").stdout)
    if (int(version.group(1)), int(version.group(2))) < (1, 5):
        pytest.skip("import blocks need Terraform 1.5 or later; this is %s" % version.group(0))
    token, _link = make_push(fake, "oss")
    ws.write(PUSH_TF + '\nimport {\n  to = oneshot_pwpush_push.db\n  id = "%s"\n}\n' % token)
    ws.tf("init")
    plan = ws.tf("plan")
    assert "Plan: 1 to import, 0 to add, 1 to change, 0 to destroy." in plan.output and ADOPTED in plan.output, plan
    ws.tf("apply", "-auto-approve")
    ws.tf("plan", "-detailed-exitcode", expect=0)
    ws.tf("destroy", "-auto-approve")
    assert fake_push(fake, token)["expired"] is True and fake_push(fake, token)["view_count"] == 0
    ws.assert_no_leak(*SECRETS)
