"""Harness shared by the fakes' own tests: a fake started through tests/fakes/serve, as the demo
and the integration tests start it, and the module-scoped servers fixture built on it.

The test modules import from here (as tests/terraform does) and subclass FakeServer for their
service's own helpers (session auth, API root, /_fake/ controls of one fake). Run this folder in a
pytest session of its own (as `make fakes` does): with tests/terraform in the same session, both
folders' conftest.py claim the module name `conftest` and one side's imports fail.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
SERVE = HERE / "serve"
RUN_WITH = HERE / "run-with"


def fake_env() -> dict:
    """The environment for serve and run-with."""
    env = dict(os.environ)
    # Run the fake in the interpreter running the tests when it can (deterministic);
    # test_serve_finds_a_python_and_stops_on_sigterm (test_pwpush_harness.py) covers serve's own discovery.
    if "FAKE_PYTHON" not in env and importlib.util.find_spec("flask") and importlib.util.find_spec("waitress"):
        env["FAKE_PYTHON"] = sys.executable
    return env


def readline_with_timeout(proc: subprocess.Popen, timeout: float) -> str:
    # A thread, because a fake that hangs before its ready line would block readline() for good.
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not result:
        proc.kill()
        pytest.fail("the fake printed no ready line within %s s" % timeout)
    return result[0]


class FakeServer:
    """One `serve SERVICE` process; its stderr (the request log) goes to a file."""

    def __init__(self, service: str, tmp_path: Path, *args: str) -> None:
        self.log_path = tmp_path / ("server-%d.log" % id(self))
        self._log = open(self.log_path, "w", encoding="utf-8")  # pylint: disable=consider-using-with
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [str(SERVE), service, "--port", "0", *args], stdout=subprocess.PIPE, stderr=self._log,
            text=True, env=fake_env())
        line = readline_with_timeout(self.proc, 20)
        assert re.fullmatch(r"ready http://127\.0\.0\.1:\d+\n", line), line
        self.url = line.split()[1]

    def reset(self) -> None:
        requests.post(self.url + "/_fake/reset", timeout=5).raise_for_status()

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        finally:
            self._log.close()


def run_with_script(name: str, script: str, tmp_path: Path, *serve_args: str, clear: tuple[str, ...] = (),
                    env: dict | None = None, gone_path: str = "/") -> str:
    """`run-with NAME [serve_args] --quiet -- python -c SCRIPT` against a fresh fake, without NAME_URL and the
    variables ``clear`` names in the environment (plus ``env``). SCRIPT finds the fake's address in ``url`` (and
    ``os`` and ``requests`` imported); the command exits 3, which run-with must return. Checks that the fake is
    gone afterwards (``gone_path`` refused) and returns what SCRIPT printed, stripped."""
    url_var = name.upper() + "_URL"
    url_file = tmp_path / ("%s-url" % name)
    prelude = "import os, requests\nurl = os.environ[%r]\nopen(%r, 'w').write(url)\n" % (url_var, str(url_file))
    environ = {k: v for k, v in fake_env().items() if k not in clear + (url_var,)}
    environ.update(env or {})
    result = subprocess.run([str(RUN_WITH), name, *serve_args, "--quiet", "--", sys.executable, "-c",
                             prelude + script + "\nraise SystemExit(3)"],
                            capture_output=True, text=True, env=environ, timeout=60, check=False)
    assert result.returncode == 3, result.stderr
    with pytest.raises(requests.ConnectionError):
        requests.get(url_file.read_text(encoding="utf-8") + gone_path, timeout=2)  # the server is gone
    return result.stdout.strip()


def run_with_passthrough(name: str, printed: str, *, clear: tuple[str, ...] = (), env: dict | None = None) -> str:
    """With NAME_URL set, run-with starts nothing: `run-with NAME -- python -c "print(PRINTED)"` runs against that
    address (a documentation one). Returns what it printed, stripped."""
    environ = {k: v for k, v in fake_env().items() if k not in clear}
    environ.update(env or {}, **{name.upper() + "_URL": "http://192.0.2.1:9"})
    result = subprocess.run([str(RUN_WITH), name, "--", sys.executable, "-c", "import os; print(%s)" % printed],
                            capture_output=True, text=True, env=environ, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def fake_servers(service: str, server_class: type[FakeServer] = FakeServer):
    """The `servers` fixture of a test module: `servers = fake_servers("ots", OtsServer)`.

    One server per argument list, started on first use (a start takes a while) and reset on
    every use, so the tests share servers but not their data.
    """

    @pytest.fixture(scope="module")
    def servers(tmp_path_factory):
        """Servers shared by the tests of this module, one per argument list, reset per use."""
        started: dict[tuple, FakeServer] = {}
        tmp = tmp_path_factory.mktemp(service)

        def get(*args: str) -> FakeServer:
            if args not in started:
                started[args] = server_class(service, tmp, *args)
            server = started[args]
            server.reset()
            return server

        yield get
        for server in started.values():
            server.stop()

    return servers
