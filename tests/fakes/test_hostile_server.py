"""Tests of the hostile fake (hostile_server.py through serve and run-with): its fault switches answer as the
integration targets hostile_server and side_doors and the conformance matrix expect."""

from __future__ import annotations

import json
import socket
import subprocess
import time

import pytest
import requests

from conftest import SERVE, FakeServer, fake_env, fake_servers, readline_with_timeout, run_with_passthrough, run_with_script

servers = fake_servers("hostile", FakeServer)


@pytest.fixture
def hostile(servers) -> FakeServer:
    return servers()


def test_echo_answers_quote_the_request(hostile):
    answer = requests.post(hostile.url + "/422/json/api/v2/pushes?note=a%20b", json={"password": "s3cret"}, timeout=5)
    assert answer.status_code == 422
    assert answer.json()["message"] == 'rejected {"password": "s3cret"} note=a b'
    text = requests.post(hostile.url + "/500/repr/x?q=1", data={"p": "v"}, timeout=5)
    assert text.status_code == 500 and text.text == "Rejected: {'body': {'p': ['v']}, 'query': {'q': ['1']}}"
    version = requests.get(hostile.url + "/401/json/api/v2/version", timeout=5)
    assert version.status_code == 200 and version.json()["edition"] == "oss"


def test_shapes_cuts_and_counts(hostile):
    assert requests.get(hostile.url + "/shape-null/api/v2/pushes/x", timeout=5).text == "null"
    assert requests.get(hostile.url + "/shape-list/api/v2/version", timeout=5).json()["api_version"] == "2.1"
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(hostile.url + "/midbody-once/api/v2/pushes/x", timeout=5).json()
    assert requests.get(hostile.url + "/midbody-once/api/v2/pushes/x", timeout=5).json()["edition"] == "oss"
    assert requests.get(hostile.url + "/nothing/here", timeout=5).status_code == 404
    counts = requests.get(hostile.url + "/_hostile/counts", headers={"Authorization": "x"}, timeout=5).json()
    assert counts["GET /midbody-once/api/v2/pushes/x"] == 2 and counts["echo_bytes_sent"] == 0


def test_a_trickle_is_timed_until_the_client_gives_up(hostile):
    host, port = hostile.url[len("http://"):].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as client:
        client.sendall(b"GET /trickle-headers/api/v2/version HTTP/1.1\r\nHost: x\r\n\r\n")
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            assert client.recv(100)  # the status line, then one byte a second
    for _try in range(50):
        seconds = requests.get(hostile.url + "/_hostile/counts", timeout=5).json()["seconds"]
        if seconds:
            break
        time.sleep(0.1)
    assert 1 <= seconds["GET /trickle-headers/api/v2/version"] < 10


def test_file_push_links_redirect_to_hostile_downloads(hostile):
    push = requests.get(hostile.url + "/files-traversal/api/v2/pushes/x", timeout=5).json()
    assert [item["filename"] for item in push["files"]] == ["fine.txt", "../escape.txt"]
    download = requests.get(push["files"][0]["url"], timeout=5)
    assert download.status_code == 200 and download.content == b"    "
    assert download.history[0].status_code == 302


def test_run_with_exports_both_listeners(tmp_path):
    script = ("import json, ssl, urllib.request\n"
              "ctx = ssl.create_default_context(cafile=os.path.join(%r, 'ca.pem'))\n"
              "ctx.verify_flags &= ~getattr(ssl, 'VERIFY_X509_STRICT', 0)\n"
              "tls = os.environ['HOSTILE_TLS_URL']\n"
              "print(json.dumps([url, tls, json.load(urllib.request.urlopen(tls + '/tls/api/v2/version', context=ctx))]))"
              % str(tmp_path))
    url, tls_url, version = json.loads(run_with_script("hostile", script, tmp_path, "--tls-dir", str(tmp_path)))
    assert url.startswith("http://127.0.0.1:") and tls_url.startswith("https://127.0.0.1:")
    assert version["application_version"] == "2.11.4"
    assert run_with_passthrough("hostile", "os.environ['HOSTILE_URL']") == "http://192.0.2.1:9"


def test_lifetime_ends_the_server(tmp_path):
    proc = subprocess.Popen([str(SERVE), "hostile", "--lifetime", "1"],  # pylint: disable=consider-using-with
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=fake_env())
    line = readline_with_timeout(proc, 20)
    assert line.startswith("ready http://127.0.0.1:")
    assert proc.wait(20) == 0
    port = int(line.rsplit(":", 1)[1])
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
