# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Many pushes over one client: a bounded pool of workers that keeps the order of the specs.

For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oneshot.secrets.plugins.module_utils._core.pool import run_all
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

    results, failures = run_all(create, count, concurrency, PwpushError)
    if failures:
        failure = failures[0][1]
        raise PwpushError("%s (%d of %d pushes were created before the failure; they expire on their own)" % (
            failure.message.rstrip("."), count - len(failures), count), status=failure.status)
    return results
