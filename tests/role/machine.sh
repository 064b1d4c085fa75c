#!/usr/bin/env bash
# The role test's target: a copy of a cached Debian root (ONESHOT_ROLE_RELEASE: bookworm, the default,
# or trixie), booted with systemd-nspawn in a network namespace of its own (loopback only), reached by
# ssh through `nsenter ... sshd -i`.
#
#   tests/role/machine.sh up [PUBKEY]   # (re)create and boot; waits for systemd
#   tests/role/machine.sh down          # stop it, remove the namespace and the copy
#   tests/role/machine.sh proxy         # ssh ProxyCommand: sshd -i inside the machine
#   tests/role/machine.sh shell CMD...  # run a command inside (debugging)
#   tests/role/machine.sh root          # print where its root directory is (secret_watch.py reads it)
#
# Several machines at once (the multi-host scenario): ONESHOT_ROLE_MACHINE=NAME gives each its own copy,
# namespace and host name; `proxy NAME` (ssh's %h) reaches the machine of that name.
# Only processes whose command line names this run's root directory are ever signalled.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "${1:-}" = proxy ] && [ -n "${2:-}" ]; then ONESHOT_ROLE_MACHINE="$2"; fi
if [ -n "${ONESHOT_ROLE_MACHINE:-}" ]; then
    [[ "$ONESHOT_ROLE_MACHINE" =~ ^[a-z0-9-]{1,20}$ ]] || { echo "machine: bad name $ONESHOT_ROLE_MACHINE" >&2; exit 2; }
    RUN_DIR="/var/tmp/oneshot-role-run-$ONESHOT_ROLE_MACHINE"
    NETNS="oneshot-role-$ONESHOT_ROLE_MACHINE"
    MACHINE="$ONESHOT_ROLE_MACHINE"
else
    RUN_DIR="${ONESHOT_ROLE_RUN:-/var/tmp/oneshot-role-run}"
    NETNS="${ONESHOT_ROLE_NETNS:-oneshot-role-test}"
    MACHINE=oneshot-pwpush-test
fi
ROOT="$RUN_DIR/root"
RELEASE="${ONESHOT_ROLE_RELEASE:-bookworm}"

log() { echo "machine: $*" >&2; }

# PID of the systemd-nspawn process started with -D $ROOT (by its command line, nothing broader).
nspawn_pid() {
    local pid cmd
    for pid in $(pgrep -x systemd-nspawn 2>/dev/null || true); do
        cmd="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null || true)"
        if [[ " $cmd " == *" -D $ROOT "* ]]; then
            echo "$pid"
            return 0
        fi
    done
    return 1
}

# PID (seen from here) of the machine's init: the child of nspawn that runs systemd.
leader_pid() {
    local np child
    np="$(nspawn_pid)" || return 1
    for child in $(pgrep -P "$np" 2>/dev/null || true); do
        if [ "$(cat "/proc/$child/comm" 2>/dev/null)" = systemd ]; then
            echo "$child"
            return 0
        fi
    done
    return 1
}

# The machine is thrown away, so it is not powered off (SIGTERM to nspawn: every unit stopped in turn, 3 s for a
# fresh machine, over 30 s after the lifecycle checks): its init is killed, which ends every process in its PID
# namespace at once (sshd -i entered from outside too), and nspawn exits on its own.
down() {
    local np init i
    if np="$(nspawn_pid)"; then
        if init="$(leader_pid)"; then
            log "killing the machine's init $init (nspawn $np, $ROOT)"
            kill -KILL "$init" 2>/dev/null || true
        else
            log "stopping nspawn $np ($ROOT)"
            kill -TERM "$np" 2>/dev/null || true
        fi
        for i in $(seq 1 60); do
            kill -0 "$np" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$np" 2>/dev/null; then
            log "nspawn $np did not stop; killing it"
            kill -KILL "$np" 2>/dev/null || true
            sleep 1
        fi
    fi
    if ip netns list 2>/dev/null | grep -qx "$NETNS\( .*\)\?"; then
        ip netns delete "$NETNS"
    fi
    if [ -d "$RUN_DIR" ]; then
        rm -rf --one-file-system "$RUN_DIR"
    fi
}

up() {
    local pubkey="${1:-}" cache pid state i
    down
    cache="$("$here/cache.sh" "$RELEASE")"
    mkdir -p "$RUN_DIR"
    log "copying $cache"
    cp -a --reflink=auto "$cache" "$ROOT"
    # debootstrap writes no /etc/hosts; a real host has one (PostgreSQL resolves "localhost").
    echo "$MACHINE" > "$ROOT/etc/hostname"
    [ -e "$ROOT/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t%s\n' \
        "$MACHINE" > "$ROOT/etc/hosts"
    if [ -n "$pubkey" ]; then
        install -d -m 0700 "$ROOT/root/.ssh"
        install -m 0600 "$pubkey" "$ROOT/root/.ssh/authorized_keys"
    fi
    ip netns add "$NETNS"
    ip -n "$NETNS" link set lo up
    log "booting $ROOT in netns $NETNS"
    setsid systemd-nspawn -D "$ROOT" --boot --register=no --keep-unit -q \
        --machine="$MACHINE" --network-namespace-path="/run/netns/$NETNS" \
        </dev/null >"$RUN_DIR/console.log" 2>&1 &
    for i in $(seq 1 120); do
        if pid="$(leader_pid)"; then
            state="$(nsenter -t "$pid" -a systemctl is-system-running 2>/dev/null || true)"
            case "$state" in
                running|degraded)
                    log "up ($state) after $((i / 2)) s, init pid $pid"
                    [ "$state" = running ] || nsenter -t "$pid" -a systemctl --failed --no-legend >&2 || true
                    return 0
                    ;;
            esac
        fi
        sleep 0.5
    done
    log "the machine did not boot; console:"
    tail -30 "$RUN_DIR/console.log" >&2
    return 1
}

case "${1:-}" in
    up) shift; up "$@" ;;
    down) down ;;
    proxy)
        pid="$(leader_pid)" || { echo "machine: not running ($ROOT)" >&2; exit 1; }
        exec nsenter -t "$pid" -a /usr/sbin/sshd -i -o LogLevel=ERROR
        ;;
    shell)
        shift
        pid="$(leader_pid)" || { echo "machine: not running ($ROOT)" >&2; exit 1; }
        exec nsenter -t "$pid" -a "$@"
        ;;
    root) echo "$ROOT" ;;
    *) echo "usage: $0 up [PUBKEY] | down | proxy | shell CMD... | root" >&2; exit 2 ;;
esac
