#!/usr/bin/env bash
# A ~/.netrc with entries for the test servers' host (as CI runners and developer machines often have) must
# neither replace a service's credentials nor be sent to the server: every service, and every plugin of the
# collection once (the ansible-core version matrix, `make test-versions`, runs this target for that reason).
source ../setup_fakes/lib.sh
NETRC_HOME="$(mktemp -d)"
trap 'rm -rf "${NETRC_HOME}"' EXIT
export NETRC_PASSWORD="netrc-password-$RANDOM$RANDOM"
for host in 127.0.0.1 localhost; do
    printf 'machine %s login netrc-user@example.com password %s\n' "${host}" "${NETRC_PASSWORD}"
done > "${NETRC_HOME}/.netrc"
chmod 600 "${NETRC_HOME}/.netrc"
# The netrc password is a secret like any other: it must not show up in the output either.
export LEAK_VALUE_NAMES="NETRC_PASSWORD"
# Ansible keeps its own files under HOME: a copy of what it needs there, the collection from ANSIBLE_COLLECTIONS_PATH.
export HOME="${NETRC_HOME}"
PWPUSH_MODES="hosted oss" run_in_modes play_pwpush.yml
run_against ots -- play_ots.yml
run_against pushsecurity -- play_pushsecurity.yml
echo "the .netrc changed no request's credentials"
