# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import OptionError
from ansible_collections.oneshot.secrets.plugins.module_utils._core.options import TRANSPORT_OPTIONS
from ansible_collections.oneshot.secrets.plugins.module_utils._core.values import check_number, check_numbers
from ansible_collections.oneshot.secrets.plugins.module_utils._credential_links import CREDENTIAL_LINKS

PACE = CREDENTIAL_LINKS["pace"]


@pytest.mark.parametrize("value, message", [
    (float("inf"), "pace must be a finite number, 0 or between 0.001 and 1000 requests a second (got inf)."),
    (float("nan"), "pace must be a finite number, 0 or between 0.001 and 1000 requests a second (got nan)."),
    (1e-320, "pace must be 0 or between 0.001 and 1000 requests a second (got 9.99989e-321)."),
    (-1.0, "pace must be 0 or between 0.001 and 1000 requests a second (got -1)."),
])
def test_a_refused_number_names_the_option_and_its_range(value, message):
    with pytest.raises(OptionError) as refused:
        check_number("pace", value, PACE)
    assert refused.value.message == message and refused.value.option == "pace"


@pytest.mark.parametrize("value", [0, 0.0, 0.001, 2, 1000])
def test_numbers_in_range_pass_unchanged(value):
    assert check_number("pace", value, PACE) == value


def test_the_label_is_how_the_door_shows_the_option():
    with pytest.raises(OptionError, match=r"^people\[2\] \(bob\): ttl_hours must be above 0 and at most 2160 hours"):
        check_number("ttl_hours", 3000.0, CREDENTIAL_LINKS["ttl_hours"], label="people[2] (bob): ttl_hours")


def test_types_are_left_to_the_argument_spec():
    for value in (None, True, "soon", [1]):
        assert check_number("timeout", value, TRANSPORT_OPTIONS["timeout"]) is value


def test_check_numbers_checks_every_declared_number():
    values = dict(views=1, ttl_hours=24.0, password_length=7, concurrency=1, pace=0)
    with pytest.raises(OptionError, match="password_length must be between 8 and 1024 .got 7.") as refused:
        check_numbers(CREDENTIAL_LINKS, values.get)
    assert refused.value.option == "password_length"


def test_text_a_server_sent_is_never_taken_for_an_option_term():
    from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import term
    from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError

    exc = PwpushError("Could not save {url} and {token}.txt: set %s." % term("token"))
    assert exc.message == "Could not save {url} and {token}.txt: set token (PWPUSH_TOKEN)."
    assert exc.worded(lambda option: "pwpush_" + option) == "Could not save {url} and {token}.txt: set pwpush_token."
