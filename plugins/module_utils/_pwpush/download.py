# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Saving a retrieved file push's attachments into a directory (pwpush_push_retrieve's dest).

The server's show answer lists each attachment as {filename, content_type, url}; the url is an Active Storage
link (/pfb/blobs/redirect/SIGNED_ID/NAME, valid 5 minutes) that redirects to the storage service (the
server itself for local disk storage, else S3 and the like), which answers the bytes with their
Content-Length. Nothing in the JSON gives a size: the announced size is that Content-Length.

Every file is streamed (never held in memory) into a temporary file created 0600 in the destination
directory, then renamed; all paths are resolved against the directory opened once with O_NOFOLLOW, so
neither the directory nor a name in it is followed when it is a symlink. Names the server sends and the
number of files are checked before anything is downloaded: a name that could leave the directory is refused,
one a terminal or a shell could act on is saved under a safe name, and the result says so. Each download is
capped by what is left of the push's budget, against its Content-Length before a byte is written and while
it streams.
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import binascii
import errno
import hashlib
import os
import stat
import unicodedata

from ansible_collections.oneshot.secrets.plugins.module_utils._core.bounded import AttemptFailed
from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import ServiceError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError

_MAX_BYTES = 1024 ** 4  # 1 TiB: a bound for the byte options, far above any real push
# pwpush_push_retrieve's download options, declared as _core/options.py says: the module's argument spec and its
# number checks (_core/values.py check_numbers) come from here. max_download_bytes bounds each file,
# max_push_bytes all of them together, max_files their count (the server takes at most 10 files a push).
DOWNLOAD_OPTIONS = dict(
    max_download_bytes=dict(type="int", default=1024 ** 3, min=1, max=_MAX_BYTES, unit="bytes"),
    # Unset, max_download_bytes stands for it: a task that lowers that one bounds the whole push by it too.
    max_push_bytes=dict(type="int", min=1, max=_MAX_BYTES, unit="bytes"),
    max_files=dict(type="int", default=10, min=1, max=1000),
    # The transport's timeout bounds a whole attempt, body included: the connection options' 30 s suit JSON
    # answers, not a file of a gigabyte. 900 s is 1 GiB at about 1.2 MB/s.
    download_timeout=dict(type="float", default=900.0, above=0, max=86400, unit="seconds"),
)
DEFAULT_MAX_DOWNLOAD_BYTES = DOWNLOAD_OPTIONS["max_download_bytes"]["default"]
DEFAULT_MAX_FILES = DOWNLOAD_OPTIONS["max_files"]["default"]
DEFAULT_DOWNLOAD_TIMEOUT = DOWNLOAD_OPTIONS["download_timeout"]["default"]
# The attachment links are capabilities of their own: no credential of the API goes with them, and the
# storage service they redirect to (another host for S3 and the like) gets none either.
_DOWNLOAD_HEADERS = {"Authorization": None, "X-User-Email": None, "X-User-Token": None, "Accept": "*/*",
                     "Accept-Encoding": "identity"}
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


# Characters a terminal or a shell may act on: controls (newline, ESC of a terminal sequence, DEL, C1), format
# characters (the bidirectional overrides that make "exe.txt" read "txt.exe", zero-width ones), line and
# paragraph separators, and the lone surrogates a JSON string may hold, which no file system encoding takes.
_UNSAFE_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))


class PlannedFile:
    """One attachment to download: the server's name, the name it is saved under in dest, its link and type."""

    def __init__(self, filename, saved_as, url, content_type):
        self.filename = filename
        self.saved_as = saved_as
        self.url = url
        self.content_type = content_type


def attachment_name(entry, index):
    """The server's file name of one attachment, refused when it could leave the directory.

    A real server never sends '/' or '\\' (ActiveStorage::Filename#sanitized turns them into '-'): such a name
    comes from something else, so the push is refused rather than saved under a guess."""
    name = entry.get("filename") if isinstance(entry, dict) else None
    if not isinstance(name, str) or not name or name in (".", ".."):
        raise PwpushError("Attachment %d of the push has no usable file name (%r); nothing was saved." % (
            index + 1, name if isinstance(name, str) else type(name).__name__))
    for bad, what in (("/", "a '/'"), ("\\", "a '\\'"), ("\0", "a NUL character")):
        if bad in name:
            raise PwpushError("Attachment %d of the push has a file name with %s (%r): the server's names must not "
                              "hold path components; nothing was saved." % (index + 1, what, name))
    return name


def safe_name(name):
    """The name an attachment is saved under: the server's, with each control or format character replaced by
    '_', and '_' put before a leading '-' (a shell glob would hand it to a command as an option) or '.' (a
    hidden file, or one a shell or tool reads by itself: .bashrc)."""
    safe = "".join("_" if unicodedata.category(char) in _UNSAFE_CATEGORIES else char for char in name)
    if safe.startswith(("-", ".")):
        safe = "_" + safe
    return safe


