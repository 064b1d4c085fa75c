#!/usr/bin/env bash
# distribute_credentials.yml at scale, on oneshot.secrets.credential_links: 1,000 people end to end (first run, re-run
# changed=0, one person added gets the only new link, --check), a host group of two hosts whose accounts (in scratch
# roots, never this machine's /etc/shadow) get the passwords behind the links, onetimesecret, names a CSV would misread
# (one row each, no formula, re-run adds nothing), a planted symbolic link as the CSV, and 300 people against the
# server's default rate limit; interruptions and a busy account (interrupted.sh). Every play goes through the -vvvv
# leak check, and no generated password may appear in any play's output.
source ../setup_fakes/lib.sh
set -o pipefail
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
playbooks="${COLLECTION_ROOT}/playbooks"
checks="${PWD}/checks.py"
fail() { echo "FAILED: $*"; exit 1; }
# pb LOG ARGS...: ansible-playbook ARGS through the -vvvv leak check, the whole output kept in LOG.
pb() {
    local log="$1"
    shift
    CHECKED_PLAYBOOK_LOG="${log}" checked_playbook "$@" > /dev/null || { tail -40 "${log}"; fail "ansible-playbook $*"; }
}
# recap HOST LOG: the changed= count of HOST in the last PLAY RECAP of LOG.
recap() { grep -E "^$1 +:" "$2" | tail -1 | sed -E 's/.*changed=([0-9]+).*/\1/'; }
# said LOG TEXT: the play printed TEXT.
said() { grep -qF -- "$2" "$1" || fail "$(basename "$1"): the play did not say '$2'"; }
# distribute LOG ARGS...: the playbook, timed.
distribute() {
    local log="$1" started="${SECONDS}"
    shift
    pb "${log}" "${playbooks}/distribute_credentials.yml" "$@"
    echo "    $(basename "${log}" .log): $((SECONDS - started)) s"
}
export -f fail pb recap said distribute
export work playbooks checks

# --- 1,000 people, limits off --------------------------------------------------------------------------------------
thousand() {
    set -euo pipefail  # bash -c does not inherit errexit: a failed check must end the test
    local csv="${work}/links.csv"
    python3 "${checks}" users 1000 "${work}/users.yml"
    python3 "${checks}" users 1000 "${work}/users-plus.yml" --extra newcomer
    distribute "${work}/k1.log" -e "@${work}/users.yml" -e "distribute_csv=${csv}"
    [ "$(recap localhost "${work}/k1.log")" = 3 ] \
        || fail "first run: changed=$(recap localhost "${work}/k1.log") (the links, the CSV made, the CSV written)"
    said "${work}/k1.log" "1000 new link(s), 0 reused"
    python3 "${checks}" csv "${csv}" 1000
    python3 "${checks}" pushes 1000
    [ "$(stat -c %a "${csv}")" = 600 ] || fail "the CSV is not 0600"
    cp "${csv}" "${work}/links-1.csv"

    distribute "${work}/k2.log" -e "@${work}/users.yml" -e "distribute_csv=${csv}"
    [ "$(recap localhost "${work}/k2.log")" = 0 ] || fail "re-run: changed=$(recap localhost "${work}/k2.log")"
    said "${work}/k2.log" "0 new link(s), 1000 reused"
    grep -qE '"person0999  http' "${work}/k2.log" || fail "re-run: the reused links are not printed"
    python3 "${checks}" same "${work}/links-1.csv" "${csv}"
    python3 "${checks}" pushes 1000

    distribute "${work}/k3.log" --check -e "@${work}/users-plus.yml" -e "distribute_csv=${csv}"
    said "${work}/k3.log" "newcomer  (no link yet)"
    said "${work}/k3.log" "1 new link(s) to make (check mode: none made), 1000 reused"
    cmp -s "${csv}" "${work}/links-1.csv" || fail "--check wrote the CSV"
    python3 "${checks}" pushes 1000

    distribute "${work}/k4.log" -e "@${work}/users-plus.yml" -e "distribute_csv=${csv}"
    [ "$(recap localhost "${work}/k4.log")" = 2 ] || fail "one added: changed=$(recap localhost "${work}/k4.log")"
    said "${work}/k4.log" "1 new link(s), 1000 reused"
    python3 "${checks}" same "${work}/links-1.csv" "${csv}" --except newcomer
    python3 "${checks}" csv "${csv}" 1001
    python3 "${checks}" pushes 1001

    python3 "${checks}" passwords "${csv}" "${work}/passwords-1000"
    python3 "${checks}" leaks "${work}/passwords-1000" "${work}"/k?.log
}
export -f thousand
echo "=== 1,000 people, rate limit off"
"${FAKES}/run-with" pwpush --rate-limit-per-minute 0 --rate-limit-per-second 0 -- bash -c thousand
echo "distribute_credentials: 1,000 links in one run, re-run changed=0 with every link reused, --check made nothing," \
    "the one added person got the only new link, no password in any output"

