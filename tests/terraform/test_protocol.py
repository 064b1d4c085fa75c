# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the real Terraform binary cannot show: refusals before the handshake, the socket
directory's privacy, process life (Shutdown, a Terraform that dies), garbage requests, digests.
Everything else is judged by the real binary in test_terraform.py.
"""

import os
import signal
import subprocess
import sys
import time

import pytest

from tf.gen import tfplugin_pb2 as pb
from tfclient import LAUNCHER, PluginProcess, client_certificate, errors, handshake_env

sys.path.insert(0, os.path.join(os.path.dirname(LAUNCHER)))

from oneshot_provider import digest  # noqa: E402  pylint: disable=wrong-import-position


def test_refuses_to_run_without_the_magic_cookie():
    env = {k: v for k, v in os.environ.items() if k != "TF_PLUGIN_MAGIC_COOKIE"}
    result = subprocess.run([LAUNCHER], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "This binary is a plugin" in result.stderr


def test_refuses_protocol_5_only():
    _key, cert = client_certificate()
    env = handshake_env(cert, {"PLUGIN_PROTOCOL_VERSIONS": "5"})
    result = subprocess.run([LAUNCHER], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert "protocol 6" in result.stderr


def test_handshake_private_socket_and_shutdown(tmp_path):
    provider = PluginProcess(env_extra={"TMPDIR": str(tmp_path)})
    socket_dir = os.path.dirname(provider.address)
    assert provider.handshake.startswith("1|6|unix|")
    # Only the user's own processes can reach the socket: TLS does not check Terraform's P-521 certificate.
    assert os.stat(socket_dir).st_mode & 0o077 == 0
    assert os.path.basename(socket_dir).startswith("oneshot-tf-%d-" % provider.proc.pid)
    assert provider.stub.GetMetadata(pb.GetMetadata.Request()).server_capabilities.plan_destroy
    started = time.monotonic()
    assert provider.close() == 0
    assert time.monotonic() - started < 5  # Terraform kills a provider that takes longer than 2 s
    assert os.listdir(str(tmp_path)) == []


def test_garbage_request_is_one_diagnostic_without_traceback(tmp_path):
    provider = PluginProcess(env_extra={"TMPDIR": str(tmp_path)})
    try:
        response = provider.stub.PlanResourceChange(pb.PlanResourceChange.Request(
            type_name="oneshot_pwpush_push", prior_state=pb.DynamicValue(msgpack=b"\xc1\xc1"),
            proposed_new_state=pb.DynamicValue(msgpack=b"\xc1"), config=pb.DynamicValue(msgpack=b"\xc1")))
        found = errors(response.diagnostics)
        assert len(found) == 1 and "Internal error in the oneshot provider" in found[0]
    finally:
        provider.close()
    assert "Traceback" not in provider.stderr


def test_provider_exits_when_terraform_dies(tmp_path):
    """Terraform killed (SIGKILL, OOM): its provider notices the new parent and cleans up."""
    _key, cert = client_certificate()
    env = handshake_env(cert, {"TMPDIR": str(tmp_path)})
    # A stand-in Terraform: starts the provider, prints its pid, then waits to be killed.
    parent = subprocess.Popen(["bash", "-c", '"$0" > "$1" 2>/dev/null & echo $!; wait', LAUNCHER,
                               str(tmp_path / "handshake")], env=env, stdout=subprocess.PIPE, text=True)
    provider_pid = int(parent.stdout.readline())
    handshake = tmp_path / "handshake"
    deadline = time.monotonic() + 30
    while not (handshake.exists() and handshake.read_text()):
        assert time.monotonic() < deadline, "no handshake"
        time.sleep(0.1)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 10
    while os.path.exists("/proc/%d" % provider_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        with open("/proc/%d/stat" % provider_pid) as handle:
            assert handle.read().split()[2] == "Z", "provider still running after its Terraform died"
    except FileNotFoundError:
        pass
    assert [n for n in os.listdir(str(tmp_path)) if n.startswith("oneshot-tf-")] == []


@pytest.mark.parametrize("value", ["s3cret", "", "ünïcode ✓"])
def test_digest_matches_only_its_value(value):
    stored = digest.make(value)
    assert digest.is_digest(stored) and value not in stored.split("$", 1)[1] or value == ""
    assert digest.matches(value, stored)
    assert not digest.matches(value + "x", stored)
    assert digest.make(value) != stored  # a fresh salt each time
    assert not digest.matches(value, "scrypt1$bad$digest") and not digest.matches(None, stored)
