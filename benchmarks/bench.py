"""Bulk speed of oneshot.secrets against the local test servers (tests/fakes).

    make bench                       # or: ANSIBLE_COLLECTIONS_PATH=... python benchmarks/bench.py
    BENCH_REPS=3 BENCH_LOOP_ITEMS=30 BENCH_OUT=benchmarks/results.json

Prints a table (figure, target, met) and writes every figure and raw sample to BENCH_OUT.
Exits 1 when a target is missed. Every figure is the median of BENCH_REPS repetitions.

How each figure is taken (see docs/performance.md):
* Times of Ansible tasks are measured inside the play (a set_fact timestamp before and after
  the task), so ansible-playbook's start-up is not in them; start-up is reported apart.
* The module and uri loops run BENCH_LOOP_ITEMS items (default 30: 500 would take about
  15 minutes on 2 cores) and are scaled linearly to 500; BENCH_LOOP_ITEMS=500 measures them fully.
* Peak RSS is ru_maxrss of the largest process of one ansible-playbook run (a fresh wrapper
  process per run, so RUSAGE_CHILDREN sees that run only).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

import distribute
import terraform_bench
import distribute_scale

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SERVE = ROOT / "tests" / "fakes" / "serve"
PLAYBOOKS = HERE / "playbooks"

REPS = int(os.environ.get("BENCH_REPS", "3"))
LOOP_ITEMS = int(os.environ.get("BENCH_LOOP_ITEMS", "30"))
OUT = Path(os.environ.get("BENCH_OUT", str(HERE / "results.json")))
PUSHES = 500
# BENCH_PARTS=pushsecurity (comma-separated: pwpush, latency, pushsecurity, memory, distribute, scale) runs only those
# parts;
# the table then shows only their figures.
PARTS = set(os.environ.get("BENCH_PARTS", "pwpush,latency,pushsecurity,memory,distribute,scale").split(","))
LATENCY = 0.02
# 5,000 fits the burst (10 batches); 10,000 (20 batches) is bound by the rate limit.
PS_SIZES = (5000, 10000)
PS_RATE, PS_BURST, PS_BATCH = 10.0, 10, 500
# The paced bare loop sends a batch this long after the API's bucket has a token for it (clock jitter).
PS_PACE_MARGIN = 0.002
PS_TARGET = 1.2
# Rounds of the Push Security playbook: a round takes seconds, and its 5,000 figure is a few hundredths of a
# second above the fixed cost, so more rounds than BENCH_REPS steady the median.
PS_ROUNDS = max(REPS, 5)
# Rounds of the bare pwpush loop and the lookup (under a second each, with a tenth of a second of spread).
PW_ROUNDS = max(REPS, 7)
MEM_SIZES = (500, 5000)
# Each size runs twice per repetition: the lookup (tag lookup) and its baseline (tag baseline), which turns the same
# terms into a list of link-like strings of the same length with builtin filters, stored by the same set_fact with the
# same no_log. The baseline's growth per term is what Ansible itself spends on such a result (the terms, the links,
# the copies made by templating, the result queue and the facts); what the lookup grows beyond it is the plugin's own.
# Two peaks per run: the largest process (ru_maxrss of the whole run, usually ansible-playbook itself, which receives
# and keeps the results) and the largest worker (benchmarks/callback_plugins/bench_rss.py), the process the lookup runs
# in: a lookup that keeps something per term shows there even while it stays under ansible-playbook's own peak.
MEM_PARTS = ("lookup", "baseline")
# The bound for "beyond the results" (docs/performance.md): from medians of 3, the flat lookup stays within
# -0.30..+0.16 KiB a term (largest process) and -0.15..+0.06 (largest worker); a lookup that keeps a dict, a Future or
# the whole push per term measures 1.0 and 1.5 KiB a term.
MEM_TARGET_KIB_PER_TERM = 0.25

PWPUSH_TOKEN = "bench-token-" + os.urandom(6).hex()
PS_KEY = "bench-key-" + os.urandom(6).hex()


def log(message: str) -> None:
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), message), file=sys.stderr, flush=True)


class Fake:
    """One tests/fakes/serve process."""

    def __init__(self, *args: str, log: Path | None = None) -> None:
        """With log, the fake's request log (one line a request, with its time and status) goes to that file."""
        quiet = [] if log else ["--quiet"]
        # pylint: disable-next=consider-using-with
        self.log_file = open(log, "w", encoding="utf-8") if log else subprocess.DEVNULL
        self.proc = subprocess.Popen([str(SERVE), *args, "--port", "0", *quiet],  # pylint: disable=consider-using-with
                                     stdout=subprocess.PIPE, stderr=self.log_file, text=True)
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(30)
        if not line or not line[0].startswith("ready "):
            self.stop()
            raise SystemExit("bench: the fake %s did not start" % args[0])
        self.url = line[0].split()[1]

    def reset(self, delay: float = 0.0) -> None:
        requests.post(self.url + "/_fake/reset", timeout=10).raise_for_status()
        if delay:
            requests.post(self.url + "/_fake/faults", json={"delay": delay}, timeout=10).raise_for_status()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        if self.log_file is not subprocess.DEVNULL:
            self.log_file.close()