def plan_downloads(files, max_files=DEFAULT_MAX_FILES):
    """[PlannedFile] from a show answer's "files", their count and every name checked, before any download."""
    if files is None:
        return []
    if not isinstance(files, list):
        raise PwpushError("The push's files are not a JSON list; nothing was saved.")
    if len(files) > max_files:
        raise PwpushError("The push has %d attachments, more than max_files (%d); nothing was saved." % (
            len(files), max_files))
    plan = []
    saved_as = {}
    for index, entry in enumerate(files):
        name = attachment_name(entry, index)
        url = entry.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise PwpushError("Attachment %r of the push has no http(s) link to download it from; nothing was saved."
                              % name)
        safe = safe_name(name)
        if len(safe.encode("utf-8")) > 255:
            raise PwpushError("Attachment %d of the push has a file name longer than 255 bytes; nothing was saved."
                              % (index + 1))
        if safe in saved_as:
            if saved_as[safe] == name:
                raise PwpushError("The push has two attachments named %r: they cannot both be saved under that name "
                                  "in dest; nothing was saved." % name)
            raise PwpushError("The push's attachments %r and %r would both be saved as %r in dest; nothing was saved."
                              % (saved_as[safe], name, safe))
        saved_as[safe] = name
        content_type = entry.get("content_type")
        plan.append(PlannedFile(name, safe, url, content_type if isinstance(content_type, str) else None))
    return plan


def open_directory(dest):
    """A file descriptor of dest, refused when it is a symlink, missing or not a directory."""
    try:
        info = os.lstat(dest)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise PwpushError("dest %s does not exist: create the directory first." % dest)
        raise PwpushError("dest %s cannot be read (%s)." % (dest, exc.strerror))
    if stat.S_ISLNK(info.st_mode):
        raise PwpushError("dest %s is a symbolic link: give the directory itself (links are not followed)." % dest)
    if not stat.S_ISDIR(info.st_mode):
        raise PwpushError("dest %s is not a directory." % dest)
    try:
        return os.open(dest, os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW | _O_CLOEXEC)
    except OSError as exc:
        raise PwpushError("dest %s cannot be opened (%s)." % (dest, exc.strerror))


def check_destination(dir_fd, dest, names, force):
    """Fail before any download when a name exists in dest and force is off, or is not a file to replace."""
    for name in names:
        try:
            info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                continue
            raise PwpushError("%s cannot be checked (%s); nothing was saved." % (
                os.path.join(dest, name), exc.strerror))
        if stat.S_ISDIR(info.st_mode):
            raise PwpushError("%s is a directory; nothing was saved." % os.path.join(dest, name))
        if not force:
            raise PwpushError("%s exists already: set force=true to replace it; nothing was saved." % (
                os.path.join(dest, name)))


