"""The terraform part of make bench (BENCH_PARTS=terraform): the provider's cold start and what Terraform's commands
cost the servers, under the real Terraform (ONESHOT_TERRAFORM: make bench passes the 1.0.3 it installs) against
the fakes (docs/performance.md, "Terraform provider").

* Cold start: process start to the go-plugin handshake line on stdout, the way Terraform starts the provider (the
  launcher, the handshake environment, auto-mTLS): CPU seconds of the launcher and its interpreter up to that line
  (target <= 0.15 s: on an idle core that is the wall time) and the wall time beside it (on a shared machine it
  also holds the wait for a CPU).
* Requests, counted by the fake (GET /_fake/requests): the refresh of PUSHES pushes (version probes, requests a
  push), their destroy (requests a push besides the probes).
* 50 pushes against Password Pusher's default rate limit (120 requests a minute): the plan's requests (a probe
  and one page of the owner's list) and wall time (target <= 10 s), its CPU time beside and the machine's load
  average over the plan (the mean of the 1-minute figure before and after it): on a shared machine the wall time
  is the CPU time stretched by the wait for a CPU. Most of the CPU time is the scrypt digests of the sealed blocks,
  one a configured secret and push (docs/performance.md).
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "terraform"))

# pylint: disable-next=wrong-import-position
from realtf import Workspace, dev_overrides_config, make_mirror  # noqa: E402

LAUNCHER = ROOT / "terraform" / "terraform-provider-oneshot"
MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
STARTS = 21
START_TARGET = 0.15
PUSHES, LIMITED_PUSHES, PLAN_TARGET = 10, 50, 10.0
TOKEN, EMAIL = "bench-tf-token-0001", "owner@example.com"
PAYLOAD = "bench-tf-payload-" + os.urandom(4).hex()
CONFIG = """terraform {
  required_providers {
    oneshot = {
      source = "terraform.local/oneshot/oneshot"
    }
  }
}

provider "oneshot" {}

variable "payload" {
  type      = string
  sensitive = true
}

variable "pushes" {
  type = number
}

