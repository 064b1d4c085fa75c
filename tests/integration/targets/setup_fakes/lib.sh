# shellcheck shell=bash
# Sourced by the runme.sh of every target: runs playbooks against fresh local test servers.
# A target depends on this one through its meta/main.yml (`dependencies: [setup_fakes]`): ansible-test then
# copies this directory next to the target's, so `source ../setup_fakes/lib.sh` finds it (a runme.sh target
# has no role to depend on; ansible-test reads its meta/main.yml all the same). The fake servers come along
# through this target's aliases (needs/file/tests/fakes/...): ansible-test copies them to the same path
# relative to the targets, so FAKES is fixed relative to this file, in the work copy and in the source tree.
set -eu
FAKES="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../fakes" && pwd)"
[ -x "${FAKES}/run-with" ] || { echo "${FAKES}/run-with missing: list it in setup_fakes/aliases (needs/file/)" >&2; exit 1; }
# The collection under test, for the targets that read its playbooks and docs: ansible-test puts the directory
# that holds ansible_collections/oneshot/secrets on ANSIBLE_COLLECTIONS_PATH.
COLLECTION_ROOT=""
IFS=: read -r -a _collection_paths <<< "${ANSIBLE_COLLECTIONS_PATH:-}"
for _path in "${_collection_paths[@]}"; do
    if [ -f "${_path}/ansible_collections/oneshot/secrets/galaxy.yml" ]; then
        COLLECTION_ROOT="$(cd "${_path}/ansible_collections/oneshot/secrets" && pwd)"
        break
    fi
done
unset _path _collection_paths
export COLLECTION_ROOT
export PWPUSH_TOKEN="owner-token-for-tests-0001"
export PWPUSH_OTHER_TOKEN="other-token-for-tests-0002"
export PWPUSH_ADMIN_TOKEN="admin-token-for-tests-0009"
export OTS_USERNAME="owner@example.com"
export OTS_TOKEN="ots-token-for-tests-0001"
export PUSHSECURITY_API_KEY="full-access-key-for-tests-0001"
export PUSHSECURITY_READ_ONLY_KEY="read-only-key-for-tests-0002"
export ANSIBLE_DEPRECATION_WARNINGS=false
export ANSIBLE_STDOUT_CALLBACK=default
# Values that must never show up in a play's output; a target adds the names of its own in LEAK_VALUE_NAMES.
LEAK_NAMES="PWPUSH_TOKEN PWPUSH_OTHER_TOKEN PWPUSH_ADMIN_TOKEN OTS_TOKEN PUSHSECURITY_API_KEY PUSHSECURITY_READ_ONLY_KEY"

# leak_check CAPTURE: fails when a secret of LEAK_NAMES/LEAK_VALUE_NAMES appears in an -vvvv capture.
leak_check() {
    local capture="$1" name value status=0
    grep -q "^task path: " "${capture}" \
        || { echo "leak check: no -vvvv output was captured, so it would prove nothing"; return 1; }
    for name in ${LEAK_NAMES} ${LEAK_VALUE_NAMES:-}; do
        value="${!name:-}"
        [ -n "${value}" ] || continue
        if grep -qF -- "${value}" "${capture}"; then
            echo "LEAK: the value of ${name} appears in the -vvvv output:"
            grep -nF -- "${value}" "${capture}" | sed "s|${value}|<${name}>|g" | cut -c1-300 | head -5
            status=1
        fi
    done
    return "${status}"
}

# checked_playbook ARGS...: ansible-playbook at -vvvv with its output captured and checked for leaks.
# Prints the play's recap and failures; the whole capture (its tail) only when the play fails.
# With CHECKED_PLAYBOOK_LOG=FILE the whole capture is also kept in FILE, for a test to read.
checked_playbook() {
    local capture status=0
    capture="$(mktemp)"
    ansible-playbook -vvvv "$@" > "${capture}" 2>&1 || status=$?
    if [ "${status}" != 0 ]; then
        tail -n 300 "${capture}"
    else
        grep -E '^(PLAY |TASK |fatal|failed:|ok: .*All assertions|localhost +:)' "${capture}" | grep -v '^TASK ' || true
    fi
    leak_check "${capture}" || status=1
    if [ -n "${CHECKED_PLAYBOOK_LOG:-}" ]; then
        cp "${capture}" "${CHECKED_PLAYBOOK_LOG}"
    fi
    rm -f "${capture}"
    return "${status}"
}
export -f checked_playbook leak_check
export LEAK_NAMES

# run_in_modes PLAYBOOK [ansible-playbook args...]: once for each of $PWPUSH_MODES (default: all three).
run_in_modes() {
    local playbook="$1"
    shift
    local mode
    for mode in ${PWPUSH_MODES:-hosted oss v1}; do
        echo "=== ${playbook} against a ${mode} server"
        PWPUSH_FAKE_MODE="${mode}" "${FAKES}/run-with" pwpush \
            --mode "${mode}" --other-token "${PWPUSH_OTHER_TOKEN}" --admin-token "${PWPUSH_ADMIN_TOKEN}" -- \
            env -u PWPUSH_EMAIL bash -c 'checked_playbook "$@"' checked_playbook \
            -i localhost, -c local "${playbook}" -e "pwpush_mode=${mode}" "$@"
    done
}

# run_against NAME [serve options...] -- PLAYBOOK [ansible-playbook args...]: one fresh NAME server.
run_against() {
    local name="$1"
    shift
    local serve_args=()
    while [ "$1" != "--" ]; do
        serve_args+=("$1")
        shift
    done
    shift
    echo "=== $1 against a ${name} server"  # serve options may hold keys: not echoed
    "${FAKES}/run-with" "${name}" "${serve_args[@]}" -- \
        bash -c 'checked_playbook "$@"' checked_playbook -i localhost, -c local "$@"
}
