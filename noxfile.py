# /// script
# dependencies = ["nox", "antsibull-nox"]
# ///
"""The collection's nox sessions (`nox -l` lists them, `nox -s NAME` runs one; `make venv` installs nox).

antsibull-nox.toml adds ansible-lint and docs-check; this file adds, for every ansible-core of the version
matrix (the `# matrix:` lines of tests/constraints.txt), ansible-test sanity, units and integration, each
run by that release's own ansible-test on antsibull-nox's copy of the collection, and the changelog (lint and a
0.1.0 release dry run). The Makefile's sanity, units, integration, lint, docs-lint and changelog targets call them:
it makes no copy of the tree itself. Every install takes its versions from tests/constraints.txt.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import nox

try:
    import antsibull_nox
    import antsibull_nox.sessions
except ImportError:
    print("You need to install antsibull-nox in the same Python environment as nox (make venv does).")
    sys.exit(1)

antsibull_nox.load_antsibull_nox_toml()

# A venv is kept between runs; its installs run again (pip finds them satisfied) so a changed pin still lands.
nox.options.reuse_venv = "yes"

ROOT = Path(__file__).resolve().parent
CONSTRAINTS = ROOT / "tests" / "constraints.txt"

# minor -> the patch release tested (tests/constraints.txt's "# matrix: ansible-core==X.Y.Z" lines).
MATRIX = {
    ".".join(release.split(".")[:2]): release
    for release in re.findall(r"^# matrix: ansible-core==(\S+)$", CONSTRAINTS.read_text(), re.MULTILINE)
}

# The Python each ansible-core runs on here: 3.11 as long as it takes it on the controller (2.20 dropped it),
# then 3.13.
PYTHON_MINOR = {minor: "3.11" if tuple(map(int, minor.split("."))) < (2, 20) else "3.13" for minor in MATRIX}

# What the integration targets need besides ansible-core: the modules' requests and the test servers'
# flask and waitress (tests/fakes/serve runs on the session's Python).
TEST_PACKAGES = ["-r", str(ROOT / "requirements.txt"), "flask", "waitress"]

# Integration runs, unless told otherwise (`nox -s ... -- TARGET ...`), the target that touches every
# module, lookup and filter once.
DEFAULT_TARGETS = ["netrc"]


def python_for(minor: str) -> str:
    """pyenv's build of that Python minor first (as CI has), else pythonX.Y on PATH, else let nox look."""
    found = sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{minor}.*/bin/python3")))
    if found:
        return found[-1]
    return shutil.which(f"python{minor}") or minor


def core_constraints(session: nox.Session, release: str) -> str:
    """tests/constraints.txt with this release as its ansible-core pin (its own lines pin make venv's)."""
    lines = [line for line in CONSTRAINTS.read_text().splitlines() if not line.startswith("ansible-core==")]
    path = Path(session.create_tmp()) / "constraints.txt"
    path.write_text("\n".join(lines + [f"ansible-core=={release}", ""]))
    return str(path)


def collection_copy(session: nox.Session):
    """antsibull-nox's copy of the collection (a new one each call), in ansible_collections/oneshot/secrets."""
    prepared = antsibull_nox.sessions.prepare_collections(
        session, install_in_site_packages=False, install_out_of_tree=True
    )
    if not prepared:
        session.error("no copy of the collection (antsibull-nox needs a session venv)")
    return prepared


def add_ansible_test_sessions(minor: str, release: str) -> None:
    pyminor = PYTHON_MINOR[minor]

    def packages(session: nox.Session | None) -> list[str]:
        if session is None:  # asked which packages, not installing
            return ["ansible-core", "requests", "flask", "waitress"]
        return ["-c", core_constraints(session, release), "ansible-core", *TEST_PACKAGES]

    def make(part: str, description: str):
        @antsibull_nox.sessions.install_packages(package_callback=packages)
        def run(session: nox.Session) -> None:
            env = {"FAKE_PYTHON": os.path.join(session.bin, "python")}
            args = ["ansible-test", part, "--python", pyminor, "--color", "no"]
            posargs = list(session.posargs)
            if part == "integration":
                jobs, run_all, targets = integration_options(posargs)
                if jobs > 1 or run_all:
                    run_integration_parts(session, args, env, jobs, targets)
                    return
                posargs = targets or DEFAULT_TARGETS
            prepared = collection_copy(session)
            if part == "units":
                args += ["--requirements", *only_named_tests(prepared.current_path, posargs)]
            else:
                args += posargs
            # The copy's ansible_collections and nothing else (make exports its own).
            env["ANSIBLE_COLLECTIONS_PATH"] = str(prepared.current_place)
            with session.chdir(prepared.current_path):
                try:
                    session.run(*args, env=env)
                finally:
                    keep_output(prepared.current_path)
            if part == "units":
                unmatched_names(prepared.current_path, session)

        run.__doc__ = description
        nox.session(
            name=f"ansible-test-{part}-{minor}", python=python_for(pyminor), default=False, tags=["versions"]
        )(run)

    on = f"ansible-core {release} on Python {pyminor}"
    make("sanity", f"ansible-test sanity, {on}; -- ARGS go to ansible-test")
    make("units", f"ansible-test units, {on}; -- FILE[::TEST]... runs only those")
    make(
        "integration",
        f"ansible-test integration of {' '.join(DEFAULT_TARGETS)}, {on}; -- TARGET... runs those, "
        "--all every target, --jobs=N in N ansible-test processes",
    )