# --- some creates fail: the others are served and written, the play fails at its end, the next run serves the rest -----
partial() {
    set -euo pipefail  # bash -c does not inherit errexit: a failed check must end the test
    local csv="${work}/partial.csv"
    python3 "${checks}" users 20 "${work}/partial-users.yml"
    python3 "${checks}" fail_creates 3
    CHECKED_PLAYBOOK_LOG="${work}/p1.log" checked_playbook "${playbooks}/distribute_credentials.yml" \
        -e "@${work}/partial-users.yml" -e "distribute_csv=${csv}" > /dev/null && fail "a run with 3 failed creates passed"
    said "${work}/p1.log" "3 user(s) got no link: Could not make the link of"
    said "${work}/p1.log" "17 new link(s), 0 reused"
    python3 "${checks}" linked "${csv}" 17
    python3 "${checks}" pushes 17
    distribute "${work}/p2.log" -e "@${work}/partial-users.yml" -e "distribute_csv=${csv}"
    said "${work}/p2.log" "3 new link(s), 17 reused"
    python3 "${checks}" csv "${csv}" 20
    python3 "${checks}" pushes 20
}
export -f partial
echo "=== some creates fail"
"${FAKES}/run-with" pwpush --rate-limit-per-minute 0 --rate-limit-per-second 0 -- bash -c partial
echo "distribute_credentials: 3 failed creates fail the play at its end; the 17 others got links and CSV rows," \
    "the next run served the 3"

# --- a host group of two hosts (accounts in scratch roots) -----------------------------------------------------------
# scratch_root DIR: a root with root's entries and one account that exists already (acct_old).
scratch_root() {
    mkdir -p "$1/etc" "$1/home"
    printf 'root:x:0:0:root:/root:/bin/bash\nacct_old:x:1500:1500::/home/acct_old:/bin/sh\n' > "$1/etc/passwd"
    printf 'root:x:0:\nacct_old:x:1500:\n' > "$1/etc/group"
    printf 'root:*:19000:0:99999:7:::\nacct_old:!:19000:0:99999:7:::\n' > "$1/etc/shadow"
    printf 'root:*::\nacct_old:!::\n' > "$1/etc/gshadow"
    chmod 600 "$1/etc/shadow" "$1/etc/gshadow"
}
hosts_group() {
    set -euo pipefail  # bash -c does not inherit errexit: a failed check must end the test
    local csv="${work}/hosts.csv" root number host
    distribute "${work}/h1.log" -i "${work}/hosts.ini" -e "@${work}/accounts.yml" -e distribute_hosts=accounts \
        -e "distribute_csv=${csv}"
    for root in "${work}/root1" "${work}/root2"; do
        python3 "${checks}" shadow "${root}" "${csv}" acct_old acct_new1 acct_new2
        [ -d "${root}/home/acct_new1" ] || fail "acct_new1 was not made in ${root}"
    done
    for host in box1 box2; do
        [ "$(recap "${host}" "${work}/h1.log")" = 1 ] || fail "${host}: changed=$(recap "${host}" "${work}/h1.log") (one task for all users)"
    done
    [ "$(grep -c 'Set each new user' "${work}/h1.log")" = 1 ] || fail "not one task for the users on the hosts"
    cp "${work}/root1/etc/shadow" "${work}/shadow1-before"
    cp "${work}/root2/etc/shadow" "${work}/shadow2-before"
    # Re-run: every link reused, no password set again.
    distribute "${work}/h2.log" -i "${work}/hosts.ini" -e "@${work}/accounts.yml" -e distribute_hosts=accounts \
        -e "distribute_csv=${csv}"
    for host in localhost box1 box2; do
        [ "$(recap "${host}" "${work}/h2.log")" = 0 ] || fail "re-run: ${host} changed=$(recap "${host}" "${work}/h2.log")"
    done
    cmp -s "${work}/root1/etc/shadow" "${work}/shadow1-before" || fail "re-run: a password was set again"
    # acct_new2 lost the link (the documented recipe): only acct_new2's password changes, on both hosts.
    ansible localhost -m oneshot.secrets.pwpush_push -a "state=absent name='initial password for acct_new2'" > /dev/null 2>&1 \
        || fail "expire acct_new2's push"
    distribute "${work}/h3.log" -i "${work}/hosts.ini" -e "@${work}/accounts.yml" -e distribute_hosts=accounts \
        -e "distribute_csv=${csv}"
    for number in 1 2; do
        root="${work}/root${number}"
        python3 "${checks}" shadow "${root}" "${csv}" acct_old acct_new1 acct_new2
        [ "$(grep -v '^acct_new2:' "${root}/etc/shadow")" = "$(grep -v '^acct_new2:' "${work}/shadow${number}-before")" ] \
            || fail "${root}: a password other than acct_new2's changed"
        [ "$(grep '^acct_new2:' "${root}/etc/shadow")" != "$(grep '^acct_new2:' "${work}/shadow${number}-before")" ] \
            || fail "${root}: acct_new2's password was not set again"
    done
    # A name chpasswd would read as two fields is refused before any host is touched.
    printf '{"credential_users": ["bad:name"]}\n' > "${work}/bad.yml"
    CHECKED_PLAYBOOK_LOG="${work}/h4.log" checked_playbook -i "${work}/hosts.ini" "${playbooks}/distribute_credentials.yml" \
        -e "@${work}/bad.yml" -e distribute_hosts=accounts > /dev/null && fail "a name with a colon was accepted"
    said "${work}/h4.log" "account names may not hold a colon or white space (bad:name)"
    python3 "${checks}" passwords "${csv}" "${work}/passwords-hosts"
    python3 "${checks}" leaks "${work}/passwords-hosts" "${work}"/h?.log
}
export -f hosts_group scratch_root
if [ "$(id -u)" = 0 ] && command -v useradd chpasswd openssl > /dev/null; then
    echo "=== a host group of two hosts"
    scratch_root "${work}/root1"
    scratch_root "${work}/root2"
    real_shadow="$(sha256sum /etc/shadow /etc/passwd)"
    {
        echo "[accounts]"
        for number in 1 2; do
            echo "box${number} ansible_connection=local ansible_become=false ansible_python_interpreter=$(command -v python3)" \
                "distribute_accounts_root=${work}/root${number}"
        done
    } > "${work}/hosts.ini"
    printf '{"credential_users": ["acct_old", {"name": "acct_new1", "email": "new1@example.com"}, "acct_new2"]}\n' \
        > "${work}/accounts.yml"
    "${FAKES}/run-with" pwpush -- bash -c hosts_group
    [ "$(sha256sum /etc/shadow /etc/passwd)" = "${real_shadow}" ] || fail "this machine's own accounts were changed"
    echo "distribute_credentials: both hosts' accounts (one made) got the passwords behind the links in one task each," \
        "re-runs set none, a lost link resets that user only, this machine's accounts untouched"
