#!/usr/bin/env bash
# Every invalid value of every option of every module and lookup: a clear message naming the option,
# and no request that writes anything reaching the servers.
source ../setup_fakes/lib.sh
start() {
    "${FAKES}/run-with" ots -- "${FAKES}/run-with" pushsecurity -- \
        "${FAKES}/run-with" pwpush --mode oss -- "$@"
}
start bash -c 'checked_playbook "$@"' checked_playbook -i localhost, -c local play.yml "$@"
