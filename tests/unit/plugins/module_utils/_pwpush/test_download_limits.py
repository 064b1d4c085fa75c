# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a hostile server's file push can do to dest (_pwpush/download.py): more files and bytes than the caps,
names a terminal or a shell would act on, and a full disk (issue 28)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import io
import os
import subprocess

import pytest
from urllib3.response import HTTPResponse

from ansible_collections.oneshot.secrets.plugins.module_utils._core import transport as transport_module
from ansible_collections.oneshot.secrets.plugins.module_utils._core.transport import HttpTransport
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.download import save_attachments
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, response
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils._pwpush.test_download import (
    BASE,
    body,
    entry,
    listing,
    transport,
)

KIB = 1024


def bytes_in(directory):
    """Bytes of every file in directory, part files included."""
    return sum(os.lstat(os.path.join(str(directory), name)).st_size for name in os.listdir(str(directory)))


def watched(data, directory, peaks, announce=True):
    """An answer whose body, at each read, notes how many bytes dest holds: the most it held at any moment."""

    class Watching(io.BytesIO):
        def read(self, *args):
            peaks.append(bytes_in(directory))
            return io.BytesIO.read(self, *args)

    headers = {"Content-Length": str(len(data))} if announce else {}
    answer = response(200, headers=headers)
    answer.raw = HTTPResponse(body=Watching(data), headers=headers, status=200, preload_content=False,
                              decode_content=False)
    return answer


def test_more_files_than_max_files_are_refused_before_any_download(tmp_path):
    http, stub = transport([])
    files = [entry("part-%02d.bin" % number) for number in range(30)]
    with pytest.raises(PwpushError, match=r"has 30 attachments, more than max_files \(10\); nothing was saved"):
        save_attachments(http, BASE, files, str(tmp_path))
    assert stub.calls == [] and listing(tmp_path) == []


@pytest.mark.parametrize("announce", [True, False], ids=["announced", "unannounced"])
@pytest.mark.parametrize("caps, option", [
    (dict(max_bytes=100 * KIB), "max_download_bytes (it bounds all the files when max_push_bytes is not set)"),
    (dict(max_push_bytes=100 * KIB), "max_push_bytes"),
], ids=["max_download_bytes", "max_push_bytes"])
def test_the_push_cap_bounds_the_sum_of_the_files(tmp_path, announce, caps, option):
    """30 files of 90 KiB under a cap of 100 KiB (the issue's 9 MiB under 10 MiB, smaller): one is saved."""
    peaks = []
    answers = [watched(b"x" * 90 * KIB, tmp_path, peaks, announce) for _number in range(2)]
    http, stub = transport(answers)
    files = [entry("part-%02d.bin" % number) for number in range(30)]
    with pytest.raises(PwpushError) as failure:
        save_attachments(http, BASE, files, str(tmp_path), max_files=30, **caps)
    assert ("part-01.bin: the push's files pass %s, 102400 bytes in all: 92160 of them were saved before it, "
            "10240 left; nothing of it was kept." % option) in failure.value.message
    assert [f["filename"] for f in failure.value.saved] == ["part-00.bin"]
    assert listing(tmp_path) == ["part-00.bin"] and len(stub.calls) == 2
    assert max(peaks + [bytes_in(tmp_path)]) <= 100 * KIB


def test_a_file_may_take_all_the_push_cap_left_but_not_more_than_max_download_bytes(tmp_path):
    http, _stub = transport([body(b"a" * 600), body(b"b" * 700)])
    with pytest.raises(PwpushError, match=r"b.bin: it is larger than max_download_bytes \(650 bytes\)"):
        save_attachments(http, BASE, [entry("a.bin"), entry("b.bin")], str(tmp_path), max_bytes=650,
                         max_push_bytes=5000)
    assert listing(tmp_path) == ["a.bin"]


def test_the_sum_fits_when_the_files_do(tmp_path):
    http, _stub = transport([body(b"a" * 600), body(b"b" * 400)])
    saved = save_attachments(http, BASE, [entry("a.bin"), entry("b.bin")], str(tmp_path), max_push_bytes=1000)
    assert [f["size"] for f in saved] == [600, 400] and bytes_in(tmp_path) == 1000


def test_a_server_sending_more_than_it_announced_never_passes_the_cap(tmp_path):
    peaks = []
    answer = watched(b"x" * 300 * KIB, tmp_path, peaks)
    answer.headers["Content-Length"] = str(10 * KIB)  # announces 10 KiB, sends 300
    http, _stub = transport([answer])
    with pytest.raises(PwpushError, match="larger than max_download_bytes"):
        save_attachments(http, BASE, [entry("liar.bin")], str(tmp_path), max_bytes=100 * KIB)
    assert listing(tmp_path) == [] and max(peaks) <= 100 * KIB


def test_the_part_file_refuses_what_passes_its_limit_whatever_the_transport_does(tmp_path, monkeypatch):
    read_body = transport_module.read_body
    monkeypatch.setattr(transport_module, "read_body",
                        lambda answer, watch, max_bytes, sink=None: read_body(answer, watch, 10 ** 12, sink))
    peaks = []
    http, _stub = transport([watched(b"x" * 300 * KIB, tmp_path, peaks, announce=False)])
    with pytest.raises(PwpushError, match=r"larger than max_download_bytes \(102400 bytes\)"):
        save_attachments(http, BASE, [entry("big.bin")], str(tmp_path), max_bytes=100 * KIB)
    assert listing(tmp_path) == [] and max(peaks) <= 100 * KIB


