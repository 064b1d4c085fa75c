#!/usr/bin/env bash
source ../setup_fakes/lib.sh
run_against ots -- play.yml "$@"
# Old servers (and the API page's examples) send numbers as strings.
run_against ots --legacy-strings --short-keys -- play.yml "$@"