else
    echo "distribute_credentials with hosts: skipped (needs root, useradd, chpasswd and openssl)"
fi

# --- onetimesecret --------------------------------------------------------------------------------------------------
ots_path() {
    set -euo pipefail  # bash -c does not inherit errexit: a failed check must end the test
    local csv="${work}/ots.csv" held
    python3 "${checks}" users 50 "${work}/ots-users.yml"
    python3 "${checks}" users 50 "${work}/ots-plus.yml" --extra newcomer
    distribute "${work}/o1.log" -e distribute_service=ots -e "@${work}/ots-users.yml" -e "distribute_csv=${csv}"
    [ "$(recap localhost "${work}/o1.log")" = 3 ] || fail "ots: first run changed=$(recap localhost "${work}/o1.log")"
    python3 "${checks}" csv "${csv}" 50
    cp "${csv}" "${work}/ots-1.csv"
    distribute "${work}/o2.log" -e distribute_service=ots -e "@${work}/ots-users.yml" -e "distribute_csv=${csv}"
    [ "$(recap localhost "${work}/o2.log")" = 0 ] || fail "ots: re-run changed=$(recap localhost "${work}/o2.log")"
    said "${work}/o2.log" "0 new link(s), 50 reused"
    distribute "${work}/o3.log" -e distribute_service=ots -e "@${work}/ots-plus.yml" -e "distribute_csv=${csv}"
    said "${work}/o3.log" "1 new link(s), 50 reused"
    python3 "${checks}" same "${work}/ots-1.csv" "${csv}" --except newcomer
    held="$(python3 -c 'import json, os, urllib.request
print(len(json.load(urllib.request.urlopen(os.environ["OTS_URL"] + "/_fake/ots/secrets"))))')"
    [ "${held}" = 51 ] || fail "ots: the server holds ${held} secrets, not 51"
    grep -qE '^person0001,person0001@example.com,https?://127\.0\.0\.1:[0-9]+/secret/' "${csv}" || fail "ots: no secret link in the CSV"
}
export -f ots_path
echo "=== onetimesecret"
"${FAKES}/run-with" ots -- bash -c ots_path
echo "distribute_credentials: onetimesecret links made once, reused from the CSV, one added person served"