def median(samples):
    return statistics.median(samples) if samples else float("nan")


# --------------------------------------------------------------------------- runs


def run_playbook(path: Path, env: dict, *args: str, measure_rss: bool = False) -> tuple[float, str, int | None]:
    """ansible-playbook PATH on localhost; returns (wall seconds, stdout, peak RSS KiB); exits on failure."""
    command = ["ansible-playbook", "-i", "localhost,", "-c", "local", str(path), *args]
    if measure_rss:
        # A fresh wrapper per run: RUSAGE_CHILDREN then holds the largest process of this run only.
        command = [sys.executable, "-c",
                   "import resource, subprocess, sys; rc = subprocess.call(sys.argv[1:]); "
                   "sys.stderr.write('BENCH_RSS %d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
                   "sys.exit(rc)", *command]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        tail = "\n".join(result.stdout.splitlines()[-30:])
        raise SystemExit("bench: %s failed (rc %d):\n%s\n%s" % (
            Path(path).name, result.returncode, tail, result.stderr[-2000:]))
    found = re.search(r"BENCH_RSS (\d+)", result.stderr)
    return wall, result.stdout, int(found.group(1)) if found else None


def playbook(name: str, env: dict, *args: str, measure_rss: bool = False) -> tuple[float, dict, int | None]:
    """Run one benchmark playbook; returns (wall seconds, {part: (seconds, n...)}, peak RSS KiB)."""
    wall, stdout, rss = run_playbook(PLAYBOOKS / name, env, *args, measure_rss=measure_rss)
    parts = {}
    for match in re.finditer(r'"msg": "BENCH (\w+) ([0-9.]+)((?: \d+)*)"', stdout):
        parts[match.group(1)] = (float(match.group(2)),) + tuple(int(x) for x in match.group(3).split())
    return wall, parts, rss


def bare_pwpush(url: str, count: int) -> float:
    """The floor: one requests.Session, one POST after the other, as the lookup sends them."""
    session = requests.Session()
    session.headers.update({"Authorization": "Bearer " + PWPUSH_TOKEN, "Accept": "application/json"})
    started = time.perf_counter()
    session.get(url + "/api/v2/version", timeout=30).raise_for_status()
    for number in range(count):
        response = session.post(url + "/api/v2/pushes", timeout=30,
                                json={"push": {"payload": "bench-bare-%d" % number, "kind": "text"}})
        if response.status_code != 201 or not response.json().get("url_token"):
            raise SystemExit("bench: bare push failed with HTTP %d" % response.status_code)
    elapsed = time.perf_counter() - started
    session.close()
    return elapsed


