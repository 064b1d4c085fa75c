# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading Password Pusher's answers: optional parts of the wrong shape, API v1 audit logs, expiry times.

For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import email.utils


def expired_before_request(push, response, slack_seconds=1.0):
    """True when expired_on is clearly older than the server's Date header (whole seconds, hence the slack)."""
    expired_on = push.get("expired_on")
    date = response.headers.get("Date")
    if not expired_on or not date:
        return False
    try:
        expired_at = datetime.datetime.strptime(expired_on[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
        answered_at = email.utils.parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return False
    return (answered_at - expired_at).total_seconds() > slack_seconds


def json_object(value):
    """value when it is a JSON object, else an empty one (a server's optional part of the wrong shape)."""
    return value if isinstance(value, dict) else {}


def is_token(value):
    return isinstance(value, str) and bool(value)


def v1_audit_to_logs(views):
    kinds = {0: "view", 1: "expire"}
    logs = []
    for view in views:
        entry = dict(view)
        kind = kinds.get(view.get("kind"), str(view.get("kind")))
        if kind == "view" and view.get("successful") is False:
            kind = "failed_view"
        entry["kind"] = kind
        logs.append(entry)
    return logs
