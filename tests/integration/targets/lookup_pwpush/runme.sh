#!/usr/bin/env bash
source ../setup_fakes/lib.sh
run_in_modes play.yml "$@"
# Lookups follow the run's check mode only: a task's check_mode keyword does not reach them.
run_in_modes check_mode.yml --check "$@"
