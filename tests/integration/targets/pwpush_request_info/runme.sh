#!/usr/bin/env bash
source ../setup_fakes/lib.sh
# Every server mode, 2.3-2.8 servers (v2-legacy) too.
export PWPUSH_MODES="${PWPUSH_MODES:-hosted oss v1 v2-legacy}"
export RESPONSE_SECRET="the-vendor-sent-this-0001"
LEAK_VALUE_NAMES="RESPONSE_SECRET"
export LEAK_VALUE_NAMES
run_in_modes play.yml "$@"
