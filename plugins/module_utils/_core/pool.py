# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A bounded pool of workers over indexes 0..count-1, shared by the bulk paths of the service clients.

For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
from concurrent.futures import ThreadPoolExecutor


def run_all(task, count, concurrency, errors):
    """task(index) for every index, `concurrency` at a time: (results in index order, [(index, error), ...]).

    Workers take the next index in turn, so nothing is held per index but its result (no future or answer).
    Every index is tried; an exception of the types `errors` is collected for its index (results[index] stays
    None), anything else is a bug and is raised as it is.
    """
    results = [None] * count
    failures = []
    if concurrency == 1 or count < 2:
        for index in range(count):
            try:
                results[index] = task(index)
            except errors as exc:
                failures.append((index, exc))
        return results, failures
    indexes = iter(range(count))
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                index = next(indexes, None)
            if index is None:
                return
            try:
                results[index] = task(index)
            except errors as exc:
                with lock:
                    failures.append((index, exc))

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        workers = [pool.submit(work) for _worker in range(min(concurrency, count))]
        for worker in workers:
            worker.result()
    failures.sort(key=lambda failed: failed[0])
    return results, failures
