"""Builds the execution environment image for real with ansible-builder and podman, then runs the
collection's playbook and lookups inside it against a local test server.

No registry is reachable here, so the base image is a local Debian 12 (tests/ee/base-image.sh, cached);
execution-environment.yml itself is used unchanged, its base image replaced by build args, as an
AWX/AAP user does with their own base (docs/execution-environment.md). Nothing of the checkout is
mounted into the containers: the collection, ansible-core and requests must come from the image.

Needs root and podman with runc (make ee installs them); about 2 minutes with a cached base image.
"""

import json
import os
import pathlib
import re
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

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("podman") is None,
                                reason="needs root and podman (make ee installs it)")


def run(*args, cwd=None, env=None, check=True, timeout=900):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=timeout)
    if check:
        assert result.returncode == 0, "%s failed (%d):\n%s\n%s" % (
            " ".join(args), result.returncode, result.stdout[-4000:], result.stderr[-4000:])
    return result


@pytest.fixture(scope="module")
def podman_env(tmp_path_factory):
    """What works on these machines (test-hosts notes): runc, no default ulimits. Only for this test."""
    conf = tmp_path_factory.mktemp("podman") / "containers.conf"
    conf.write_text('[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\n')
    env = dict(os.environ, CONTAINERS_CONF=str(conf))
    # Nothing of the host's Ansible set-up may leak into what runs in the image.
    for name in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_CONFIG", "PWPUSH_URL", "PWPUSH_TOKEN"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def base_image(podman_env):
    return run(str(ROOT / "tests" / "ee" / "base-image.sh"), env=podman_env).stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def ee_image(base_image, podman_env, tmp_path_factory):
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


@pytest.fixture(scope="module")
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


def in_image(image, env, *command, variables=None, check=True):
    """Run COMMAND in a fresh container on the host's network; only the given variables go in."""
    args = ["podman", "run", "--rm", "--network", "host"]
    for name, value in (variables or {}).items():
        args += ["--env", "%s=%s" % (name, value)]
    return run(*args, image, *command, env=env, check=check, timeout=300)


def test_the_base_image_has_none_of_what_the_build_adds(base_image, podman_env):
    for python in ("/usr/bin/python3", PYCMD):
        for module in ("requests", "ansible", "ansible_runner"):
            result = in_image(base_image, podman_env, python, "-c", "import " + module, check=False)
            assert result.returncode != 0, "%s in the base image already has %s" % (python, module)


def test_collection_and_python_dependencies_come_from_the_image(ee_image, podman_env):
    script = (
        "import json, requests, ansible, ansible_runner\n"
        "from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush import client as pwpush\n"
        "print(json.dumps({'requests': requests.__file__, 'ansible': ansible.__file__,"
        " 'runner': ansible_runner.__file__, 'collection': pwpush.__file__}))\n"
    )
    where = json.loads(in_image(ee_image, podman_env, "python3", "-c", script,
                                variables={"PYTHONPATH": "/usr/share/ansible/collections"}).stdout)
    for name in ("requests", "ansible", "runner"):
        assert where[name].startswith("/opt/ee-python/lib/python3"), where
    assert where["collection"] == \
        "/usr/share/ansible/collections/ansible_collections/oneshot/secrets/plugins/module_utils/_pwpush/client.py"

    listing = json.loads(in_image(ee_image, podman_env, "ansible-galaxy", "collection", "list",
                                  "oneshot.secrets", "--format", "json").stdout)
    assert listing == {"/usr/share/ansible/collections/ansible_collections": {"oneshot.secrets": {"version": "0.1.0"}}}
    # The version the collection asks for, installed from its requirements.txt through meta/execution-environment.yml.
    version = in_image(ee_image, podman_env, "python3", "-c", "import requests; print(requests.__version__)").stdout
    assert tuple(int(part) for part in version.strip().split(".")[:2]) >= (2, 25)


def test_ci_handoff_and_lookups_run_in_the_image_against_a_local_server(ee_image, podman_env, pwpush_url):
    connection = {"PWPUSH_URL": pwpush_url, "PWPUSH_TOKEN": TOKEN}
    secret = "ee-handoff-secret-5f3a"

    pushed = in_image(ee_image, podman_env, "ansible-playbook", "oneshot.secrets.ci_handoff", "-e", "output=json",
                      variables=dict(connection, HANDOFF_SECRET=secret))
    assert secret not in pushed.stdout + pushed.stderr
    links = re.findall(r"%s/p/[A-Za-z0-9_-]+/r" % re.escape(pwpush_url), pushed.stdout)
    assert links, pushed.stdout
    link = links[0]

    # Receive mode reads the link with the oneshot.secrets.pwpush_retrieve lookup into a 0600 file.
    received = in_image(ee_image, podman_env, "sh", "-c",
                        "ansible-playbook oneshot.secrets.ci_handoff -e handoff_mode=receive -e handoff_link=%s"
                        " -e handoff_dest=/tmp/got >/dev/null && stat -c %%a /tmp/got && cat /tmp/got" % link,
                        variables=connection)
    assert received.stdout.splitlines() == ["600", secret]

    # The pwpush lookup: links for two secrets over one connection, made in the image.
    made = in_image(ee_image, podman_env, "ansible", "localhost", "-m", "ansible.builtin.debug", "-a",
                    "msg={{ query('oneshot.secrets.pwpush', 'ee-first-secret', 'ee-second-secret', expire_after_views=1) | to_json }}",
                    variables=connection)
    assert len(re.findall(r"%s/p/[A-Za-z0-9_-]+" % re.escape(pwpush_url), made.stdout)) == 2, made.stdout
    assert "ee-first-secret" not in made.stdout
