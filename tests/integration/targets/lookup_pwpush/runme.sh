#!/usr/bin/env bash
source ../setup_fakes/lib.sh
# Every server mode, 2.3-2.8 servers (v2-legacy) too.
export PWPUSH_MODES="${PWPUSH_MODES:-hosted oss v1 v2-legacy}"
run_in_modes play.yml "$@"
# Lookups follow the run's check mode only: a task's check_mode keyword does not reach them.
run_in_modes check_mode.yml --check "$@"
