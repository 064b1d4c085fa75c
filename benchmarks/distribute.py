"""The distribute part of make bench (BENCH_PARTS=distribute): playbooks/distribute_credentials.yml on
oneshot.secrets.credential_links, against floors measured in the same run (docs/performance.md).

* First run, 1,000 people, limits off: within 3x (the pwpush lookup's task for 1,000 pushes + one ansible-playbook
  start-up).
* Second run, every link reused (changed=0): within 2x (one paged scan of 1,000 active pushes, a bare
  requests.Session reading page after page as the module's scan does + start-up).
* Memory flat per person: peak RSS of the largest process of a first run at 250 and at 1,000 people.
* 300 people against the server's default limit (120 a minute, 60 a second per address): zero failures, no
  duplicate link, within 1.2x of what the limit allows: start-up + the time from the first request until the
  limit's windows (Rack::Attack: fixed, aligned to the epoch) let the last accepted request through.
* The old playbook (87dfc13, a task per user) at OLD_SIZE people, for the "before" column.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import time
from collections import Counter
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIZE = 1000
MEM_SIZES = (250, 1000)
LIMITED_SIZE = 300
LIMIT_PER_MINUTE, LIMIT_PER_SECOND = 120, 60
OLD_SIZE = int(os.environ.get("BENCH_OLD_USERS", "30"))
OLD_COMMIT = "87dfc13"
FIRST_TARGET, SECOND_TARGET, LIMIT_TARGET = 3.0, 2.0, 1.2
SHORT_ROUNDS = 3  # start-up, scan and re-run samples per repetition
# Peak RSS growth a person may add: one person's data (name, email, link, password, the push's JSON) held a few
# times over by Ansible (variables, the module's result, templated copies) is about 2 KiB; a run that keeps a list
# rebuilt per user, or a result per task iteration, grows by far more.
MEM_TARGET_KIB_PER_PERSON = 8.0
LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) fake\.pwpush (\w+) (\S+) (\d{3}) ")


def users_file(tmp: Path, count: int) -> Path:
    path = tmp / ("users-%d.json" % count)
    people = [{"name": "person%04d" % n, "email": "person%04d@example.com" % n} if n % 2 else "person%04d" % n
              for n in range(count)]
    path.write_text(json.dumps({"credential_users": people}))
    return path


def distribute(bench, env: dict, playbook_path: Path, users: Path, *args: str, measure_rss: bool = False):
    """One run of a distribute playbook; (wall seconds, peak RSS KiB, stdout)."""
    wall, stdout, rss = bench.run_playbook(playbook_path, env, "-e", "@%s" % users, *args, measure_rss=measure_rss)
    bench.log("    %s, %d people: %.2f s" % (playbook_path.name, count_people(users), wall))
    return wall, rss, stdout


def count_people(users: Path) -> int:
    return len(json.loads(users.read_text())["credential_users"])


def recap_changed(stdout: str) -> int:
    return int(re.findall(r"^localhost +: .*changed=(\d+)", stdout, re.M)[-1])


def held(url: str) -> list:
    return requests.get(url + "/_fake/pwpush/pushes", timeout=30).json()


def check_links(url: str, count: int) -> None:
    """Zero failures, no duplicate: every person has exactly one active push."""
    names = Counter(push["name"] for push in held(url) if not push["expired"])
    doubled = [name for name, seen in names.items() if seen > 1]
    assert not doubled and len(names) == count, "bench: %d people with a link, %d doubled (want %d, 0)" % (
        len(names), len(doubled), count)


def bare_scan(url: str, token: str) -> float:
    """One paged scan of the owner's active pushes, page after page as the module reads them."""
    session = requests.Session()
    session.headers.update({"Authorization": "Bearer " + token, "Accept": "application/json"})
    started = time.perf_counter()
    seen = 0
    for page in range(1, 201):
        response = session.get(url + "/api/v2/pushes/active", params={"page": page}, timeout=30)
        response.raise_for_status()
        batch = response.json()
        seen += len(batch)
        if len(batch) < 50:
            break
    elapsed = time.perf_counter() - started
    session.close()
    assert seen >= SIZE, "bench: the scan saw %d pushes" % seen
    return elapsed


