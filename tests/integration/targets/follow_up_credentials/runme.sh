#!/usr/bin/env bash
# follow_up_credentials.yml and credential_links_info against the fakes: four users of distribute_credentials (one
# opened, one expired by its owner, two waiting), the report (table and CSV), --check of expire and resend changing
# nothing, expire, then resend (old links dead, new links open to the new passwords set on two hosts' scratch
# roots when this runs as root); onetimesecret with an account. Every play through the -vvvv leak check, and no
# generated password in any output.
source ../setup_fakes/lib.sh
set -o pipefail
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
playbooks="${COLLECTION_ROOT}/playbooks"
checks="${PWD}/checks.py"
fail() { echo "FAILED: $*"; exit 1; }
pb() {
    local log="$1"
    shift
    CHECKED_PLAYBOOK_LOG="${log}" checked_playbook "$@" > /dev/null || { tail -40 "${log}"; fail "ansible-playbook $*"; }
}
said() { grep -qF -- "$2" "$1" || fail "$(basename "$1"): the play did not say '$2'"; }
export -f fail pb said
export work playbooks checks

scratch_root() {
    mkdir -p "$1/etc" "$1/home"
    printf 'root:x:0:0:root:/root:/bin/bash\n' > "$1/etc/passwd"
    printf 'root:x:0:\n' > "$1/etc/group"
    printf 'root:*:19000:0:99999:7:::\n' > "$1/etc/shadow"
    printf 'root:*::\n' > "$1/etc/gshadow"
    chmod 600 "$1/etc/shadow" "$1/etc/gshadow"
}
hosts=()
if [ "$(id -u)" = 0 ] && command -v useradd chpasswd openssl > /dev/null; then
    scratch_root "${work}/root1"
    scratch_root "${work}/root2"
    {
        echo "[accounts]"
        for number in 1 2; do
            echo "box${number} ansible_connection=local ansible_become=false ansible_python_interpreter=$(command -v python3)" \
                "distribute_accounts_root=${work}/root${number}"
        done
    } > "${work}/hosts.ini"
    hosts=(-i "${work}/hosts.ini" -e distribute_hosts=accounts)
else
    echo "follow_up_credentials: no hosts (needs root, useradd, chpasswd and openssl); the links are checked alone"
fi
export hosts_args="${hosts[*]}"

