#!/usr/bin/env bash
# shellcheck disable=SC2154  # work, checks and playbooks are runme.sh's
# Sourced by runme.sh: distribute_credentials after interruptions and in a busy account (issue 26). After every
# interrupted run and the re-run that follows, each person holds exactly one active link and its password is the
# one set on every host (checked by hash); no password appears in any output.

# --- hosts that fail, creates that fail or whose answer is lost, runs killed: each re-run converges -------------------
# hosts_ini FILE BOX2...: box1 local on root1, box2 as given (its inventory line's variables).
hosts_ini() {
    local file="$1"
    shift
    {
        echo "[accounts]"
        echo "box1 ansible_connection=local ansible_become=false ansible_python_interpreter=$(command -v python3)" \
            "distribute_accounts_root=${work}/croot1"
        echo "box2 ansible_python_interpreter=$(command -v python3) $*"
    } > "${file}"
}
# converged LOG: every person has one active link whose password both hosts have, and nothing leaked into LOG.
converged() {
    local root
    python3 "${checks}" served "initial password for acct_" 3
    python3 "${checks}" linked "${work}/converge.csv" 3
    for root in "${work}/croot1" "${work}/croot2"; do
        python3 "${checks}" shadow "${root}" "${work}/converge.csv" acct_a acct_b acct_c
    done
}
# interrupted NAME ARGS...: a run that must fail (made to fail by ARGS or by what was set up before it).
interrupted() {
    local name="$1"
    shift
    CHECKED_PLAYBOOK_LOG="${work}/${name}.log" checked_playbook "${playbooks}/distribute_credentials.yml" \
        -i "${work}/converge.ini" -e "@${work}/converge-users.yml" -e distribute_hosts=accounts \
        -e "distribute_csv=${work}/converge.csv" "$@" > /dev/null && fail "${name}: the interrupted run passed"
    return 0
}
rerun() {
    local name="$1"
    hosts_ini "${work}/converge.ini" "ansible_connection=local ansible_become=false distribute_accounts_root=${work}/croot2"
    distribute "${work}/${name}.log" -i "${work}/converge.ini" -e "@${work}/converge-users.yml" \
        -e distribute_hosts=accounts -e "distribute_csv=${work}/converge.csv"
    converged
}
converge() {
    set -euo pipefail  # bash -c does not inherit errexit: a failed check must end the test
    local delay round
    printf '{"credential_users": ["acct_a", "acct_b", "acct_c"]}\n' > "${work}/converge-users.yml"
    # An unreachable host: no link is made at all; box1's new passwords are replaced by the re-run's.
    hosts_ini "${work}/converge.ini" "ansible_connection=ssh ansible_host=127.0.0.1 ansible_port=1"
    interrupted c1
    said "${work}/c1.log" "box2: the new passwords were not set there (see above), so no link was made"
    python3 "${checks}" served "initial password for acct_" 0
    rerun c2
    # chpasswd failing on one host (its accounts root does not exist) after acct_c lost its link.
    ansible localhost -m oneshot.secrets.pwpush_push -a "state=absent name='initial password for acct_c'" > /dev/null 2>&1 \
        || fail "expire acct_c's push"
    hosts_ini "${work}/converge.ini" "ansible_connection=local ansible_become=false distribute_accounts_root=${work}/missing"
    interrupted c3
    python3 "${checks}" served "initial password for acct_" 2
    rerun c4
    # A create answered 500 (nothing stored), and one stored whose answer never arrived.
    for round in fail_creates drop_create; do
        ansible localhost -m oneshot.secrets.pwpush_push -a "state=absent name='initial password for acct_b'" \
            > /dev/null 2>&1 || fail "expire acct_b's push"
        if [ "${round}" = fail_creates ]; then python3 "${checks}" fail_creates 1; else python3 "${checks}" drop_create; fi
        interrupted "c5-${round}"
        said "${work}/c5-${round}.log" "1 user(s) got no link"
        rerun "c6-${round}"
    done
    # Killed at three random points of a run (kill -9 of the whole run); each time the next run converges.
    for delay in "$((RANDOM % 4 + 2)).$((RANDOM % 10))" "$((RANDOM % 4 + 6)).$((RANDOM % 10))" "$((RANDOM % 6 + 10))"; do
        echo "    killed after ${delay} s"
        ansible localhost -m oneshot.secrets.pwpush_push -a "state=absent name='initial password for acct_a'" \
            > /dev/null 2>&1 || fail "expire acct_a's push"
        setsid ansible-playbook "${playbooks}/distribute_credentials.yml" -i "${work}/converge.ini" \
            -e "@${work}/converge-users.yml" -e distribute_hosts=accounts -e "distribute_csv=${work}/converge.csv" \
            > "${work}/killed-${delay}.log" 2>&1 &
        sleep "${delay}"
        kill -9 -- "-$!" 2> /dev/null || true
        wait "$!" 2> /dev/null || true
        rerun "c7-${delay}"
    done
    python3 "${checks}" passwords "${work}/converge.csv" "${work}/passwords-converge"
    python3 "${checks}" leaks "${work}/passwords-converge" "${work}"/c?*.log
}
export -f hosts_ini converged interrupted rerun converge
if [ "$(id -u)" = 0 ] && command -v useradd chpasswd openssl > /dev/null; then
    echo "=== interruptions: a host unreachable or failing, a create failed or its answer lost, a run killed"
    scratch_root "${work}/croot1"
    scratch_root "${work}/croot2"
    "${FAKES}/run-with" pwpush --rate-limit-per-minute 0 --rate-limit-per-second 0 -- bash -c converge
    echo "distribute_credentials: after each interruption the re-run leaves one active link a person, its password" \
        "set on both hosts"
