# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules of the Terraform door, under the real Terraform binary (1.0.3, and any later one in ONESHOT_TERRAFORM).

- Ansible's rule against short secrets exists because Ansible masks no_log values in results; nothing masks
  anything here, so a 4-digit PIN is pushed and shared.
- A server the provider cannot reach or identify (closed port, another service, a url that is no url) is an error
  about the provider's url setting, never about a resource attribute.
"""

import re

from conftest import OTS_TOKEN, OTS_USERNAME, PWPUSH_EMAIL, PWPUSH_TOKEN
from test_terraform import HEADER

PIN = "4821"
PIN_PASSPHRASE = "7390"

PIN_TF = HEADER + """
variable "pin" {
  type      = string
  sensitive = true
}

resource "oneshot_pwpush_push" "pin" {
  sealed {
    payload    = var.pin
    passphrase = "%s"
  }
  expire_after_days = 2
}

resource "oneshot_ots_secret" "pin" {
  sealed {
    secret     = var.pin
    passphrase = "%s"
  }
}
""" % (PIN_PASSPHRASE, PIN_PASSPHRASE)


def test_a_pin_is_pushed_and_shared(workspace, pwpush_oss, ots_fake):
    ws = workspace(env={"PWPUSH_URL": pwpush_oss.url, "PWPUSH_TOKEN": PWPUSH_TOKEN, "PWPUSH_EMAIL": PWPUSH_EMAIL,
                        "OTS_URL": ots_fake.url, "OTS_USERNAME": OTS_USERNAME, "OTS_TOKEN": OTS_TOKEN,
                        "TF_VAR_pin": PIN})
    ws.write(PIN_TF)
    ws.tf("init")
    applied = ws.tf("apply", "-auto-approve")
    assert "2 added" in applied.output and "at least 8 characters" not in applied.output
    ws.tf("plan", "-detailed-exitcode", expect=0)

    # What the recipients get is the PIN itself.
    push = ws.resource("oneshot_pwpush_push.pin")
    got = pwpush_oss.get("/api/v2/pushes/%s.json" % push["url_token"], params={"passphrase": PIN_PASSPHRASE})
    assert got.status_code == 200 and got.json()["payload"] == PIN
    secret_key = ws.resource("oneshot_ots_secret.pin")["url"].rstrip("/").rsplit("/", 1)[1]
    got = ots_fake.post("/api/v1/secret/%s" % secret_key, data={"passphrase": PIN_PASSPHRASE})
    assert got.status_code == 200 and got.json()["value"] == PIN

    # State keeps digests, not the PIN.
    for name in ("oneshot_pwpush_push.pin", "oneshot_ots_secret.pin"):
        sealed = ws.resource(name)["sealed"][0]
        assert all(value.startswith("scrypt1$") for value in sealed.values() if value), name
    ws.tf("destroy", "-auto-approve")
    # A 4-digit value may occur anywhere by chance (ports, times): the tokens are checked, and no traceback.
    ws.assert_no_leak(PWPUSH_TOKEN, OTS_TOKEN)
