#!/usr/bin/env bash
source ../setup_fakes/lib.sh
PWPUSH_MODES="${PWPUSH_MODES:-hosted v1}" run_in_modes play.yml "$@"
