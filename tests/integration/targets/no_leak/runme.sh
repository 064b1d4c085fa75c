#!/usr/bin/env bash
# Runs the plays of every service at -vvvv and fails if a payload, passphrase, token, api key or
# password shows up anywhere in their output (every other target gets the same check for the tokens and keys).
source ../setup_fakes/lib.sh
# setup_fakes/lib.sh runs every play at -vvvv and fails on any known secret in its output; here the plays
# also handle a payload and a passphrase made for this run, added to the names it checks.
export LEAK_PAYLOAD="leakcheck-payload-$RANDOM$RANDOM-Zq"
export LEAK_PASSPHRASE="leakcheck-passphrase-$RANDOM$RANDOM-Wx"
export LEAK_VALUE_NAMES="LEAK_PAYLOAD LEAK_PASSPHRASE"
# Printed on purpose by the pwpush play: proves the check below sees what the plays print.
export LEAK_CANARY="leakcheck-canary-$RANDOM$RANDOM-Cn"
if LEAK_VALUE_NAMES="LEAK_CANARY" PWPUSH_MODES=hosted run_in_modes play_pwpush.yml >/dev/null 2>&1; then
    echo "the leak check did not catch the canary: it proves nothing"
    exit 1
fi
for mode in hosted v1; do
    PWPUSH_MODES="${mode}" run_in_modes play_pwpush.yml
done
run_against ots -- play_ots.yml
run_against pushsecurity --read-only-key "${PUSHSECURITY_READ_ONLY_KEY}" -- play_pushsecurity.yml
echo "no secret in the -vvvv output of any play"