def limit_floor(first_request: float, accepted: int) -> float:
    """Least time from the first request to the last of `accepted` under 120 a minute in epoch-aligned windows
    (the 60 a second limit costs at most a second per minute window: counted too)."""
    window = int(first_request // 60)
    last_window = window + (accepted - 1) // LIMIT_PER_MINUTE
    in_last = (accepted - 1) % LIMIT_PER_MINUTE + 1
    start_of_last = max(first_request, last_window * 60.0)
    return start_of_last - first_request + (in_last - 1) // LIMIT_PER_SECOND


def requests_in_log(path: Path) -> tuple[float, int, int]:
    """(time of the first API request, accepted requests, 429 answers) from the fake's log."""
    first, accepted, refused = None, 0, 0
    for line in path.read_text().splitlines():
        match = LOG_TIME.match(line)
        if not match or match.group(3).startswith("/_fake/"):
            continue
        stamp = datetime.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
        first = stamp if first is None else first
        if match.group(4) == "429":
            refused += 1
        else:
            accepted += 1
    return first, accepted, refused


def view_playbooks() -> Path:
    """The playbooks of the collection the bench runs (make bench's view, on ANSIBLE_COLLECTIONS_PATH)."""
    first = os.environ["ANSIBLE_COLLECTIONS_PATH"].split(os.pathsep)[0]
    return Path(first) / "ansible_collections" / "oneshot" / "secrets" / "playbooks"


def old_playbook(tmp: Path) -> Path:
    """The playbook before credential_links, next to the current one (it includes tasks/ and vars/)."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", "%s:playbooks/distribute_credentials.yml" % OLD_COMMIT],
                            capture_output=True, text=True, check=False)
    if source.returncode != 0:
        return None
    path = view_playbooks() / "distribute_credentials_old.yml"
    path.write_text(source.stdout)
    return path


def run(bench, env: dict, pwpush, tmp: Path, samples: dict) -> None:
    """Takes the samples of this part (bench is benchmarks/bench.py: playbook, log, REPS, Fake)."""
    playbook_path = view_playbooks() / "distribute_credentials.yml"
    users = users_file(tmp, SIZE)
    for rep in range(bench.REPS):
        bench.log("distribute: floors and 1,000 people, repetition %d/%d" % (rep + 1, bench.REPS))
        pwpush.reset()
        _wall, parts, _rss = bench.playbook("pwpush.yml", env, "-t", "lookup", "-e",
                                            "bench_lookup_terms=%d bench_concurrency=8" % SIZE)
        samples.setdefault("dist_lookup_%d" % SIZE, []).append(parts["lookup"][0])
        pwpush.reset()
        wall, _rss, out = distribute(bench, env, playbook_path, users)
        assert "%d new link(s), 0 reused" % SIZE in out, "bench: the first run did not make every link"
        check_links(pwpush.url, SIZE)
        samples.setdefault("dist_first", []).append(wall)
        # The re-run and its floor are short and vary by a tenth of a second from run to run on a shared machine:
        # SHORT_ROUNDS of each per repetition, interleaved so that drift hits both alike.
        for _round in range(SHORT_ROUNDS):
            wall, _parts, _rss = bench.playbook("pwpush.yml", env, "-t", "noop")
            samples.setdefault("dist_startup", []).append(wall)
            samples.setdefault("dist_scan", []).append(bare_scan(pwpush.url, env["PWPUSH_TOKEN"]))
            wall, _rss, out = distribute(bench, env, playbook_path, users)
            assert "0 new link(s), %d reused" % SIZE in out and recap_changed(out) == 0, \
                "bench: the re-run changed something"
            check_links(pwpush.url, SIZE)
            samples.setdefault("dist_second", []).append(wall)
        for size in MEM_SIZES:
            pwpush.reset()
            _wall, rss, _out = distribute(bench, env, playbook_path, users_file(tmp, size), measure_rss=True)
            samples.setdefault("dist_rss_kib_%d" % size, []).append(rss)

    bench.log("distribute: %d people against the default rate limit" % LIMITED_SIZE)
    log_path = tmp / "limited.log"
    limited = bench.Fake("pwpush", "--token", env["PWPUSH_TOKEN"], "--mode", "hosted", log=log_path)
    try:
        limited_env = dict(env, PWPUSH_URL=limited.url)
        wall, _rss, out = distribute(bench, limited_env, playbook_path, users_file(tmp, LIMITED_SIZE))
        check_links(limited.url, LIMITED_SIZE)
        paced = re.search(r"(\d+) request\(s\) paced", out)
        samples["dist_limited_paced"] = [int(paced.group(1)) if paced else -1]
    finally:
        limited.stop()
    first, accepted, refused = requests_in_log(log_path)
    samples["dist_limited"] = [wall]
    samples["dist_limited_accepted"] = [accepted]
    samples["dist_limited_refused"] = [refused]
    samples["dist_limited_floor"] = [limit_floor(first, accepted)]

    old = old_playbook(tmp)
    if old is not None and OLD_SIZE > 0:
        bench.log("distribute: the old playbook (%s), %d people, twice" % (OLD_COMMIT, OLD_SIZE))
        pwpush.reset()
        old_users = users_file(tmp, OLD_SIZE)
        samples["dist_old_first"] = [distribute(bench, env, old, old_users)[0]]
        samples["dist_old_second"] = [distribute(bench, env, old, old_users)[0]]
        old.unlink()


def table(m: dict, row) -> None:
    first_floor = m["dist_lookup_%d" % SIZE] + m["dist_startup"]
    second_floor = m["dist_scan"] + m["dist_startup"]
    row("distribute: ansible-playbook start-up (1 debug task, wall)", m["dist_startup"], "s")
    row("distribute: pwpush lookup, %d pushes (one task, concurrency 8)" % SIZE, m["dist_lookup_%d" % SIZE], "s")
    row("distribute: one paged scan of %d active pushes (bare requests.Session)" % SIZE, m["dist_scan"], "s")
    row("distribute: %d people, first run (wall)" % SIZE, m["dist_first"], "s")
    ratio = m["dist_first"] / first_floor
    row("distribute: first run / (lookup + start-up)", ratio, "x", "<= %g" % FIRST_TARGET, ratio <= FIRST_TARGET)
    row("distribute: %d people, second run, every link reused (wall)" % SIZE, m["dist_second"], "s")
    ratio = m["dist_second"] / second_floor
    row("distribute: second run / (scan + start-up)", ratio, "x", "<= %g" % SECOND_TARGET, ratio <= SECOND_TARGET)
    small, large = MEM_SIZES
    for size in MEM_SIZES:
        row("distribute: peak RSS, first run of %d people (largest process)" % size,
            m["dist_rss_kib_%d" % size] / 1024.0, "MiB")
    growth = (m["dist_rss_kib_%d" % large] - m["dist_rss_kib_%d" % small]) / (large - small)
    row("distribute: peak RSS growth per person (%d -> %d)" % MEM_SIZES, growth, "KiB",
        "<= %g" % MEM_TARGET_KIB_PER_PERSON, growth <= MEM_TARGET_KIB_PER_PERSON)
    head = "distribute: %d people at the default limit (%d/min, %d/s)" % (
        LIMITED_SIZE, LIMIT_PER_MINUTE, LIMIT_PER_SECOND)
    row("%s: wall, zero failures, no duplicate" % head, m["dist_limited"], "s")
    row("%s: requests accepted" % head, m["dist_limited_accepted"], "n")
    row("%s: 429 answers (each waited out, then sent again)" % head, m["dist_limited_refused"], "n")
    row("%s: requests the module reports paced" % head, m["dist_limited_paced"], "n")
    allowed = m["dist_limited_floor"] + m["dist_startup"]
    row("%s: what the limit allows (start-up + its windows)" % head, allowed, "s")
    ratio = m["dist_limited"] / allowed
    row("%s: wall / what the limit allows" % head, ratio, "x", "<= %g" % LIMIT_TARGET, ratio <= LIMIT_TARGET)
    if "dist_old_first" in m:
        row("distribute, OLD playbook (%s), %d people, first run" % (OLD_COMMIT, OLD_SIZE), m["dist_old_first"], "s")
        row("distribute, OLD playbook, per person, first run", m["dist_old_first"] / OLD_SIZE, "s")
        row("distribute, OLD playbook, %d people, second run" % OLD_SIZE, m["dist_old_second"], "s")
        row("distribute: new first run per person at %d (for comparison)" % SIZE, m["dist_first"] / SIZE, "s")
