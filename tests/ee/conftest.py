"""What the image tests share: podman set up as these machines need it, the local base image, the
execution environment built from execution-environment.yml once per session, and a local Password
Pusher test server. The test modules import the helpers from here (as tests/fakes does).

ONESHOT_EE_IMAGE=NAME tests an image that is already built (no build): to iterate, or to show that
the tests fail on a broken image (one without the collection, for example).
"""

import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
IMAGE = "localhost/oneshot-secrets-ee:test"
# The base image's Python: a venv, because ansible-builder runs `python -m ensurepip`, which Debian
# disables for its system Python.
PYCMD = "/opt/ee-python/bin/python3"
TOKEN = "ee-test-token-0001"
HOST_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"

needs_root_and_podman = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("podman") is None,
                                           reason="needs root and podman (make ee installs it)")


def run(*args, cwd=None, env=None, check=True, timeout=900):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=timeout)
    if check:
        assert result.returncode == 0, "%s failed (%d):\n%s\n%s" % (
            " ".join(args), result.returncode, result.stdout[-4000:], result.stderr[-4000:])
    return result


def in_image(image, env, *command, variables=None, check=True):
    """Run COMMAND in a fresh container on the host's network; only the given variables go in."""
    args = ["podman", "run", "--rm", "--network", "host"]
    for name, value in (variables or {}).items():
        args += ["--env", "%s=%s" % (name, value)]
    return run(*args, image, *command, env=env, check=check, timeout=300)


@pytest.fixture(scope="session")
def podman_env(tmp_path_factory):
    """What works on these machines (test-hosts notes): runc, no default ulimits. Only for these tests."""
    conf = tmp_path_factory.mktemp("podman") / "containers.conf"
    conf.write_text('[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\n')
    env = dict(os.environ, CONTAINERS_CONF=str(conf))
    # Nothing of the host's Ansible set-up may leak into what runs in the image.
    for name in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_CONFIG", "PWPUSH_URL", "PWPUSH_TOKEN", "HANDOFF_SECRET"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="session")
def base_image(podman_env):
    return run(str(ROOT / "tests" / "ee" / "base-image.sh"), env=podman_env).stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def ee_image(base_image, podman_env, tmp_path_factory):
    if os.environ.get("ONESHOT_EE_IMAGE"):
        return os.environ["ONESHOT_EE_IMAGE"]
    work = tmp_path_factory.mktemp("ee")
    shutil.copy(ROOT / "execution-environment.yml", work)
    run("ansible-galaxy", "collection", "build", str(ROOT), "--output-path", str(work / "context-files"), cwd=work)
    # TLS-intercepting networks (like this one) need the host's CA bundle for pip in the build; mounted
    # for the build's RUN steps only, not copied into the image.
    extra = "--network host"
    if os.path.isfile(HOST_CA_BUNDLE):
        extra += " --volume %s:/etc/ssl/certs/ca-certificates.crt:ro" % HOST_CA_BUNDLE
    # --container-runtime podman: without it ansible-builder picks whatever runtime it finds first.
    run("ansible-builder", "build", "--container-runtime", "podman", "--file", "execution-environment.yml",
        "--context", "context", "--tag", IMAGE,
        "--build-arg", "EE_BASE_IMAGE=%s" % base_image, "--build-arg", "PYCMD=%s" % PYCMD,
        # No dnf in a Debian base: with nothing for bindep to install, only the cache clean-up would call it.
        "--build-arg", "PKGMGR_PRESERVE_CACHE=always",
        "--extra-build-cli-args", extra, cwd=work, env=podman_env)
    return IMAGE


@pytest.fixture(scope="session")
def pwpush_url():
    server = subprocess.Popen([str(ROOT / "tests" / "fakes" / "serve"), "pwpush", "--port", "0", "--mode", "hosted",
                               "--token", TOKEN, "--email", "owner@example.com", "--quiet"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline().strip()
        assert line.startswith("ready http://127.0.0.1:"), line
        yield line.split()[1]
    finally:
        server.terminate()
        server.wait(timeout=20)
