# shellcheck shell=bash
# shellcheck disable=SC2154  # work, playbooks and the helpers come from runme.sh
# ci_handoff.yml: paths, private files, receive checks, failure reasons, lifetimes, JSON types, passphrases,
# symbolic links never written through.
# Sourced by runme.sh (which defines pb, fail, work, playbooks); every function runs inside run-with pwpush.

# fake_push TOKEN FIELD: a field of the push TOKEN as the Password Pusher test server holds it.
fake_push() {
    python3 - "$1" "$2" <<'PY'
import json, os, sys, urllib.request
pushes = json.load(urllib.request.urlopen(os.environ["PWPUSH_URL"] + "/_fake/pwpush/pushes"))
push = [p for p in pushes if p["url_token"] == sys.argv[1]]
print(json.dumps(push[0][sys.argv[2]]) if push else "no-such-push")
PY
}
# token_of LINK: the push token in a link.
token_of() { sed -E 's#.*/p/([^/]+).*#\1#' <<< "$1"; }
# handoff_push SECRET LOG [ARGS...]: push SECRET from $HANDOFF_SECRET, print the link (from the JSON link file).
handoff_push() {
    local secret="$1" log="$2"
    shift 2
    HANDOFF_SECRET="${secret}" pb "${log}" "${playbooks}/ci_handoff.yml" -e output=json \
        -e "handoff_output_file=${work}/push-link.json" "$@" || { cat "${log}"; fail "handoff push (${log})"; }
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "${work}/push-link.json"
}
# receive LOG LINK DEST [ARGS...]: a receive by someone else (no owner token), from the directory elsewhere/.
receive() {
    local log="$1" link="$2" dest="$3"
    shift 3
    (cd "${work}/elsewhere" && PWPUSH_TOKEN="" pb "${log}" "${playbooks}/ci_handoff.yml" -e handoff_mode=receive \
        -e "handoff_link=${link}" -e "handoff_dest=${dest}" "$@")
}

# Items 1 and 3: relative paths and paths in the collection are refused, --check and a missing directory do not
# use the link; the link then still works once.
handoff_paths_and_checks() {
    local secret="paths-secret-$$" link token
    mkdir -p "${work}/elsewhere"
    link="$(handoff_push "${secret}" "${work}/hp-push.log")"
    token="$(token_of "${link}")"
    receive "${work}/hp-relative.log" "${link}" ./secret && fail "a relative handoff_dest was accepted"
    grep -q 'handoff_dest=./secret: give an absolute path' "${work}/hp-relative.log" || fail "no message for a relative handoff_dest"
    receive "${work}/hp-inside.log" "${link}" "${COLLECTION_ROOT}/playbooks/secret" && fail "a handoff_dest in the collection was accepted"
    grep -q 'that is inside the collection' "${work}/hp-inside.log" || fail "no message for a handoff_dest in the collection"
    receive "${work}/hp-check.log" "${link}" "${work}/elsewhere/secret" --check || { cat "${work}/hp-check.log"; fail "receive --check"; }
    grep -q 'Check mode - would read the link' "${work}/hp-check.log" || fail "--check did not say what it would do"
    receive "${work}/hp-nodir.log" "${link}" "${work}/elsewhere/no-such-dir/secret" && fail "a missing directory was accepted"
    grep -q 'no-such-dir does not exist. The link was not used.' "${work}/hp-nodir.log" || fail "no message for a missing directory"
    [ "$(fake_push "${token}" view_count)" = 0 ] || fail "the link was used by a refused, checked or impossible receive"
    [ ! -e "${work}/elsewhere/secret" ] || fail "--check wrote a file"
    receive "${work}/hp-receive.log" "${link}" "${work}/elsewhere/secret" || { cat "${work}/hp-receive.log"; fail "receive after the checks"; }
    [ "$(cat "${work}/elsewhere/secret")" = "${secret}" ] || fail "received something else"
    for f in "${COLLECTION_ROOT}/playbooks/secret" "${COLLECTION_ROOT}/playbooks/elsewhere/secret" "${COLLECTION_ROOT}/secret"; do
        [ ! -e "${f}" ] || fail "a secret was written inside the collection: ${f}"
    done
    echo "${secret}" > "${work}/planted-secret-value"
}

