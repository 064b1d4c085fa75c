#!/usr/bin/env bash
source ../setup_fakes/lib.sh
export RESPONSE_SECRET="the-vendor-sent-this-0001"
LEAK_VALUE_NAMES="RESPONSE_SECRET"
export LEAK_VALUE_NAMES
run_in_modes play.yml "$@"
