"""The scale part of make bench (BENCH_PARTS=scale): playbooks/distribute_credentials.yml at SCALE people
(50,000; BENCH_SCALE_USERS), limits off, against floors measured in the same run (docs/performance.md, issue 26
item 6).

* First run, with distribute_csv: within 3x (the pwpush lookup's task making SCALE pushes + one start-up).
* Re-run with that CSV: changed=0, every person exactly one active push, within 2x (the least reads it needs +
  start-up). The server lists 10,000 active pushes at most (200 pages of 50), so the least is those 200 pages
  and one owner's read (GET of the push) for each person the list cannot reach, by a bare client with the
  module's concurrency. The module reads one too (audit page 1, with the CSV's expires); the same client with 2
  reads a person (audit page 1 + GET, the module's when the audit log cannot tell) is measured for comparison.
* Follow-up (follow_up_credentials.yml, report, with its CSV) of FOLLOWUP of those links, 1 in 10 opened: within
  3x (a bare client reading the same data, each link's audit page 1 and the push, + start-up).
* Memory: peak RSS growth of the largest process from a first run of MEM_SMALL people to the larger of the first
  run and the re-run of SCALE.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

import distribute

SCALE = int(os.environ.get("BENCH_SCALE_USERS", "50000"))
MEM_SMALL = 1000
CONCURRENCY = 8  # the playbook's distribute_concurrency, the lookup's maximum
LISTED_MAX = 10000  # 200 pages of 50: what the server lists
FIRST_TARGET, RERUN_TARGET, FOLLOWUP_TARGET = 3.0, 2.0, 3.0
FOLLOWUP = 10000  # links followed up (follow_up_credentials.yml)
MEM_TARGET_KIB_PER_PERSON = 8.0
STARTUP_ROUNDS = 3
SLOWEST_TASKS = 6
# A repetition takes minutes: one by default (run the bench again for a second figure).
REPS = int(os.environ.get("BENCH_SCALE_REPS", "1"))


def csv_tokens(path: Path) -> dict:
    """{user: url_token} of the links in the CSV the first run wrote."""
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    return dict((row["user"], re.search(r"/p/([^/]+)", row["link"]).group(1)) for row in rows if row["link"])


class BareReader:
    """A bare client: requests.Session per thread with the owner's token, CONCURRENCY threads for per-link reads."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.headers = {"Authorization": "Bearer " + token, "Accept": "application/json"}
        self.local = threading.local()
        self.sessions = []

    def get(self, path: str, **params) -> dict:
        if getattr(self.local, "session", None) is None:
            self.local.session = requests.Session()
            self.local.session.headers.update(self.headers)
            self.sessions.append(self.local.session)
        response = self.local.session.get(self.url + path, params=params or None, timeout=60)
        response.raise_for_status()
        return response.json()

    def each(self, read, items) -> None:
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            list(pool.map(read, items))

    def close(self) -> None:
        for session in self.sessions:
            session.close()


