# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""onetimesecret's options, declared once (see _core/options.py for what a declaration holds)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oneshot.secrets.plugins.module_utils._core.options import joined, transport_options

# onetimesecret: doc_fragments/ots.py DOCUMENTATION (+ connection) and PLUGINS.
OTS_CONNECTION = joined(dict(
    url=dict(type="str", default="https://us.onetimesecret.com", env=["OTS_URL"], vars=["ots_url"]),
    username=dict(type="str", env=["OTS_USERNAME"], vars=["ots_username"]),
    api_token=dict(type="str", no_log=True, env=["OTS_TOKEN"], vars=["ots_api_token"]),
), transport_options("OTS", "ots", retries=3))

# What shapes a new secret, in ots_secret and the ots lookup: doc_fragments/ots.py SECRET_OPTIONS.
OTS_SECRET = dict(
    passphrase=dict(type="str", no_log=True),
    ttl=dict(type="int"),
    share_domain=dict(type="str"),
)