# Item 4: a failed receive says why, without the secret or the passphrase.
handoff_failures() {
    local link
    link="$(HANDOFF_PASSPHRASE="${HANDOFF_TEST_PASSPHRASE}" handoff_push "failure-secret-$$" "${work}/hf-push.log")"
    HANDOFF_PASSPHRASE="wrong-${HANDOFF_TEST_PASSPHRASE}" receive "${work}/hf-wrong.log" "${link}" "${work}/elsewhere/f1" \
        && fail "a wrong passphrase was accepted"
    grep -q 'Could not receive .*: Could not retrieve the push: wrong or missing passphrase' "${work}/hf-wrong.log" \
        || { grep -E 'fatal|FAILED' "${work}/hf-wrong.log"; fail "a wrong passphrase was not named"; }
    HANDOFF_PASSPHRASE="${HANDOFF_TEST_PASSPHRASE}" receive "${work}/hf-ok.log" "${link}" "${work}/elsewhere/f2" \
        || { cat "${work}/hf-ok.log"; fail "receive with the passphrase from the environment"; }
    receive "${work}/hf-nophrase.log" "${link}" "${work}/elsewhere/f3" -e "handoff_passphrase_file=${work}/no-phrase" \
        && fail "a missing handoff_passphrase_file was accepted"
    grep -qF "handoff_passphrase_file=${work}/no-phrase: no such file." "${work}/hf-nophrase.log" \
        || fail "a missing handoff_passphrase_file was not named"
    printf '%s' "${HANDOFF_TEST_PASSPHRASE}" > "${work}/phrase"
    receive "${work}/hf-used.log" "${link}" "${work}/elsewhere/f3" -e "handoff_passphrase_file=${work}/phrase" \
        && fail "a used-up link worked twice"
    grep -q 'Could not receive .*: the push has expired (used up, expired or deleted)' "${work}/hf-used.log" \
        || { grep -E 'fatal|FAILED' "${work}/hf-used.log"; fail "a used-up link was not named"; }
    receive "${work}/hf-missing.log" "${PWPUSH_URL}/p/nosuchpushtoken42/r" "${work}/elsewhere/f4" && fail "a missing push was received"
    grep -q 'Could not receive .*: Could not retrieve the push: push not found' "${work}/hf-missing.log" \
        || { grep -E 'fatal|FAILED' "${work}/hf-missing.log"; fail "a missing push was not named"; }
    [ ! -s "${work}/elsewhere/f3" ] || fail "a failed receive left a file with content"
    # The reason is the only failure shown: no censored "fatal" of the no_log read before it.
    for log in "${work}"/hf-wrong.log "${work}"/hf-nophrase.log "${work}"/hf-used.log "${work}"/hf-missing.log; do
        [ "$(grep -cE '^(fatal|failed):' "${log}")" = 1 ] || { grep -E '^(fatal|failed)' "${log}"; fail "not one failure in ${log}"; }
        if grep -A1 -E '^(fatal|failed):' "${log}" | grep -q 'censored'; then fail "the failure in ${log} is censored"; fi
    done
    if grep -q 'failure-secret-' "${work}"/hf-*.log; then fail "a failed receive printed the secret"; fi
}

# Issue 26 item 8: a receive spends a view even when the receiving job holds the pusher's own PWPUSH_TOKEN (the
# owner's read would count none, and the link would stay usable though the guide says receiving uses it up).
handoff_owner_receives() {
    local link
    link="$(handoff_push "owner-secret-$$" "${work}/ho-push.log")"
    (cd "${work}/elsewhere" && pb "${work}/ho-receive.log" "${playbooks}/ci_handoff.yml" -e handoff_mode=receive \
        -e "handoff_link=${link}" -e "handoff_dest=${work}/elsewhere/o1") || { cat "${work}/ho-receive.log"; fail "owner receive"; }
    [ -n "${PWPUSH_TOKEN}" ] || fail "the owner's receive ran without the owner's token"
    [ "$(cat "${work}/elsewhere/o1")" = "owner-secret-$$" ] || fail "the owner received something else"
    [ "$(fake_push "$(token_of "${link}")" view_count)" = 1 ] || fail "a receive with the owner's token counted no view"
}

# Issue 29: a wrong variable is named with its value, not hidden in a list of every rule.
handoff_wrong_variables() {
    HANDOFF_SECRET="x-secret-$$" pb "${work}/hv-service.log" "${playbooks}/ci_handoff.yml" -e handoff_service=pwpushh \
        && fail "handoff_service=pwpushh was accepted"
    grep -q '"msg": "handoff_service=pwpushh: choose pwpush or ots."' "${work}/hv-service.log" \
        || { grep '^fatal' "${work}/hv-service.log"; fail "handoff_service=pwpushh was not named alone"; }
    pb "${work}/hv-receive.log" "${playbooks}/ci_handoff.yml" -e handoff_mode=receive -e handoff_views=two \
        && fail "a receive without a link was accepted"
    grep -q '"msg": "handoff_mode=receive needs handoff_link (the link to read); handoff_mode=receive needs handoff_dest (the file to create); handoff_views=two: give a whole number, 1 or more."' \
        "${work}/hv-receive.log" || { grep '^fatal' "${work}/hv-receive.log"; fail "the wrong receive variables were not named"; }
}

