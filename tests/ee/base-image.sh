#!/usr/bin/env bash
# Make (once) the local base image the execution environment test builds on: no registry is
# reachable here, so the EE's usual base (quay.io/ansible/awx-ee) is replaced by a Debian 12 root
# made with debootstrap and imported into podman. It holds Debian's python3 and an empty venv,
# /opt/ee-python, first on PATH, and nothing of Ansible: ansible-core, ansible-runner, requests and
# the collection must all come from the build. The venv is there because ansible-builder runs
# `python -m ensurepip`, which Debian disables for its system Python (the build passes
# --build-arg PYCMD=/opt/ee-python/bin/python3).
#
#   tests/ee/base-image.sh        # prints the image name; builds it when missing
#
# Cached twice: as a podman image, and as a tarball under $ONESHOT_EE_CACHE (/var/cache/oneshot-ee)
# so that a pruned image store is refilled without debootstrap. Needs root; installs debootstrap and
# podman when missing. CONTAINERS_CONF is honoured (the Makefile points it at runc, see test-hosts).
set -euo pipefail

VERSION=2
IMAGE="localhost/oneshot-ee-base:bookworm-v$VERSION"
VENV=/opt/ee-python
CACHE_DIR="${ONESHOT_EE_CACHE:-/var/cache/oneshot-ee}"
TARBALL="$CACHE_DIR/base-bookworm-v$VERSION.tar"
MIRROR="${ONESHOT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
INCLUDE=python3,python3-pip,python3-venv,ca-certificates

need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v podman >/dev/null || need+=(podman)
command -v runc >/dev/null || need+=(runc)
if [ ${#need[@]} -gt 0 ]; then
    apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
fi

if podman image exists "$IMAGE"; then
    echo "$IMAGE"
    exit 0
fi

if [ ! -s "$TARBALL" ]; then
    mkdir -p "$CACHE_DIR"
    root="$(mktemp -d "$CACHE_DIR/root.XXXXXX")"
    trap 'rm -rf "$root" "$TARBALL.tmp"' EXIT
    echo "building $IMAGE with debootstrap (about a minute)" >&2
    debootstrap --variant=minbase --include="$INCLUDE" bookworm "$root" "$MIRROR" >"$CACHE_DIR/debootstrap.log" 2>&1 \
        || { tail -20 "$CACHE_DIR/debootstrap.log" >&2; exit 1; }
    echo "deb $MIRROR bookworm main" > "$root/etc/apt/sources.list"
    chroot "$root" python3 -m venv "$VENV"
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" --exclude=./proc --exclude=./sys --exclude=./dev -cf "$TARBALL.tmp" .
    mv "$TARBALL.tmp" "$TARBALL"
fi
podman import -q --change "ENV PATH=$VENV/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change 'CMD ["/bin/bash"]' "$TARBALL" "$IMAGE" >/dev/null
echo "$IMAGE"
