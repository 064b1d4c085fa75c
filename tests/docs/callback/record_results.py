# -*- coding: utf-8 -*-
"""Test-only callback: every task result of a run, one JSON line each, into $RECORD_RESULTS_FILE.

tests/docs/test_plugin_examples.py and test_return_docs.py enable it to see what each module task returned.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: record_results
type: aggregate
short_description: Record every task result as JSON lines (tests only)
description: Writes each task's name, action, status and result to the file named by E(RECORD_RESULTS_FILE).
requirements: [enabled in callbacks_enabled]
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "record_results"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, status, result):
        # ansible-core 2.19 added `result`/`task`; 2.17 and 2.18 have only the underscored names.
        fields = result.result if hasattr(type(result), "result") else result._result
        task = result.task if hasattr(type(result), "task") else result._task
        line = {"name": task.get_name(), "action": task.action, "status": status, "result": dict(fields)}
        with open(os.environ["RECORD_RESULTS_FILE"], "a", encoding="utf-8") as out:
            out.write(json.dumps(line, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._record("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record("failed", result)

    def v2_runner_on_skipped(self, result):
        self._record("skipped", result)
