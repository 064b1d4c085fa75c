#!/usr/bin/env bash
# Issue 14, secrets through the side doors: short values that corrupt returned links, secrets echoed by a server
# into error messages, credentials and extras in `url`. Every play runs through the -vvvv leak check.
source ../setup_fakes/lib.sh
export LEAK_PAYLOAD="sidedoor-payload-$RANDOM$RANDOM-Pq"
export LEAK_PASSPHRASE="sidedoor-passphrase-$RANDOM$RANDOM-Ph"
# A password with both quotes: an echo in JSON or repr quoting escapes them; the part after the quote leaked before.
export LEAK_PASSWORD="sidedoor-pw-$RANDOM\"quote'd-$RANDOM-tail"
export LEAK_PASSWORD_TAIL="${LEAK_PASSWORD#*\"}"
export LEAK_URL_PASSWORD="sidedoor-url-password-$RANDOM$RANDOM"
export LEAK_VALUE_NAMES="LEAK_PAYLOAD LEAK_PASSPHRASE LEAK_PASSWORD LEAK_PASSWORD_TAIL LEAK_URL_PASSWORD"

workdir="$(mktemp -d)"
trap 'rm -rf "${workdir}"' EXIT

# A leak export in email:password form, one row per line (a common format), under an email,password header.
printf 'email,password\nbob@example.com:%s\n' "${LEAK_PASSWORD}" > "${workdir}/email-colon-password.csv"
export SIDEDOORS_COLON_CSV="${workdir}/email-colon-password.csv"

# The hostile fake's /STATUS/FORMAT/... paths echo what they were sent in their error answers (HOSTILE_URL).
"${FAKES}/run-with" hostile -- "${FAKES}/run-with" ots -- "${FAKES}/run-with" pushsecurity -- \
    "${FAKES}/run-with" pwpush --mode oss -- \
    bash -c 'checked_playbook "$@"' checked_playbook -i localhost, -c local play.yml "$@"