# Issue 14 item 5: the passphrase from a file and from the environment, never in the -vvvv output.
handoff_passphrase_sources() {
    local link
    printf '%s' "${HANDOFF_TEST_PASSPHRASE}" > "${work}/phrase"
    link="$(handoff_push "phrase-secret-$$" "${work}/hs-push.log" -e "handoff_passphrase_file=${work}/phrase")"
    [ "$(fake_push "$(token_of "${link}")" has_passphrase)" = true ] || fail "the passphrase file was not used"
    HANDOFF_PASSPHRASE="${HANDOFF_TEST_PASSPHRASE}" receive "${work}/hs-env.log" "${link}" "${work}/elsewhere/p1" \
        || { cat "${work}/hs-env.log"; fail "receive with HANDOFF_PASSPHRASE"; }
    [ "$(cat "${work}/elsewhere/p1")" = "phrase-secret-$$" ] || fail "received something else with the passphrase"
}

# Item 5: lifetimes each edition honours, never longer than asked.
handoff_lifetimes() {
    local mode="$1" hours expected link
    for pair in ${2}; do
        hours="${pair%%=*}" expected="${pair#*=}"
        link="$(handoff_push "ttl-secret-$$" "${work}/ht-${mode}-${hours}.log" -e "handoff_ttl_hours=${hours}")"
        [ "$(fake_push "$(token_of "${link}")" "$3")" = "${expected}" ] \
            || fail "${mode}: handoff_ttl_hours=${hours} gave $3=$(fake_push "$(token_of "${link}")" "$3"), not ${expected}"
        grep -q "Links expire after" "${work}/ht-${mode}-${hours}.log" || fail "${mode}: the lifetime was not said"
    done
}
handoff_lifetime_refused() {
    HANDOFF_SECRET="x-secret-$$" pb "${work}/ht-refused.log" "${playbooks}/ci_handoff.yml" -e handoff_ttl_hours=1 \
        && fail "oss: handoff_ttl_hours=1 was accepted"
    grep -q 'handoff_ttl_hours=1 is shorter than anything this Password Pusher server offers.*whole days, 1 to 90' \
        "${work}/ht-refused.log" || fail "oss: the refusal does not give the choices"
}

# Issue 26: a symbolic link planted where a file is written is refused before the link is made or used, naming the
# path; the link and its target stay as they were. private_file.yml itself refuses one too.
handoff_symlinks() {
    local link before victim="${work}/victim" planted="${work}/elsewhere/planted"
    mkdir -p "${work}/elsewhere"
    printf 'not yours\n' > "${victim}"
    chmod 0644 "${victim}"
    ln -sfn "${victim}" "${planted}"
    before="$(pushes_held)"
    HANDOFF_SECRET="symlink-secret-$$" pb "${work}/hl-output.log" "${playbooks}/ci_handoff.yml" \
        -e "handoff_output_file=${planted}" && fail "a symbolic link as handoff_output_file was written through"
    grep -qF "handoff_output_file=${planted}: it is a symbolic link (to ${victim})" "${work}/hl-output.log" \
        || fail "no message for a symbolic link as handoff_output_file"
    [ "$(pushes_held)" = "${before}" ] || fail "a push was made before the handoff_output_file was refused"
    link_unchanged handoff_output_file "${planted}" "${victim}"
    link="$(handoff_push "symlink-secret-$$" "${work}/hl-push.log")"
    receive "${work}/hl-dest.log" "${link}" "${planted}" && fail "a symbolic link as handoff_dest was written through"
    grep -qF "handoff_dest=${planted}: it is a symbolic link (to ${victim})" "${work}/hl-dest.log" \
        || fail "no message for a symbolic link as handoff_dest"
    grep -qF "The link was not used." "${work}/hl-dest.log" || fail "the handoff_dest refusal does not say the link is unused"
    [ "$(fake_push "$(token_of "${link}")" view_count)" = 0 ] || fail "the link was used for a refused handoff_dest"
    link_unchanged handoff_dest "${planted}" "${victim}"
    # The task file every playbook writes through, on its own.
    printf -- '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ansible.builtin.include_tasks: %s\n' \
        "${playbooks}/tasks/private_file.yml" > "${work}/private-file.yml"
    pb "${work}/hl-private.log" "${work}/private-file.yml" -e "private_file_path=${planted}" \
        -e private_file_content=written -e private_file_option=some_file && fail "private_file.yml wrote through a symbolic link"
    grep -qF "some_file=${planted}: it is a symbolic link (to ${victim})" "${work}/hl-private.log" \
        || fail "no message from private_file.yml for a symbolic link"
    link_unchanged private_file.yml "${planted}" "${victim}"
    pb "${work}/hl-private-ok.log" "${work}/private-file.yml" -e "private_file_path=${work}/elsewhere/regular" \
        -e private_file_content=written || { cat "${work}/hl-private-ok.log"; fail "private_file.yml on a new file"; }
    { [ "$(cat "${work}/elsewhere/regular")" = written ] && [ "$(stat -c %a "${work}/elsewhere/regular")" = 600 ]; } \
        || fail "private_file.yml did not write a 0600 file"
}
# link_unchanged WHAT LINK TARGET: LINK is still a symbolic link, TARGET holds "not yours" with mode 0644.
link_unchanged() {
    { [ -L "$2" ] && [ "$(cat "$3")" = "not yours" ] && [ "$(stat -c %a "$3")" = 644 ]; } \
        || fail "$1: the symbolic link or its target was changed"
}
# pushes_held: how many pushes the Password Pusher test server holds.
pushes_held() {
    python3 -c 'import json, os, urllib.request
print(len(json.load(urllib.request.urlopen(os.environ["PWPUSH_URL"] + "/_fake/pwpush/pushes"))))'
}

