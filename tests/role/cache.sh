#!/usr/bin/env bash
# Build (once) a cached Debian root the role test boots with systemd-nspawn.
#
#   tests/role/cache.sh [RELEASE]  # bookworm (default) or trixie; prints the root's path,
#                                  # builds it when missing or incomplete
#
# The root has systemd, sshd (for `sshd -i` through nsenter), python3 with python3-apt, and the
# .deb files of every package the role and the test stand-in install, downloaded but NOT installed:
# the test machine runs in a network namespace of its own with loopback only, so the role's apt
# tasks install those packages for real, from the local archive, without a network.
# Rebuilt when the marker is missing or this script's version changes.
set -euo pipefail

CACHE_DIR="${ONESHOT_ROLE_CACHE:-/var/tmp/oneshot-role-cache}"
RELEASE="${1:-bookworm}"
case "$RELEASE" in bookworm|trixie) ;; *) echo "cache.sh: unknown release $RELEASE" >&2; exit 2 ;; esac
VERSION=4
ROOT="$CACHE_DIR/$RELEASE-v$VERSION"
MIRROR="${ONESHOT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# Installed in the root: what a bare target always has, plus what the test harness needs.
INCLUDE=systemd,systemd-sysv,dbus,python3,python3-apt,iproute2,openssh-server,procps,ca-certificates,locales
# Downloaded only: what the role installs, what the stand-in needs, what verify uses.
DOWNLOAD=(postgresql postgresql-client acl nginx openssl python3-flask python3-waitress python3-requests
          python3-psycopg2 curl)

# Download (not install) the DOWNLOAD packages into ROOT's apt cache, with the mirror reachable meanwhile.
download() {
    local root="$1"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    chroot "$root" apt-get update -qq >&2
    chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --download-only "${DOWNLOAD[@]}" >&2
    # apt inside must not try to refresh its lists from an unreachable mirror by itself.
    rm -f "$root/etc/resolv.conf"
    printf '%s\n' "${DOWNLOAD[@]}" > "$root/.downloads"
}

if [ -f "$ROOT/.complete" ]; then
    # A root cached before the package list grew gets the new packages only.
    if [ "$(cat "$ROOT/.downloads" 2>/dev/null)" != "$(printf '%s\n' "${DOWNLOAD[@]}")" ]; then
        echo "downloading the new packages into $ROOT" >&2
        download "$ROOT"
    fi
    echo "$ROOT"
    exit 0
fi

need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v systemd-nspawn >/dev/null || need+=(systemd-container)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
fi

rm -rf "$ROOT" "$ROOT.tmp"
mkdir -p "$CACHE_DIR"
echo "building $ROOT (about a minute)" >&2
debootstrap --variant=minbase --include="$INCLUDE" "$RELEASE" "$ROOT.tmp" "$MIRROR" >"$CACHE_DIR/debootstrap-$RELEASE.log" 2>&1 \
    || { tail -20 "$CACHE_DIR/debootstrap-$RELEASE.log" >&2; exit 1; }

echo "deb $MIRROR $RELEASE main" > "$ROOT.tmp/etc/apt/sources.list"
download "$ROOT.tmp"
echo "oneshot-pwpush-test" > "$ROOT.tmp/etc/hostname"
# Fewer units that have nothing to do in a test machine.
chroot "$ROOT.tmp" systemctl mask systemd-networkd-wait-online.service apt-daily.timer apt-daily-upgrade.timer \
    e2scrub_all.timer fstrim.timer >/dev/null 2>&1 || true
touch "$ROOT.tmp/.complete"
mv "$ROOT.tmp" "$ROOT"
echo "$ROOT"
