# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A lookup's error as a play shows it: through the templar, said once (ansible-core 2.17 doubled other errors)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:  # ansible-core 2.19+ templates only trusted strings
    from ansible.template import trust_as_template
except ImportError:
    def trust_as_template(text):
        return text

URL = "https://pw.example.test"


def templated(expression):
    return Templar(loader=DataLoader(), variables={}).template(trust_as_template(expression))


@pytest.mark.parametrize("expression, sentence", [
    ("{{ lookup('oneshot.secrets.pwpush', 'dummy-secret-01', url='%s', expire_after_views=0) }}" % URL,
     "pwpush lookup: expire_after_views must be between 1 and 100 (got 0)."),
    ("{{ lookup('oneshot.secrets.pwpush', 'dummy-secret-01', url='%s', expire_after_viewz=0) }}" % URL,
     "Unsupported parameters for (oneshot.secrets.pwpush) lookup: expire_after_viewz."),
])
def test_the_message_is_said_once_and_not_as_an_unhandled_exception(http, expression, sentence):
    with pytest.raises(AnsibleError) as error:
        templated(expression)
    message = str(error.value)
    assert message.count(sentence) == 1, message
    assert "unhandled exception" not in message and "original message" not in message
    assert http[0] == []


def test_errors_ignore_is_honoured(http):
    # the lookup keyword errors=ignore: a failed lookup gives nothing instead of failing the task
    assert templated("{{ lookup('oneshot.secrets.pwpush', 'dummy-secret-01', url='%s', expire_after_views=0, "
                     "errors='ignore') }}" % URL) in (None, "")
