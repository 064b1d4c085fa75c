# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Password Pusher's options, declared once (see _core/options.py for what a declaration holds)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oneshot.secrets.plugins.module_utils._core.options import joined, transport_options

# Password Pusher: doc_fragments/pwpush.py DOCUMENTATION (+ connection) and PLUGINS.
PWPUSH_CONNECTION = joined(dict(
    url=dict(type="str", default="https://pwpush.com", env=["PWPUSH_URL"], vars=["pwpush_url"]),
    token=dict(type="str", no_log=True, env=["PWPUSH_TOKEN"], vars=["pwpush_token"]),
    email=dict(type="str", env=["PWPUSH_EMAIL"], vars=["pwpush_email"]),
    api_version=dict(type="str", default="auto", choices=["auto", "v2", "v1"], env=["PWPUSH_API_VERSION"],
                     vars=["pwpush_api_version"]),
), transport_options("PWPUSH", "pwpush", retries=3))

# What shapes a new push, in pwpush_push and the pwpush lookup: doc_fragments/pwpush.py PUSH_OPTIONS.
PWPUSH_PUSH = dict(
    kind=dict(type="str", default="text", choices=["text", "url", "qr", "file"]),
    passphrase=dict(type="str", no_log=True),
    expire_after_days=dict(type="int"),
    expire_after_duration=dict(type="str"),
    expire_after_views=dict(type="int"),
    deletable_by_viewer=dict(type="bool"),
    retrieval_step=dict(type="bool"),
    note=dict(type="str"),
)

# Push options only the owner sees, documented by each plugin in its own words (name also finds pushes in
# pwpush_push): declared here, not in a fragment.
PWPUSH_PUSH_OWNER = dict(
    name=dict(type="str"),
    account_id=dict(type="int"),
)
