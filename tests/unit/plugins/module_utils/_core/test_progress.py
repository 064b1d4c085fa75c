# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

from ansible_collections.oneshot.secrets.plugins.module_utils._core.progress import Progress


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class HeldPacer:
    def __init__(self, seconds):
        self.seconds = seconds

    def held_for(self):
        return self.seconds


def test_a_line_says_how_far_the_wait_and_the_time_left():
    clock = Clock()
    with Progress(None, "new links made", 300, pacer=HeldPacer(42), extra=", 10 reused", clock=clock) as made:
        for _item in range(100):
            made.step()
        clock.now += 50
        line = made.line()
    assert line == ("credential_links: 100 of 300 new links made, 10 reused, waiting 42 s for the server's rate limit, "
                    "about 2 min left.")


def test_lines_come_while_it_works_and_stop_with_it():
    lines = []
    arrived = threading.Event()

    def report(line):
        lines.append(line)
        if line.startswith("credential_links: 1 of 5 earlier links checked"):
            arrived.set()

    with Progress(report, "earlier links checked", 5, every=0.01) as checked:
        checked.step()  # a busy machine may report "0 of 5" first: the line after the step is the one awaited
        assert arrived.wait(5)
    count = len(lines)
    time.sleep(0.05)
    assert len(lines) == count  # nothing after the stage ended


def test_nothing_is_reported_without_a_report_or_work():
    with Progress(None, "new links made", 3) as made:
        made.step()
    assert made.done == 1
