# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lookups as Ansible loads them (the `http` fixture of tests/unit/plugins/conftest.py answers their requests)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import lookup_loader
from ansible.template import Templar


@pytest.fixture
def lookup():
    """lookup(name) -> the named oneshot.secrets lookup, ready to run."""
    loader = DataLoader()

    def get(name):
        return lookup_loader.get("oneshot.secrets.%s" % name, loader=loader, templar=Templar(loader=loader))

    return get
