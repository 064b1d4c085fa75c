#!/usr/bin/env bash
# HTTPS with a throwaway CA, for every service: default verification refuses the server with a
# clear message, ca_path makes it pass, validate_certs=false works but warns (modules: in their
# warnings; lookups: an Ansible [WARNING] line, checked in the output below).
source ../setup_fakes/lib.sh
set -o pipefail
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
python3 "${FAKES}/common.py" make-ca "${work}" >/dev/null
export TLS_CA="${work}/ca.pem"
tls=(--tls-cert "${work}/server.pem" --tls-key "${work}/server.key")
# CI hosts often set REQUESTS_CA_BUNDLE (this one does): ca_path and validate_certs must still win.
if [ -z "${REQUESTS_CA_BUNDLE:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
    export REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
fi
status=0
PWPUSH_FAKE_MODE=hosted CHECKED_PLAYBOOK_LOG="${work}/pwpush.log" "${FAKES}/run-with" pwpush \
    "${tls[@]}" -- bash -c 'checked_playbook "$@"' checked_playbook -i localhost, -c local play_pwpush.yml "$@" || status=1
if ! grep -qE '\[WARNING\].*validate_certs' "${work}/pwpush.log"; then
    echo "FAILED: the pwpush lookup with validate_certs=false printed no Ansible [WARNING] naming validate_certs"
    status=1
fi
if grep -q "errantly sent data directly to stderr" "${work}/pwpush.log"; then
    echo "FAILED: a plugin wrote to stderr directly (urllib3's InsecureRequestWarning?) instead of warning through Ansible"
    status=1
fi
run_against ots "${tls[@]}" -- play_ots.yml "$@" || status=1
run_against pushsecurity "${tls[@]}" -- play_pushsecurity.yml "$@" || status=1
exit "${status}"
