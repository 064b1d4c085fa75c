# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A progress line every few seconds while a bulk task works, for a door that can print as it goes (the action
plugin, through Ansible's Display). Counts and times only: nothing a person could read a secret from.
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

EVERY_SECONDS = 5.0


def _duration(seconds):
    seconds = int(round(seconds))
    if seconds < 90:
        return "%d s" % seconds
    if seconds < 5400:
        return "%d min" % round(seconds / 60.0)
    return "%.1f h" % (seconds / 3600.0)


class Progress:
    """Counts the items of one stage of work; a daemon thread reports a line every EVERY_SECONDS while it runs.

    what: the items ("links made", "earlier links checked"); total: how many; pacer: tells the server's wait.
    """

    def __init__(self, report, what, total, pacer=None, extra="", every=EVERY_SECONDS, clock=time.monotonic):
        self.report = report
        self.what = what
        self.total = total
        self.pacer = pacer
        self.extra = extra
        self.every = every
        self.clock = clock
        self.done = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._started = None
        self._thread = None

    def step(self):
        with self._lock:
            self.done += 1

    def line(self):
        with self._lock:
            done = self.done
        elapsed = self.clock() - self._started
        parts = ["%d of %d %s%s" % (done, self.total, self.what, self.extra)]
        held = self.pacer.held_for() if self.pacer is not None else 0.0
        if held > 0.5:
            parts.append("waiting %s for the server's rate limit" % _duration(held))
        if done and done < self.total:
            parts.append("about %s left" % _duration(elapsed / done * (self.total - done)))
        return "credential_links: " + ", ".join(parts) + "."

    def _run(self):
        while not self._stop.wait(self.every):
            self.report(self.line())

    def __enter__(self):
        self._started = self.clock()
        if self.report is not None and self.total:
            self._thread = threading.Thread(target=self._run, name="progress")
            self._thread.daemon = True
            self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return False


def progress_of(report=None, pacer=None):
    """progress(what, total, extra="") -> Progress: how a bulk run makes its counters. Without report (the module on
    a target, which prints only its result) the counters report nothing."""
    return lambda what, total, extra="": Progress(report, what, total, pacer, extra)
