# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Many pushes over one client: a bounded pool of workers that keeps the order of the specs.

For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError

# Parallel creates stay well under the server's burst limit (Rack::Attack: 60 requests a second per IP).
MAX_CONCURRENCY = 8


def create_all(create_push, specs, concurrency, select=None):
    """create_push(spec) for every spec, `concurrency` at a time; results in the order of specs.

    Workers take the next index in turn, so nothing is held per push but its result (no spec, future or
    answer). Every push is tried; the first failure in order is raised, counting the pushes made.
    """
    count = len(specs)

    def create(index):
        push = create_push(specs[index])
        return select(push) if select else push

    if concurrency == 1 or count < 2:
        return [create(index) for index in range(count)]
    results = [None] * count
    failures = []  # (index, PwpushError): every push is still tried, the first failure in order is reported
    indexes = iter(range(count))
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                index = next(indexes, None)
            if index is None:
                return
            try:
                results[index] = create(index)
            except PwpushError as exc:
                with lock:
                    failures.append((index, exc))

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        workers = [pool.submit(work) for _worker in range(min(concurrency, count))]
        for worker in workers:
            worker.result()  # anything but a PwpushError is a bug: raise it as it is
    if failures:
        failure = min(failures, key=lambda failed: failed[0])[1]
        raise PwpushError("%s (%d of %d pushes were created before the failure; they expire on their own)" % (
            failure.message.rstrip("."), count - len(failures), count), status=failure.status)
    return results