else
    echo "distribute_credentials interruptions: skipped (needs root, useradd, chpasswd and openssl)"
fi

# --- a busy account: past the 10,000 active pushes the server lists ------------------------------------------------
busy() {
    set -euo pipefail  # bash -c does not inherit errexit: a failed check must end the test
    local csv="${work}/busy.csv"
    python3 "${checks}" users 40 "${work}/busy-users.yml"
    distribute "${work}/b1.log" -e "@${work}/busy-users.yml" -e "distribute_csv=${csv}"
    cp "${csv}" "${work}/busy-1.csv"
    python3 "${checks}" flood 10050
    # The earlier CSV is the record: each link is checked (the owner's reads) and reused. Its audit log alone tells
    # (no view, made by credential_links, the CSV's expires ahead): one read a person, no read of the push.
    python3 "${checks}" counts "${work}/b2-counts.json"
    distribute "${work}/b2.log" -e "@${work}/busy-users.yml" -e "distribute_csv=${csv}"
    said "${work}/b2.log" "0 new link(s), 40 reused"
    python3 "${checks}" reads "${work}/b2-counts.json" 40 0
    python3 "${checks}" same "${work}/busy-1.csv" "${csv}"
    python3 "${checks}" served "initial password for person" 40
    # Without it nobody can tell who holds a link: the run stops before anything is made.
    CHECKED_PLAYBOOK_LOG="${work}/b3.log" checked_playbook "${playbooks}/distribute_credentials.yml" \
        -e "@${work}/busy-users.yml" > /dev/null && fail "busy account without the CSV: the run passed"
    said "${work}/b3.log" "and the server lists no further (the account has more), so they may already have one."
    python3 "${checks}" served "initial password for person" 40
}
export -f busy
echo "=== a busy account (10,050 other active pushes)"
"${FAKES}/run-with" pwpush --rate-limit-per-minute 0 --rate-limit-per-second 0 -- bash -c busy
echo "distribute_credentials: past the 10,000 pushes the server lists, the CSV's links are checked and reused;" \
    "without it the run stops before making anything"