# Item 2: the secret file and the link file are never readable by another user, even while they are written.
handoff_race() {
    local race i link
    race="$(mktemp -d /tmp/handoff-race.XXXXXX)"
    chmod 0755 "${race}"
    # The reader runs as nobody with the system Python (a venv under /root is out of its reach).
    (cd / && setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups /usr/bin/python3 - "${race}") \
        > "${work}/race-reader.out" <<'PY' &
import os, sys, time
race = sys.argv[1]
names = ["secret-%d" % i for i in range(6)] + ["link-%d.json" % i for i in range(6)]
deadline = time.time() + 240
while not os.path.exists(os.path.join(race, "stop")) and time.time() < deadline:
    for name in names:
        try:
            with open(os.path.join(race, name)) as handle:
                data = handle.read()
        except OSError:
            continue
        if data:
            print("READ %s" % name, flush=True)
PY
    local reader=$!
    for i in 0 1 2 3 4 5; do
        HANDOFF_SECRET="race-secret-$$-${i}" pb "${work}/race-push-${i}.log" "${playbooks}/ci_handoff.yml" \
            -e "handoff_output_file=${race}/link-${i}.json" || { kill "${reader}"; fail "race push ${i}"; }
        link="$(cat "${race}/link-${i}.json")"
        PWPUSH_TOKEN="" pb "${work}/race-receive-${i}.log" "${playbooks}/ci_handoff.yml" -e handoff_mode=receive \
            -e "handoff_link=${link}" -e "handoff_dest=${race}/secret-${i}" || { kill "${reader}"; fail "race receive ${i}"; }
        { [ "$(stat -c %a "${race}/secret-${i}")" = 600 ] && [ "$(stat -c %a "${race}/link-${i}.json")" = 600 ]; } \
            || fail "race ${i}: a file is not 0600"
    done
    touch "${race}/stop"
    wait "${reader}"
    rm -rf "${race}"
    if [ -s "${work}/race-reader.out" ]; then cat "${work}/race-reader.out"; fail "another user read a secret or link file"; fi
}

# Item 11: the JSON output has the same types on the newest ansible-core and on 2.17 (system Python 3.11).
handoff_json_types() {
    local bin log
    for bin in "$(dirname "$(command -v ansible-playbook)")" "${ANSIBLE_217_BIN}"; do
        log="${work}/json-$(basename "$(dirname "${bin}")").log"
        # ansible-test puts its own ansible on PYTHONPATH: the other ansible-core must not see it.
        (if [ "${bin}" = "${ANSIBLE_217_BIN}" ]; then unset PYTHONPATH; fi
         HANDOFF_SECRET="json-secret-$$" PATH="${bin}:${PATH}" pb "${log}" "${playbooks}/ci_handoff.yml" -e output=json \
            -e "handoff_output_file=${work}/types.json" -e handoff_views=2) || { cat "${log}"; fail "json output with ${bin}"; }
        grep -m1 -o 'ansible-playbook \[core [0-9.]*\]' "${log}"
        python3 - "${work}/types.json" "${log}" <<'PY' || fail "json types with ${bin}"
import json, re, sys
written = json.load(open(sys.argv[1]))
log = open(sys.argv[2]).read()
assert '"msg": "{' not in log, "the JSON was printed as an escaped string"
shown = log[log.index("TASK [Print only the link]"):]
printed = json.JSONDecoder().raw_decode(shown, shown.index('"msg": {') + len('"msg": '))[0]
for result in (written, printed):
    types = {key: type(value).__name__ for key, value in result.items()}
    assert types == {"url": "str", "service": "str", "expires_after_views": "int"}, types
    assert result["expires_after_views"] == 2, result
PY
    done
}
export -f fake_push token_of handoff_push receive handoff_paths_and_checks handoff_failures handoff_passphrase_sources \
    handoff_lifetimes handoff_lifetime_refused handoff_race handoff_json_types handoff_symlinks link_unchanged pushes_held \
    handoff_owner_receives handoff_wrong_variables
