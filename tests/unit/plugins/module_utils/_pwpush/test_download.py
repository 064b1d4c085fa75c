# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Saving a file push's attachments (_pwpush/download.py): names, symlinks, sizes, modes, streaming.

The caps on the whole push, hostile names and a full disk: test_download_limits.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import io
import os
import stat
import tracemalloc

import pytest
import requests
from requests.structures import CaseInsensitiveDict
from urllib3.response import HTTPResponse

from ansible_collections.oneshot.secrets.plugins.module_utils._core import transport as transport_module
from ansible_collections.oneshot.secrets.plugins.module_utils._core.transport import HttpTransport
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.download import save_attachments
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, response

BASE = "https://pw.example.test"
LINK = BASE + "/pfb/blobs/redirect/c2lnbmVk--0123/%s"


def entry(name, content_type="text/plain"):
    return {"filename": name, "content_type": content_type, "url": LINK % name}


def transport(answers):
    http = HttpTransport(BASE, retries=0, headers={"Authorization": "Bearer owner-token-0001"})
    return http, ScriptedSession(http, answers)


def body(data, **headers):
    all_headers = {"Content-Length": str(len(data)), "Content-Type": "text/plain"}
    all_headers.update(headers)
    return response(200, content=data, headers=all_headers)


def listing(directory):
    return sorted(os.listdir(str(directory)))


@pytest.mark.parametrize("name", ["../escape", "..", ".", "", "a/b", "/etc/passwd", "a\\b", "..\\x", "a\0b", None, 7])
def test_a_name_with_a_path_component_is_refused_before_any_download(tmp_path, name):
    http, stub = transport([])
    files = [entry("fine.txt"), {"filename": name, "content_type": "text/plain", "url": LINK % "x"}]
    with pytest.raises(PwpushError, match="nothing was saved"):
        save_attachments(http, BASE, files, str(tmp_path))
    assert stub.calls == [] and listing(tmp_path) == []


def test_two_attachments_of_one_name_are_refused(tmp_path):
    http, stub = transport([])
    with pytest.raises(PwpushError, match="two attachments named 'a.txt'"):
        save_attachments(http, BASE, [entry("a.txt"), entry("a.txt")], str(tmp_path))
    assert stub.calls == []


def test_files_are_saved_0600_with_size_and_sha256_and_no_credential_goes_with_them(tmp_path):
    old_umask = os.umask(0)
    try:
        http, stub = transport([body(b"first file"), body(b"second")])
        saved = save_attachments(http, BASE, [entry("one.txt"), entry("two.txt")], str(tmp_path))
    finally:
        os.umask(old_umask)
    assert [f["filename"] for f in saved] == ["one.txt", "two.txt"]
    assert saved[0] == {"filename": "one.txt", "path": str(tmp_path / "one.txt"), "size": 10,
                        "sha256": hashlib.sha256(b"first file").hexdigest(), "content_type": "text/plain",
                        "renamed": False}
    assert (tmp_path / "one.txt").read_bytes() == b"first file"
    for name in ("one.txt", "two.txt"):
        assert stat.S_IMODE(os.stat(str(tmp_path / name)).st_mode) == 0o600
    assert listing(tmp_path) == ["one.txt", "two.txt"]  # no part file left
    method, url, kwargs = stub.calls[0]
    assert method == "GET" and url == LINK % "one.txt" and kwargs["allow_redirects"] is True
    assert kwargs["headers"]["Authorization"] is None and kwargs["headers"]["X-User-Token"] is None
    assert kwargs["headers"]["Accept-Encoding"] == "identity"
    assert kwargs["timeout"] == 900.0  # not the 30 s meant for JSON answers


def test_the_link_is_fetched_from_the_configured_server_whatever_host_it_names(tmp_path):
    http, stub = transport([body(b"content")])
    files = [{"filename": "a.txt", "url": "http://internal-host:5100/pfb/blobs/redirect/s1--x/a.txt?d=1"}]
    save_attachments(http, BASE, files, str(tmp_path))
    assert stub.calls[0][1] == BASE + "/pfb/blobs/redirect/s1--x/a.txt?d=1"


