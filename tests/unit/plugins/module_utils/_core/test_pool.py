# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_core/pool.py: the bounded pool of the bulk paths."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._core.pool import run_all
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.errors import OtsError


def test_run_all_keeps_order_tries_everything_and_bounds_concurrency():
    running = [0]
    most = [0]
    lock = threading.Lock()
    gate = threading.Event()

    def task(index):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        gate.wait(0.05)
        with lock:
            running[0] -= 1
        if index in (3, 7):
            raise OtsError("no %d" % index)
        return index * 10

    results, failures = run_all(task, 20, 4, OtsError)
    assert results == [None if n in (3, 7) else n * 10 for n in range(20)]
    assert [index for index, _error in failures] == [3, 7]
    assert most[0] <= 4


def test_run_all_raises_a_bug_as_it_is():
    def task(index):
        raise KeyError(index)

    with pytest.raises(KeyError):
        run_all(task, 3, 2, OtsError)
