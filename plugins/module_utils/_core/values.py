# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a number given for a declared option is acceptable: finite and in the declared range.

A declaration (module_utils/_*/options.py) may carry, besides its argument spec keys:
- min / max: inclusive bounds; above: an exclusive lower bound;
- or_zero: 0 is accepted besides the range (a pace of 0 means no pace);
- unit: a word for the message ("seconds").
Every door calls this before any request, so `.inf`, NaN and out-of-range numbers get one sentence naming the
option, never Python's own text. Nothing here imports ansible-core.
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import OptionError

RANGE_KEYS = ("min", "max", "above", "or_zero", "unit")


def _number(value):
    return ("%.6g" % value) if isinstance(value, float) else str(value)


def describe_range(declaration):
    """'between 1 and 100', 'above 0 and at most 86400 seconds', '0 or between 0.001 and 1000'."""
    low, high, above = declaration.get("min"), declaration.get("max"), declaration.get("above")
    if above is not None:
        text = "above %s" % _number(above) + (" and at most %s" % _number(high) if high is not None else "")
    elif low is not None and high is not None:
        text = "between %s and %s" % (_number(low), _number(high))
    elif low is not None:
        text = "%s or more" % _number(low)
    elif high is not None:
        text = "at most %s" % _number(high)
    else:
        text = "a finite number"
    if declaration.get("or_zero"):
        text = "0 or " + text
    if declaration.get("unit"):
        text += " " + declaration["unit"]
    return text


def check_number(name, value, declaration, label=None):
    """value, or OptionError naming the option (label: how the door shows it, e.g. 'people[2] (bob): views')."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return value  # types are the argument spec's business
    label = label or name
    if isinstance(value, float) and not math.isfinite(value):
        raise OptionError(name, "%s must be a finite number, %s (got %s)." % (
            label, describe_range(declaration), _number(value)))
    if declaration.get("or_zero") and value == 0:
        return value
    low, high, above = declaration.get("min"), declaration.get("max"), declaration.get("above")
    if (above is not None and not value > above) or (low is not None and value < low) or (
            high is not None and value > high):
        raise OptionError(name, "%s must be %s (got %s)." % (label, describe_range(declaration), _number(value)))
    return value


def check_numbers(declarations, get_value):
    """check_number() for every declared option that has a value (get_value: params.get or get_option)."""
    for name, declaration in declarations.items():
        if declaration.get("type") in ("int", "float"):
            check_number(name, get_value(name), declaration)