def test_the_part_file_is_0600_from_its_first_byte(tmp_path):
    seen = []

    class Watching(io.BytesIO):
        def read(self, *args):
            seen.extend(stat.S_IMODE(os.stat(str(tmp_path / n)).st_mode) for n in os.listdir(str(tmp_path)))
            return io.BytesIO.read(self, *args)

    answer = response(200, headers={"Content-Length": "5"})
    answer.raw = HTTPResponse(body=Watching(b"12345"), headers={"Content-Length": "5"}, status=200,
                              preload_content=False, decode_content=False)
    old_umask = os.umask(0)
    try:
        http, _stub = transport([answer])
        save_attachments(http, BASE, [entry("a.bin")], str(tmp_path))
    finally:
        os.umask(old_umask)
    assert seen and set(seen) == {0o600}


def test_an_existing_file_is_kept_without_force_and_replaced_with_it(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"mine")
    http, stub = transport([])
    with pytest.raises(PwpushError, match="exists already: set force=true"):
        save_attachments(http, BASE, [entry("new.txt"), entry("a.txt")], str(tmp_path))
    assert stub.calls == [] and (tmp_path / "a.txt").read_bytes() == b"mine" and listing(tmp_path) == ["a.txt"]
    http, stub = transport([body(b"theirs")])
    save_attachments(http, BASE, [entry("a.txt")], str(tmp_path), force=True)
    assert (tmp_path / "a.txt").read_bytes() == b"theirs"


def test_a_symlink_at_a_name_is_never_followed(tmp_path):
    target = tmp_path / "target"
    target.write_bytes(b"do not touch")
    dest = tmp_path / "dest"
    dest.mkdir()
    os.symlink(str(target), str(dest / "a.txt"))
    http, stub = transport([])
    with pytest.raises(PwpushError, match="exists already"):
        save_attachments(http, BASE, [entry("a.txt")], str(dest))
    http, stub = transport([body(b"downloaded")])
    save_attachments(http, BASE, [entry("a.txt")], str(dest), force=True)
    assert target.read_bytes() == b"do not touch"
    assert not os.path.islink(str(dest / "a.txt")) and (dest / "a.txt").read_bytes() == b"downloaded"


def test_a_dangling_symlink_counts_as_existing(tmp_path):
    os.symlink(str(tmp_path / "nowhere"), str(tmp_path / "a.txt"))
    http, _stub = transport([])
    with pytest.raises(PwpushError, match="exists already"):
        save_attachments(http, BASE, [entry("a.txt")], str(tmp_path))
    assert not os.path.exists(str(tmp_path / "nowhere"))


@pytest.mark.parametrize("kind", ["symlink", "missing", "file"])
def test_dest_must_be_a_real_directory(tmp_path, kind):
    real = tmp_path / "real"
    real.mkdir()
    dest = tmp_path / "dest"
    if kind == "symlink":
        os.symlink(str(real), str(dest))
    elif kind == "file":
        dest.write_bytes(b"x")
    http, stub = transport([])
    wanted = {"symlink": "is a symbolic link", "missing": "does not exist", "file": "is not a directory"}[kind]
    with pytest.raises(PwpushError, match=wanted):
        save_attachments(http, BASE, [entry("a.txt")], str(dest))
    assert stub.calls == [] and listing(real) == []


def test_a_directory_at_a_name_is_refused_even_with_force(tmp_path):
    (tmp_path / "a.txt").mkdir()
    http, _stub = transport([])
    with pytest.raises(PwpushError, match="is a directory"):
        save_attachments(http, BASE, [entry("a.txt")], str(tmp_path), force=True)


def test_fewer_bytes_than_announced_fail_and_leave_nothing(tmp_path):
    http, _stub = transport([body(b"first"), response(200, content=b"short", headers={"Content-Length": "900"})])
    with pytest.raises(PwpushError) as failure:
        save_attachments(http, BASE, [entry("one.txt"), entry("two.txt")], str(tmp_path))
    assert "two.txt" in failure.value.message and "Nothing of it was kept" in failure.value.message
    assert "Saved before: %s" % (tmp_path / "one.txt") in failure.value.message
    assert [f["filename"] for f in failure.value.saved] == ["one.txt"]
    assert listing(tmp_path) == ["one.txt"]


