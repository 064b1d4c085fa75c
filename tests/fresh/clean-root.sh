#!/usr/bin/env bash
# The README's two commands on a machine that never saw this repo: a fresh debootstrap Debian 12 root
# (what a new CI runner has: python3, make, git, curl, ca-certificates, pyenv's Python 3.13 when the host
# has one), a fresh clone of this checkout inside, `make demo` and `make test` run in a chroot that shares
# the host's network (PyPI and the Debian mirror), nothing else.
#
#   tests/fresh/clean-root.sh [MAKE VARIABLES...]     e.g. ROLE_TEST=no (no nspawn/podman in a chroot)
#
# Root only; takes as long as `make test` plus about two minutes. Logs under $FRESH_DIR/logs.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
FRESH_DIR="${FRESH_DIR:-/var/tmp/oneshot-fresh}"
ROOT="$FRESH_DIR/root"
MIRROR="${ONESHOT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# What a bare CI image has; pyenv's 3.13 needs the libraries its extension modules link against.
INCLUDE=python3,make,git,curl,ca-certificates,libssl3,libffi8,libsqlite3-0,libuuid1,libbz2-1.0,liblzma5,libreadline8,zlib1g,libexpat1,libncursesw6,procps

[ "$(id -u)" = 0 ] || { echo "root only (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }

mounted=()
# shellcheck disable=SC2317  # called by the trap
cleanup() {
    local m
    for ((i=${#mounted[@]}-1; i>=0; i--)); do m="${mounted[$i]}"; umount -l "$m" 2>/dev/null || true; done
    unmount_under "$ROOT"
}
# What the run mounted inside the root by itself (podman's storage), deepest first.
unmount_under() {
    awk -v root="$1" '$2 == root || index($2, root "/") == 1 {print $2}' /proc/mounts | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null || true; done
}
trap cleanup EXIT

mkdir -p "$FRESH_DIR/logs"
# The pristine root is cached; every run works on a fresh copy of it.
if [ ! -f "$FRESH_DIR/pristine/.complete" ]; then
    rm -rf "$FRESH_DIR/pristine"
    debootstrap --variant=minbase --include="$INCLUDE" bookworm "$FRESH_DIR/pristine" "$MIRROR" \
        >"$FRESH_DIR/logs/debootstrap.log" 2>&1 || { tail -20 "$FRESH_DIR/logs/debootstrap.log" >&2; exit 1; }
    echo "deb $MIRROR bookworm main" > "$FRESH_DIR/pristine/etc/apt/sources.list"
    pyenv313="$(find "$HOME/.pyenv/versions" -maxdepth 1 -name '3.13*' 2>/dev/null | sort -V | tail -1 || true)"
    if [ -n "$pyenv313" ]; then
        mkdir -p "$FRESH_DIR/pristine/root/.pyenv/versions"
        cp -a "$pyenv313" "$FRESH_DIR/pristine/root/.pyenv/versions/"
    fi
    touch "$FRESH_DIR/pristine/.complete"
fi
unmount_under "$ROOT"
rm -rf "$ROOT"
cp -a "$FRESH_DIR/pristine" "$ROOT"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# The machine image's network set-up, which any runner of it has: its extra CAs (egress through a TLS
# proxy), pip's configuration and local wheel folders, and the CA variables of its environment.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
    chroot "$ROOT" update-ca-certificates >/dev/null 2>&1
fi
[ ! -f /etc/pip.conf ] || cp /etc/pip.conf "$ROOT/etc/pip.conf"
if [ -f "$HOME/.config/pip/pip.conf" ]; then
    mkdir -p "$ROOT/root/.config/pip" && cp "$HOME/.config/pip/pip.conf" "$ROOT/root/.config/pip/"
fi
passed_env=()
for name in SSL_CERT_FILE SSL_CERT_DIR PIP_CERT REQUESTS_CA_BUNDLE CURL_CA_BUNDLE GIT_SSL_CAINFO NODE_EXTRA_CA_CERTS \
            PIP_FIND_LINKS PIP_DEFAULT_TIMEOUT PIP_DISABLE_PIP_VERSION_CHECK; do
    [ -z "${!name:-}" ] || passed_env+=("$name=${!name}")
done
# A clone, as CI has: committed files only.
git clone -q "$REPO" "$ROOT/root/oneshot.secrets"

# A real machine's / is a mount point; podman remounts it (a bare chroot directory is not one).
mount --bind "$ROOT" "$ROOT"; mounted+=("$ROOT")
mount --bind /proc "$ROOT/proc"; mounted+=("$ROOT/proc")
# With their submounts (the cgroup tree that podman's runtime needs), as slaves: nothing unmounted in the root
# reaches the host.
for m in sys dev; do
    mount --rbind "/$m" "$ROOT/$m" && mount --make-rslave "$ROOT/$m"; mounted+=("$ROOT/$m")
done
mount -t tmpfs tmpfs "$ROOT/tmp"; mounted+=("$ROOT/tmp")
for m in /opt/wheels /opt/pypi /opt/pypi-more; do
    [ -d "$m" ] || continue
    mkdir -p "$ROOT$m" && mount --bind -o ro "$m" "$ROOT$m"; mounted+=("$ROOT$m")
done

status=0
for goal in demo "test $*"; do
    name="${goal%% *}"
    echo "=== make $goal (log: $FRESH_DIR/logs/make-$name.log)"
    start=$SECONDS
    # shellcheck disable=SC2086
    if chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        LANG=C.UTF-8 "${passed_env[@]}" bash -lc "cd /root/oneshot.secrets && make $goal" >"$FRESH_DIR/logs/make-$name.log" 2>&1; then
        echo "    passed in $((SECONDS - start)) s"
    else
        echo "    FAILED after $((SECONDS - start)) s; the end of its log:"
        tail -40 "$FRESH_DIR/logs/make-$name.log"
        status=1
        break
    fi
done
exit "$status"
