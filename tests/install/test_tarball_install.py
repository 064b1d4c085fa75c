"""The README's install path, as a user without the public repository follows it: build the collection from a
checkout, install the tarball with --force into an empty collections path, run a module and a lookup from there
against a local test server. HOME is a fresh folder so no other copy (~/.ansible/collections) can stand in.
"""

import os
import pathlib
import subprocess
import sys
import tarfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
TARBALL = "oneshot-secrets-0.1.0.tar.gz"


def run(*args, cwd, env):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, "%s failed:\n%s\n%s" % (" ".join(args), result.stdout[-3000:], result.stderr[-3000:])
    return result.stdout


def test_build_install_with_force_and_run_a_module(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    collections = tmp_path / "collections"
    env = dict(os.environ, HOME=str(home), ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_DEPRECATION_WARNINGS="false")
    env.pop("ANSIBLE_COLLECTIONS_PATHS", None)

    run("ansible-galaxy", "collection", "build", str(ROOT), "--output-path", str(tmp_path), "--force", cwd=tmp_path, env=env)
    with tarfile.open(tmp_path / TARBALL) as archive:
        assert "plugins/modules/pwpush_push.py" in archive.getnames()
    # Twice: --force must replace an installed copy (what a user re-running the README's command does).
    for _attempt in range(2):
        out = run("ansible-galaxy", "collection", "install", str(tmp_path / TARBALL), "-p", str(collections), "--force",
                  cwd=tmp_path, env=env)
        assert "oneshot.secrets:0.1.0 was installed successfully" in out
    installed = collections / "ansible_collections" / "oneshot" / "secrets"
    assert (installed / "MANIFEST.json").is_file()

    doc = run("ansible-doc", "oneshot.secrets.pwpush_push", cwd=tmp_path, env=env)
    assert str(installed) in doc  # the plugin documented is the installed copy

    pushed = run(str(ROOT / "tests" / "fakes" / "run-with"), "pwpush", "--",
                 "ansible", "localhost", "-c", "local", "-e", "ansible_python_interpreter=%s" % sys.executable,
                 "-m", "oneshot.secrets.pwpush_push", "-a", "payload=from-the-tarball expire_after_views=1",
                 cwd=tmp_path, env=env)
    assert '"changed": true' in pushed and '"url": "http://127.0.0.1:' in pushed
    assert "from-the-tarball" not in pushed
