#!/usr/bin/env bash
source ../setup_fakes/lib.sh
run_against ots -- play.yml "$@"
# Lookups follow the run's check mode only: a task's check_mode keyword does not reach them.
run_against ots -- check_mode.yml --check "$@"
