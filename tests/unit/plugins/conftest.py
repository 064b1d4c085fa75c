# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures every unit test of a plugin may use; the HTTP stub itself is module_utils/http_stub.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession


@pytest.fixture
def http(monkeypatch):
    """(calls, answers) of the one HTTP stub over every transport: every request made, and the scripted answers
    (responses or exceptions); an unexpected request fails the test."""
    stub = ScriptedSession.everywhere(monkeypatch)
    return stub.calls, stub.answers


@pytest.fixture
def lookup():
    """lookup(name) -> the named oneshot.secrets lookup as Ansible loads it, ready to run."""
    # Imported here: the tests of modules and module_utils run where only ansible.module_utils is importable.
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.loader import lookup_loader
    from ansible.template import Templar

    loader = DataLoader()

    def get(name):
        return lookup_loader.get("oneshot.secrets.%s" % name, loader=loader, templar=Templar(loader=loader))

    return get
