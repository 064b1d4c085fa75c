# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hosted edition's expire_after_duration enum and its days equivalents.

For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.answers import epoch_of, stamp_of
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError

# The hosted edition's expire_after_duration enum. 6-17 are whole days (the official CLI maps
# the same days); 0-5 are the shorter choices of the hosted form.
DURATIONS = (
    (0, "15 minutes", None),
    (1, "30 minutes", None),
    (2, "45 minutes", None),
    (3, "1 hour", None),
    (4, "6 hours", None),
    (5, "12 hours", None),
    (6, "1 day", 1),
    (7, "2 days", 2),
    (8, "3 days", 3),
    (9, "4 days", 4),
    (10, "5 days", 5),
    (11, "6 days", 6),
    (12, "1 week", 7),
    (13, "2 weeks", 14),
    (14, "3 weeks", 21),
    (15, "1 month", 30),
    (16, "2 months", 60),
    (17, "3 months", 90),
)
DURATION_DAYS = dict((code, days) for code, _name, days in DURATIONS)
DAYS_TO_DURATION = dict((days, code) for code, _name, days in DURATIONS if days)
_DURATION_ALIASES = {"7 days": 12, "14 days": 13, "21 days": 14, "30 days": 15, "60 days": 16,
                     "90 days": 17, "1 month": 15, "1 week": 12}


def parse_duration(value):
    """An expire_after_duration code (0-17) from an int, a digit string or a name like '1 hour'."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise PwpushError("expire_after_duration must be a number 0-17 or a name such as '1 hour'.")
    text = str(value).strip().lower()
    if re.match(r"^\d+$", text):
        code = int(text)
        if code in DURATION_DAYS:
            return code
        raise PwpushError("expire_after_duration must be between 0 and 17 (got %s)." % text)
    text = re.sub(r"\s+", " ", text)
    for code, name, _days in DURATIONS:
        if text in (name, name.rstrip("s")):
            return code
    if text in _DURATION_ALIASES:
        return _DURATION_ALIASES[text]
    raise PwpushError("expire_after_duration %r is not one of: %s." % (
        str(value), ", ".join("%d (%s)" % (code, name) for code, name, _days in DURATIONS)))


def expiry_for_hours(hours, expiry_field):
    """{field: value} for the longest lifetime this server's edition offers that is not longer than `hours`.

    expire_after_duration (hosted): 15 minutes to 3 months; expire_after_days (open source, API v1): 1-90 days.
    Nothing is rounded up: a link never lives longer than asked. A lifetime shorter than every choice fails.
    """
    hours = float(hours)
    if expiry_field == "expire_after_duration":
        fitting = [code for code, name, _days in DURATIONS if _duration_hours(code) <= hours + 1e-9]
        if not fitting:
            raise PwpushError("ttl_hours=%s is shorter than anything this Password Pusher server offers: the hosted "
                              "edition expires after 15 minutes at the shortest; ask for at least 0.25 hours." % hours)
        return {expiry_field: fitting[-1]}
    days = min(int(hours // 24), 90)
    if days < 1:
        raise PwpushError("ttl_hours=%s is shorter than anything this Password Pusher server offers: the open-source "
                          "edition (and API v1) expires after whole days, 1 to 90; ask for at least 24 hours." % hours)
    return {expiry_field: days}


_SHORT_HOURS = {0: 0.25, 1: 0.5, 2: 0.75, 3: 1, 4: 6, 5: 12}


def _duration_hours(code):
    days = DURATION_DAYS[code]
    return _SHORT_HOURS[code] if days is None else days * 24


def push_expires(push):
    """When the push expires by time (its created_at and the lifetime the server gave it, not the one asked for:
    a server replaces a value out of its range by its default), as 2026-12-05T11:55:20Z; None when unknown."""
    created = epoch_of(push.get("created_at"))
    duration, days = push.get("expire_after_duration"), push.get("expire_after_days")
    if duration in DURATION_DAYS and not isinstance(duration, bool):
        hours = _duration_hours(duration)  # the hosted edition: its days column is not the lifetime
    elif isinstance(days, int) and not isinstance(days, bool) and days > 0:
        hours = days * 24
    else:
        return None
    return stamp_of(created + hours * 3600) if created is not None else None
