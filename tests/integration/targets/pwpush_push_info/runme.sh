#!/usr/bin/env bash
source ../setup_pwpush/lib.sh
run_in_modes play.yml "$@"
