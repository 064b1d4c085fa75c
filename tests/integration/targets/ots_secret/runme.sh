#!/usr/bin/env bash
source ../setup_fakes/lib.sh
run_against ots -- play.yml "$@"
# Old servers (and the API page's examples) send numbers as strings.
run_against ots --legacy-strings --short-keys -- play.yml "$@"
# v0.23 sends no metadata_url: the receipt link is built as /private/KEY.
run_against ots --no-alias-fields -- play.yml -e receipt_path=private "$@"
