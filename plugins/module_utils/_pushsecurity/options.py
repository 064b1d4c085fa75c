# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Push Security's options, declared once (see _core/options.py for what a declaration holds)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oneshot.secrets.plugins.module_utils._core.options import joined, transport_options

# Push Security: doc_fragments/pushsecurity.py DOCUMENTATION (+ connection); it has no lookup, hence no vars.
PUSHSECURITY_CONNECTION = joined(dict(
    url=dict(type="str", default="https://api.pushsecurity.com", env=["PUSHSECURITY_URL"]),
    api_key=dict(type="str", no_log=True, env=["PUSHSECURITY_API_KEY"]),
), transport_options("PUSHSECURITY", "pushsecurity", retries=5))
for _option in PUSHSECURITY_CONNECTION.values():
    _option.pop("vars", None)
del _option
