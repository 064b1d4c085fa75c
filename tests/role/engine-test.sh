#!/usr/bin/env bash
# Run the exact `<engine> run` command line of the role's pwpush.service with the real engine, on
# this machine, with a locally built image that carries the project's pwpush test server.
#
#   tests/role/engine-test.sh podman   # podman with runc (what works on these machines)
#   tests/role/engine-test.sh docker   # Debian's docker.io: dockerd started here, in a network namespace
#                                      # of its own (its bridge and iptables rules stay there), own data root
#
# The unit and the env file are rendered from the role's templates (tests/role/render-unit.yml);
# ExecStartPre, ExecStart and ExecStop are taken from the rendered unit and run as systemd would
# (split like a shell, no shell in between). Checks: GET /up and a push through the published
# 127.0.0.1 port, the container's user (1000), the env file and secret files it got, the storage
# volume it writes, the port published on 127.0.0.1 only. Removes the container afterwards.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
ENGINE="${1:-podman}"
WORK="${ONESHOT_ROLE_ENGINE_WORK:-/var/tmp/oneshot-role-$ENGINE}"
NAME=oneshot-role-$ENGINE-test
IMAGE=localhost/pwpush-test-stand-in
TAG=2.11.4-oneshot-test
NETNS=oneshot-role-docker

log() { echo "$ENGINE-test: $*" >&2; }
run_pid=""
dockerd_pid=""
# In the docker engine's network namespace (the published port is there); as is for podman.
in_ns() { if [ "$ENGINE" = docker ]; then nsenter --net="/run/netns/$NETNS" "$@"; else "$@"; fi; }
cleanup() {
    "$ENGINE" rm --force "$NAME" >/dev/null 2>&1 || true
    if [ -n "$run_pid" ] && kill -0 "$run_pid" 2>/dev/null; then kill "$run_pid" 2>/dev/null || true; fi
    if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
        kill "$dockerd_pid" 2>/dev/null || true
        for _ in $(seq 1 40); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.5; done
        dockerd_pid=""
    fi
    if ip netns list 2>/dev/null | grep -qx "$NETNS\( .*\)\?"; then ip netns delete "$NETNS"; fi
    rm -rf "${WORK:?}/etc" "${WORK:?}/storage" "${WORK:?}/pgsock" "${WORK:?}/unit" "${WORK:?}/build"
}
trap cleanup EXIT

case "$ENGINE" in
    podman) packages=(podman runc) ;;
    docker) packages=(docker.io) ;;
    *) echo "usage: $0 podman|docker" >&2; exit 2 ;;
esac
need=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

cache="$("$here/cache.sh")"
mkdir -p "$WORK"
cleanup
if [ "$ENGINE" = podman ]; then
    # What works on these machines (see test-hosts notes): runc, no default ulimits. Only for this test.
    export CONTAINERS_CONF="$WORK/containers.conf"
    printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\n' > "$CONTAINERS_CONF"
else
    # No docker daemon runs here: one of our own, in a network namespace of our own, for this test only.
    ip netns add "$NETNS"
    ip -n "$NETNS" link set lo up
    export DOCKER_HOST="unix://$WORK/docker.sock" DOCKER_BUILDKIT=0
    # nsenter, not `ip netns exec`: that remounts /sys, and dockerd would find no cgroups.
    nsenter --net="/run/netns/$NETNS" /usr/sbin/dockerd --data-root "$WORK/data" --exec-root "$WORK/exec" \
        --pidfile "$WORK/dockerd.pid" -H "$DOCKER_HOST" --default-ulimit nofile=1024:1024 \
        >"$WORK/dockerd.log" 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 1 60); do docker version >/dev/null 2>&1 && break; sleep 0.5; done
    docker version >/dev/null 2>&1 || { log "dockerd did not start:"; tail -20 "$WORK/dockerd.log" >&2; exit 1; }
fi

base="localhost/oneshot-role-base:$(basename "$cache")"
if ! "$ENGINE" image inspect "$base" >/dev/null 2>&1; then
    log "importing $cache as $base"
    tar -C "$cache" --exclude=./proc --exclude=./sys --exclude=./dev -c . | "$ENGINE" import - "$base" >/dev/null
fi

mkdir -p "$WORK/build/fakes"
# The server and the modules it imports.
cp "$repo"/tests/fakes/{common,fake_http,fake_faults,fake_limits,fake_cli}.py \
    "$repo"/tests/fakes/{pwpush_server,pwpush_model,pwpush_rails,pwpush_core,pwpush_api,pwpush_pages}.py \
    "$repo"/tests/fakes/{pwpush_controls,pwpush_blobs,pwpush_legacy,pwpush_requests}.py "$WORK/build/fakes/"
cp "$here/standin-entrypoint" "$WORK/build/entrypoint"
cat > "$WORK/build/Containerfile" <<CONTAINERFILE
FROM $base
# TEST STAND-IN image: Debian's flask and waitress (from the root's apt cache, no network) and tests/fakes.
RUN DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-download python3-flask python3-waitress >/dev/null \
 && mkdir -p /opt/PasswordPusher/storage && chown 1000:1000 /opt/PasswordPusher/storage
