"""The pwpush fake serves a file push's attachments as Password Pusher's Active Storage does (pwpush_blobs.py).

Run: pytest -q tests/fakes/test_pwpush_blobs.py
"""

from __future__ import annotations

import pytest
import requests

from conftest import FakeServer
from test_pwpush_server import TOKEN1, UNLIMITED, servers  # noqa: F401  pylint: disable=unused-import


@pytest.fixture(params=["hosted", "oss", "v1"])
def server(request, servers) -> tuple[FakeServer, str]:
    return servers("--mode", request.param, "--token", TOKEN1, *UNLIMITED), request.param


def create_file_push(server: FakeServer, mode: str, files: list) -> tuple[str, str]:
    key, path = ("file_push", "/f.json") if mode == "v1" else ("push", "/api/v2/pushes")
    answer = requests.post(server.url + path, headers={"Authorization": "Bearer " + TOKEN1}, timeout=10,
                           data={key + "[payload]": "a note", key + "[expire_after_views]": "2"},
                           files=[(key + "[files][]", f) for f in files])
    assert answer.status_code == 201, answer.text
    token = answer.json()["url_token"]
    return token, ("/f/%s.json" if mode == "v1" else "/api/v2/pushes/%s") % token


def test_attachments_redirect_to_the_disk_service_without_authentication(server):
    fake, mode = server
    uploads = [("notes.txt", b"hello file", "text/plain"), ("../evil/na|me.bin", b"\x00" * 5000, "application/x-foo")]
    token, show = create_file_push(fake, mode, uploads)
    files = requests.get(fake.url + show, timeout=10).json()["files"]
    assert [f["filename"] for f in files] == ["notes.txt", "..-evil-na-me.bin"]  # ActiveStorage::Filename#sanitized
    assert files[0]["content_type"] == "text/plain"
    assert files[0]["url"].startswith(fake.url + "/pfb/blobs/redirect/") and files[0]["url"].endswith("/notes.txt")
    first = requests.get(files[0]["url"], allow_redirects=False, timeout=10)
    assert first.status_code == 302 and first.headers["Cache-Control"] == "max-age=300, private"
    assert first.headers["Location"].startswith(fake.url + "/pfb/disk/")
    blob = requests.get(first.headers["Location"], timeout=10)
    assert blob.status_code == 200 and blob.content == b"hello file"
    assert blob.headers["Content-Length"] == "10" and blob.headers["Content-Type"].startswith("text/plain")
    assert blob.headers["Content-Disposition"] == "attachment; filename=\"notes.txt\"; filename*=UTF-8''notes.txt"
    second = requests.get(files[1]["url"], timeout=10)
    assert second.content == b"\x00" * 5000 and second.headers["Content-Length"] == "5000"
    # The log shortens the capabilities in the paths (the push token, signed ids, disk keys).
    log = fake.log_text()
    assert token not in log and first.headers["Location"].split("/")[5] not in log


def test_links_die_with_the_push(server):
    fake, mode = server
    token, show = create_file_push(fake, mode, [("a.txt", b"content", "text/plain")])
    link = requests.get(fake.url + show, timeout=10).json()["files"][0]["url"]
    disk = requests.get(link, allow_redirects=False, timeout=10).headers["Location"]
    expire = requests.delete(fake.url + show, headers={"Authorization": "Bearer " + TOKEN1}, timeout=10)
    assert expire.status_code == 200
    assert requests.get(link, allow_redirects=False, timeout=10).status_code == 404
    assert requests.get(disk, timeout=10).status_code == 404
    assert requests.get(fake.url + show, timeout=10).json()["files"] == []
    assert token


def test_a_forged_link_is_a_404(server):
    fake, _mode = server
    assert requests.get(fake.url + "/pfb/blobs/redirect/forged--00/a.txt", timeout=10).status_code == 404
    assert requests.get(fake.url + "/pfb/disk/forged--00/a.txt", timeout=10).status_code == 404
