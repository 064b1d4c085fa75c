# shellcheck shell=bash
# Sourced by the runme.sh of every target: runs playbooks against fresh local test servers.
set -eu
# ansible-test runs targets from a copy under tests/output/.tmp: walk up to the collection itself.
COLLECTION_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
while [ ! -x "${COLLECTION_ROOT}/tests/fakes/run-with" ]; do
    [ "${COLLECTION_ROOT}" != / ] || { echo "tests/fakes/run-with not found above $PWD" >&2; exit 1; }
    COLLECTION_ROOT="$(dirname "${COLLECTION_ROOT}")"
done
export PWPUSH_TOKEN="owner-token-for-tests-0001"
export PWPUSH_OTHER_TOKEN="other-token-for-tests-0002"
export OTS_USERNAME="owner@example.com"
export OTS_TOKEN="ots-token-for-tests-0001"
export PUSHSECURITY_API_KEY="full-access-key-for-tests-0001"
export PUSHSECURITY_READ_ONLY_KEY="read-only-key-for-tests-0002"
export ANSIBLE_DEPRECATION_WARNINGS=false
export ANSIBLE_STDOUT_CALLBACK=default

# run_in_modes PLAYBOOK [ansible-playbook args...]: once for each of $PWPUSH_MODES (default: all three).
run_in_modes() {
    local playbook="$1"
    shift
    local mode
    for mode in ${PWPUSH_MODES:-hosted oss v1}; do
        echo "=== ${playbook} against a ${mode} server"
        PWPUSH_FAKE_MODE="${mode}" "${COLLECTION_ROOT}/tests/fakes/run-with" pwpush \
            --mode "${mode}" --other-token "${PWPUSH_OTHER_TOKEN}" -- \
            env -u PWPUSH_EMAIL ansible-playbook -i localhost, -c local "${playbook}" -e "pwpush_mode=${mode}" "$@"
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
    "${COLLECTION_ROOT}/tests/fakes/run-with" "${name}" "${serve_args[@]}" -- \
        ansible-playbook -i localhost, -c local "$@"
}