pwpush_path() {
    set -euo pipefail  # bash -c does not inherit errexit
    local csv="${work}/links.csv" rem="${work}/reminder.csv" root
    read -r -a hosts <<< "${hosts_args}"
    printf '{"credential_users": ["ann", {"name": "bob", "email": "bob@example.com"}, "cid", "dan"]}\n' > "${work}/users.yml"
    pb "${work}/d1.log" "${hosts[@]}" "${playbooks}/distribute_credentials.yml" -e "@${work}/users.yml" -e "distribute_csv=${csv}"
    python3 "${checks}" passwords "${csv}" "${work}/passwords"
    python3 "${checks}" open "${csv}" ann
    python3 "${checks}" expire "${csv}" dan
    follow() { pb "$@" "${hosts[@]}" -e "distribute_csv=${csv}" -e "followup_csv=${rem}"; }

    follow "${work}/f1.log" "${playbooks}/follow_up_credentials.yml"
    said "${work}/f1.log" "1 opened, 2 waiting unopened, 1 expired unopened, 0 unknown, 0 without a link."
    said "${work}/f1.log" "bob  unopened  http"
    python3 "${checks}" report "${rem}" ann=True/True bob=False/False cid=False/False dan=False/True
    [ "$(stat -c %a "${rem}")" = 600 ] || fail "the follow-up CSV is not 0600"
    python3 "${checks}" active "${csv}" bob cid
    cp "${csv}" "${work}/links-1.csv"
    cp "${rem}" "${work}/reminder-1.csv"
    [ -z "${hosts_args}" ] || cp "${work}/root1/etc/shadow" "${work}/shadow-1"

    for action in expire resend; do
        follow "${work}/c-${action}.log" --check "${playbooks}/follow_up_credentials.yml" -e "followup_action=${action}"
        said "${work}/c-${action}.log" "check mode, nothing changed: would expire 2 link(s) (bob, cid)"
        python3 "${checks}" active "${csv}" bob cid
        cmp -s "${csv}" "${work}/links-1.csv" || fail "--check ${action} wrote distribute_csv"
        cmp -s "${rem}" "${work}/reminder-1.csv" || fail "--check ${action} wrote followup_csv"
        [ -z "${hosts_args}" ] || cmp -s "${work}/root1/etc/shadow" "${work}/shadow-1" || fail "--check ${action} set a password"
    done
    said "${work}/c-resend.log" "would give 3 user(s) a new password and link (bob, cid, dan)"

    follow "${work}/f2.log" "${playbooks}/follow_up_credentials.yml" -e followup_action=expire
    python3 "${checks}" active "${csv}"
    python3 "${checks}" report "${rem}" ann=True/True bob=False/True cid=False/True dan=False/True
    cmp -s "${csv}" "${work}/links-1.csv" || fail "expire wrote distribute_csv"

    # A person given as credential_users would be served whatever the follow-up says: refused.
    CHECKED_PLAYBOOK_LOG="${work}/f3.log" checked_playbook "${playbooks}/follow_up_credentials.yml" \
        -e "distribute_csv=${csv}" -e followup_action=resend -e "@${work}/users.yml" > /dev/null \
        && fail "resend with credential_users was accepted"
    said "${work}/f3.log" "credential_users is set"

    follow "${work}/f4.log" "${playbooks}/follow_up_credentials.yml" -e followup_action=resend
    said "${work}/f4.log" "3 new link(s), 0 reused"
    python3 "${checks}" changed "${work}/links-1.csv" "${csv}" bob cid dan
    python3 "${checks}" active "${csv}" bob cid dan
    python3 "${checks}" report "${rem}" ann=True/True bob=False/False cid=False/False dan=False/False
    grep -q '^bob,bob@example.com,' "${csv}" || fail "bob's email was lost"
    python3 "${checks}" passwords "${csv}" "${work}/passwords"
    python3 "${checks}" leaks "${work}/passwords" "${work}"/*.log
    if [ -n "${hosts_args}" ]; then
        for root in "${work}/root1" "${work}/root2"; do
            python3 "${checks}" shadow "${root}" "${csv}" bob
        done
        [ "$(grep '^ann:' "${work}/root1/etc/shadow")" = "$(grep '^ann:' "${work}/shadow-1")" ] \
            || fail "ann opened her link, yet her password changed"
    fi
    python3 "${checks}" open "${csv}" bob
}
export -f pwpush_path
echo "=== Password Pusher: report, --check, expire, resend"
"${FAKES}/run-with" pwpush --rate-limit-per-minute 0 --rate-limit-per-second 0 -- bash -c pwpush_path
echo "follow_up_credentials: opened/unopened/expired reported, --check changed nothing, expire killed the waiting" \
    "links, resend gave the unopened new passwords (on the hosts) and new links, the old ones dead"

ots_path() {
    set -euo pipefail
    local csv="${work}/ots.csv" rem="${work}/ots-reminder.csv"
    printf '{"credential_users": ["ann", "bob", "cid"]}\n' > "${work}/ots-users.yml"
    pb "${work}/o1.log" "${playbooks}/distribute_credentials.yml" -e distribute_service=ots -e "@${work}/ots-users.yml" \
        -e "distribute_csv=${csv}"
    python3 "${checks}" ots_reveal "${csv}" ann
    pb "${work}/o2.log" "${playbooks}/follow_up_credentials.yml" -e distribute_service=ots -e "distribute_csv=${csv}" \
        -e "followup_csv=${rem}" -e followup_action=expire
    # A read secret leaves no key in the account's list: onetimesecret cannot tell it from a burned one.
    said "${work}/o2.log" "0 opened, 2 waiting unopened, 0 expired unopened, 1 unknown"
    said "${work}/o2.log" "ann  unknown (not among the account's recent receipts"
    python3 "${checks}" ots_states received burned burned


}
export -f ots_path
echo "=== onetimesecret: report and expire with an account"
"${FAKES}/run-with" ots -- bash -c ots_path
echo "follow_up_credentials (ots): the waiting secrets found in the account's receipts and burned; a read one unknown"
