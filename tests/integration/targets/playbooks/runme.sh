#!/usr/bin/env bash
# Runs every playbook of playbooks/ against the local test servers.
source ../setup_fakes/lib.sh
set -o pipefail
# The playbooks, docs and galaxy build of the collection under test (found by setup_fakes/lib.sh).
[ -n "${COLLECTION_ROOT}" ] || { echo "oneshot.secrets not found on ANSIBLE_COLLECTIONS_PATH" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
playbooks="${COLLECTION_ROOT}/playbooks"

fail() { echo "FAILED: $*"; exit 1; }
# The tests of each playbook's own rules live next to this file.
# shellcheck source=handoff.sh
source handoff.sh
# shellcheck source=distribute.sh
source distribute.sh
# shellcheck source=package.sh
source package.sh
export HANDOFF_TEST_PASSPHRASE="handoff-phrase-$$-never-printed"
LEAK_VALUE_NAMES="HANDOFF_TEST_PASSPHRASE"
export LEAK_VALUE_NAMES
# pb LOG ARGS...: ansible-playbook ARGS through the -vvvv leak check, the whole output kept in LOG.
pb() {
    local log="$1"
    shift
    CHECKED_PLAYBOOK_LOG="${log}" checked_playbook "$@" > /dev/null
}
# recap_changed LOG: the changed= count of the last PLAY RECAP in LOG.
recap_changed() { grep -E '^localhost +:' "$1" | tail -1 | sed -E 's/.*changed=([0-9]+).*/\1/'; }

# --- distribute_credentials.yml, twice per service: the second run creates nothing -------------
distribute_twice() {
    local service="$1"
    rm -f "${work}/links-${service}.csv"
    for run in 1 2; do
        pb "${work}/distribute-${service}-${run}.log" "${playbooks}/distribute_credentials.yml" \
            -e "distribute_service=${service}" -e "distribute_csv=${work}/links-${service}.csv" \
            || { cat "${work}/distribute-${service}-${run}.log"; fail "distribute ${service} run ${run}"; }
    done
}
export -f distribute_twice recap_changed fail pb
export work playbooks COLLECTION_ROOT
"${FAKES}/run-with" pwpush -- bash -c 'distribute_twice pwpush'
"${FAKES}/run-with" ots -- bash -c 'distribute_twice ots'
for service in pwpush ots; do
    first="${work}/distribute-${service}-1.log"
    second="${work}/distribute-${service}-2.log"
    [ "$(recap_changed "${first}")" -gt 0 ] || fail "${service}: the first run changed nothing"
    [ "$(recap_changed "${second}")" = 0 ] || { cat "${second}"; fail "${service}: the second run changed something"; }
    for user in alice bob carol; do
        grep -qE "^${user},,https?://127\.0\.0\.1:[0-9]+/(p|secret)/" "${work}/links-${service}.csv" || fail "${service}: no CSV link for ${user}"
        grep -qE "\"${user}  http" "${second}" || fail "${service}: the second run did not print ${user}'s link"
    done
    [ "$(stat -c %a "${work}/links-${service}.csv")" = 600 ] || fail "${service}: the CSV is not 0600"
    [ "$(wc -l < "${work}/links-${service}.csv")" = 4 ] || fail "${service}: the CSV does not hold a header and 3 links"
done
echo "distribute_credentials: links printed and written, second runs changed=0"

# distribute_credentials.yml with a host group (scratch account roots, never this machine's), at 1,000 people, under
# the default rate limit: the target distribute_credentials.

# --- ci_handoff.yml: push from an environment variable, from a file, then receive --------------
handoff() {
    HANDOFF_SECRET="ci-handoff-secret-$$" pb "${work}/handoff-push.log" "${playbooks}/ci_handoff.yml" \
        -e output=json -e "handoff_output_file=${work}/link.json" \
        || { cat "${work}/handoff-push.log"; fail "handoff push"; }
    link="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "${work}/link.json")"
    printf 'from-a-file-%s\n' "$$" > "${work}/secret.txt"
    pb "${work}/handoff-file.log" "${playbooks}/ci_handoff.yml" -e "handoff_secret_file=${work}/secret.txt" \
        || { cat "${work}/handoff-file.log"; fail "handoff push from a file"; }
    # The receiving job is someone else: the owner's token would read without using up the view.
    PWPUSH_TOKEN="" pb "${work}/handoff-receive.log" "${playbooks}/ci_handoff.yml" -e handoff_mode=receive \
        -e "handoff_link=${link}" -e "handoff_dest=${work}/received" \
        || { cat "${work}/handoff-receive.log"; fail "handoff receive"; }
    [ "$(cat "${work}/received")" = "ci-handoff-secret-$$" ] || fail "handoff: received something else"
    [ "$(stat -c %a "${work}/received")" = 600 ] || fail "handoff: the received file is not 0600"
    PWPUSH_TOKEN="" pb "${work}/handoff-again.log" "${playbooks}/ci_handoff.yml" -e handoff_mode=receive \
        -e "handoff_link=${link}" -e "handoff_dest=${work}/received-again" && fail "handoff: a used link worked twice"
    if grep -q "ci-handoff-secret-\|from-a-file-" "${work}"/handoff-*.log; then fail "handoff: a secret was printed"; fi
    grep -qF '"url": "http' "${work}/handoff-push.log" || fail "handoff: no JSON link printed"
}
export -f handoff
"${FAKES}/run-with" pwpush -- bash -c handoff
echo "ci_handoff: pushed from env and file, received once into a 0600 file, nothing printed"

# --- report_stolen_credentials.yml: CSV (quoted commas) and JSON, dry run first -----------------
python3 - "${work}" <<'PY'
import csv, json, sys
work = sys.argv[1]
with open(work + "/leak.csv", "w", newline="") as handle:
    writer = csv.writer(handle)
    writer.writerow(["email", "password", "breach"])
    for i in range(1100):
        writer.writerow(["leak%04d@example.com" % i, "pw,with \"quotes\" %d" % i, "combo-list-7"])
json.dump([{"email": "json%d@example.com" % i, "password": "json-pw-%d" % i} for i in range(3)],
          open(work + "/leak.json", "w"))
PY
# held_count: how many credentials the Push Security test server holds.
held_count() {
    python3 -c 'import json, os, urllib.request
print(json.load(urllib.request.urlopen(os.environ["PUSHSECURITY_URL"] + "/_fake/stolen-credentials"))["count"])'
}
report() {
    pb "${work}/report-check.log" "${playbooks}/report_stolen_credentials.yml" --check \
        -e "stolen_credentials_file=${work}/leak.csv" \
        || { cat "${work}/report-check.log"; fail "report dry run"; }
    [ "$(held_count)" = 0 ] || fail "the dry run sent something"
    for file in leak.csv leak.json; do
        pb "${work}/report-${file}.log" "${playbooks}/report_stolen_credentials.yml" \
            -e "stolen_credentials_file=${work}/${file}" \
            || { cat "${work}/report-${file}.log"; fail "report ${file}"; }
    done
    [ "$(held_count)" = 1103 ] || fail "not all credentials arrived: $(held_count)"
    grep -q "Would submit 1100 credential(s) in 3 batch(es)" "${work}/report-check.log" || fail "the dry run did not show the counts"
    if grep -q 'pw,with\|json-pw-' "${work}"/report-*.log; then fail "report: a password was printed"; fi
}
export -f report held_count
"${FAKES}/run-with" pushsecurity -- bash -c report
echo "report_stolen_credentials: dry run counted, CSV and JSON submitted, no password printed"
"${FAKES}/run-with" pushsecurity -- bash -c report_paths
echo "report_stolen_credentials: a relative path is refused with the fix, an absolute one works from anywhere"

# --- ci_handoff.yml: paths, checks before the link is used, reasons, passphrase sources, lifetimes, JSON ---------
printf '%s' "${HANDOFF_TEST_PASSPHRASE}" > "${work}/phrase"
"${FAKES}/run-with" pwpush -- bash -c 'handoff_paths_and_checks && handoff_failures && handoff_passphrase_sources \
    && handoff_owner_receives && handoff_wrong_variables'
echo "ci_handoff: relative and in-collection paths refused, --check and a missing directory leave the link unused, reasons given"
"${FAKES}/run-with" pwpush -- bash -c handoff_symlinks
echo "ci_handoff/private_file.yml: a symbolic link as handoff_output_file or handoff_dest is refused before the link is" \
    "made or used; private_file.yml refuses one too; the link and its target untouched"
"${FAKES}/run-with" pwpush -- bash -c 'handoff_lifetimes hosted "1=3 13=5 200=12 2000=16" expire_after_duration'
PWPUSH_FAKE_MODE=oss "${FAKES}/run-with" pwpush -- \
    bash -c 'handoff_lifetimes oss "24=1 200=8" expire_after_days && handoff_lifetime_refused && distribute_oss_lifetimes'
echo "ci_handoff/distribute_credentials: lifetimes never longer than asked, said, refused below the shortest"
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null && id nobody > /dev/null 2>&1; then
    "${FAKES}/run-with" pwpush -- bash -c handoff_race
    echo "ci_handoff: user nobody never read the secret or the link file while they were written"
else
    echo "ci_handoff race with another user: skipped (needs root, setpriv and the user nobody)"
fi
# ansible-core 2.17 (the oldest the collection supports) on the system Python 3.11, kept between runs.
ANSIBLE_217_BIN="${HOME}/.cache/oneshot-secrets/ansible-core-2.17/bin"
if [ ! -x "${ANSIBLE_217_BIN}/ansible-playbook" ]; then
    env -u PYTHONPATH /usr/bin/python3 -m venv "$(dirname "${ANSIBLE_217_BIN}")"
    env -u PYTHONPATH "${ANSIBLE_217_BIN}/pip" install -q 'ansible-core==2.17.*' requests
fi
export ANSIBLE_217_BIN
"${FAKES}/run-with" pwpush -- bash -c handoff_json_types
echo "ci_handoff: the JSON output has the same types on ansible-core 2.17 and the newest"

# --- distribute_credentials.yml: paths, truthful changed, the lost-link recipe ----------------------------------
"${FAKES}/run-with" pwpush -- bash -c distribute_paths_and_lost_link
echo "distribute_credentials: paths checked, changed counts true, a lost link is replaced"

# --- the package: tarball, installed playbooks run as the guides write them, README, inventory ------------------
"${FAKES}/run-with" pwpush -- \
    bash -c 'package_build_and_check && package_installed_pwpush && package_readme_and_inventory && push_info_example \
    && package_guides_as_written pwpush'
"${FAKES}/run-with" ots -- bash -c 'package_installed_ots && package_guides_as_written ots'
echo "package: no secret or CSV in the tarball, LICENSE, tests/fakes, links resolve; installed playbooks run as documented"
echo "guides: every command of getting-started.md and docs/ci/README.md ran as written on the installed collection"
echo "pwpush_push_info: the example tells an active push from an expired one without counting a view"
