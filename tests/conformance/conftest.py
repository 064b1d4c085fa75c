# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The conformance matrix's fixtures: the fake servers over real HTTP, the collection importable as Ansible
loads it, and a Terraform workspace for the Terraform door (the real binary named by ONESHOT_TERRAFORM).

Run by `make conformance`: the collection is found on ANSIBLE_COLLECTIONS_PATH (make's build/, where
ansible_collections/oneshot/secrets is this tree).
"""

import importlib.util
import os
import shutil
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
COLLECTIONS = os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep)[0]
sys.path.insert(0, os.path.join(ROOT, "tests", "terraform"))
sys.path.insert(0, HERE)


def _load(name, path):
    """A module by path under a name of its own (every test folder calls its harness conftest.py)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FAKES = _load("fakes_harness", os.path.join(ROOT, "tests", "fakes", "conftest.py"))

PWPUSH_TOKEN = "conformance-pwpush-token-0001"
PWPUSH_EMAIL = "owner@example.com"
OTS_USERNAME = "owner@example.com"
OTS_TOKEN = "conformance-ots-token-0001"


def pytest_configure(config):
    if not COLLECTIONS or not os.path.isdir(os.path.join(COLLECTIONS, "ansible_collections", "oneshot", "secrets")):
        raise pytest.UsageError("needs the collection on ANSIBLE_COLLECTIONS_PATH (make conformance)")
    os.environ["ONESHOT_COLLECTIONS_PATH"] = COLLECTIONS
    # ansible-core's loader for ansible_collections.* imports, as ansible-test's pytest plugin installs it.
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder  # pylint: disable=import-outside-toplevel
    _AnsibleCollectionFinder(paths=[COLLECTIONS])._install()  # pylint: disable=protected-access


@pytest.fixture(autouse=True)
def no_service_environment(monkeypatch):
    """Every door reads these variables; a case sets what it means to."""
    for name in list(os.environ):
        if name.startswith(("PWPUSH_", "OTS_", "PUSHSECURITY_")):
            monkeypatch.delenv(name)


class Servers:
    def __init__(self, tmp):
        self.pwpush = FAKES.FakeServer("pwpush", tmp, "--mode", "oss", "--token", PWPUSH_TOKEN, "--email",
                                       PWPUSH_EMAIL, "--rate-limit-per-minute", "0", "--rate-limit-per-second", "0")
        self.ots = FAKES.FakeServer("ots", tmp, "--username", OTS_USERNAME, "--api-token", OTS_TOKEN)

    def connection(self, service):
        """The door-neutral connection options of a service (option names of module_utils/_*/options.py)."""
        if service == "pwpush":
            return dict(url=self.pwpush.url, token=PWPUSH_TOKEN)
        return dict(url=self.ots.url, username=OTS_USERNAME, api_token=OTS_TOKEN)

    def state(self, service):
        """What the server holds (views counted included), without secrets: equal before and after = unchanged."""
        fake = self.pwpush if service == "pwpush" else self.ots
        path = "/_fake/pwpush/pushes" if service == "pwpush" else "/_fake/ots/secrets"
        answer = FAKES.requests.get(fake.url + path, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def stop(self):
        self.pwpush.stop()
        self.ots.stop()


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    running = Servers(tmp_path_factory.mktemp("fakes"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def echo_server(tmp_path_factory):
    """A hostile server that echoes what it was sent in its error answers (tests/fakes/hostile_server.py, its
    /STATUS/FORMAT/... paths; also tests/integration/targets/side_doors)."""
    server = FAKES.FakeServer("hostile", tmp_path_factory.mktemp("hostile"), "--lifetime", "3600")
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def terraform_workspace(tmp_path_factory):
    """One initialised Terraform working directory, reused by every case of the Terraform door."""
    realtf = _load("realtf", os.path.join(ROOT, "tests", "terraform", "realtf.py"))
    root = str(tmp_path_factory.mktemp("tf"))
    mirror = realtf.make_mirror(os.path.join(root, "mirror"))
    # The view has no .venv of its own for the provider's launcher: the interpreter running the matrix has tf.
    space = realtf.Workspace(os.path.join(root, "ws"), realtf.dev_overrides_config(mirror),
                             env={"ONESHOT_TF_PYTHON": sys.executable}, cache_home=os.path.join(root, "cache"))
    yield space
    deadline = time.monotonic() + 5
    while space.leftovers() != ([], []) and time.monotonic() < deadline:
        time.sleep(0.2)
    shutil.rmtree(space.tmp, ignore_errors=True)
