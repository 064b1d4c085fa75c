# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A provider that cannot start or load says why on Terraform's own screen, without TF_LOG, under the real binaries
(1.0.3, and >= 1.11 where there is one: skipped saying so): a missing module before the handshake (grpc), one the
provider needs after it (tf), an interpreter that is not there. And the handshake itself needs none of the
provider's modules (they load on the first call: the cold start)."""

import grpc
import pytest
from realtf import terraform_at_least, terraform_binary
from tfclient import PluginProcess, pb

from test_terraform import HEADER

NEWER, NEWER_VERSION = terraform_at_least((1, 11, 0))
BINARIES = [pytest.param(None, id="1.0.3"),
            pytest.param(NEWER, id="newer", marks=pytest.mark.skipif(
                NEWER is None, reason="a second binary needs Terraform >= 1.11: %s" % (NEWER_VERSION,)))]


def shadowing(tmp_path, module):
    """A PYTHONPATH entry whose `module` fails to import, as a missing one does (the launcher puts the provider's
    directory first, this next, the interpreter's site-packages after)."""
    package = tmp_path / "shadow" / module
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('raise ImportError("No module named %r (test stand-in)")\n' % module)
    return str(tmp_path / "shadow")


def flat(text):
    """Terraform's output as one line: it wraps long messages at any space."""
    return " ".join(text.replace("│", " ").split())


@pytest.mark.parametrize("binary", BINARIES)
def test_a_module_missing_before_the_handshake_is_named_on_screen(workspace, tmp_path, binary):
    ws = workspace(env={"PYTHONPATH": shadowing(tmp_path, "grpc")}, binary=binary or terraform_binary())
    ws.write(HEADER)
    ws.tf("init")
    run = ws.tf("plan", expect=1)
    assert ("Unrecognized remote plugin message: terraform-provider-oneshot could not start: ImportError: No module "
            "named 'grpc' (test stand-in) (see docs/terraform/troubleshooting.md)") in flat(run.output), run


@pytest.mark.parametrize("binary", BINARIES)
def test_a_module_missing_after_the_handshake_is_named_on_screen(workspace, tmp_path, binary):
    ws = workspace(env={"PYTHONPATH": shadowing(tmp_path, "tf")}, binary=binary or terraform_binary())
    ws.write(HEADER)
    ws.tf("init")
    run = ws.tf("plan", expect=1)
    assert ("the oneshot provider could not load (ImportError: No module named 'tf' (test stand-in)); see "
            "docs/terraform/troubleshooting.md") in flat(run.output), run


@pytest.mark.parametrize("binary", BINARIES)
def test_a_missing_interpreter_is_named_on_screen(workspace, tmp_path, binary):
    missing = str(tmp_path / "no-such-venv" / "python")
    ws = workspace(env={"ONESHOT_TF_PYTHON": missing}, binary=binary or terraform_binary())
    ws.write(HEADER)
    ws.tf("init")
    run = ws.tf("plan", expect=1)
    assert ("terraform-provider-oneshot could not start: no Python interpreter at %s; set ONESHOT_TF_PYTHON "
            "(see docs/terraform/troubleshooting.md)" % missing) in flat(run.output), run


def test_the_handshake_needs_none_of_the_providers_modules(tmp_path):
    """With tf unimportable the provider still answers the handshake (tf, protobuf and the resources load on the
    first call), and then that call fails naming the cause."""
    plugin = PluginProcess({"PYTHONPATH": shadowing(tmp_path, "tf")})
    try:
        with pytest.raises(grpc.RpcError) as refused:
            plugin.stub.GetProviderSchema(pb.GetProviderSchema.Request(), timeout=30)
    finally:
        assert plugin.close() == 0
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "could not load (ImportError: No module named 'tf' (test stand-in))" in refused.value.details()
