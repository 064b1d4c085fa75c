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
neither the directory nor a name in it is followed when it is a symlink. Names the server sends are checked
before anything is downloaded. For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import binascii
import errno
import hashlib
import os
import stat

from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import ServiceError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError

DEFAULT_MAX_DOWNLOAD_BYTES = 1024 * 1024 * 1024
# The transport's timeout bounds a whole attempt, body included: the connection options' 30 s suit JSON answers,
# not a file of a gigabyte. 900 s is 1 GiB at about 1.2 MB/s.
DEFAULT_DOWNLOAD_TIMEOUT = 900.0
# The attachment links are capabilities of their own: no credential of the API goes with them, and the
# storage service they redirect to (another host for S3 and the like) gets none either.
_DOWNLOAD_HEADERS = {"Authorization": None, "X-User-Email": None, "X-User-Token": None, "Accept": "*/*",
                     "Accept-Encoding": "identity"}
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def attachment_name(entry, index):
    """The server's file name of one attachment, refused when it could leave the directory."""
    name = entry.get("filename") if isinstance(entry, dict) else None
    if not isinstance(name, str) or not name or name in (".", ".."):
        raise PwpushError("Attachment %d of the push has no usable file name (%r); nothing was saved." % (
            index + 1, name if isinstance(name, str) else type(name).__name__))
    for bad, what in (("/", "a '/'"), ("\\", "a '\\'"), ("\0", "a NUL character")):
        if bad in name:
            raise PwpushError("Attachment %d of the push has a file name with %s (%r): the server's names must not "
                              "hold path components; nothing was saved." % (index + 1, what, name))
    if len(name.encode("utf-8", "surrogateescape")) > 255:
        raise PwpushError("Attachment %d of the push has a file name longer than 255 bytes; nothing was saved." % (
            index + 1))
    return name


def plan_downloads(files):
    """[(name, url, content_type)] from a show answer's "files", every name checked, before any download."""
    if files is None:
        return []
    if not isinstance(files, list):
        raise PwpushError("The push's files are not a JSON list; nothing was saved.")
    plan = []
    seen = set()
    for index, entry in enumerate(files):
        name = attachment_name(entry, index)
        url = entry.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise PwpushError("Attachment %r of the push has no http(s) link to download it from; nothing was saved."
                              % name)
        if name in seen:
            raise PwpushError("The push has two attachments named %r: they cannot both be saved under that name in "
                              "dest; nothing was saved." % name)
        seen.add(name)
        content_type = entry.get("content_type")
        plan.append((name, url, content_type if isinstance(content_type, str) else None))
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
    """A 0600 temporary file in the destination directory that receives a download as it arrives."""

    def __init__(self, dir_fd):
        self.dir_fd = dir_fd
        self.name = ".pwpush-%s.part" % binascii.hexlify(os.urandom(8)).decode()
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC
        self.fd = os.open(self.name, flags, 0o600, dir_fd=dir_fd)
        self.size = 0
        self.digest = hashlib.sha256()

    def write(self, chunk):
        view = memoryview(chunk)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]
        self.size += len(chunk)
        self.digest.update(chunk)

    def finish(self, name, force):
        """fsync, then the part file becomes name (atomically; without force never over an existing name)."""
        os.fsync(self.fd)
        os.close(self.fd)
        self.fd = None
        if force:
            # rename(2) replaces the directory entry: a symlink there is replaced, never followed.
            os.rename(self.name, name, src_dir_fd=self.dir_fd, dst_dir_fd=self.dir_fd)
        else:
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
            os.unlink(self.name, dir_fd=self.dir_fd)

    def discard(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        try:
            os.unlink(self.name, dir_fd=self.dir_fd)
        except OSError:
            pass


def download_url(server_url, link):
    """The server's link on the server given as url: its public host may be wrong behind a proxy, and a
    server's answer must not send the module to another host first (the redirect it answers may)."""
    parts = link.split("/", 3)
    path = "/" + parts[3] if len(parts) > 3 else "/"
    origin = "/".join(server_url.split("/", 3)[:3])
    return origin + path


def save_attachments(http, server_url, files, dest, force=False, max_bytes=DEFAULT_MAX_DOWNLOAD_BYTES,
                     timeout=DEFAULT_DOWNLOAD_TIMEOUT):
    """Download every attachment into dest. Returns [{filename, path, size, sha256, content_type}].

    On a failure the file being downloaded is removed and a PwpushError says which files were saved.
    """
    plan = plan_downloads(files)
    dir_fd = open_directory(dest)
    saved = []
    try:
        check_destination(dir_fd, dest, [name for name, _url, _type in plan], force)
        for name, link, content_type in plan:
            try:
                saved.append(_download_one(http, server_url, link, name, content_type, dest, dir_fd, force,
                                           max_bytes, timeout))
            except PwpushError as exc:
                exc.saved = saved
                if saved:
                    exc.message = exc.args[0] + " Saved before: %s." % ", ".join(f["path"] for f in saved)
                    exc.args = (exc.message,)
                raise
    finally:
        os.close(dir_fd)
    return saved


def _download_one(http, server_url, link, name, content_type, dest, dir_fd, force, max_bytes, timeout):
    path = os.path.join(dest, name)
    part = _PartFile(dir_fd)
    try:
        try:
            response = http.request("GET", download_url(server_url, link), allow_redirects=True,
                                    max_bytes=max_bytes, sink=part.write, headers=dict(_DOWNLOAD_HEADERS),
                                    timeout=timeout)
        except ServiceError as exc:
            if exc.kind == "too_big":
                raise PwpushError("Could not download %s: it is larger than max_download_bytes (%d bytes); nothing "
                                  "of it was kept." % (path, max_bytes))
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
        part.finish(name, force)
    except BaseException:
        part.discard()
        raise
    return dict(filename=name, path=path, size=part.size, sha256=part.digest.hexdigest(),
                content_type=response.headers.get("Content-Type") or content_type)