def keep_output(copy: Path) -> None:
    """ansible-test's results (junit, coverage, logs) back into the tree's tests/output."""
    output = copy / "tests" / "output"
    if output.is_dir():
        shutil.copytree(output, ROOT / "tests" / "output", dirs_exist_ok=True)


# `units -- FILE::TEST`: ansible-test takes files, not pytest node ids. It gets the files, and a conftest.py written
# into antsibull-nox's copy (never the tree) deselects their other tests. A name that matches nothing is written
# down rather than raised (pytest-xdist's workers cannot fail a collection cleanly) and fails the session after.
UNITS_ONLY_CONFTEST = """\"\"\"Written by the units session into its copy: only the tests named run.\"\"\"
import os

WANTED = {wanted!r}
UNMATCHED = {unmatched!r}


def _matches(wanted, nodeid):
    return nodeid == wanted or nodeid.startswith((wanted + "::", wanted + "["))


def pytest_collection_modifyitems(config, items):
    # ansible-test runs pytest once per context (modules, controller): check only the names of files it collected.
    files = {{item.nodeid.split("::")[0] for item in items}}
    unmatched = [w for w in WANTED if w.split("::")[0] in files and not any(_matches(w, i.nodeid) for i in items)]
    if unmatched:
        with open(UNMATCHED, "a") as note:
            note.write(" ".join(unmatched) + "\\n")
    kept = [item for item in items if any(_matches(w, item.nodeid) for w in WANTED)]
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    items[:] = kept
"""


def only_named_tests(copy: Path, names: list[str]) -> list[str]:
    """The files ansible-test gets for NAMES; node ids among them get the copy a deselecting conftest.py."""
    if any("::" in name for name in names):
        unmatched = copy / "tests" / "output" / "units-unmatched.txt"
        conftest = UNITS_ONLY_CONFTEST.format(wanted=names, unmatched=str(unmatched))
        (copy / "conftest.py").write_text(conftest)
    return sorted({name.split("::")[0] for name in names})


def unmatched_names(copy: Path, session: nox.Session) -> None:
    note = copy / "tests" / "output" / "units-unmatched.txt"
    if note.exists():
        session.error(f"no test is named {' '.join(sorted(set(note.read_text().split())))}")


# Seconds each slow integration target took in CI: only to balance --jobs parts (others count 15).
TARGET_SECONDS = {
    "distribute_credentials": 260, "playbooks": 200, "pwpush_push_info": 105, "pwpush_push_retrieve": 100,
    "resilience_concurrency": 95, "pwpush_push": 90, "resilience_faults": 50, "ots_secret": 40,
    "hostile_server": 40, "follow_up_credentials": 35, "sweep_bad_input": 35, "credential_links": 30,
    "side_doors": 30, "pwpush_resilience": 25, "no_leak": 20,
}


def integration_options(posargs: list[str]) -> tuple[int, bool, list[str]]:
    """`--jobs=N` and `--all` (every target, not the default ones) from the session's arguments."""
    jobs, run_all, targets = 1, False, []
    for arg in posargs:
        if arg.startswith("--jobs="):
            jobs = int(arg.split("=", 1)[1])
        elif arg == "--all":
            run_all = True
        else:
            targets.append(arg)
    return max(jobs, 1), run_all, targets


def split_targets(targets: list[str], jobs: int) -> list[list[str]]:
    """Longest first, each to the part with the least time so far."""
    parts: list[list[str]] = [[] for _part in range(jobs)]
    load = [0] * jobs
    for target in sorted(targets, key=lambda t: -TARGET_SECONDS.get(t, 15)):
        least = load.index(min(load))
        parts[least].append(target)
        load[least] += TARGET_SECONDS.get(target, 15)
    return [sorted(part) for part in parts if part]