def test_a_size_check_backs_the_transport_up(tmp_path, monkeypatch):
    """Should the transport let a short body through, the announced size still decides."""
    monkeypatch.setattr(transport_module, "read_body", _read_without_size_check(transport_module.read_body))
    answer = response(200, headers={"Content-Length": "900"})
    answer.raw = HTTPResponse(body=io.BytesIO(b"short"), headers={}, status=200, preload_content=False,
                              decode_content=False)
    http, _stub = transport([answer])
    with pytest.raises(PwpushError, match="announced 900 bytes and sent 5"):
        save_attachments(http, BASE, [entry("a.txt")], str(tmp_path))
    assert listing(tmp_path) == []


def _read_without_size_check(read_body):
    def read(response, watch, max_bytes, sink=None):
        del response.headers["Content-Length"]
        read_body(response, watch, max_bytes, sink)
        response.headers["Content-Length"] = "900"
    return read


@pytest.mark.parametrize("headers", [{"Content-Length": "2000"}, {}])
def test_a_file_over_max_download_bytes_fails_and_is_not_kept(tmp_path, headers):
    answer = response(200, content=b"x" * 2000, headers=headers)
    http, _stub = transport([answer])
    with pytest.raises(PwpushError, match=r"larger than max_download_bytes \(1000 bytes\)"):
        save_attachments(http, BASE, [entry("big.bin")], str(tmp_path), max_bytes=1000)
    assert listing(tmp_path) == []


def test_an_error_answer_is_told_and_nothing_is_written(tmp_path):
    http, _stub = transport([response(404, raw="<html>gone</html>")])
    with pytest.raises(PwpushError, match="answered HTTP 404 .its link expires 5 minutes"):
        save_attachments(http, BASE, [entry("a.txt")], str(tmp_path))
    assert listing(tmp_path) == []


class Zeros(io.RawIOBase):
    """size bytes of a repeating pattern, generated as they are read: never all in memory."""

    def __init__(self, size):
        self.left = size
        self.pattern = bytes(range(256)) * 256

    def readable(self):
        return True

    def readinto(self, buffer):
        count = min(len(buffer), self.left, len(self.pattern))
        buffer[:count] = self.pattern[:count]
        self.left -= count
        return count


def test_a_100_mib_file_is_streamed_without_being_held_in_memory(tmp_path):
    size = 100 * 1024 * 1024
    answer = response(200, headers={"Content-Length": str(size)})
    answer.raw = HTTPResponse(body=io.BufferedReader(Zeros(size), 64 * 1024), headers={"Content-Length": str(size)},
                              status=200, preload_content=False, decode_content=False)
    expected = hashlib.sha256()
    source = Zeros(size)
    chunk = bytearray(64 * 1024)
    while True:
        count = source.readinto(chunk)
        if not count:
            break
        expected.update(bytes(chunk[:count]))
    http, _stub = transport([answer])
    tracemalloc.start()
    try:
        saved = save_attachments(http, BASE, [entry("big.bin")], str(tmp_path), max_bytes=size)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert saved[0]["size"] == size and os.path.getsize(str(tmp_path / "big.bin")) == size
    assert saved[0]["sha256"] == expected.hexdigest()
    assert peak < 8 * 1024 * 1024, "the download held %d bytes in memory" % peak


def test_no_files_saves_nothing(tmp_path):
    http, stub = transport([])
    assert save_attachments(http, BASE, [], str(tmp_path)) == []
    assert save_attachments(http, BASE, None, str(tmp_path)) == []
    assert stub.calls == []


def test_requests_drops_the_session_credentials_the_download_sets_to_none():
    """The None headers work as meant: requests removes them from what it sends."""
    session = requests.Session()
    session.headers.update({"Authorization": "Bearer owner-token-0001", "X-User-Token": "owner-token-0001"})
    prepared = session.prepare_request(requests.Request("GET", BASE + "/pfb/x", headers={
        "Authorization": None, "X-User-Token": None}))
    assert "Authorization" not in prepared.headers and "X-User-Token" not in prepared.headers
    assert isinstance(prepared.headers, CaseInsensitiveDict)
