# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark helper, not part of the collection: the peak RSS of ansible-playbook's workers.

benchmarks/bench.py enables it for its memory runs only (ANSIBLE_CALLBACK_PLUGINS=benchmarks/callback_plugins,
ANSIBLE_CALLBACKS_ENABLED=bench_rss, BENCH_RSS_FILE=path). Each task runs in a worker process forked from
ansible-playbook, so a lookup's own memory is in the peak of its task's worker; the largest process of the run is
often ansible-playbook itself, which receives and keeps the results.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: bench_rss
type: aggregate
short_description: Write the peak RSS of the workers and of ansible-playbook to BENCH_RSS_FILE
description:
  - At the end of the run, writes a JSON object with C(workers_kib) (the largest worker) and C(main_kib)
    (ansible-playbook itself) to the file named by the environment variable BENCH_RSS_FILE.
  - Every play reaps its workers before it ends, so C(RUSAGE_CHILDREN) then covers all of them.
"""

import json
import os
import resource

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_rss"
    CALLBACK_NEEDS_ENABLED = True

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("BENCH_RSS_FILE")
        if not path:
            return
        with open(path, "w") as out:
            json.dump({"workers_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                       "main_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}, out)
