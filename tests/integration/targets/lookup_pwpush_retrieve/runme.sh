#!/usr/bin/env bash
source ../setup_fakes/lib.sh
run_in_modes play.yml "$@"
