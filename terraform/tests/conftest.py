# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures: the project's fake servers (tests/fakes/serve) and provider processes."""

import os
import subprocess
import sys

import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SERVE = os.path.join(ROOT, "tests", "fakes", "serve")
sys.path.insert(0, HERE)

from tfclient import PluginProcess  # noqa: E402  pylint: disable=wrong-import-position

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
def ots_fake():
    fake = Fake("ots", "--username", OTS_USERNAME, "--api-token", OTS_TOKEN)
    yield fake
    fake.stop()


@pytest.fixture()
def pwpush(pwpush_hosted):
    pwpush_hosted.post("/_fake/reset")
    return pwpush_hosted


@pytest.fixture()
def ots(ots_fake):
    ots_fake.post("/_fake/reset")
    return ots_fake


@pytest.fixture()
def plugin():
    """A provider process started the way Terraform starts it; shut down after the test."""
    processes = []

    def start(env=None):
        process = PluginProcess(env_extra=env)
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.close()
