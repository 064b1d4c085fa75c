"""The scale part of make bench (BENCH_PARTS=scale): playbooks/distribute_credentials.yml at SCALE people
(50,000; BENCH_SCALE_USERS), limits off, against floors measured in the same run (docs/performance.md, issue 26
item 6).

* First run, with distribute_csv: within 3x (the pwpush lookup's task making SCALE pushes + one start-up).
* Re-run with that CSV: changed=0, every person exactly one active push, within 2x (the least reads it needs +
  start-up). The server lists 10,000 active pushes at most (200 pages of 50), so the least is those 200 pages
  and one owner's read (GET of the push) for each person the list cannot reach, by a bare client with the
  module's concurrency. The same client with the module's 2 reads a person (audit page 1 + GET) is measured too,
  to state what the 2nd read costs.
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
FIRST_TARGET, RERUN_TARGET = 3.0, 2.0
MEM_TARGET_KIB_PER_PERSON = 8.0
STARTUP_ROUNDS = 3
SLOWEST_TASKS = 6
# A repetition takes minutes: one by default (run the bench again for a second figure).
REPS = int(os.environ.get("BENCH_SCALE_REPS", "1"))


def csv_tokens(path: Path) -> dict:
    """{user: url_token} of the links in the CSV the first run wrote."""
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    return dict((row["user"], re.search(r"/p/([^/]+)", row["link"]).group(1)) for row in rows if row["link"])


def least_reads(url: str, token: str, tokens: dict, reads_per_person: int) -> tuple[float, int]:
    """The re-run's reads by a bare client: the 200 list pages (one session, in order, as a paged list must be
    read), then, for each person the list did not reach, GET of the push (and, with 2 reads, audit page 1 before
    it), CONCURRENCY sessions at once. (seconds, people read one by one)."""
    headers = {"Authorization": "Bearer " + token, "Accept": "application/json"}
    local = threading.local()
    sessions = []

    def session():
        if getattr(local, "session", None) is None:
            local.session = requests.Session()
            local.session.headers.update(headers)
            sessions.append(local.session)
        return local.session

    started = time.perf_counter()
    listed = set()
    for page in range(1, LISTED_MAX // 50 + 1):
        response = session().get(url + "/api/v2/pushes/active", params={"page": page}, timeout=60)
        response.raise_for_status()
        batch = response.json()
        listed.update(push["url_token"] for push in batch)
        if len(batch) < 50:
            break
    unlisted = [value for value in tokens.values() if value not in listed]

    def read(push_token):
        if reads_per_person == 2:
            session().get(url + "/api/v2/pushes/%s/audit" % push_token, params={"page": 1},
                          timeout=60).raise_for_status()
        answer = session().get(url + "/api/v2/pushes/%s" % push_token, timeout=60)
        answer.raise_for_status()
        assert not answer.json().get("expired")

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(read, unlisted))
    elapsed = time.perf_counter() - started
    for each in sessions:
        each.close()
    return elapsed, len(unlisted)


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

        times_file = tmp / "scale-task-times.json"
        timed_env = dict(env, ANSIBLE_CALLBACK_PLUGINS=str(bench.HERE / "callback_plugins"),
                         ANSIBLE_CALLBACKS_ENABLED="bench_task_times", BENCH_TASK_TIMES_FILE=str(times_file))
        wall, rss, out = distribute.distribute(bench, timed_env, playbook_path, users, "-e",
                                               "distribute_csv=%s" % links_csv, measure_rss=True)
        # Where the re-run's time goes: its slowest tasks (the callback costs nothing measurable).
        slowest = sorted(json.loads(times_file.read_text()), key=lambda task: -task[1])[:SLOWEST_TASKS]
        samples.setdefault("scale_rerun_slowest_tasks", []).append(slowest)
        bench.log("    re-run's slowest tasks: " + "; ".join("%s %.1f s" % (name, took) for name, took in slowest))
        assert "0 new link(s), %d reused" % SCALE in out and distribute.recap_changed(out) == 0, \
            "bench: the re-run changed something"
        distribute.check_links(pwpush.url, SCALE)
        samples.setdefault("scale_rerun", []).append(wall)
        samples.setdefault("scale_rerun_rss_kib", []).append(rss)

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
    row("%s: the same with the module's 2 reads a person (audit + GET)" % head, m["scale_reads_2"], "s")
    row("%s: re-run, changed=0, no duplicate (wall)" % head, m["scale_rerun"], "s")
    ratio = m["scale_rerun"] / (m["scale_reads_1"] + m["scale_startup"])
    row("%s: re-run / (least reads + start-up)" % head, ratio, "x", "<= %g" % RERUN_TARGET, ratio <= RERUN_TARGET)
    row("%s: re-run / (2 reads a person + start-up), for comparison" % head,
        m["scale_rerun"] / (m["scale_reads_2"] + m["scale_startup"]), "x")
    row("%s: peak RSS, first run of %d people (largest process)" % (head, MEM_SMALL),
        m["scale_rss_kib_small"] / 1024.0, "MiB")
    row("%s: peak RSS, first run (largest process)" % head, m["scale_rss_kib"] / 1024.0, "MiB")
    row("%s: peak RSS, re-run (largest process)" % head, m["scale_rerun_rss_kib"] / 1024.0, "MiB")
    largest = max(m["scale_rss_kib"], m["scale_rerun_rss_kib"])
    growth = (largest - m["scale_rss_kib_small"]) / (SCALE - MEM_SMALL)
    row("%s: peak RSS growth per person (%d -> %d)" % (head, MEM_SMALL, SCALE), growth, "KiB",
        "<= %g" % MEM_TARGET_KIB_PER_PERSON, growth <= MEM_TARGET_KIB_PER_PERSON)
