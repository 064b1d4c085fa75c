# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures: the project's fake servers (tests/fakes/serve) and Terraform workspaces."""

import os
import shutil
import subprocess
import sys
import time

import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SERVE = os.path.join(ROOT, "tests", "fakes", "serve")
sys.path.insert(0, HERE)

from realtf import FIGURES, TIMINGS, Workspace, dev_overrides_config, make_mirror  # noqa: E402  pylint: disable=wrong-import-position

PWPUSH_TOKEN = "tf-test-pwpush-token-0001"
PWPUSH_EMAIL = "owner@example.com"
OTS_USERNAME = "tf@example.com"
OTS_TOKEN = "tf-test-ots-token-0001"


class Fake:
    def __init__(self, name, *args):
        self.proc = subprocess.Popen([SERVE, name, "--port", "0", "--quiet", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("ready "):
            self.proc.kill()
            raise RuntimeError("fake %s did not start: %r" % (name, line))
        self.url = line.split(" ", 1)[1]
        self.http = requests.Session()

    def get(self, path, **kwargs):
        response = self.http.get(self.url + path, timeout=10, **kwargs)
        return response

    def post(self, path, **kwargs):
        return self.http.post(self.url + path, timeout=10, **kwargs)

    def delete(self, path, **kwargs):
        return self.http.delete(self.url + path, timeout=10, **kwargs)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.proc.stdout.close()


@pytest.fixture(scope="session")
def pwpush_hosted():
    fake = Fake("pwpush", "--mode", "hosted", "--token", PWPUSH_TOKEN, "--email", PWPUSH_EMAIL)
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def pwpush_oss():
    fake = Fake("pwpush", "--mode", "oss", "--token", PWPUSH_TOKEN, "--email", PWPUSH_EMAIL)
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def pwpush_v1():
    fake = Fake("pwpush", "--mode", "v1", "--token", PWPUSH_TOKEN, "--email", PWPUSH_EMAIL)
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def pwpush_servers(pwpush_hosted, pwpush_oss, pwpush_v1):
    return {"hosted": pwpush_hosted, "oss": pwpush_oss, "v1": pwpush_v1}


@pytest.fixture(scope="session")
def ots_fake():
    fake = Fake("ots", "--username", OTS_USERNAME, "--api-token", OTS_TOKEN)
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def cache_home(tmp_path_factory):
    """One XDG cache for every workspace: the provider's collection link and bytecode, as a user's would be."""
    return str(tmp_path_factory.mktemp("xdg-cache"))


@pytest.fixture()
def workspace(tmp_path, cache_home):
    """A Terraform working directory using the provider through dev_overrides (+ mirror for init).

    After the test: no provider process of it still runs and no socket directory is left.
    """
    made = []

    def make(env=None, binary=None):
        mirror = make_mirror(str(tmp_path / "mirror"))
        space = Workspace(str(tmp_path / ("ws%d" % len(made))), dev_overrides_config(mirror),
                          env=env, cache_home=cache_home, binary=binary)
        made.append(space)
        return space

    yield make
    for space in made:
        deadline = time.monotonic() + 5
        while space.leftovers() != ([], []) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert space.leftovers() == ([], []), "provider processes or socket directories left behind"
        shutil.rmtree(space.tmp, ignore_errors=True)


def pytest_terminal_summary(terminalreporter):
    """Seconds per Terraform command, wall-clock and CPU (medians), and the tests' own figures (FIGURES): what
    docs/terraform.md quotes."""
    for figure in FIGURES:
        terminalreporter.write_line(figure)
    if not TIMINGS:
        return
    terminalreporter.write_line("Terraform commands (%s): median and max wall-clock s, median CPU s, "
                                "median provider starts, runs" % os.environ.get("ONESHOT_TERRAFORM"))
    for command, runs in sorted(TIMINGS.items()):
        wall, cpu, starts = (sorted(column) for column in zip(*runs))
        middle = len(runs) // 2
        terminalreporter.write_line("  %-26s %5.2f %6.2f %6.2f %3d %4d" % (
            command, wall[middle], wall[-1], cpu[middle], starts[middle], len(runs)))