def paced_bare_pushsecurity(url: str, credentials: list) -> float:
    """The least time the API's limit allows: one requests.Session sending each batch as soon as the API's
    token bucket (full at the start: the fake was just reset) has a token for it, and never a 429."""
    session = requests.Session()
    session.headers.update({"x-api-key": PS_KEY})
    started = time.perf_counter()
    filled = started  # the API's bucket starts when the first request arrives: by its answer at the latest
    for number, start in enumerate(range(0, len(credentials), PS_BATCH)):
        if number >= PS_BURST:
            due = filled + (number - PS_BURST + 1) / PS_RATE + PS_PACE_MARGIN
            time.sleep(max(0.0, due - time.perf_counter()))
        response = session.post(url + "/v1/controls/stolenCredentials", json=credentials[start:start + PS_BATCH],
                                timeout=60)
        response.raise_for_status()
        if number == 0:
            filled = time.perf_counter()
    elapsed = time.perf_counter() - started
    session.close()
    return elapsed


def bucket_floor(requests_needed: int, rate: float = PS_RATE, burst: int = PS_BURST) -> float:
    """Least time from the first to the last request a full token bucket allows."""
    return max(0, requests_needed - burst) / rate


# --------------------------------------------------------------------------- benchmark


def main() -> int:  # pylint: disable=too-many-locals,too-many-statements
    if shutil.which("ansible-playbook") is None:
        raise SystemExit("bench: ansible-playbook not on PATH (run through make bench)")
    base_env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="default", ANSIBLE_DEPRECATION_WARNINGS="false",
                    ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_RETRY_FILES_ENABLED="false",
                    ANSIBLE_NOCOLOR="1")
    results: dict = {"settings": {"repetitions": REPS, "loop_items": LOOP_ITEMS, "pushes": PUSHES,
                                  "latency_s": LATENCY, "cpus": os.cpu_count(),
                                  "load_average_at_start": os.getloadavg()[0]},
                     "samples": {}}
    samples = results["samples"]
    began = time.perf_counter()
    pwpush = Fake("pwpush", "--token", PWPUSH_TOKEN, "--mode", "hosted",
                  "--rate-limit-per-minute", "0", "--rate-limit-per-second", "0")
    ps = Fake("pushsecurity", "--api-key", PS_KEY)  # the API's limits: 10 a second, burst 10
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        env = dict(base_env, PWPUSH_URL=pwpush.url, PWPUSH_TOKEN=PWPUSH_TOKEN)
        env.pop("PWPUSH_EMAIL", None)

        # 1. 500 pushes without latency: the bare loop and the lookup (a few seconds a round) for PW_ROUNDS rounds,
        # the slow task loops for REPS.
        for rep in range(PW_ROUNDS if "pwpush" in PARTS else 0):
            log("500 pushes, bare loop and lookup, round %d/%d" % (rep + 1, PW_ROUNDS))
            pwpush.reset()
            samples.setdefault("bare", []).append(bare_pwpush(pwpush.url, PUSHES))
            pwpush.reset()
            _wall, parts, _peak = playbook("pwpush.yml", env, "-t", "lookup", "-e", "bench_lookup_terms=%d" % PUSHES)
            stored = len(requests.get(pwpush.url + "/_fake/pwpush/pushes", timeout=30).json())
            assert parts["lookup"][1] == PUSHES and stored == PUSHES, (parts, stored)
            samples.setdefault("lookup_task", []).append(parts["lookup"][0])
            samples.setdefault("bracket", []).append(parts["bracket"][0])
            samples.setdefault("lookup", []).append(parts["lookup"][0] - parts["bracket"][0])
        for rep in range(REPS if "pwpush" in PARTS else 0):
            log("500 pushes, task loops, repetition %d/%d" % (rep + 1, REPS))
            pwpush.reset()
            wall, parts, _peak = playbook("pwpush.yml", env, "-t", "noop")
            samples.setdefault("startup", []).append(wall)
            pwpush.reset()
            _wall, parts, _peak = playbook("pwpush.yml", env, "-t", "module,uri", "-e", "bench_loop_items=%d" % LOOP_ITEMS)
            stored = len(requests.get(pwpush.url + "/_fake/pwpush/pushes", timeout=30).json())
            assert stored == 2 * LOOP_ITEMS, "expected %d pushes on the server, found %d" % (2 * LOOP_ITEMS, stored)
            samples.setdefault("module_per_item", []).append(parts["module"][0] / LOOP_ITEMS)
            samples.setdefault("uri_per_item", []).append(parts["uri"][0] / LOOP_ITEMS)

        # 2. With 20 ms of server latency.
        for rep in range(REPS if "latency" in PARTS else 0):
            log("500 pushes at %d ms latency, repetition %d/%d" % (LATENCY * 1000, rep + 1, REPS))
            pwpush.reset(LATENCY)
            samples.setdefault("bare_latency", []).append(bare_pwpush(pwpush.url, PUSHES))
            for concurrency in (4, 8):
                pwpush.reset(LATENCY)
                extra = "bench_lookup_terms=%d bench_concurrency=%d" % (PUSHES, concurrency)
                _wall, parts, _peak = playbook("pwpush.yml", env, "-t", "lookup", "-e", extra)
                samples.setdefault("lookup_latency_c%d" % concurrency, []).append(parts["lookup"][0])
        pwpush.reset()

        # 3. Push Security under its rate limit.
        for size in PS_SIZES if "pushsecurity" in PARTS else ():
            log("Push Security, %d credentials, %d rounds" % (size, PS_ROUNDS))
            credentials = [{"email": "user%05d@bench.example.com" % n,
                            "password": "bench-pw-%05d-%s" % (n, os.urandom(3).hex())} for n in range(size)]
            src = tmp / ("credentials-%d.json" % size)
            src.write_text(json.dumps(credentials))
            src_one = tmp / "credentials-1.json"
            src_one.write_text(json.dumps(credentials[:1]))
            variables = tmp / ("variables-%d.json" % size)
            variables.write_text(json.dumps({"bench_credentials": credentials, "bench_src": str(src),
                                             "bench_src_one": str(src_one), "bench_rounds": PS_ROUNDS,
                                             "bench_out": str(tmp / "pushsecurity-times.json")}))
            for rep in range(PS_ROUNDS):
                ps.reset()
                samples.setdefault("ps_paced_bare_%d" % size, []).append(paced_bare_pushsecurity(ps.url, credentials))
            ps_env = dict(base_env, PUSHSECURITY_URL=ps.url, PUSHSECURITY_API_KEY=PS_KEY)
            playbook("pushsecurity.yml", ps_env, "-e", "@%s" % variables)
            batches = -(-size // PS_BATCH)
            for rounds in json.loads((tmp / "pushsecurity-times.json").read_text()):
                for way in ("src", "list"):
                    seen = (rounds[way + "_submitted"], rounds[way + "_batches"], rounds[way + "_held"],
                            rounds[way + "_posts"])
                    # Zero failures: all stored, and no batch was sent twice (a 429 would have been retried).
                    assert seen == (size, batches, size, batches), (size, way, seen)
                    samples.setdefault("ps_%s_%d" % (way, size), []).append(rounds[way])
                samples.setdefault("ps_one_%d" % size, []).append(rounds["one"])

        # 4. Memory of the lookup and of its baseline: 500 vs 5,000 terms, interleaved so drift hits both alike.
        rss_file = tmp / "rss.json"
        mem_env = dict(env, ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"), ANSIBLE_CALLBACKS_ENABLED="bench_rss",
                       BENCH_RSS_FILE=str(rss_file))
        for rep in range(REPS if "memory" in PARTS else 0):
            for size in MEM_SIZES:
                for part in MEM_PARTS:
                    log("peak RSS, %s of %d terms, repetition %d/%d" % (part, size, rep + 1, REPS))
                    pwpush.reset()
                    rss_file.unlink(missing_ok=True)
                    _wall, parts, rss = playbook("pwpush.yml", mem_env, "-t", part, "-e", "bench_lookup_terms=%d" % size,
                                                 measure_rss=True)
                    assert parts[part][1] == size, parts
                    prefix = "" if part == "lookup" else part + "_"
                    samples.setdefault("%srss_kib_%d" % (prefix, size), []).append(rss)
                    samples.setdefault("%sworker_rss_kib_%d" % (prefix, size), []).append(
                        json.loads(rss_file.read_text())["workers_kib"])
                    samples.setdefault("%s_%d_terms" % (part, size), []).append(parts[part][0])

        # 5. playbooks/distribute_credentials.yml at 1,000 people and under the default rate limit (benchmarks/distribute.py).
        if "distribute" in PARTS:
            distribute.run(sys.modules[__name__], env, pwpush, tmp, samples)

        # 6. The Terraform provider: cold start and what its commands cost the servers (benchmarks/terraform_bench.py).
        if "terraform" in PARTS:
            terraform_bench.run(sys.modules[__name__], REPS, tmp, samples)
        # 7. distribute_credentials at 50,000 people, past the 10,000 pushes the server lists (benchmarks/distribute_scale.py).
        if "scale" in PARTS:
            distribute_scale.run(sys.modules[__name__], env, pwpush, tmp, samples)
    finally:
        for fake in (pwpush, ps):
            fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    m = dict((name, median(values)) for name, values in samples.items())
    rows = []

    def row(figure, value, unit, target=None, met=None):
        rows.append({"figure": figure, "value": value, "unit": unit, "target": target, "met": met})

    if "pwpush" in PARTS:
        table_pwpush(m, row)
    if "latency" in PARTS:
        table_latency(m, row)
    if "pushsecurity" in PARTS:
        table_pushsecurity(m, row)
    if "memory" in PARTS:
        table_memory(m, row)
    if "distribute" in PARTS:
        distribute.table(m, row)
    if "terraform" in PARTS:
        terraform_bench.table(m, row)
    if "scale" in PARTS:
        distribute_scale.table(m, row)
    return finish(results, rows, m, began)


def table_pwpush(m, row):
    module_500 = m["module_per_item"] * PUSHES
    uri_500 = m["uri_per_item"] * PUSHES
    scaled = "" if LOOP_ITEMS == PUSHES else " (%d items x %g)" % (LOOP_ITEMS, PUSHES / LOOP_ITEMS)
    row("ansible-playbook start-up (1 debug task, wall)", m["startup"], "s")
    row("(a) 500 pushes, bare requests.Session loop", m["bare"], "s")
    row("    the lookup's task, timestamp to timestamp", m["lookup_task"], "s")
    row("    an empty task between the same timestamps (what they add)", m["bracket"], "s")
    row("(b) 500 pushes, pwpush lookup, one task (concurrency 4), less that", m["lookup"], "s")
    row("(c) 500 pushes, pwpush_push in a loop" + scaled, module_500, "s")
    row("(d) 500 pushes, ansible.builtin.uri in a loop" + scaled, uri_500, "s")
    row("b/a", m["lookup"] / m["bare"], "x", "<= 1.3", m["lookup"] / m["bare"] <= 1.3)
    row("c/a", module_500 / m["bare"], "x")
    row("d/b", uri_500 / m["lookup"], "x", ">= 10", uri_500 / m["lookup"] >= 10)


def table_latency(m, row):
    row("20 ms latency: bare sequential loop", m["bare_latency"], "s")
    row("20 ms latency: lookup, concurrency 4 (default)", m["lookup_latency_c4"], "s")
    row("20 ms latency: lookup, concurrency 8 (max)", m["lookup_latency_c8"], "s")
    ratio = m["lookup_latency_c4"] / m["bare_latency"]
    row("20 ms latency: lookup (c=4) / bare loop", ratio, "x", "<= 0.5", ratio <= 0.5)
    row("20 ms latency: lookup (c=8) / bare loop", m["lookup_latency_c8"] / m["bare_latency"], "x")


def table_pushsecurity(m, row):
    for size in PS_SIZES:
        batches = -(-size // PS_BATCH)
        fixed = m["ps_one_%d" % size]
        least = m["ps_paced_bare_%d" % size]
        minimum = fixed + least
        head = "Push Security %d (%d batches)" % (size, batches)
        row("%s: the limit's floor, max(0, batches - 10) / 10 rps" % head, bucket_floor(batches), "s")
        row("%s: bare loop paced to the limit (least the limit allows)" % head, least, "s")
        row("%s: a module task's fixed cost (1 credential)" % head, fixed, "s")
        row("%s: minimum for one task = fixed cost + paced bare loop" % head, minimum, "s")
        row("%s: one task, src (zero failures)" % head, m["ps_src_%d" % size], "s")
        ratio = m["ps_src_%d" % size] / minimum
        row("%s: src task / minimum" % head, ratio, "x", "<= %g" % PS_TARGET, ratio <= PS_TARGET)
        row("%s: one task, credentials from a variable (zero failures)" % head, m["ps_list_%d" % size], "s")
        row("%s: credentials task / minimum" % head, m["ps_list_%d" % size] / minimum, "x")
        row("%s: (src task - fixed cost) / paced bare loop" % head, (m["ps_src_%d" % size] - fixed) / least, "x")


def table_memory(m, row):
    small, large = MEM_SIZES

    def growth(kind):
        return (m[kind % large] - m[kind % small]) / (large - small)

    def beyond(kind, process):
        extra = growth(kind) - growth("baseline_" + kind)
        row("peak RSS growth per term beyond the results (lookup - baseline, %s)" % process, extra, "KiB",
            "<= %g" % MEM_TARGET_KIB_PER_TERM, extra <= MEM_TARGET_KIB_PER_TERM)

    for size in MEM_SIZES:
        row("peak RSS, lookup of %d terms (largest process)" % size, m["rss_kib_%d" % size] / 1024.0, "MiB")
        row("lookup of %d terms (time)" % size, m["lookup_%d_terms" % size], "s")
    row("peak RSS growth per term (500 -> 5,000)", growth("rss_kib_%d"), "KiB")
    for size in MEM_SIZES:
        row("peak RSS, baseline of %d terms (largest process)" % size, m["baseline_rss_kib_%d" % size] / 1024.0, "MiB")
    row("peak RSS growth per term, baseline (500 -> 5,000)", growth("baseline_rss_kib_%d"), "KiB")
    beyond("rss_kib_%d", "largest process")
    for part in MEM_PARTS:
        prefix = "" if part == "lookup" else part + "_"
        for size in MEM_SIZES:
            row("peak RSS, %s of %d terms (largest worker)" % (part, size),
                m["%sworker_rss_kib_%d" % (prefix, size)] / 1024.0, "MiB")
        row("peak RSS growth per term, %s (largest worker)" % part, growth(prefix + "worker_rss_kib_%d"), "KiB")
    beyond("worker_rss_kib_%d", "largest worker")


def finish(results, rows, m, began):
    results["figures"] = rows
    results["medians"] = m
    results["settings"]["seconds_total"] = time.perf_counter() - began
    OUT.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")

    width = max(len(r["figure"]) for r in rows)
    print("%-*s %10s %-4s %-8s %s" % (width, "figure", "value", "", "target", "met"))
    for r in rows:
        met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
        print("%-*s %10.3f %-4s %-8s %s" % (width, r["figure"], r["value"], r["unit"], r["target"] or "", met))
    print("medians of %d repetitions (bare loop and lookup: %d rounds, Push Security: %d rounds); %.0f s in all; "
          "JSON in %s" % (REPS, PW_ROUNDS, PS_ROUNDS, results["settings"]["seconds_total"], OUT))
    missed = [r["figure"] for r in rows if r["met"] is False]
    if missed:
        print("MISSED: " + "; ".join(missed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
