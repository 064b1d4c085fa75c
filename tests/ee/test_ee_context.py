"""Builds the execution environment's context with ansible-builder and checks what it generated.

No image is built (no registry is reachable here); the context is what a build would use.
"""

import os
import pathlib
import shutil
import subprocess
import tarfile

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]


def run(*args, cwd):
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, "%s failed:\n%s\n%s" % (" ".join(args), result.stdout, result.stderr)
    return result.stdout


def test_ansible_builder_creates_a_context_with_the_collection(tmp_path):
    work = tmp_path / "ee"
    work.mkdir()
    shutil.copy(ROOT / "execution-environment.yml", work)
    # The collection as ansible-galaxy builds it (build_ignore applies: no tests inside).
    run("ansible-galaxy", "collection", "build", str(ROOT), "--output-path", str(work / "context-files"), cwd=work)
    tarball = work / "context-files" / "oneshot-secrets-0.1.0.tar.gz"
    assert tarball.is_file()
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    assert "plugins/modules/pwpush_push.py" in names
    assert "meta/execution-environment.yml" in names
    # Test-only code, build output and the venv never ship.
    assert not [name for name in names if name.startswith((".venv", "build/", "tests/", ".nox/"))]

    # The file name is pinned: by default ansible-builder names it after the container runtime it finds
    # (Containerfile with podman, Dockerfile without), so the result would depend on what the machine has.
    run("ansible-builder", "create", "--file", "execution-environment.yml", "--context", "context",
        "--output-filename", "Containerfile", cwd=work)
    context = work / "context"
    containerfile = (context / "Containerfile").read_text()
    assert 'ARG EE_BASE_IMAGE="quay.io/ansible/awx-ee:24.6.1"' in containerfile
    assert "COPY _build/collections/ /build/collections/" in containerfile
    assert (context / "_build" / "collections" / "oneshot-secrets-0.1.0.tar.gz").is_file()
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert requirements["collections"][0]["type"] == "file"
    assert requirements["collections"][0]["name"].endswith("oneshot-secrets-0.1.0.tar.gz")
    python_requirements = (context / "_build" / "requirements.txt").read_text()
    assert "requests" in python_requirements


def test_collection_declares_its_python_needs_for_builders():
    meta = yaml.safe_load((ROOT / "meta" / "execution-environment.yml").read_text())
    assert meta["dependencies"]["python"] == "requirements.txt"
    assert "requests" in (ROOT / "requirements.txt").read_text()
    assert os.path.isfile(ROOT / "execution-environment.yml")
