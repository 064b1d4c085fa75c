"""The built image run as AWX and people run it, not with a bare `podman run`:

- ansible-runner with process isolation in podman, as AWX runs a job: a private data directory whose
  project holds a one-line playbook importing the collection's, credentials as environment variables in
  env/envvars, extra variables in env/extravars, and the container options AWX passes (--user=root, and
  --network host as a DEFAULT_CONTAINER_RUN_OPTIONS setting would give);
- ansible-navigator run --eei ... --mode stdout, as a person runs it, the credentials passed with --penv.

Each runs distribute_credentials and ci_handoff against the local test server (on the host's network).
The links printed or written are read back from the server; the secrets behind them and the API token must
not appear in what the run shows (its output, and ansible-runner's job events). The same job on an image
without the collection must fail, so these checks can tell a broken image.
"""

import base64
import csv
import json
import os
import re

import pytest
import requests

from conftest import TOKEN, run, needs_root_and_podman

pytestmark = needs_root_and_podman

PLAYBOOKS = {"distribute.yml": "oneshot.secrets.distribute_credentials", "handoff.yml": "oneshot.secrets.ci_handoff"}
# ansible-runner's awx_display callback wraps each event's data, base64-encoded, in terminal escapes.
EVENT_MARKER = re.compile(r"\x1b\[K([A-Za-z0-9+/=]+)\x1b\[\d+D")


