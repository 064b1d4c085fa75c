# /// script
# dependencies = ["nox", "antsibull-nox"]
# ///
"""The collection's nox sessions (`nox -l` lists them, `nox -s NAME` runs one; `make venv` installs nox).

antsibull-nox.toml adds ansible-lint and docs-check; this file adds, for every ansible-core of the version
matrix (the `# matrix:` lines of tests/constraints.txt), ansible-test sanity, units and integration, each
run by that release's own ansible-test on antsibull-nox's copy of the collection, and the changelog lint.
Every install takes its versions from tests/constraints.txt.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sys
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


def add_ansible_test_sessions(minor: str, release: str) -> None:
    pyminor = PYTHON_MINOR[minor]

    def packages(session: nox.Session | None) -> list[str]:
        if session is None:  # asked which packages, not installing
            return ["ansible-core", "requests", "flask", "waitress"]
        return ["-c", core_constraints(session, release), "ansible-core", *TEST_PACKAGES]

    def make(part: str, description: str):
        @antsibull_nox.sessions.install_packages(package_callback=packages)
        def run(session: nox.Session) -> None:
            prepared = antsibull_nox.sessions.prepare_collections(
                session, install_in_site_packages=False, install_out_of_tree=True
            )
            if not prepared:
                session.error("no collection tree for ansible-test")
            args = ["ansible-test", part, "--python", pyminor, "--color", "no"]
            if part == "units":
                args += ["--requirements", *session.posargs]
            elif part == "integration":
                args += session.posargs or DEFAULT_TARGETS
            else:
                args += session.posargs
            env = {
                # The copy's ansible_collections and nothing else (make exports its own view's).
                "ANSIBLE_COLLECTIONS_PATH": str(prepared.current_place),
                "FAKE_PYTHON": os.path.join(session.bin, "python"),
            }
            with session.chdir(prepared.current_path):
                try:
                    session.run(*args, env=env)
                finally:
                    output = prepared.current_path / "tests" / "output"
                    if output.is_dir():
                        shutil.copytree(output, ROOT / "tests" / "output", dirs_exist_ok=True)

        run.__doc__ = description
        nox.session(
            name=f"ansible-test-{part}-{minor}", python=python_for(pyminor), default=False, tags=["versions"]
        )(run)

    on = f"ansible-core {release} on Python {pyminor}"
    make("sanity", f"ansible-test sanity, {on}")
    make("units", f"ansible-test units, {on}; -- FILE... runs only those")
    make("integration", f"ansible-test integration of {' '.join(DEFAULT_TARGETS)}, {on}; -- TARGET... runs those")


for _minor, _release in MATRIX.items():
    add_ansible_test_sessions(_minor, _release)


@nox.session(name="changelog", default=True)
@antsibull_nox.sessions.install_packages(packages=["-c", str(CONSTRAINTS), "antsibull-changelog"])
def changelog(session: nox.Session) -> None:
    """antsibull-changelog lint of changelogs/ (make changelog adds a release dry run)."""
    session.run("antsibull-changelog", "lint")


if __name__ == "__main__":
    nox.main()
