# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_pwpush/durations.py: the hosted edition's expire_after_duration codes, and the expiry for a number of hours."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.durations import (
    expiry_for_hours,
    parse_duration,
    push_expires,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError


@pytest.mark.parametrize("value, code", [(0, 0), ("17", 17), ("1 hour", 3), ("1 Day", 6), ("7 days", 12),
                                         ("3 months", 17), ("2 weeks", 13)])
def test_parse_duration_accepts_codes_and_names(value, code):
    assert parse_duration(value) == code


@pytest.mark.parametrize("value", [18, "-1", "forever", "1 fortnight", True])
def test_parse_duration_rejects_the_rest(value):
    with pytest.raises(PwpushError, match="expire_after_duration"):
        parse_duration(value)


@pytest.mark.parametrize("hours, field, expected", [
    (24, "expire_after_days", 1), (47.9, "expire_after_days", 1), (48, "expire_after_days", 2),
    (10000, "expire_after_days", 90), (24, "expire_after_duration", 6), (5, "expire_after_duration", 3),
    (0.25, "expire_after_duration", 0), (100000, "expire_after_duration", 17), (170, "expire_after_duration", 12),
])
def test_expiry_is_the_longest_that_is_not_longer(hours, field, expected):
    assert expiry_for_hours(hours, field) == {field: expected}


@pytest.mark.parametrize("hours, field", [(23.9, "expire_after_days"), (0.2, "expire_after_duration")])
def test_expiry_shorter_than_any_choice_fails(hours, field):
    with pytest.raises(PwpushError, match="ttl_hours"):
        expiry_for_hours(hours, field)


CREATED = dict(created_at="2026-12-05T11:55:20.123Z", expire_after_days=1)
EXPIRES = "2026-12-06T11:55:20Z"


@pytest.mark.parametrize("push, expires", [
    (CREATED, EXPIRES),
    (dict(created_at="2026-12-05T12:55:20+01:00", expire_after_days=90), "2027-03-05T11:55:20Z"),
    # The hosted edition: the duration is the lifetime, its days column is not.
    (dict(created_at="2026-12-05T11:55:20.000Z", expire_after_days=7, expire_after_duration=3), "2026-12-05T12:55:20Z"),
    (dict(created_at="2026-12-05T11:55:20Z"), None),
    (dict(expire_after_days=1), None),
    (dict(created_at="yesterday", expire_after_days=1), None),
])
def test_a_push_expires_when_the_server_says_not_when_it_was_asked(push, expires):
    assert push_expires(push) == expires
