# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lookups as Ansible loads them, with the transport's session answered from a script."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import lookup_loader
from ansible.template import Templar

from ansible_collections.oneshot.secrets.plugins.module_utils import _http


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

    monkeypatch.setattr(_http.requests.Session, "request", fake_request)
    return calls, answers


@pytest.fixture
def lookup():
    """lookup(name) -> the named oneshot.secrets lookup, ready to run."""
    loader = DataLoader()

    def get(name):
        return lookup_loader.get("oneshot.secrets.%s" % name, loader=loader, templar=Templar(loader=loader))

    return get
