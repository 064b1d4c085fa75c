# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures every unit test of a plugin may use."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._core import transport


@pytest.fixture
def http(monkeypatch):
    """(calls, answers): every request made, and the scripted answers; an unexpected request fails the test."""
    calls = []
    answers = []

    def fake_request(self, method, url, **kwargs):
        calls.append((method, url, kwargs))
        if not answers:
            raise AssertionError("unexpected HTTP request %s %s" % (method, url))
        return answers.pop(0)

    monkeypatch.setattr(transport.requests.Session, "request", fake_request)
    return calls, answers
