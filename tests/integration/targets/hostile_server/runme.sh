#!/usr/bin/env bash
# Every service against the hostile fake (tests/fakes/hostile_server.py, 127.0.0.1): a trickle
# must fail at `timeout`, a huge answer within a memory bound, answers of the wrong shape and connections
# closed mid-body with one sentence each, TLS failures by their real cause; file pushes over the caps, with hostile
# names, onto a full disk (files_limits.yml). Through the -vvvv leak check.
source ../setup_fakes/lib.sh
set -o pipefail
work="$(mktemp -d)"
FULL_DIR=""  # the tmpfs mounted below, if any
# shellcheck disable=SC2329  # invoked by the EXIT trap
cleanup() {
    if [ -n "${FULL_DIR:-}" ]; then
        umount "${FULL_DIR}" || true
    fi
    rm -rf "${work}"
}
trap cleanup EXIT
# The server (started by run-with below, which exports HOSTILE_URL and HOSTILE_TLS_URL) writes its https
# listener's CA to --tls-dir.
export HOSTILE_TLS_CA="${work}/ca.pem"
# Runs a module under the Python given in MODULE_PYTHON and writes, to MEASURE_OUT, the module process's peak
# resident memory (KiB) and how long it ran (s): the play points ansible_python_interpreter at it.
export MEASURE_PYTHON="${work}/measure-python"
cat > "${MEASURE_PYTHON}" <<'PY'
#!/usr/bin/env python3
import os, resource, subprocess, sys, time
started = time.monotonic()
status = subprocess.call([os.environ["MODULE_PYTHON"]] + sys.argv[1:])
with open(os.environ["MEASURE_OUT"], "w") as handle:
    handle.write("%d %.3f\n" % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.monotonic() - started))
sys.exit(status)
PY
chmod 700 "${MEASURE_PYTHON}"
export MEASURE_DIR="${work}"
# A full disk for files_limits.yml: an 8 MiB tmpfs. Mounting needs root (CI runs as root); skipped otherwise.
mkdir "${work}/full"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=8m,mode=0700 tmpfs "${work}/full" 2>/dev/null; then
    FULL_DIR="${work}/full"
else
    echo "SKIPPED: the full disk case needs root to mount a tmpfs (the unit tests simulate ENOSPC instead)"
fi
export FULL_DIR
export HOSTILE_SECRET="hostile-secret-$RANDOM$RANDOM-Hs"
export LEAK_VALUE_NAMES="HOSTILE_SECRET"
# The server ends by itself after --lifetime whatever happens to this script. --watch-dir: it samples the
# directory files_limits.yml saves in (the most bytes it ever held).
"${FAKES}/run-with" hostile --tls-dir "${work}" --watch-dir "${work}/limits" --lifetime 900 -- \
    bash -c 'checked_playbook "$@"' checked_playbook -i localhost, -c local play.yml "$@"