resource "oneshot_pwpush_push" "bench" {
  count = var.pushes
  sealed {
    payload = var.payload
  }
  expire_after_views = 3
}
"""


def cold_start(client_cert: str) -> tuple[float, float]:
    """(wall s, CPU s) from starting the launcher to reading its handshake line."""
    env = dict(os.environ, TF_PLUGIN_MAGIC_COOKIE=MAGIC_COOKIE, PLUGIN_PROTOCOL_VERSIONS="5,6",
               PLUGIN_CLIENT_CERT=client_cert)
    started = time.perf_counter()
    process = subprocess.Popen([str(LAUNCHER)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = process.stdout.readline()
    wall = time.perf_counter() - started
    # The launcher execs the interpreter: one process id; fields 14-17 are its and its waited-for children's
    # user and system ticks (the launcher's readlink included).
    with open("/proc/%d/stat" % process.pid, encoding="ascii") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    cpu = sum(int(tick) for tick in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    process.send_signal(signal.SIGTERM)
    process.wait(10)
    process.stdout.close()
    if not line.startswith(b"1|6|unix|"):
        raise SystemExit("bench: no handshake from the provider: %r" % line)
    return wall, cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def requests_since(fake, before: dict) -> tuple[int, int]:
    """(version probes, other requests) the fake saw since `before` (its /_fake/requests then)."""
    now = fake_requests(fake)
    spent = dict((route, count - before.get(route, 0)) for route, count in now.items())
    probes = sum(count for route, count in spent.items() if "version" in route)
    return probes, sum(spent.values()) - probes


def fake_requests(fake) -> dict:
    return requests.get(fake.url + "/_fake/requests", timeout=10).json()


def workspace(tmp: Path, name: str, fake, pushes: int) -> Workspace:
    mirror = make_mirror(str(tmp / name / "mirror"))
    space = Workspace(str(tmp / name), dev_overrides_config(mirror), binary=os.environ["ONESHOT_TERRAFORM"],
                      cache_home=str(tmp / "cache"),
                      env={"PWPUSH_URL": fake.url, "PWPUSH_TOKEN": TOKEN, "PWPUSH_EMAIL": EMAIL,
                           "TF_VAR_payload": PAYLOAD, "TF_VAR_pushes": str(pushes)})
    space.write(CONFIG)
    space.tf("init")
    return space


def run(bench, reps: int, tmp: Path, samples: dict) -> None:
    if not os.access(os.environ.get("ONESHOT_TERRAFORM", ""), os.X_OK):
        raise SystemExit("bench: the terraform part needs ONESHOT_TERRAFORM (make bench sets it)")
    from tfclient import client_certificate  # pylint: disable=import-outside-toplevel

    cert = client_certificate()[1].decode()
    bench.log("Terraform provider: %d cold starts" % STARTS)
    cold_start(cert)  # the first start of a tree compiles its bytecode into the cache
    for _start in range(STARTS):
        wall, cpu = cold_start(cert)
        samples.setdefault("tf_start_wall", []).append(wall)
        samples.setdefault("tf_start_cpu", []).append(cpu)

    unlimited = bench.Fake("pwpush", "--mode", "oss", "--token", TOKEN, "--email", EMAIL,
                           "--rate-limit-per-minute", "0", "--rate-limit-per-second", "0")
    limited = bench.Fake("pwpush", "--mode", "oss", "--token", TOKEN, "--email", EMAIL)  # 120 a minute
    spaces = []
    try:
        for rep in range(reps):
            bench.log("Terraform provider: %d pushes refreshed and destroyed, repetition %d/%d" % (PUSHES, rep + 1, reps))
            space = workspace(tmp / "tf", "counts-%d" % rep, unlimited, PUSHES)
            spaces.append(space)
            space.tf("apply", "-auto-approve")
            before = fake_requests(unlimited)
            space.tf("apply", "-refresh-only", "-auto-approve")
            probes, others = requests_since(unlimited, before)
            samples.setdefault("tf_refresh_probes", []).append(probes)
            samples.setdefault("tf_refresh_per_push", []).append(others / PUSHES)
            before = fake_requests(unlimited)
            space.tf("destroy", "-auto-approve")
            probes, others = requests_since(unlimited, before)
            samples.setdefault("tf_destroy_probes", []).append(probes)
            samples.setdefault("tf_destroy_per_push", []).append(others / PUSHES)
        bench.log("Terraform provider: %d pushes against the default rate limit" % LIMITED_PUSHES)
        space = workspace(tmp / "tf", "limited", limited, LIMITED_PUSHES)
        spaces.append(space)
        space.tf("apply", "-auto-approve", timeout=300)
        for _rep in range(reps):
            before, cpu, load = fake_requests(limited), _children_cpu(), os.getloadavg()[0]
            samples.setdefault("tf_limited_plan", []).append(space.tf("plan", timeout=300).seconds)
            samples.setdefault("tf_limited_plan_cpu", []).append(_children_cpu() - cpu)
            samples.setdefault("tf_limited_plan_load", []).append((load + os.getloadavg()[0]) / 2)
            samples.setdefault("tf_limited_plan_requests", []).append(sum(requests_since(limited, before)))
        space.tf("destroy", "-auto-approve", timeout=300)
    finally:
        for fake in (unlimited, limited):
            fake.stop()
        for space in spaces:
            shutil.rmtree(space.tmp, ignore_errors=True)


def table(m, row) -> None:
    row("Terraform provider: cold start to the handshake, CPU (median of %d)" % STARTS, m["tf_start_cpu"], "s",
        "<= %g" % START_TARGET, m["tf_start_cpu"] <= START_TARGET)
    row("Terraform provider: cold start to the handshake, wall (median of %d)" % STARTS, m["tf_start_wall"], "s")
    row("Terraform: refresh of %d pushes, version probes (one provider process)" % PUSHES, m["tf_refresh_probes"], "",
        "1", m["tf_refresh_probes"] == 1)
    row("Terraform: refresh, requests a push besides the probe", m["tf_refresh_per_push"], "",
        "<= 1", m["tf_refresh_per_push"] <= 1)
    row("Terraform: destroy of %d pushes, version probes (refresh and destroy processes)" % PUSHES,
        m["tf_destroy_probes"], "", "<= 2", m["tf_destroy_probes"] <= 2)
    row("Terraform: destroy, requests a push besides the probes", m["tf_destroy_per_push"], "",
        "<= 2", m["tf_destroy_per_push"] <= 2)
    head = "Terraform: plan of %d pushes against 120 requests a minute" % LIMITED_PUSHES
    row(head + ", requests", m["tf_limited_plan_requests"], "", "<= 2", m["tf_limited_plan_requests"] <= 2)
    row(head + ", wall", m["tf_limited_plan"], "s", "<= %g" % PLAN_TARGET, m["tf_limited_plan"] <= PLAN_TARGET)
    row(head + ", CPU of Terraform and its providers", m["tf_limited_plan_cpu"], "s")
    row(head + ", the machine's load average meanwhile (1 min)", m["tf_limited_plan_load"], "")
