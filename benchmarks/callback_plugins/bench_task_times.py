# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark helper, not part of the collection: how long each task of a run took, to say where the time goes.

benchmarks/distribute_scale.py enables it (ANSIBLE_CALLBACK_PLUGINS=benchmarks/callback_plugins,
ANSIBLE_CALLBACKS_ENABLED=bench_task_times, BENCH_TASK_TIMES_FILE=path).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: bench_task_times
type: aggregate
short_description: Write the seconds from each task's start to the next one's to BENCH_TASK_TIMES_FILE
description:
  - At the end of the run, writes a JSON list of [task name, seconds] in the order the tasks started; a task's
    seconds run until the next task (or play) starts, so they hold its templating, its run and its result.
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_task_times"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.times = []
        self.current = None
        self.started = time.perf_counter()

    def _next(self, name):
        now = time.perf_counter()
        if self.current is not None:
            self.times.append([self.current, round(now - self.started, 3)])
        self.current, self.started = name, now

    def v2_playbook_on_play_start(self, play):
        self._next("play: " + play.get_name())

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._next(task.get_name())

    def v2_playbook_on_stats(self, stats):
        self._next(None)
        path = os.environ.get("BENCH_TASK_TIMES_FILE")
        if path:
            with open(path, "w") as handle:
                json.dump(self.times, handle)
