# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading Password Pusher's answers: optional parts of the wrong shape, API v1 audit logs, expiry times.

For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import datetime
import email.utils
import re
import time

# A Rails JSON time ("2026-12-05T11:55:20.123Z", or with an offset) and the collection's own stamps ("...:20Z").
_TIME = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|[+-]\d\d:?\d\d)\Z")


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


def epoch_of(text):
    """Seconds since 1970 of a time as the server or this collection writes it, or None when it is not one."""
    match = _TIME.match(text) if isinstance(text, str) else None
    if not match:
        return None
    offset = match.group(7)
    shift = 0 if offset == "Z" else (1 if offset[0] == "+" else -1) * (int(offset[1:3]) * 3600 + int(offset[-2:]) * 60)
    try:
        return calendar.timegm(tuple(int(part) for part in match.groups()[:6])) - shift
    except (OverflowError, ValueError):
        return None


def stamp_of(epoch):
    """A time as this collection writes it: 2026-12-05T11:55:20Z (UTC)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def answered_at(response):
    """Seconds since 1970 of the server's Date header, or this host's clock when there is none."""
    try:
        return calendar.timegm(email.utils.parsedate_to_datetime(response.headers.get("Date")).utctimetuple())
    except (TypeError, ValueError, AttributeError):
        return time.time()


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
