#!/usr/bin/env bash
source ../setup_fakes/lib.sh
run_against ots -- play.yml "$@"