class _PartFile:
    """A 0600 temporary file in the destination directory that receives a download as it arrives, never more
    than limit bytes of it."""

    def __init__(self, dir_fd, limit):
        self.dir_fd = dir_fd
        self.limit = limit
        self.name = ".pwpush-%s.part" % binascii.hexlify(os.urandom(8)).decode()
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC
        self.fd = os.open(self.name, flags, 0o600, dir_fd=dir_fd)
        self.size = 0  # bytes written so far
        self.digest = hashlib.sha256()
        self.write_error = None  # the OSError that stopped the download, if one did

    def write(self, chunk):
        """The transport's sink. A chunk that would pass the limit is refused before any of it is written (the
        transport checks too; this holds whatever it does). A write error (a full disk) is kept for the caller
        and stops the download as an AttemptFailed: the transport closes the answer and does not send it again,
        where an OSError would read as a broken connection."""
        if self.size + len(chunk) > self.limit:
            raise AttemptFailed("too_big", "more than %d bytes" % self.limit, answered=True)
        view = memoryview(chunk)
        try:
            while view:
                written = os.write(self.fd, view)
                self.size += written
                view = view[written:]
        except OSError as exc:
            self.write_error = exc
            raise AttemptFailed("write_failed", exc.strerror, answered=True)
        self.digest.update(chunk)

    def finish(self, name, force):
        """fsync, then the part file becomes name (atomically; without force never over an existing name)."""
        os.fsync(self.fd)  # a full disk may only tell here (delayed allocation, NFS)
        os.close(self.fd)
        self.fd = None
        if force:
            # rename(2) replaces the directory entry: a symlink there is replaced, never followed.
            os.rename(self.name, name, src_dir_fd=self.dir_fd, dst_dir_fd=self.dir_fd)
            return
        try:
            # link(2) fails when the name appeared since the check: nothing is overwritten behind our back.
            os.link(self.name, name, src_dir_fd=self.dir_fd, dst_dir_fd=self.dir_fd, follow_symlinks=False)
        except OSError as exc:
            if exc.errno == errno.EEXIST:
                raise PwpushError("%s appeared while it was downloaded: set force=true to replace it." % name)
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            os.rename(self.name, name, src_dir_fd=self.dir_fd, dst_dir_fd=self.dir_fd)
            return
        self.discard()  # the file is saved under its name: the part's own name goes

    def discard(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        try:
            os.unlink(self.name, dir_fd=self.dir_fd)
        except OSError:
            pass


def write_failure_message(path, exc, written):
    """What a write error in dest means, in one sentence: a full disk is not a broken connection."""
    if exc.errno == errno.ENOSPC:
        what = "dest's filesystem is full"
    elif exc.errno == getattr(errno, "EDQUOT", None):
        what = "this user's disk quota on dest's filesystem is used up"
    elif exc.errno == errno.EFBIG:
        what = "the file is larger than dest's filesystem (or this process's file size limit) allows"
    else:
        what = "writing in dest failed (%s)" % exc.strerror
    return "%s: %d bytes of %s written, removed." % (what, written, path)


def download_url(server_url, link):
    """The server's link on the server given as url: its public host may be wrong behind a proxy, and a
    server's answer must not send the module to another host first (the redirect it answers may)."""
    parts = link.split("/", 3)
    path = "/" + parts[3] if len(parts) > 3 else "/"
    origin = "/".join(server_url.split("/", 3)[:3])
    return origin + path


class _Budget:
    """What the caps leave for the next file: max_bytes each, max_push_bytes (None: max_bytes) all together."""

    def __init__(self, max_bytes, max_push_bytes):
        self.max_bytes = max_bytes
        self.push_option = "max_download_bytes" if max_push_bytes is None else "max_push_bytes"
        self.max_push_bytes = max_bytes if max_push_bytes is None else max_push_bytes
        self.used = 0

    def limit(self):
        return max(0, min(self.max_bytes, self.max_push_bytes - self.used))

    def too_big_message(self, path):
        if self.limit() < self.max_bytes:
            option = self.push_option
            if option == "max_download_bytes":
                option += " (it bounds all the files when max_push_bytes is not set)"
            return ("Could not download %s: the push's files pass %s, %d bytes in all: %d of them were saved before "
                    "it, %d left; nothing of it was kept." % (
                        path, option, self.max_push_bytes, self.used, self.limit()))
        return "Could not download %s: it is larger than max_download_bytes (%d bytes); nothing of it was kept." % (
            path, self.max_bytes)


def save_attachments(http, server_url, files, dest, force=False, max_bytes=DEFAULT_MAX_DOWNLOAD_BYTES,
                     timeout=DEFAULT_DOWNLOAD_TIMEOUT, max_push_bytes=None, max_files=DEFAULT_MAX_FILES):
    """Download every attachment into dest. Returns [{filename, path, size, sha256, content_type, renamed}].

    max_bytes bounds each file, max_push_bytes their sum (None: max_bytes), max_files their count (checked before
    any download).
    On a failure the file being downloaded is removed and a PwpushError says which files were saved.
    """
    plan = plan_downloads(files, max_files)
    dir_fd = open_directory(dest)
    saved = []
    budget = _Budget(max_bytes, max_push_bytes)
    try:
        check_destination(dir_fd, dest, [item.saved_as for item in plan], force)
        for item in plan:
            try:
                saved.append(_download_one(http, server_url, item, dest, dir_fd, force, budget, timeout))
            except PwpushError as exc:
                exc.saved = saved
                if saved:
                    exc.message = exc.args[0] + " Saved before: %s." % ", ".join(f["path"] for f in saved)
                    exc.args = (exc.message,)
                raise
            budget.used += saved[-1]["size"]
    finally:
        os.close(dir_fd)
    return saved


def _download_one(http, server_url, item, dest, dir_fd, force, budget, timeout):
    path = os.path.join(dest, item.saved_as)
    try:
        part = _PartFile(dir_fd, budget.limit())
    except OSError as exc:
        raise PwpushError(write_failure_message(path, exc, 0))
    try:
        try:
            response = http.request("GET", download_url(server_url, item.url), allow_redirects=True,
                                    max_bytes=part.limit, sink=part.write, headers=dict(_DOWNLOAD_HEADERS),
                                    timeout=timeout)
        except ServiceError as exc:
            if part.write_error is not None:
                raise PwpushError(write_failure_message(path, part.write_error, part.size))
            if exc.kind == "too_big":
                raise PwpushError(budget.too_big_message(path))
            hint = " (download_timeout)" if exc.kind == "deadline" else ""
            raise PwpushError("Could not download %s%s: %s Nothing of it was kept." % (path, hint, exc.message))
        if response.status_code != 200:
            hint = " (its link expires 5 minutes after the retrieval, and with the push)" \
                if response.status_code in (403, 404) else ""
            raise PwpushError("Could not download %s: the server answered HTTP %d%s." % (
                path, response.status_code, hint), status=response.status_code)
        announced = response.headers.get("Content-Length", "").strip()
        if announced.isdigit() and int(announced) != part.size and \
                response.headers.get("Content-Encoding", "identity").strip().lower() in ("", "identity"):
            raise PwpushError("Could not download %s: the server announced %s bytes and sent %d; nothing of it was "
                              "kept." % (path, announced, part.size))
        try:
            part.finish(item.saved_as, force)
        except OSError as exc:
            raise PwpushError(write_failure_message(path, exc, part.size))
    except BaseException:
        part.discard()
        raise
    return dict(filename=item.filename, path=path, size=part.size, sha256=part.digest.hexdigest(),
                content_type=response.headers.get("Content-Type") or item.content_type,
                renamed=item.saved_as != item.filename)
