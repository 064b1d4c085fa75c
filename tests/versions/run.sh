#!/usr/bin/env bash
# Every ansible-core the collection claims (meta/runtime.yml), each in a venv of its own with its own ansible-test:
#
#   tests/versions/run.sh [--parts sanity,units,integration] [--targets "T1 T2"] VERSION...
#
# VERSION is a minor (2.17 ... 2.21); the patch release and the Python come from the table below.
# Per version: build/versions/<minor>/venv and a copy of the tracked tree at
# build/versions/<minor>/ansible_collections/oneshot/secrets (ansible-test wants that path; no symlinks).
# Integration runs the targets that touch every plugin once (netrc: every module, lookup and the filter).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
PARTS="sanity,units,integration"
TARGETS="netrc"

# The patch release of each minor and every other pin: tests/constraints.txt (its "# matrix:" lines).
CONSTRAINTS="$REPO/tests/constraints.txt"
core_release() { sed -n "s/^# matrix: ansible-core==\($1\.[0-9]*\)\$/\1/p" "$CONSTRAINTS"; }
# minor -> Python minor it runs on here (2.20 dropped Python 3.11 on the controller).
declare -A PYMINOR=([2.17]=3.11 [2.18]=3.11 [2.19]=3.11 [2.20]=3.13 [2.21]=3.13)

while [ $# -gt 0 ]; do
    case "$1" in
        --parts) PARTS="$2"; shift 2 ;;
        --targets) TARGETS="$2"; shift 2 ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--parts sanity,units,integration] [--targets \"T...\"] VERSION..." >&2; exit 2; }

python_for() {  # pyenv's build of that minor first (as CI has), else one on PATH
    local minor="$1" found
    found="$(find "$HOME/.pyenv/versions" -maxdepth 3 -path "*/$minor.*/bin/python3" 2>/dev/null | sort -V | tail -1 || true)"
    [ -n "$found" ] || found="$(command -v "python$minor" || true)"
    [ -n "$found" ] || { echo "no Python $minor found (pyenv or python$minor on PATH)" >&2; return 1; }
    echo "$found"
}

summary=()
status=0
for minor in "$@"; do
    core="$(core_release "$minor")"
    if [ -z "$core" ] || [ -z "${PYMINOR[$minor]:-}" ]; then
        echo "unknown ansible-core minor $minor (known: ${!PYMINOR[*]})" >&2
        exit 2
    fi
    pyminor="${PYMINOR[$minor]}"
    python="$(python_for "$pyminor")"
    base="$REPO/build/versions/$minor"
    venv="$base/venv"
    view="$base/ansible_collections/oneshot/secrets"
    echo "=== ansible-core $core on Python $pyminor ($python)"
    start=$SECONDS
    if [ ! -f "$venv/.installed-$core" ]; then
        rm -rf "$venv"
        # Debian's own python3.11 makes venvs only with python3-venv (pyenv's Pythons bring ensurepip).
        if ! "$python" -m venv "$venv" 2>/dev/null; then
            [ "$(id -u)" = 0 ] || { echo "$python cannot make a venv (Debian: apt-get install python3-venv)" >&2; exit 1; }
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
            rm -rf "$venv" && "$python" -m venv "$venv"
        fi
        "$venv/bin/python" -m pip install -q --upgrade pip
        # What the integration targets' test servers need besides ansible-core, at the versions make test takes;
        # the constraints' own ansible-core lines (the .venv's) would clash with this release.
        grep -v '^ansible-core==' "$CONSTRAINTS" > "$base/constraints.txt"
        "$venv/bin/python" -m pip install -q -c "$base/constraints.txt" "ansible-core==$core" -r "$REPO/requirements.txt" flask waitress
        touch "$venv/.installed-$core"
    fi
    rm -rf "$view" && mkdir -p "$view"
    (cd "$REPO" && git ls-files --cached --others --exclude-standard -z | tar --null --ignore-failed-read -T - -cf -) | tar -C "$view" -xf -
    (cd "$view" && git init -q && git add -A)
    failed=()
    for part in ${PARTS//,/ }; do
        echo "--- $part (ansible-core $core)"
        case "$part" in
            sanity) cmd=(ansible-test sanity --python "$pyminor" --color no) ;;
            units) cmd=(ansible-test units --python "$pyminor" --requirements --color no) ;;
            integration) read -r -a targets <<< "$TARGETS"
                         cmd=(ansible-test integration --python "$pyminor" --color no "${targets[@]}") ;;
            *) echo "unknown part $part" >&2; exit 2 ;;
        esac
        # This version's tools first; the fakes' serve script takes this venv's Python too (flask, waitress).
        if ! (cd "$view" && PATH="$venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$base" FAKE_PYTHON="$venv/bin/python" "${cmd[@]}"); then
            failed+=("$part")
            status=1
        fi
    done
    result="passed ${PARTS//,/, }"
    [ ${#failed[@]} = 0 ] || result="FAILED: ${failed[*]}"
    summary+=("ansible-core $core / Python $pyminor: $result ($((SECONDS - start)) s)")
done
printf '%s\n' "=== summary" "${summary[@]}"
exit "$status"
