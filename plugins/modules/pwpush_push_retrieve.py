#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pwpush_push_retrieve
short_description: Read the secret behind a Password Pusher link (counts a view)
version_added: 0.1.0
description:
  - Returns the payload of a push. This B(counts a view), which may expire the push for good, so it is a module of
    its own and not an option of the read-only M(oneshot.secrets.pwpush_push_info). Use C(no_log) on the task.
  - The task reports C(changed) when a view may have been counted - not for an expired push, nor with the
    owner's O(token) (one read of the audit log, which only the owner may read, tells). An administrator's
    retrieval counts no view on the server either, but nothing an administrator can read through the API tells
    it apart from a counted view, so it is reported as C(changed). A file saved in O(dest) is a change too.
  - With O(dest) it saves the attachments of a file push; the P(oneshot.secrets.pwpush_retrieve#lookup) lookup does not
    (a lookup returns strings).
extends_documentation_fragment:
  - oneshot.secrets.pwpush
  - oneshot.secrets.connection
  - oneshot.secrets.attributes
  - oneshot.secrets.attributes.PWPUSH
attributes:
  check_mode:
    support: full
    details:
      - Nothing is retrieved in check mode, because a retrieval counts a view; the push's preview (its link) is
        returned instead, which also tells whether the token and link are right.
      - With O(dest), check mode checks that O(dest) is a directory this user can write to, and downloads and
        writes nothing (the names of the attachments are only known from a retrieval).
options:
  url_token:
    description:
      - The push, given as its token or any of its links (C(https://host/p/TOKEN), C(.../p/TOKEN/r)).
    type: str
    required: true
  passphrase:
    description:
      - The push's passphrase. Five wrong tries in a minute lock the push for a while (HTTP 429).
      - The API takes it as a query parameter, so it can appear in the server's and proxies' access logs.
    type: str
  dest:
    description:
      - A directory to save the attachments of a file push in, each under the file name the server gives (made
        safe, see below). Without it nothing is downloaded (the links in RV(push) expire 5 minutes after the
        retrieval).
      - The directory must exist; it is checked before the retrieval, and it must not be a symbolic link (nor is
        a symbolic link at a file's name ever followed; with O(force) it is replaced). Nothing is written outside
        it.
      - Each file is streamed (never held in memory) into a temporary file created with mode C(0600) in O(dest),
        then renamed to its name; a download that fails, passes O(max_download_bytes) or O(max_push_bytes), or
        whose size differs from the C(Content-Length) the server announced is removed, so no partial file is
        left. A full disk (or disk quota) is told as such, and the file being written is removed.
      - Before any download, the module fails when the push has more than O(max_files) attachments, or when a
        name the server sends holds a path component (C(/), C(\\), NUL), is empty, C(.) or C(..), or appears
        twice (a real server never sends C(/) nor C(\\)).
      - A name a terminal or a shell could act on is saved under a safe name instead, never silently
        (RV(files[].renamed) and a warning tell it). Each control character (newline, C(ESC) of a terminal sequence,
        DEL, C1), Unicode format character (such as the bidirectional override U+202E) and line or paragraph
        separator becomes C(_), and a name that would begin with C(-) (a shell glob hands it to a command as an
        option) or C(.) (a hidden file, or one a shell reads by itself) gets a C(_) before it. So V(.bashrc) is
        saved as V(_.bashrc) and V(--checkpoint-action=exec=sh x.sh) as V(_--checkpoint-action=exec=sh x.sh).
        A real server sends such names (it replaces C(/), C(\\), tabs, CR, LF and a few others by C(-), not C(ESC)
        nor a leading C(-) or C(.)), and the retrieval has counted a view already, so these are renamed rather than
        refused.
      - The credentials of the API (O(token)) are not sent with the downloads, as the server's links carry their
        own signature. They are fetched from the server given in O(url) (the path of the server's link), and
        may redirect to the storage service (S3 and the like).
      - Text, URL and QR pushes have no attachments; nothing is saved and RV(files) is empty.
    type: path
  force:
    description:
      - Replace a file of the same name in O(dest). Without it the module fails when one exists, before any
        download; the file names are only known from the retrieval, so that view is counted (the payload is
        still returned with the failure).
    type: bool
    default: false
  max_download_bytes:
    description:
      - The largest attachment to save, in bytes; also the most of all of them together unless O(max_push_bytes)
        says otherwise. A larger one, announced or sent, fails the task and nothing of it is kept; the files saved
        before it stay. The server has no limit of its own (files of 4 GB are known to work).
      - Between 1 and 1099511627776 (1 TiB).
    type: int
    default: 1073741824
  max_push_bytes:
    description:
      - The most all the attachments of the push may take together, in bytes. Each download may take only what
        the files saved before it left; a file announced or sent beyond that fails the task before or while it is
        written, and nothing of it is kept; the files saved before it stay. O(dest) never holds more than this of
        the push, even while a file is being downloaded.
      - Between 1 and 1099511627776 (1 TiB). Without it, the value of O(max_download_bytes) (1 GiB unless set),
        so a task that sets only O(max_download_bytes) bounds the whole push by it.
    type: int
  max_files:
    description:
      - The most attachments to save. A push with more fails the task before any download (the view is counted,
        so the payload comes with the failure). The server takes at most 10 files a push.
      - Between 1 and 1000.
    type: int
    default: 10
  download_timeout:
    description:
      - Seconds each attachment's download may take in all (its redirect, headers and body), in place of
        O(timeout), which bounds the API's answers. Above 0 and at most 86400.
    type: float
    default: 900
seealso:
  - module: oneshot.secrets.pwpush_push_info
  - module: oneshot.secrets.pwpush_push
    description: Creates file pushes (O(oneshot.secrets.pwpush_push#module:kind=file)).
  - plugin: oneshot.secrets.pwpush_retrieve
    plugin_type: lookup
author:
  - oneshot.secrets maintainers (@oneshot-secrets)
"""

EXAMPLES = r"""
- name: Read a secret that was pushed to us (counts a view)
  oneshot.secrets.pwpush_push_retrieve:
    url_token: "{{ handoff_link }}"
    passphrase: "{{ agreed_phrase }}"
  register: handoff
  no_log: true

- name: Save the files of a file push in a private directory (counts a view)
  oneshot.secrets.pwpush_push_retrieve:
    url_token: "{{ vendor_files_link }}"
    dest: /root/vendor-handoff
    max_download_bytes: 209715200  # each file
    max_push_bytes: 524288000  # all of them
  register: handoff_files
  no_log: true
"""

RETURN = r"""
push:
  description:
    - The push's fields without the passphrase, with C(payload) (null once expired). In check mode only the
      preview's C(url_token) and C(url).
  returned: always
  type: dict
  sample: {"url_token": "fkwjfvhall92", "expired": false, "views_remaining": 0}
payload:
  description: The secret. Null when the push has expired.
  returned: not check mode
  type: str
files:
  description:
    - The attachments saved in O(dest), in the server's order, without their content. Empty in check mode and for
      pushes without attachments; on a failure, those saved before it.
  returned: when O(dest) is set
  type: list
  elements: dict
  contains:
    filename:
      description:
        - The name the server gave, as it gave it (control characters included; quote it escaped, for example with
          C(to_json), before printing it).
      type: str
    path:
      description: Where it was saved (mode C(0600)), under the safe name when RV(files[].renamed).
      type: str
    renamed:
      description:
        - Whether the server's name was changed to save it (a control character, or a leading C(-) or C(.); see
          O(dest)). A warning says so too.
      type: bool
    size:
      description: Its size in bytes.
      type: int
    sha256:
      description: The SHA-256 of its content, in hex.
      type: str
    content_type:
      description: The content type the storage service answered.
      type: str
  sample: [{"filename": "vpn.ovpn", "path": "/root/vendor-handoff/vpn.ovpn", "size": 4512,
            "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "content_type": "application/octet-stream", "renamed": false}]
"""

import os

from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import OptionError
from ansible_collections.oneshot.secrets.plugins.module_utils._core.module import ServiceModule
from ansible_collections.oneshot.secrets.plugins.module_utils._core.values import check_numbers
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.download import (
    DOWNLOAD_OPTIONS,
    open_directory,
    save_attachments,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import redact


def check_dest(dest):
    """Before any request: dest must be a directory (not a symlink) this user can write to."""
    os.close(open_directory(dest))
    if not os.access(dest, os.W_OK | os.X_OK):
        raise PwpushError("dest %s is not writable by this user." % dest)


def retrieve(module, client):
    reference = module.params["url_token"]
    dest = module.params["dest"]
    if dest:
        check_dest(dest)
    if module.check_mode:
        result = dict(changed=False, push=client.preview(reference))
        if dest:
            result["files"] = []
        return result
    push = client.retrieve(reference, passphrase=module.params["passphrase"])
    payload = push.get("payload")
    shown = redact(push)
    shown["payload"] = payload
    result = dict(changed=client.retrieval_counted_a_view(reference, push), push=shown, payload=payload)
    if dest:
        try:
            result["files"] = save_attachments(client.http, client.url, push.get("files"), dest,
                                               force=module.params["force"],
                                               max_bytes=module.params["max_download_bytes"],
                                               max_push_bytes=module.params["max_push_bytes"],
                                               max_files=module.params["max_files"],
                                               timeout=module.params["download_timeout"])
        except PwpushError as exc:
            saved = getattr(exc, "saved", [])
            warn_renamed(module, saved)
            # The view is counted: what was retrieved goes with the failure (the task's no_log hides it).
            module.fail_json(msg=exc.message, status=exc.status, files=saved, **result)
        warn_renamed(module, result["files"])
        result["changed"] = result["changed"] or bool(result["files"])
    return result


def warn_renamed(module, files):
    """A saved name that differs from the server's is never silent. The server's name is quoted escaped (%r): its
    control characters must not reach a terminal."""
    for saved in files:
        if saved.get("renamed"):
            module.warn("The attachment the server named %r was saved as %s (a control or format character, or a "
                        "leading '-' or '.', in its name)." % (saved["filename"], saved["path"]))


def main():
    own = dict(
        url_token=dict(type="str", required=True, no_log=False),
        passphrase=dict(type="str", no_log=True),
        dest=dict(type="path"),
        force=dict(type="bool", default=False),
    )
    module = ServiceModule(PwpushClient, DOWNLOAD_OPTIONS, argument_spec=own, supports_check_mode=True)
    try:
        # Finite and in range, before any request (the transport checks its own options when it is built).
        check_numbers(DOWNLOAD_OPTIONS, module.params.get)
    except OptionError as exc:
        module.fail_json(msg=exc.message)
    module.exit_json(**module.run(lambda client: retrieve(module, client)))


if __name__ == "__main__":
    main()