# --- names a CSV or a spreadsheet would misread; a planted symbolic link as distribute_csv -----------------------------
# hostile SERVICE: one row per person in Python's csv reader, no cell a spreadsheet would evaluate, a re-run adds and
# makes nothing (with onetimesecret the CSV is how people are recognised), a link planted at the CSV path is refused
# before anything is made and its target stays as it was.
hostile() {
    set -euo pipefail  # bash -c does not inherit errexit: a failed check must end the test
    local service="$1" csv="${work}/hostile-$1.csv" count
    python3 "${checks}" hostile_users "${work}/hostile-users.yml"
    count="$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["credential_users"]))' "${work}/hostile-users.yml")"
    distribute "${work}/x1-${service}.log" -e "distribute_service=${service}" -e "@${work}/hostile-users.yml" \
        -e "distribute_csv=${csv}"
    said "${work}/x1-${service}.log" "${count} new link(s), 0 reused"
    python3 "${checks}" hostile_csv "${csv}"
    [ "$(stat -c %a "${csv}")" = 600 ] || fail "${service}: the CSV is not 0600"
    cp "${csv}" "${work}/hostile-$1-1.csv"
    distribute "${work}/x2-${service}.log" -e "distribute_service=${service}" -e "@${work}/hostile-users.yml" \
        -e "distribute_csv=${csv}"
    [ "$(recap localhost "${work}/x2-${service}.log")" = 0 ] || fail "${service}: hostile re-run changed=$(recap localhost "${work}/x2-${service}.log")"
    said "${work}/x2-${service}.log" "0 new link(s), ${count} reused"
    cmp -s "${csv}" "${work}/hostile-$1-1.csv" || fail "${service}: the re-run changed the CSV"
    printf 'not the CSV\n' > "${work}/victim-${service}"
    chmod 0644 "${work}/victim-${service}"
    ln -s "${work}/victim-${service}" "${work}/planted-${service}.csv"
    CHECKED_PLAYBOOK_LOG="${work}/x3-${service}.log" checked_playbook "${playbooks}/distribute_credentials.yml" \
        -e "distribute_service=${service}" -e "@${work}/hostile-users.yml" -e "distribute_csv=${work}/planted-${service}.csv" \
        > /dev/null && fail "${service}: a symbolic link as distribute_csv was written through"
    said "${work}/x3-${service}.log" "distribute_csv=${work}/planted-${service}.csv: it is a symbolic link (to ${work}/victim-${service})"
    [ "$(cat "${work}/victim-${service}")" = "not the CSV" ] || fail "${service}: the link's target was written"
    [ "$(stat -c %a "${work}/victim-${service}")" = 644 ] || fail "${service}: the link's target changed mode"
    [ -L "${work}/planted-${service}.csv" ] || fail "${service}: the link was replaced"
    if [ "${service}" = pwpush ]; then python3 "${checks}" pushes "${count}"; else python3 "${checks}" ots_secrets "${count}"; fi
}
export -f hostile
for service in pwpush ots; do
    echo "=== hostile names and a planted symbolic link (${service})"
    "${FAKES}/run-with" "${service}" -- bash -c "hostile ${service}"
done
echo "distribute_credentials: names with commas, quotes, line breaks and formulas are one row each, none evaluated," \
    "a re-run adds nothing; a symbolic link as distribute_csv is refused before any link is made, its target untouched"

# --- 300 people against the server's default rate limit (120 a minute, 60 a second per address) --------------------
limited() {
    set -euo pipefail  # bash -c does not inherit errexit: a failed check must end the test
    local csv="${work}/limited.csv"
    python3 "${checks}" users 300 "${work}/limited-users.yml"
    distribute "${work}/r1.log" -e "@${work}/limited-users.yml" -e "distribute_csv=${csv}"
    said "${work}/r1.log" "300 new link(s), 0 reused"
    grep -qE '[1-9][0-9]* request\(s\) paced' "${work}/r1.log" || fail "the run past the limit says nothing was paced"
    # It says so as it goes: a line every few seconds while the links are made.
    grep -qE "^credential_links: [0-9]+ of 300 new links made, 0 reused, .*(waiting [0-9]+ (s|min) for the server's rate limit|about [0-9]+ (s|min) left)" \
        "${work}/r1.log" || fail "the run past the limit printed no progress line"
    python3 "${checks}" csv "${csv}" 300
    python3 "${checks}" pushes 300
    # The reads count against the same limit: 40 of the passwords are enough to look for.
    python3 "${checks}" passwords "${csv}" "${work}/passwords-limited" 40
    python3 "${checks}" leaks "${work}/passwords-limited" "${work}/r1.log"
}
export -f limited
echo "=== 300 people at the default rate limit"
"${FAKES}/run-with" pwpush -- bash -c limited
echo "distribute_credentials: 300 people past the default rate limit, zero failures, no duplicate link, paced"
source ./interrupted.sh
echo "distribute_credentials: ${SECONDS} s in all"