COPY fakes /opt/fakes
COPY entrypoint /entrypoint
USER 1000
EXPOSE 5100
ENTRYPOINT ["/entrypoint"]
CONTAINERFILE
log "building $IMAGE:$TAG (network none)"
"$ENGINE" build -q --network none -f "$WORK/build/Containerfile" -t "$IMAGE:$TAG" "$WORK/build" >/dev/null

# A free port on 127.0.0.1 for the published app port.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

# The directories and files the role would have made.
install -d -m 0700 "$WORK/etc" "$WORK/etc/secrets" "$WORK/unit"
install -d -m 0750 -o 1000 -g 1000 "$WORK/storage"
install -d -m 0755 "$WORK/pgsock"
(umask 077; printf '%s' "$(openssl rand -hex 32)" > "$WORK/etc/secrets/pwpush_master_key"
 printf '%s' "$(openssl rand -hex 64)" > "$WORK/etc/secrets/secret_key_base")
chown 1000:1000 "$WORK/etc/secrets/"*
chmod 0400 "$WORK/etc/secrets/"*

cat > "$WORK/unit/vars.json" <<JSON
{"pwpush_server_name": "pwpush.test", "pwpush_server_container_engine": "$ENGINE", "pwpush_server_image": "$IMAGE", "pwpush_server_image_tag": "$TAG",
 "pwpush_server_container_name": "$NAME", "pwpush_server_app_port": $port,
 "pwpush_server_config_dir": "$WORK/etc", "pwpush_server_storage_dir": "$WORK/storage",
 "pwpush_server_database_socket_dir": "$WORK/pgsock", "out_dir": "$WORK/unit"}
JSON
ANSIBLE_LOCALHOST_WARNING=false ansible-playbook -i localhost, "$here/render-unit.yml" -e "@$WORK/unit/vars.json" >/dev/null
install -m 0600 "$WORK/unit/pwpush.env" "$WORK/etc/pwpush.env"

# ExecStartPre / ExecStart / ExecStop of the rendered unit, one argv per line (NUL-separated words).
unit_cmd() {
    python3 - "$WORK/unit/pwpush.service" "$1" <<'PY'
import shlex, sys
text = open(sys.argv[1], encoding="utf-8").read().replace("\\\n", " ")
for line in text.splitlines():
    if line.startswith(sys.argv[2] + "="):
        cmd = line.split("=", 1)[1].lstrip("-")
        sys.stdout.write("\0".join(shlex.split(cmd)))
        break
PY
}
mapfile -d '' pre < <(unit_cmd ExecStartPre)
mapfile -d '' start < <(unit_cmd ExecStart)
mapfile -d '' stop < <(unit_cmd ExecStop)
if [ "${start[0]}" != "/usr/bin/$ENGINE" ] || [ "${start[1]}" != run ]; then
    log "unexpected ExecStart: ${start[*]}"
    exit 1
fi
log "ExecStart: ${start[*]}"

"${pre[@]}" >/dev/null 2>&1 || true
"${start[@]}" >"$WORK/run.log" 2>&1 &
run_pid=$!

up=""
for _ in $(seq 1 60); do
    if in_ns curl -fsS -o /dev/null "http://127.0.0.1:$port/up" 2>/dev/null; then up=yes; break; fi
    kill -0 "$run_pid" 2>/dev/null || break
    sleep 0.5
done
if [ -z "$up" ]; then
    log "GET /up never answered; container output:"
    tail -20 "$WORK/run.log" >&2
    exit 1
fi
log "GET /up on 127.0.0.1:$port answered 200"

passes=0
failures=0
# check DESCRIPTION: records the exit status of the command run just before it.
check() {
    local status=$?
    if [ "$status" -eq 0 ]; then log "ok: $1"; passes=$((passes + 1)); else log "FAILED: $1"; failures=$((failures + 1)); fi
}
[ "$("$ENGINE" exec "$NAME" id -u)" = 1000 ]
check "the container runs as uid 1000"
[ "$("$ENGINE" port "$NAME")" = "5100/tcp -> 127.0.0.1:$port" ]
check "published on 127.0.0.1 only"
[ "$(stat -c %u "$WORK/storage/.written-by-container" 2>/dev/null)" = 1000 ]
check "the storage volume is written by uid 1000"
# shellcheck disable=SC2016  # expanded inside the container
"$ENGINE" exec "$NAME" sh -c 'test -n "$DATABASE_URL" && test -r "$PWPUSH_MASTER_KEY_FILE" && test -r "$SECRET_KEY_BASE_FILE"'
check "the env file and the secret files reached the container"
link="$(in_ns curl -fsS -H 'Content-Type: application/json' -H 'X-Forwarded-Proto: https' -H 'X-Forwarded-Host: pwpush.test' \
    -d '{"push": {"payload": "podman-test", "expire_after_views": 1}}' "http://127.0.0.1:$port/api/v2/pushes" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["html_url"])')" || true
[[ "$link" == https://pwpush.test/p/* ]]
check "a push created through the published port links to https://pwpush.test/"

"${stop[@]}" >/dev/null
wait "$run_pid" || true
run_pid=""
gone=yes
"$ENGINE" container inspect "$NAME" >/dev/null 2>&1 && gone=no
[ "$gone" = yes ]
check "ExecStop removed the container (--rm)"

echo "$ENGINE-test: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
