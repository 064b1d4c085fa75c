#!/usr/bin/env bash
# Every invalid value of every option of every module and lookup: a clear message naming the option,
# and no request that writes anything reaching the servers.
source ../setup_fakes/lib.sh
start() {
    "${COLLECTION_ROOT}/tests/fakes/run-with" ots -- "${COLLECTION_ROOT}/tests/fakes/run-with" pushsecurity -- \
        "${COLLECTION_ROOT}/tests/fakes/run-with" pwpush --mode oss -- "$@"
}
start bash -c 'checked_playbook "$@"' checked_playbook -i localhost, -c local play.yml "$@"
