#!/usr/bin/env bash
# Faults of the network and the servers, for every service: bursts of 429 with and without
# Retry-After, 500/502/503, connections reset before and after the server read the request, slow
# answers past the timeout. Reads are retried and succeed; creates are never sent twice (counted on
# the server); an exhausted retry budget ends in one clear sentence, never a traceback.
source ../setup_fakes/lib.sh
PWPUSH_MODES="${PWPUSH_MODES:-hosted}" run_in_modes play_pwpush.yml "$@"
run_against ots -- play_ots.yml "$@"
run_against pushsecurity -- play_pushsecurity.yml "$@"