def least_reads(url: str, token: str, tokens: dict, reads_per_person: int) -> tuple[float, int]:
    """The re-run's reads by a bare client: the 200 list pages (in order, as a paged list is read), then, for each
    person the list did not reach, GET of the push (and, with 2 reads, audit page 1 before it), CONCURRENCY at
    once. (seconds, people read one by one)."""
    reader = BareReader(url, token)
    started = time.perf_counter()
    listed = set()
    for page in range(1, LISTED_MAX // 50 + 1):
        batch = reader.get("/api/v2/pushes/active", page=page)
        listed.update(push["url_token"] for push in batch)
        if len(batch) < 50:
            break
    unlisted = [value for value in tokens.values() if value not in listed]

    def read(push_token):
        if reads_per_person == 2:
            reader.get("/api/v2/pushes/%s/audit" % push_token, page=1)
        assert not reader.get("/api/v2/pushes/%s" % push_token).get("expired")

    reader.each(read, unlisted)
    elapsed = time.perf_counter() - started
    reader.close()
    return elapsed, len(unlisted)


def bare_followup(url: str, token: str, tokens: list) -> float:
    """The follow-up's data by a bare client: each link's audit log (page 1: a handful of entries) and the owner's
    read of the push (expired or not), CONCURRENCY links at once."""
    reader = BareReader(url, token)
    started = time.perf_counter()
    reader.each(lambda push_token: (reader.get("/api/v2/pushes/%s/audit" % push_token, page=1),
                                    reader.get("/api/v2/pushes/%s" % push_token)), tokens)
    elapsed = time.perf_counter() - started
    reader.close()
    return elapsed


def open_links(url: str, tokens: list) -> None:
    """Each link opened once as its person would (no token: the view counts, and the push expires)."""
    session = requests.Session()
    for push_token in tokens:
        session.get(url + "/api/v2/pushes/%s" % push_token, timeout=60).raise_for_status()
    session.close()


def timed(bench, env: dict, tmp: Path) -> tuple[dict, Path]:
    """env with the callback that writes each task's seconds (benchmarks/callback_plugins/bench_task_times.py)."""
    times_file = tmp / "scale-task-times.json"
    times_file.unlink(missing_ok=True)
    return dict(env, ANSIBLE_CALLBACK_PLUGINS=str(bench.HERE / "callback_plugins"),
                ANSIBLE_CALLBACKS_ENABLED="bench_task_times", BENCH_TASK_TIMES_FILE=str(times_file)), times_file


def slowest(bench, what: str, times_file: Path, samples: dict) -> None:
    """Where a run's time goes: its slowest tasks, logged and kept in the results."""
    tasks = sorted(json.loads(times_file.read_text()), key=lambda task: -task[1])[:SLOWEST_TASKS]
    samples.setdefault("scale_%s_slowest_tasks" % what, []).append(tasks)
    bench.log("    %s's slowest tasks: %s" % (what, "; ".join("%s %.1f s" % (name, took) for name, took in tasks)))


def followup(bench, env: dict, links_csv: Path, tmp: Path, samples: dict) -> None:
    """follow_up_credentials.yml (report, with its CSV) on FOLLOWUP links of the CSV, 1 in 10 opened, and the bare
    read of the same data."""
    lines = links_csv.read_text(encoding="utf-8").splitlines(keepends=True)
    part = tmp / "scale-followup-links.csv"
    part.write_text("".join(lines[:FOLLOWUP + 1]), encoding="utf-8")  # the header and FOLLOWUP rows (one line each)
    tokens = list(csv_tokens(part).values())
    assert len(tokens) == FOLLOWUP
    open_links(env["PWPUSH_URL"], tokens[::10])
    samples.setdefault("scale_followup_bare", []).append(bare_followup(env["PWPUSH_URL"], env["PWPUSH_TOKEN"], tokens))
    report = tmp / "scale-followup.csv"
    report.unlink(missing_ok=True)
    path = distribute.view_playbooks() / "follow_up_credentials.yml"
    timed_env, times_file = timed(bench, env, tmp)
    wall, stdout, _rss = bench.run_playbook(path, timed_env, "-e", "distribute_csv=%s" % part, "-e",
                                            "followup_csv=%s" % report)
    slowest(bench, "followup", times_file, samples)
    bench.log("    follow_up_credentials.yml, %d links: %.2f s" % (FOLLOWUP, wall))
    opened = FOLLOWUP // 10
    assert "%d opened, %d waiting unopened" % (opened, FOLLOWUP - opened) in stdout, "bench: the follow-up's counts"
    assert len(report.read_text(encoding="utf-8").splitlines()) == FOLLOWUP + 1, "bench: the follow-up's CSV"
    samples.setdefault("scale_followup", []).append(wall)


def run(bench, env: dict, pwpush, tmp: Path, samples: dict) -> None:
    """Takes the samples of this part (bench is benchmarks/bench.py: playbook, log)."""
    playbook_path = distribute.view_playbooks() / "distribute_credentials.yml"
    users = distribute.users_file(tmp, SCALE)
    links_csv = tmp / "scale-links.csv"
    for rep in range(REPS):
        bench.log("scale: %d people, repetition %d/%d" % (SCALE, rep + 1, REPS))
        for _round in range(STARTUP_ROUNDS):
            samples.setdefault("scale_startup", []).append(bench.playbook("pwpush.yml", env, "-t", "noop")[0])
        pwpush.reset()
        _wall, parts, _rss = bench.playbook("pwpush.yml", env, "-t", "lookup", "-e",
                                            "bench_lookup_terms=%d bench_concurrency=%d" % (SCALE, CONCURRENCY))
        assert parts["lookup"][1] == SCALE, parts
        samples.setdefault("scale_lookup", []).append(parts["lookup"][0])

        pwpush.reset()
        links_csv.unlink(missing_ok=True)
        wall, rss, out = distribute.distribute(bench, env, playbook_path, users, "-e",
                                               "distribute_csv=%s" % links_csv, measure_rss=True)
        assert "%d new link(s), 0 reused" % SCALE in out, "bench: the first run did not make every link"
        distribute.check_links(pwpush.url, SCALE)
        samples.setdefault("scale_first", []).append(wall)
        samples.setdefault("scale_rss_kib", []).append(rss)

        tokens = csv_tokens(links_csv)
        assert len(tokens) == SCALE, "bench: the CSV holds %d links" % len(tokens)
        for reads in (1, 2):
            seconds, unlisted = least_reads(pwpush.url, env["PWPUSH_TOKEN"], tokens, reads)
            samples.setdefault("scale_reads_%d" % reads, []).append(seconds)
        samples["scale_unlisted"] = [unlisted]

        timed_env, times_file = timed(bench, env, tmp)
        wall, rss, out = distribute.distribute(bench, timed_env, playbook_path, users, "-e",
                                               "distribute_csv=%s" % links_csv, measure_rss=True)
        slowest(bench, "rerun", times_file, samples)
        assert "0 new link(s), %d reused" % SCALE in out and distribute.recap_changed(out) == 0, \
            "bench: the re-run changed something"
        distribute.check_links(pwpush.url, SCALE)
        samples.setdefault("scale_rerun", []).append(wall)
        samples.setdefault("scale_rerun_rss_kib", []).append(rss)
        if (distribute.view_playbooks() / "follow_up_credentials.yml").exists():
            followup(bench, env, links_csv, tmp, samples)

        pwpush.reset()
        _wall, rss, _out = distribute.distribute(bench, env, playbook_path, distribute.users_file(tmp, MEM_SMALL),
                                                 measure_rss=True)
        samples.setdefault("scale_rss_kib_small", []).append(rss)


def table(m: dict, row) -> None:
    head = "distribute at %d" % SCALE
    row("%s: ansible-playbook start-up (1 debug task, wall)" % head, m["scale_startup"], "s")
    row("%s: pwpush lookup making %d pushes (one task, concurrency %d)" % (head, SCALE, CONCURRENCY),
        m["scale_lookup"], "s")
    row("%s: first run with distribute_csv (wall)" % head, m["scale_first"], "s")
    ratio = m["scale_first"] / (m["scale_lookup"] + m["scale_startup"])
    row("%s: first run / (lookup + start-up)" % head, ratio, "x", "<= %g" % FIRST_TARGET, ratio <= FIRST_TARGET)
    row("%s: people the list cannot reach (read one by one)" % head, m["scale_unlisted"], "n")
    row("%s: least reads, bare (200 pages + 1 GET a person unlisted)" % head, m["scale_reads_1"], "s")
    row("%s: the same with 2 reads a person (audit + GET)" % head, m["scale_reads_2"], "s")
    row("%s: re-run, changed=0, no duplicate (wall)" % head, m["scale_rerun"], "s")
    ratio = m["scale_rerun"] / (m["scale_reads_1"] + m["scale_startup"])
    row("%s: re-run / (least reads + start-up)" % head, ratio, "x", "<= %g" % RERUN_TARGET, ratio <= RERUN_TARGET)
    row("%s: re-run / (2 reads a person + start-up), for comparison" % head,
        m["scale_rerun"] / (m["scale_reads_2"] + m["scale_startup"]), "x")
    if "scale_followup" in m:
        row("%s: follow-up data of %d links, bare (audit page 1 + GET a link)" % (head, FOLLOWUP),
            m["scale_followup_bare"], "s")
        row("%s: follow_up_credentials.yml, %d links, 1 in 10 opened, with its CSV (wall)" % (head, FOLLOWUP),
            m["scale_followup"], "s")
        ratio = m["scale_followup"] / (m["scale_followup_bare"] + m["scale_startup"])
        row("%s: follow-up / (bare read + start-up)" % head, ratio, "x", "<= %g" % FOLLOWUP_TARGET,
            ratio <= FOLLOWUP_TARGET)
    row("%s: peak RSS, first run of %d people (largest process)" % (head, MEM_SMALL),
        m["scale_rss_kib_small"] / 1024.0, "MiB")
    row("%s: peak RSS, first run (largest process)" % head, m["scale_rss_kib"] / 1024.0, "MiB")
    row("%s: peak RSS, re-run (largest process)" % head, m["scale_rerun_rss_kib"] / 1024.0, "MiB")
    largest = max(m["scale_rss_kib"], m["scale_rerun_rss_kib"])
    growth = (largest - m["scale_rss_kib_small"]) / (SCALE - MEM_SMALL)
    row("%s: peak RSS growth per person (%d -> %d)" % (head, MEM_SMALL, SCALE), growth, "KiB",
        "<= %g" % MEM_TARGET_KIB_PER_PERSON, growth <= MEM_TARGET_KIB_PER_PERSON)