@pytest.mark.parametrize("name, saved_as", [
    ("\x1b]0;pwned\x07\x1b[2J", "_]0;pwned__[2J"),
    ("--checkpoint-action=exec=sh x.sh", "_--checkpoint-action=exec=sh x.sh"),
    (".bashrc", "_.bashrc"),
    ("-", "_-"),
    ("...", "_..."),
    ("notes\nrm -rf ~.txt", "notes_rm -rf ~.txt"),
    ("\x1b-x", "_-x"),
    ("invoice\u202egpj.exe", "invoice_gpj.exe"),
    ("a\u2028b\x7f\x9b", "a_b__"),
    ("\ud800.txt", "_.txt"),
])
def test_a_name_a_terminal_or_shell_acts_on_is_saved_under_a_safe_name_and_said_so(tmp_path, name, saved_as):
    http, _stub = transport([body(b"content"), body(b"plain")])
    saved = save_attachments(http, BASE, [entry(name), entry("plain.txt")], str(tmp_path))
    assert saved[0]["filename"] == name and saved[0]["renamed"] is True
    assert saved[0]["path"] == os.path.join(str(tmp_path), saved_as)
    assert saved[1]["renamed"] is False and saved[1]["path"] == str(tmp_path / "plain.txt")
    assert listing(tmp_path) == sorted([saved_as, "plain.txt"])
    assert (tmp_path / saved_as).read_bytes() == b"content"


def test_two_names_that_would_be_saved_alike_are_refused(tmp_path):
    http, stub = transport([])
    with pytest.raises(PwpushError, match=r"attachments '.env' and '_.env' would both be saved as '_.env'"):
        save_attachments(http, BASE, [entry(".env"), entry("_.env")], str(tmp_path))
    assert stub.calls == [] and listing(tmp_path) == []


def test_a_renamed_file_that_exists_is_kept_without_force(tmp_path):
    (tmp_path / "_.bashrc").write_bytes(b"mine")
    http, stub = transport([])
    with pytest.raises(PwpushError, match="_.bashrc exists already"):
        save_attachments(http, BASE, [entry(".bashrc")], str(tmp_path))
    assert stub.calls == [] and (tmp_path / "_.bashrc").read_bytes() == b"mine"


def _failing_writes(monkeypatch, directory, error, allowed, where="write"):
    """os.write (or os.fsync) fails with error for files in directory once `allowed` bytes were written."""
    real_write, real_fsync = os.write, os.fsync
    written = [0]

    def in_directory(fd):
        try:
            return os.path.dirname(os.readlink("/proc/self/fd/%d" % fd)) == str(directory)
        except OSError:
            return False

    def write(fd, data):
        if where == "write" and in_directory(fd):
            room = allowed - written[0]
            if room <= 0:
                raise OSError(error, os.strerror(error))
            count = real_write(fd, bytes(data[:room]))
            written[0] += count
            return count
        return real_write(fd, data)

    def fsync(fd):
        if where == "fsync" and in_directory(fd):
            raise OSError(error, os.strerror(error))
        return real_fsync(fd)

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(os, "fsync", fsync)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd to tell the files of dest")
@pytest.mark.parametrize("error, said", [
    (errno.ENOSPC, "dest's filesystem is full"),
    (errno.EDQUOT, "this user's disk quota on dest's filesystem is used up"),
    (errno.EIO, "writing in dest failed (Input/output error)"),
])
def test_a_full_disk_is_told_as_such_and_the_partial_file_removed(tmp_path, monkeypatch, error, said):
    http = HttpTransport(BASE, retries=3)
    stub = ScriptedSession(http, [body(b"first"), body(b"y" * 200 * KIB)])
    _failing_writes(monkeypatch, tmp_path, error, allowed=5 + 100 * KIB)
    with pytest.raises(PwpushError) as failure:
        save_attachments(http, BASE, [entry("one.txt"), entry("big.bin")], str(tmp_path))
    message = failure.value.message
    assert message.startswith("%s: %d bytes of %s written, removed." % (said, 100 * KIB, tmp_path / "big.bin"))
    assert "connection" not in message and "Saved before: %s" % (tmp_path / "one.txt") in message
    assert listing(tmp_path) == ["one.txt"] and len(stub.calls) == 2  # not sent again


def test_a_full_disk_told_at_fsync_removes_the_file_too(tmp_path, monkeypatch):
    http, _stub = transport([body(b"z" * 1000)])
    _failing_writes(monkeypatch, tmp_path, errno.ENOSPC, allowed=0, where="fsync")
    with pytest.raises(PwpushError, match=r"^dest's filesystem is full: 1000 bytes of .*z.bin written, removed\.$"):
        save_attachments(http, BASE, [entry("z.bin")], str(tmp_path))
    assert listing(tmp_path) == []


def test_a_full_disk_on_a_small_tmpfs(tmp_path):
    """A real full filesystem: a 256 KiB tmpfs (mounting needs root, as CI runs; skipped otherwise)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs the unit tests as root); the full disk is simulated above")
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.call(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(small)],
                              stderr=subprocess.DEVNULL)
    if mounted != 0:
        pytest.skip("mount -t tmpfs failed (a container without CAP_SYS_ADMIN?)")
    try:
        http, _stub = transport([body(b"f" * 1024 * KIB)])
        with pytest.raises(PwpushError, match=r"^dest's filesystem is full: \d+ bytes of .*/full.bin written, "
                                              r"removed\.$"):
            save_attachments(http, BASE, [entry("full.bin")], str(small))
        assert listing(small) == []
    finally:
        subprocess.call(["umount", str(small)])
