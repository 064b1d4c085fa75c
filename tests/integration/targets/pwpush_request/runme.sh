#!/usr/bin/env bash
source ../setup_fakes/lib.sh
export REQUEST_PASSPHRASE="request-phrase-for-tests-0001"
LEAK_VALUE_NAMES="REQUEST_PASSPHRASE"
export LEAK_VALUE_NAMES
run_in_modes play.yml "$@"
