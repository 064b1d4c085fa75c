#!/usr/bin/env bash
# credential_links against the local test servers, every play at -vvvv through the leak check; the passwords the
# module generated (kept by the plays in a 0600 file) must not show in the capture either.
#   pwpush.yml        hosted, oss, v1 and v2-legacy servers: check mode, first run, re-run (all reused, changed=0), a person
#                     added gets the only new link, the link holds the returned password, bad input
#   ots.yml           onetimesecret: previous_links, check mode, pace
#   rate_limited.yml  RATE_LIMITED_PEOPLE (default 200) people against the server's default limits (120 a minute,
#                     60 a second): no failure, no duplicate, paced > 0. It waits for one or two minute windows.
# About 1.5 to 2 minutes in all, most of it the rate-limited run waiting for the server's window.
source ../setup_fakes/lib.sh
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
export CREDENTIAL_LINKS_GIVEN="given-password-for-the-leak-check-3141"
export LEAK_VALUE_NAMES="CREDENTIAL_LINKS_GIVEN"
export CREDENTIAL_LINKS_PASSWORDS="${work}/passwords"

# generated_passwords_absent CAPTURE: no password a play kept in CREDENTIAL_LINKS_PASSWORDS is in the capture.
generated_passwords_absent() {
    local capture="$1"
    [ -s "${CREDENTIAL_LINKS_PASSWORDS}" ] || { echo "no generated password was kept: the check would prove nothing"; return 1; }
    if grep -qF -f "${CREDENTIAL_LINKS_PASSWORDS}" "${capture}"; then
        echo "LEAK: a generated password appears in the -vvvv output"
        return 1
    fi
    rm -f "${CREDENTIAL_LINKS_PASSWORDS}"
}

for mode in ${PWPUSH_MODES:-hosted oss v1 v2-legacy}; do
    CHECKED_PLAYBOOK_LOG="${work}/pwpush-${mode}.log" PWPUSH_MODES="${mode}" run_in_modes pwpush.yml "$@"
    generated_passwords_absent "${work}/pwpush-${mode}.log"
done

CHECKED_PLAYBOOK_LOG="${work}/ots.log" run_against ots -- ots.yml "$@"
generated_passwords_absent "${work}/ots.log"

# The server's own limits (no --rate-limit-* options): what pwpush.com and a default self-hosted server do.
CHECKED_PLAYBOOK_LOG="${work}/rate.log" run_against pwpush -- rate_limited.yml \
    -e "people_count=${RATE_LIMITED_PEOPLE:-200}" "$@"
generated_passwords_absent "${work}/rate.log"
