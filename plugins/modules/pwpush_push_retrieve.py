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
      - A directory to save the attachments of a file push in, each under the file name the server gives.
        Without it nothing is downloaded (the links in RV(push) expire 5 minutes after the retrieval).
      - The directory must exist; it is checked before the retrieval, and it must not be a symbolic link (nor is
        a symbolic link at a file's name ever followed; with O(force) it is replaced).
      - Each file is streamed (never held in memory) into a temporary file created with mode C(0600) in O(dest),
        then renamed to its name; a download that fails or whose size differs from the C(Content-Length) the
        server announced is removed. The module fails before any download when a name the server sends holds a
        path component (C(/), C(\\), C(..), NUL, an empty name) or appears twice.
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
      - The largest attachment to save, in bytes. A larger one (announced or sent) fails the task and nothing of
        it is kept. The server has no limit of its own (files of 4 GB are known to work).
    type: int
    default: 1073741824
  download_timeout:
    description:
      - Seconds each attachment's download may take in all (its redirect, headers and body), in place of
        O(timeout), which bounds the API's answers.
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
    max_download_bytes: 209715200
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
      description: The name the server gave.
      type: str
    path:
      description: Where it was saved (mode C(0600)).
      type: str
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
            "content_type": "application/octet-stream"}]
"""

import os

from ansible_collections.oneshot.secrets.plugins.module_utils._core.module import ServiceModule
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.download import (
    DEFAULT_DOWNLOAD_TIMEOUT,
    DEFAULT_MAX_DOWNLOAD_BYTES,
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
                                               timeout=module.params["download_timeout"])
        except PwpushError as exc:
            # The view is counted: what was retrieved goes with the failure (the task's no_log hides it).
            module.fail_json(msg=exc.message, status=exc.status, files=getattr(exc, "saved", []),
                             **result)
        result["changed"] = result["changed"] or bool(result["files"])
    return result


def main():
    own = dict(
        url_token=dict(type="str", required=True, no_log=False),
        passphrase=dict(type="str", no_log=True),
        dest=dict(type="path"),
        force=dict(type="bool", default=False),
        max_download_bytes=dict(type="int", default=DEFAULT_MAX_DOWNLOAD_BYTES),
        download_timeout=dict(type="float", default=DEFAULT_DOWNLOAD_TIMEOUT),
    )
    module = ServiceModule(PwpushClient, argument_spec=own, supports_check_mode=True)
    if module.params["max_download_bytes"] < 1:
        module.fail_json(msg="max_download_bytes must be at least 1 (got %d)." % module.params["max_download_bytes"])
    if not module.params["download_timeout"] > 0:
        module.fail_json(msg="download_timeout must be a number of seconds above 0 (got %s)." % (
            module.params["download_timeout"]))
    module.exit_json(**module.run(lambda client: retrieve(module, client)))


if __name__ == "__main__":
    main()
