#!/usr/bin/env bash
# Runs the plays of every service at -vvvv and fails if a payload, passphrase, token, api key or
# password shows up anywhere in their output.
source ../setup_fakes/lib.sh
set -o pipefail
output="$(mktemp)"
trap 'rm -f "${output}"' EXIT
export LEAK_PAYLOAD="leakcheck-payload-$RANDOM$RANDOM-Zq"
export LEAK_PASSPHRASE="leakcheck-passphrase-$RANDOM$RANDOM-Wx"
# Printed on purpose by the play: proves the search below sees what the play prints.
export LEAK_CANARY="leakcheck-canary-$RANDOM$RANDOM-Cn"
capture() {
    "$@" -vvvv 2>&1 | tee -a "${output}" >/dev/null || { tail -50 "${output}"; echo "the play failed"; exit 1; }
}
for mode in hosted v1; do
    PWPUSH_MODES="${mode}" capture run_in_modes play_pwpush.yml
done
capture run_against ots -- play_ots.yml
capture run_against pushsecurity --read-only-key "${PUSHSECURITY_READ_ONLY_KEY}" -- play_pushsecurity.yml
grep -q "PLAY RECAP" "${output}" || { echo "the play did not run"; exit 1; }
grep -q "ESTABLISH LOCAL CONNECTION" "${output}" || { echo "no -vvvv output captured: the check would prove nothing"; exit 1; }
grep -qF -- "${LEAK_CANARY}" "${output}" || { echo "the canary is missing: the search cannot see the output"; exit 1; }
status=0
for name in LEAK_PAYLOAD LEAK_PASSPHRASE PWPUSH_TOKEN PWPUSH_OTHER_TOKEN OTS_TOKEN PUSHSECURITY_API_KEY \
        PUSHSECURITY_READ_ONLY_KEY; do
    if grep -qF -- "${!name}" "${output}"; then
        echo "LEAK: the value of ${name} appears in the -vvvv output:"
        grep -nF -- "${!name}" "${output}" | sed "s/${!name}/<${name}>/g" | head -5
        status=1
    fi
done
[ "${status}" = 0 ] && echo "no secret in $(wc -l < "${output}") lines of -vvvv output"
exit "${status}"
