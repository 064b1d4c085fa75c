"""Tests of the harness' connection-level switches: reset faults and HTTPS (common.py, serve).

Run: pytest -q tests/fakes/test_common_faults.py
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
SERVE = HERE / "serve"
TOKEN = "reset-test-token-0001"
KEY = "reset-test-key-0001"


def _env() -> dict:
    env = dict(os.environ)
    for name in ("FAKE_TLS_CERT", "FAKE_TLS_KEY"):
        env.pop(name, None)
    if "FAKE_PYTHON" not in env and importlib.util.find_spec("flask") and importlib.util.find_spec("waitress"):
        env["FAKE_PYTHON"] = sys.executable
    return env


class Serve:
    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.log = open(tmp_path / ("log-%d" % id(self)), "w")  # pylint: disable=consider-using-with
        self.proc = subprocess.Popen([str(SERVE), *args, "--port", "0"], stdout=subprocess.PIPE,  # pylint: disable=consider-using-with
                                     stderr=self.log, text=True, env=_env())
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(20)
        if not line or not line[0].startswith("ready "):
            self.stop()
            pytest.fail("no ready line")
        self.url = line[0].split()[1]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


@pytest.fixture(name="pwpush")
def fixture_pwpush(tmp_path):
    server = Serve(tmp_path, "pwpush", "--token", TOKEN, "--rate-limit-per-minute", "0", "--rate-limit-per-second", "0")
    yield server
    server.stop()


def _push(url: str, payload: str = "reset-payload") -> requests.Response:
    return requests.post(url + "/api/v2/pushes", json={"push": {"payload": payload}}, timeout=10,
                         headers={"Authorization": "Bearer " + TOKEN})


def _stored(url: str) -> int:
    return len(requests.get(url + "/_fake/pwpush/pushes", timeout=5).json())


@pytest.mark.parametrize("mode, stored", [("before", 0), ("after", 1)])
def test_reset_drops_the_connection_without_an_answer(pwpush, mode, stored):
    fault = {"reset": mode, "count": 2, "path_prefix": "/api/v2/pushes"}
    answer = requests.post(pwpush.url + "/_fake/faults", json=fault, timeout=5)
    assert answer.status_code == 200 and answer.json()["reset"] == mode and answer.json()["count"] == 2
    for _attempt in range(2):
        with pytest.raises(requests.ConnectionError):
            _push(pwpush.url)
    assert _stored(pwpush.url) == 2 * stored  # "before": the app never saw it; "after": stored, unanswered
    assert requests.get(pwpush.url + "/_fake/faults", timeout=5).json()["count"] == 0
    assert _push(pwpush.url).status_code == 201  # the switch is used up
    assert requests.get(pwpush.url + "/api/v2/version", timeout=5).status_code == 200


def test_reset_spares_other_paths_and_validates(pwpush):
    requests.post(pwpush.url + "/_fake/faults", json={"reset": "before", "path_prefix": "/api/v2/pushes"}, timeout=5)
    assert requests.get(pwpush.url + "/api/v2/version", timeout=5).status_code == 200
    for bad in ({"reset": "during"}, {"reset": "before", "status": 500}, {"reset": "after", "count": -1}):
        assert requests.post(pwpush.url + "/_fake/faults", json=bad, timeout=5).status_code == 400
    assert "reset" not in requests.delete(pwpush.url + "/_fake/faults", timeout=5).json()


def test_a_fault_limited_to_a_method_spares_the_other_methods_of_the_path(pwpush):
    fault = {"status": 500, "count": 1, "path_prefix": "/api/v2/pushes", "method": "POST"}
    assert requests.post(pwpush.url + "/_fake/faults", json=fault, timeout=5).json()["method"] == "POST"
    listed = requests.get(pwpush.url + "/api/v2/pushes/active", headers={"Authorization": "Bearer " + TOKEN}, timeout=5)
    assert listed.status_code == 200  # a read under the same path is not hit
    assert _push(pwpush.url).status_code == 500 and _stored(pwpush.url) == 0
    assert _push(pwpush.url).status_code == 201  # used up
    assert requests.post(pwpush.url + "/_fake/faults", json={"status": 500, "method": "FETCH"}, timeout=5).status_code == 400


def test_reset_on_pushsecurity(tmp_path):
    server = Serve(tmp_path, "pushsecurity", "--api-key", KEY, "--rate", "0")
    try:
        requests.post(server.url + "/_fake/faults", json={"reset": "after"}, timeout=5)
        with pytest.raises(requests.ConnectionError):
            requests.post(server.url + "/v1/controls/stolenCredentials", headers={"x-api-key": KEY}, timeout=5,
                          json=[{"email": "a@example.com", "password": "pw-reset-1"}])
        assert requests.get(server.url + "/_fake/stolen-credentials", timeout=5).json()["count"] == 1
    finally:
        server.stop()


def test_tls(tmp_path):
    sys.path.insert(0, str(HERE))
    try:
        import common  # pylint: disable=import-outside-toplevel
    finally:
        sys.path.pop(0)
    paths = common.write_test_ca(str(tmp_path))
    server = Serve(tmp_path, "pwpush", "--token", TOKEN, "--tls-cert", paths["cert"], "--tls-key", paths["key"])
    try:
        assert server.url.startswith("https://127.0.0.1:")
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(server.url + "/api/v2/version", timeout=5)
        assert requests.get(server.url + "/api/v2/version", timeout=5, verify=paths["ca"]).status_code == 200
        push = requests.post(server.url + "/api/v2/pushes", json={"push": {"payload": "tls-payload"}}, timeout=5,
                             headers={"Authorization": "Bearer " + TOKEN}, verify=paths["ca"])
        assert push.status_code == 201 and push.json()["html_url"].startswith("https://")
        # The reset switch works behind TLS too (werkzeug's server).
        requests.post(server.url + "/_fake/faults", json={"reset": "after"}, timeout=5, verify=paths["ca"])
        with pytest.raises(requests.ConnectionError):
            requests.get(server.url + "/api/v2/version", timeout=5, verify=paths["ca"])
    finally:
        server.stop()
    bad = subprocess.run([str(SERVE), "pwpush", "--token", TOKEN, "--port", "0", "--tls-cert", paths["cert"]],
                         capture_output=True, text=True, env=_env(), timeout=30, check=False)
    assert bad.returncode == 2 and "go together" in bad.stderr


def test_authorization_schemes_are_counted_never_their_values(pwpush):
    session = requests.Session()
    session.trust_env = False  # this test's own client must not pick up a ~/.netrc either
    session.get(pwpush.url + "/api/v2/version", timeout=5)
    session.get(pwpush.url + "/api/v2/version", headers={"Authorization": "Bearer " + TOKEN}, timeout=5)
    session.get(pwpush.url + "/api/v2/version", headers={"Authorization": "Basic dTpw"}, timeout=5)
    seen = session.get(pwpush.url + "/_fake/authorization", timeout=5)
    assert seen.json() == {"Basic": 1, "Bearer": 1, "none": 1}
    assert TOKEN not in seen.text
    session.post(pwpush.url + "/_fake/reset", timeout=5)
    assert session.get(pwpush.url + "/_fake/authorization", timeout=5).json() == {}