def write_project(directory):
    """The project playbooks, one line each, as an AWX project for a job template would hold them."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, collection_playbook in PLAYBOOKS.items():
        (directory / name).write_text("---\n- name: Run %s from the image\n  ansible.builtin.import_playbook: %s\n"
                                      % (collection_playbook, collection_playbook))


def shown(text):
    """The text with the event data that awx_display hides in escapes decoded and appended: checked too."""
    decoded = [base64.b64decode(blob + "=" * (-len(blob) % 4)).decode("utf-8", "replace")
               for blob in EVENT_MARKER.findall(text)]
    return "\n".join([text] + decoded)


def links_in(text, server):
    return re.findall(r"%s/p/[A-Za-z0-9_-]+/r" % re.escape(server), text)


def secret_behind(link):
    """Read the link once from the test server (this uses it up) and return the secret behind it."""
    answer = requests.get(link.removesuffix("/r") + ".json", timeout=30)
    assert answer.status_code == 200, (link, answer.status_code)
    return answer.json()["payload"]


def links_in_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["user"]: row["link"] for row in csv.DictReader(handle)}


def runner_job(image, env, private_dir, playbook, envvars, extravars):
    """An AWX-like job: ansible-runner run with process isolation; returns the result and what it showed."""
    write_project(private_dir / "project")
    (private_dir / "env").mkdir(exist_ok=True)
    (private_dir / "env" / "envvars").write_text(json.dumps(envvars))
    (private_dir / "env" / "extravars").write_text(json.dumps(extravars))
    # AWX always hands the job an inventory. localhost is the container itself, with the image's Python (the
    # one that has requests), as AWX's documentation advises for localhost.
    (private_dir / "inventory").mkdir(exist_ok=True)
    (private_dir / "inventory" / "hosts").write_text(
        'localhost ansible_connection=local ansible_python_interpreter="{{ ansible_playbook_python }}"\n')
    ident = playbook.removesuffix(".yml")
    result = run("ansible-runner", "run", str(private_dir), "--playbook", playbook, "--ident", ident,
                 "--process-isolation", "--process-isolation-executable", "podman", "--container-image", image,
                 "--container-option=--user=root", "--container-option=--network=host",
                 env=env, check=False, timeout=600)
    artifacts = private_dir / "artifacts" / ident
    command = json.loads((artifacts / "command").read_text())["command"]
    assert command[:2] == ["podman", "run"] and image in command, command
    events = [path.read_text() for path in sorted((artifacts / "job_events").glob("*.json"))]
    return result, shown("\n".join([result.stdout, result.stderr, (artifacts / "stdout").read_text()] + events))


def navigator_run(image, env, workdir, playbook, variables, *extra_args):
    """ansible-navigator run in stdout mode, the variables passed from its environment with --penv."""
    write_project(workdir)
    args = ["ansible-navigator", "run", playbook, "--eei", image, "--ce", "podman", "--pull-policy", "never",
            "--mode", "stdout", "--playbook-artifact-enable", "false", "--log-file", str(workdir / "navigator.log"),
            "--container-options=--network=host"]
    for name in variables:
        args += ["--penv", name]
    result = run(*args, *extra_args, cwd=workdir, env=dict(env, **variables), check=False, timeout=600)
    return result, shown(result.stdout + result.stderr)


@pytest.fixture(scope="module")
def navigator_env(podman_env):
    # ansible-navigator refuses podman without a /dev/mqueue/ directory (its own check); container
    # sandboxes such as CI's may lack it.
    os.makedirs("/dev/mqueue", exist_ok=True)
    return podman_env


def check_distributed(result, output, users, csv_path, server):
    assert result.returncode == 0, output[-4000:]
    links = links_in_csv(csv_path)
    assert sorted(links) == sorted(users), links
    for user, link in links.items():
        assert link in links_in(output, server), "%s's link is not in the run's table" % user
    secrets = [secret_behind(link) for link in links.values()]
    assert all(secrets) and len(set(secrets)) == len(secrets)
    for secret in secrets + [TOKEN]:
        assert secret not in output, "a password or the token is in the run's output"


def check_handed_off(result, output, secret, server):
    assert result.returncode == 0, output[-4000:]
    links = set(links_in(output, server))
    assert len(links) == 1, output[-4000:]
    assert secret_behind(links.pop()) == secret
    assert secret not in output and TOKEN not in output


def test_ansible_runner_runs_distribute_as_an_awx_job(ee_image, podman_env, pwpush_url, tmp_path):
    users = ["runner-alice", "runner-bob"]
    # /runner is the private data directory inside the container.
    result, output = runner_job(ee_image, podman_env, tmp_path, "distribute.yml",
                                {"PWPUSH_URL": pwpush_url, "PWPUSH_TOKEN": TOKEN},
                                {"credential_users": users, "distribute_csv": "/runner/links.csv"})
    check_distributed(result, output, users, tmp_path / "links.csv", pwpush_url)


def test_ansible_runner_runs_ci_handoff_as_an_awx_job(ee_image, podman_env, pwpush_url, tmp_path):
    secret = "ee-runner-handoff-6c1d"
    result, output = runner_job(ee_image, podman_env, tmp_path, "handoff.yml",
                                {"PWPUSH_URL": pwpush_url, "PWPUSH_TOKEN": TOKEN, "HANDOFF_SECRET": secret}, {})
    check_handed_off(result, output, secret, pwpush_url)


def test_ansible_navigator_runs_distribute(ee_image, navigator_env, pwpush_url, tmp_path):
    users = ["navigator-alice", "navigator-bob"]
    # navigator mounts the playbook's folder at the same path in the container: the CSV lands here.
    result, output = navigator_run(ee_image, navigator_env, tmp_path, "distribute.yml",
                                   {"PWPUSH_URL": pwpush_url, "PWPUSH_TOKEN": TOKEN},
                                   "-e", json.dumps({"credential_users": users,
                                                     "distribute_csv": str(tmp_path / "links.csv")}))
    check_distributed(result, output, users, tmp_path / "links.csv", pwpush_url)


def test_ansible_navigator_runs_ci_handoff(ee_image, navigator_env, pwpush_url, tmp_path):
    secret = "ee-navigator-handoff-93ab"
    result, output = navigator_run(ee_image, navigator_env, tmp_path, "handoff.yml",
                                   {"PWPUSH_URL": pwpush_url, "PWPUSH_TOKEN": TOKEN, "HANDOFF_SECRET": secret},
                                   "-e", "output=json")
    check_handed_off(result, output, secret, pwpush_url)


@pytest.fixture
def image_without_the_collection(ee_image, podman_env, tmp_path):
    """The built image with its collection removed: what a build that lost the collection would give."""
    name = "oneshot-ee-no-collection-%d" % os.getpid()
    stripped = "localhost/oneshot-secrets-ee:no-collection-%d" % os.getpid()
    run("podman", "run", "--name", name, "--user", "root", ee_image,
        "rm", "-rf", "/usr/share/ansible/collections/ansible_collections/oneshot", env=podman_env)
    try:
        run("podman", "commit", "--quiet", name, stripped, env=podman_env)
    finally:
        run("podman", "rm", name, env=podman_env)
    yield stripped
    run("podman", "rmi", stripped, env=podman_env, check=False)


def test_the_runner_job_fails_on_an_image_without_the_collection(image_without_the_collection, podman_env,
                                                                 pwpush_url, tmp_path):
    secret = "ee-never-pushed-2e70"
    result, output = runner_job(image_without_the_collection, podman_env, tmp_path, "handoff.yml",
                                {"PWPUSH_URL": pwpush_url, "PWPUSH_TOKEN": TOKEN, "HANDOFF_SECRET": secret}, {})
    assert result.returncode != 0, output[-4000:]
    assert "oneshot.secrets.ci_handoff" in output, output[-4000:]
    assert not links_in(output, pwpush_url)
