# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ctrl-C during an apply, under the real binary: Terraform asks the provider to stop (StopProvider), which ends
its requests in flight at once (HttpTransport.cancel); Terraform then reports what was done and what was not."""

import socket
import threading
import time

import pytest

from realtf import FIGURES
from test_terraform import HEADER, SECRETS, ots_env, pwpush_env

PUSHES = HEADER + """
variable "payload" {
  type      = string
  sensitive = true
}

resource "oneshot_pwpush_push" "db" {
  count = 2
  sealed {
    payload = var.payload
  }
}
"""

# The secret is shared first; the push waits for it, then for a server that never answers.
SECRET_THEN_PUSH = HEADER + """
variable "payload" {
  type      = string
  sensitive = true
}

variable "secret" {
  type      = string
  sensitive = true
}

resource "oneshot_ots_secret" "key" {
  sealed {
    secret = var.secret
  }
}

resource "oneshot_pwpush_push" "db" {
  sealed {
    payload = var.payload
  }
  depends_on = [oneshot_ots_secret.key]
}
"""


class Silent:
    """A server that accepts every connection and never answers (the requests hang until cut)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        self.connections = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.connections.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self):
        self.sock.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture()
def silent():
    server = Silent()
    yield server
    server.close()


def _held_for_a_second(server):
    first = []

    def ready():
        if server.connections and not first:
            first.append(time.monotonic())
        return bool(first) and time.monotonic() - first[0] >= 1.0

    return ready


def test_ctrl_c_ends_creates_waiting_for_a_server_that_never_answers(workspace, silent):
    ws = workspace(env=pwpush_env(silent))
    ws.write(PUSHES)
    ws.tf("init")
    run = ws.interrupted("apply", "-auto-approve", ready=_held_for_a_second(silent))
    FIGURES.append("Ctrl-C 1 s into an apply against a server that never answers: Terraform exited %.2f s after "
                   "the interrupt" % run.seconds)
    assert run.returncode == 1 and run.seconds < 5, run
    assert "Interrupt received" in run.output, run
    text = " ".join(run.output.split())
    # Each push says it was not created, and why.
    assert text.count("Error: Could not create the push") == 2, run
    assert "Terraform was interrupted and asked the provider to stop, so the request was ended." in text, run
    assert "was cancelled before its answer came" in text, run
    assert ws.state()["resources"] == []
    ws.assert_no_leak(*SECRETS)


def test_ctrl_c_keeps_what_was_done(workspace, ots_fake, silent):
    ws = workspace(env=dict(pwpush_env(silent), **ots_env(ots_fake)))
    ws.write(SECRET_THEN_PUSH)
    ws.tf("init")
    run = ws.interrupted("apply", "-auto-approve", ready=_held_for_a_second(silent))
    assert run.returncode == 1 and run.seconds < 5, run
    assert "oneshot_ots_secret.key: Creation complete" in run.output, run
    assert "Error: Could not create the push" in run.output, run
    assert [resource["type"] for resource in ws.state()["resources"]] == ["oneshot_ots_secret"]
    ws.tf("destroy", "-auto-approve")  # the secret: nothing of Password Pusher is left to ask
    ws.assert_no_leak(*SECRETS)
