# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules of the Terraform door, under the real Terraform binary (1.0.3, and any later one in ONESHOT_TERRAFORM).

- Ansible's rule against short secrets exists because Ansible masks no_log values in results; nothing masks
  anything here, so a 4-digit PIN is pushed and shared.
- A server the provider cannot reach or identify (closed port, another service, a url that is no url) is an error
  about the provider's url setting, never about a resource attribute.
"""

import http.server
import os
import socket
import threading

import pytest

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


# --- what keeps the provider from the server is its url setting's problem ---------------------------------------

class _NotFoundEverywhere(http.server.BaseHTTPRequestHandler):
    """Another service: 404 and a page of HTML for every request."""

    def _not_found(self):
        body = b"<html><body><h1>404 Not Found</h1></body></html>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_DELETE = do_PUT = _not_found

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


@pytest.fixture(scope="module")
def another_service():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotFoundEverywhere)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return "http://127.0.0.1:%d" % port  # closed again: connections are refused


def _url(kind, closed_port, another_service):
    return {"closed port": closed_port, "another service": another_service, "not a url": "not a url"}[kind]


def _cannot_reach(run, service, setting, *more):
    """One error, about the provider's url setting; no resource attribute blamed."""
    assert run.returncode == 1 and len(run.errors()) == 1, run
    text = " ".join(run.output.split())  # Terraform wraps the lines
    assert "Error: Cannot reach the %s server" % service in text, run
    assert setting in text, run
    for words in more:
        assert words in text, run
    for attribute in ("expire_after_days", "expire_after_duration", "ttl", "Invalid"):
        assert attribute not in text, run


URL_CASES = [("closed port", "Could not connect to"), ("another service", "not"), ("not a url", "got 'not a url'")]


@pytest.mark.parametrize("kind, words", URL_CASES)
def test_a_pwpush_url_that_leads_nowhere_is_the_settings_error_at_plan(workspace, closed_port, another_service,
                                                                       kind, words):
    ws = workspace(env={"PWPUSH_URL": _url(kind, closed_port, another_service), "TF_VAR_pin": PIN})
    ws.write(HEADER + """
variable "pin" {
  type      = string
  sensitive = true
}

resource "oneshot_pwpush_push" "pin" {
  sealed {
    payload = var.pin
  }
  expire_after_days = 3
}
""")
    run = ws.tf("plan", expect=None)
    _cannot_reach(run, "Password Pusher", "pwpush_url (PWPUSH_URL)", words)
    ws.assert_no_leak(PWPUSH_TOKEN)


ONE_PIN = HEADER + """
variable "pin" {
  type      = string
  sensitive = true
}

resource "oneshot_%s" "pin" {
  sealed {
    %s = var.pin
  }
}
"""
SERVICES = [("Password Pusher", "pwpush_url (PWPUSH_URL)", "PWPUSH_URL", ("pwpush_push", "payload")),
            ("onetimesecret", "ots_url (OTS_URL)", "OTS_URL", ("ots_secret", "secret"))]


@pytest.mark.parametrize("service, setting, env, resource", SERVICES)
@pytest.mark.parametrize("kind, words", URL_CASES)
def test_a_url_that_leads_nowhere_is_the_settings_error_at_apply(workspace, closed_port, another_service, kind, words,
                                                                 service, setting, env, resource):
    """Without an expiry, plan asks no server: the create (pwpush) and the share (ots) fail alike."""
    ws = workspace(env={env: _url(kind, closed_port, another_service), "TF_VAR_pin": PIN})
    ws.write(ONE_PIN % resource)
    _cannot_reach(ws.tf("apply", "-auto-approve", expect=None), service, setting, words)
    assert not os.path.exists(os.path.join(ws.dir, "terraform.tfstate")) or ws.state()["resources"] == []


def test_a_refresh_against_another_service_keeps_the_resources(workspace, pwpush_oss, ots_fake, another_service):
    """A push or secret is gone only when its own server says so: the wrong server is an error, not a deletion."""
    env = {"PWPUSH_URL": pwpush_oss.url, "PWPUSH_TOKEN": PWPUSH_TOKEN, "PWPUSH_EMAIL": PWPUSH_EMAIL,
           "OTS_URL": ots_fake.url, "OTS_USERNAME": OTS_USERNAME, "OTS_TOKEN": OTS_TOKEN, "TF_VAR_pin": PIN}
    ws = workspace(env=env)
    ws.write(PIN_TF)
    ws.tf("apply", "-auto-approve")
    moved = {"PWPUSH_URL": another_service, "OTS_URL": another_service}
    run = ws.tf("plan", env=moved, expect=None)
    assert run.returncode == 1 and len(run.errors()) == 2, run
    text = " ".join(run.output.split())
    assert "Cannot reach the Password Pusher server" in text and "pwpush_url (PWPUSH_URL)" in text, run
    assert "Cannot reach the onetimesecret server" in text and "ots_url (OTS_URL)" in text, run
    assert {r["type"] for r in ws.state()["resources"]} == {"oneshot_pwpush_push", "oneshot_ots_secret"}
    ws.tf("plan", "-detailed-exitcode", expect=0)  # back on the right servers: nothing to do
    ws.tf("destroy", "-auto-approve")
    ws.assert_no_leak(PWPUSH_TOKEN, OTS_TOKEN)