def run_integration_parts(session, args, env, jobs, targets) -> None:
    """TARGETS (or every target) in JOBS ansible-test processes at once, each in a copy of its own.

    Many targets wait on rate-limit windows and timeouts: another process works meanwhile. The parts are balanced
    by TARGET_SECONDS; each line is prefixed with its part's number. The others start once the first runs a target:
    on a new machine, ansible-test makes its SSH key pair (~/.ansible/test/id_rsa) first, and two at once collide.
    """
    copies = [collection_copy(session) for _copy in range(jobs)]
    if not targets:
        first = copies[0]
        listed = subprocess.run([*args, "--list-targets"], cwd=first.current_path, env=in_copy(session, env, first),
                                text=True, capture_output=True, check=True)
        targets = [line.strip() for line in listed.stdout.splitlines() if line.strip() and " " not in line.strip()]
    parts = split_targets(targets, jobs)
    procs, first_runs = [], threading.Event()
    for number, (part, copy) in enumerate(zip(parts, copies), 1):
        if number > 1:
            first_runs.wait(timeout=300)
        session.log(f"part {number}: {' '.join(part)}")
        proc = subprocess.Popen(
            [*args, *part], cwd=copy.current_path, env=in_copy(session, env, copy), text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        thread = threading.Thread(target=prefix_lines, args=(proc.stdout, f"[{number}] ", first_runs), daemon=True)
        thread.start()
        procs.append((number, proc, thread, copy))
    failed = []
    for number, proc, thread, copy in procs:
        proc.wait()
        thread.join()
        keep_output(copy.current_path)
        if proc.returncode:
            failed.append(f"part {number} (exit {proc.returncode})")
    if failed:
        session.error("integration failed: " + ", ".join(failed))


def in_copy(session, env, copy) -> dict:
    """The environment of a process outside session.run: the session's venv first, the copy's collections."""
    return dict(os.environ, **env, PATH=session.bin + os.pathsep + os.environ["PATH"],
                VIRTUAL_ENV=session.virtualenv.location, ANSIBLE_COLLECTIONS_PATH=str(copy.current_place))


def prefix_lines(stream, prefix: str, running: threading.Event) -> None:
    """Each line with PREFIX; RUNNING is set at the first target ansible-test runs (or when it ends)."""
    for line in stream:
        if line.startswith("Running "):
            running.set()
        sys.stdout.write(prefix + line)
        sys.stdout.flush()
    running.set()


for _minor, _release in MATRIX.items():
    add_ansible_test_sessions(_minor, _release)


# What a 0.1.0 release's changelog must show: new plugins come from version_added, the role and playbooks from
# `add object.*` fragments.
CHANGELOG_MUST_SHOW = ["New Modules", "New Roles", "New Playbooks", "pwpush_push - ", "from_csv - ", "pwpush_server - "]


@nox.session(name="changelog", default=True)
@antsibull_nox.sessions.install_packages(
    packages=["-c", str(CONSTRAINTS), "antsibull-changelog", "ansible-core"]
)
def changelog(session: nox.Session) -> None:
    """antsibull-changelog lint, then a 0.1.0 release dry run on antsibull-nox's copy of the collection."""
    session.run("antsibull-changelog", "lint")
    prepared = collection_copy(session)
    with session.chdir(prepared.current_path):
        session.run(
            "antsibull-changelog", "release", "--version", "0.1.0", "--date", "2000-01-01",
            env={"ANSIBLE_COLLECTIONS_PATH": str(prepared.current_place)},
        )
    text = (prepared.current_path / "CHANGELOG.rst").read_text()
    missing = [want for want in CHANGELOG_MUST_SHOW if want not in text]
    if missing:
        session.error(f"the changelog dry run lacks: {', '.join(missing)}")
    # The first release lists what it brings (its summary, new plugins, roles and playbooks), not changes to a
    # version nobody had: fragments of those kinds wait for the release after it.
    changes = [kind for kind in ("Minor Changes", "Bugfixes", "Security Fixes", "Breaking Changes") if kind in text]
    if changes:
        session.error(f"changelog: {', '.join(changes)} in 0.1.0, the first release (nothing to change yet)")
    session.log("changelog: lint and 0.1.0 release dry run OK")


if __name__ == "__main__":
    nox.main()
