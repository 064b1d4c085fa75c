#!/usr/bin/env python
"""Run a role test command (molecule test ...) at -vvvv, watching for the role's secrets.

    secret_watch.py --machine default [--machine NAME ...] -- molecule test [-s multihost]

While the command runs (create, prepare, converge, idempotence, verify with its upgrade, backup, restore and
rotation, destroy), a sampler reads every process's command line 20 times a second, as ps does, from this
host's /proc: it shows the processes of every nspawn machine (same kernel) and the controller's ansible and
ssh. Once a second it reads, from each machine's root directory, every secret the role generated or was
given (the database password file, the master key and the secret key base, the self-signed TLS key), so
that a rotated key is known too. Ansible runs at -vvvv (ANSIBLE_VERBOSITY=4) and writes its log
(ANSIBLE_LOG_PATH); only a short view of the command's output is printed.

At the end no secret may occur in that log, in the command's output or in any sampled command line (as
given, URL-encoded as in DATABASE_URL, or base64-encoded as slurp returns it). The check fails as well when
it saw no secret of some kind, or the log is not at -vvvv: it would pass without looking.
Exit status: the command's when it failed, else 1 for a leak, else 0. On a failure the logs are kept.
"""

import argparse
import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SECRET_FILES = {
    "etc/pwpush/database_password": "database password",
    "etc/pwpush/secrets/pwpush_master_key": "master key",
    "etc/pwpush/secrets/secret_key_base": "secret key base",
}
TLS_KEY_DIR = "etc/nginx/pwpush-tls"
KINDS = sorted(set(SECRET_FILES.values()) | {"TLS key"})
SHORTEST = 16  # shorter values (an empty file, a PEM line's tail) would match by chance
ANSI = re.compile(r"\x1b\[[0-9;]*m")
PROGRESS = re.compile(r"^(INFO|WARNING|ERROR|CRITICAL)\b|PLAY \[|PLAY RECAP|TASK \[|fatal:|FAILED!|\[WARNING\]|\bok=\d+")


def machine_root(name):
    env = dict(os.environ)
    env.pop("ONESHOT_ROLE_MACHINE", None)
    if name != "default":
        env["ONESHOT_ROLE_MACHINE"] = name
    return subprocess.run([os.path.join(HERE, "machine.sh"), "root"], env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


def read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return None


class Watch:
    def __init__(self, roots):
        self.roots = roots
        self.secrets = {}  # pattern -> kind
        self.cmdlines = set()
        self.samples = 0
        self.stop = threading.Event()

    def add(self, value, kind):
        value = value.strip()
        if len(value) < SHORTEST:
            return
        encoded = base64.b64encode(value.encode()).decode()
        for pattern in (value, urllib.parse.quote(value, safe=""), encoded[:len(value) // 3 * 4]):
            if len(pattern) >= SHORTEST:
                self.secrets.setdefault(pattern, kind)

    def collect(self):
        for root in self.roots:
            for rel, kind in SECRET_FILES.items():
                value = read(os.path.join(root, rel))
                if value is not None:
                    self.add(value, kind)
            key_dir = os.path.join(root, TLS_KEY_DIR)
            for name in sorted(os.listdir(key_dir)) if os.path.isdir(key_dir) else []:
                pem = read(os.path.join(key_dir, name)) if name.endswith(".key") else None
                for line in (pem or "").splitlines():
                    if not line.startswith("-----"):
                        self.add(line, "TLS key")

    def sample(self):
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                cmdline = read("/proc/%s/cmdline" % pid)
                if cmdline:
                    self.cmdlines.add(cmdline.replace("\0", " "))
        self.samples += 1

    def run(self):
        tick = 0
        while not self.stop.is_set():
            self.sample()
            if tick % 20 == 0:
                self.collect()
            tick += 1
            self.stop.wait(0.05)
        self.collect()


def secrets_pattern(watch):
    return re.compile("|".join(re.escape(p) for p in sorted(watch.secrets, key=len, reverse=True)) or "(?!)")


def leaks(watch, sources):
    """Every line that holds a secret: (source, kinds, the line with each secret masked)."""
    anyone = secrets_pattern(watch)
    found = []
    for source, lines in sources:
        for line in lines:
            kinds = sorted({watch.secrets[m.group(0)] for m in anyone.finditer(line)})
            if kinds:
                found.append((source, ", ".join(kinds), mask(line, watch, anyone)))
    return found


def mask(line, watch, anyone):
    """The line with each secret named instead, from a little before the first one."""
    first = anyone.search(line)
    start = max(0, first.start() - 120) if first else 0
    return ("..." if start else "") + anyone.sub(lambda m: "<%s>" % watch.secrets[m.group(0)], line[start:])[:300]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--machine", action="append", required=True, help="default, or an ONESHOT_ROLE_MACHINE")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="oneshot-role-secret-watch-", dir="/var/tmp")
    ansible_log = os.path.join(workdir, "ansible-vvvv.log")
    output_log = os.path.join(workdir, "output.log")
    watch = Watch([machine_root(name) for name in args.machine])
    sampler = threading.Thread(target=watch.run, daemon=True)
    sampler.start()
    env = dict(os.environ, ANSIBLE_VERBOSITY="4", ANSIBLE_LOG_PATH=ansible_log, ANSIBLE_NOCOLOR="1")
    started = time.monotonic()
    with open(output_log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(args.command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, errors="replace")
        for line in proc.stdout:
            out.write(line)
            plain = ANSI.sub("", line).rstrip()
            if PROGRESS.search(plain):
                print(plain[:200], flush=True)
        rc = proc.wait()
    watch.stop.set()
    sampler.join()

    log_lines = (read(ansible_log) or "").splitlines()
    output_lines = (read(output_log) or "").splitlines()
    kinds = sorted(set(watch.secrets.values()))
    print("secret-watch: %d s, %d process-list samples (%d distinct command lines), %d log lines; secrets "
          "seen: %s" % (time.monotonic() - started, watch.samples, len(watch.cmdlines), len(log_lines),
                        ", ".join(kinds) or "none"))
    problems = []
    if rc != 0:
        problems.append("the command failed (exit %d)" % rc)
    if kinds != KINDS:
        problems.append("no %s was ever seen on the machines" % ", ".join(sorted(set(KINDS) - set(kinds))))
    if not any(" EXEC " in line for line in log_lines):
        problems.append("the ansible log has no EXEC line: it is not at -vvvv")
    found = leaks(watch, [("ansible log", log_lines), ("command output", output_lines),
                          ("process list", sorted(watch.cmdlines))])
    for source, kind, line in found[:40]:
        print("secret-watch: LEAK of the %s in the %s: %s" % (kind, source, line))
    if found:
        problems.append("%d occurrences of a secret (%s)" % (
            len(found), ", ".join(sorted({"%s in the %s" % (kind, source) for source, kind, _secret in found}))))
    if problems:
        anyone = secrets_pattern(watch)
        for line in output_lines[-60:] if rc != 0 else []:
            print(mask(line, watch, anyone))
        print("secret-watch: FAILED: %s; logs kept in %s" % ("; ".join(problems), workdir))
        return rc or 1
    shutil.rmtree(workdir)
    print("secret-watch: no secret in the -vvvv log, the output or the process list")
    return 0


if __name__ == "__main__":
    sys.exit(main())
