#!/usr/bin/env bash
# 20 hosts x N pushes through pwpush_push with forks=10 against one server: every push exists
# exactly once, none is lost (the server's own count and each push's name are checked).
# N is CONCURRENCY_PUSHES, 25 by default (500 module runs, about 6 CPU-minutes: over 3 minutes on 2 cores);
# a smaller N gives a quicker run while working on it. The play runs at -vvvv with the leak check.
source ../setup_fakes/lib.sh
inventory="$(mktemp)"
trap 'rm -f "${inventory}"' EXIT
{
    echo "[pushers]"
    for n in $(seq -w 1 20); do
        echo "pusher${n} ansible_connection=local"
    done
} > "${inventory}"
# Pipelining spares 500 temporary directories; what is under test is the server and the module.
export ANSIBLE_PIPELINING=True
# Many clients on one address: the per-IP limits of the server are not under test here.
PWPUSH_FAKE_MODE=hosted "${FAKES}/run-with" pwpush \
    --rate-limit-per-minute 0 --rate-limit-per-second 0 -- \
    bash -c 'checked_playbook "$@"' checked_playbook \
    -i "${inventory}" --forks 10 play.yml -e "pushes_per_host=${CONCURRENCY_PUSHES:-25}" "$@"
