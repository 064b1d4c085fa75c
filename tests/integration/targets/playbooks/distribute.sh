# shellcheck shell=bash
# shellcheck disable=SC2154  # work, playbooks and the helpers come from runme.sh
# distribute_credentials.yml and report_stolen_credentials.yml: paths, lifetimes, lost links, truthful changed.
# Sourced by runme.sh (which defines pb, fail, recap_changed, work, playbooks, fake_push, token_of).

# csv_link USER CSV: the user's link in the CSV.
csv_link() { grep "^$1," "$2" | cut -d, -f3; }

# Items 1, 5, 6, 10: from another directory; relative and in-collection CSV paths refused; a first run changes
# only what it creates; the lost-link recipe of docs/distributing-credentials.md, run as written, gives bob a
# new link (the CSV's expired link is not reused).
distribute_paths_and_lost_link() {
    local csv="${work}/elsewhere/links.csv" old new recipe
    mkdir -p "${work}/elsewhere"
    cd "${work}/elsewhere" || fail "cd"
    pb "${work}/dl-relative.log" "${playbooks}/distribute_credentials.yml" -e distribute_csv=links.csv \
        && fail "a relative distribute_csv was accepted"
    grep -q 'distribute_csv=links.csv: give an absolute path' "${work}/dl-relative.log" || fail "no message for a relative distribute_csv"
    pb "${work}/dl-inside.log" "${playbooks}/distribute_credentials.yml" -e "distribute_csv=${COLLECTION_ROOT}/links.csv" \
        && fail "a distribute_csv in the collection was accepted"
    grep -q 'that is inside the collection' "${work}/dl-inside.log" || fail "no message for a distribute_csv in the collection"
    pb "${work}/dl-service.log" "${playbooks}/distribute_credentials.yml" -e distribute_service=pwpushh \
        && fail "distribute_service=pwpushh was accepted"
    grep -q '"msg": "distribute_service=pwpushh: must be pwpush or ots."' "${work}/dl-service.log" \
        || fail "the wrong distribute_service is not named with its value"
    pb "${work}/dl-nocsv.log" "${playbooks}/distribute_credentials.yml" -e distribute_ttl_hours=1 \
        || { cat "${work}/dl-nocsv.log"; fail "distribute without a CSV"; }
    [ "$(recap_changed "${work}/dl-nocsv.log")" = 1 ] || fail "one task of new pushes (the looked-up links change nothing) reported changed=$(recap_changed "${work}/dl-nocsv.log")"
    grep -q 'Links expire after 1 hour (expire_after_duration=3)' "${work}/dl-nocsv.log" || fail "distribute_ttl_hours=1 is not one hour"
    # The pushes of that run: expire them (the documented recipe, for each user), then the CSV run.
    for user in alice bob carol; do
        ansible localhost -m oneshot.secrets.pwpush_push -a "state=absent name='initial password for ${user}'" > /dev/null 2>&1 \
            || fail "expire ${user}"
    done
    pb "${work}/dl-csv1.log" "${playbooks}/distribute_credentials.yml" -e "distribute_csv=${csv}" \
        || { cat "${work}/dl-csv1.log"; fail "distribute with a CSV"; }
    old="$(csv_link bob "${csv}")"
    recipe="$(sed -n '/^To serve a user again/,$p' "${COLLECTION_ROOT}/docs/distributing-credentials.md" | grep '^ansible localhost')"
    [ -n "${recipe}" ] || fail "no lost-link recipe in docs/distributing-credentials.md"
    eval "${recipe}" > "${work}/dl-recipe.log" 2>&1 || { cat "${work}/dl-recipe.log"; fail "the lost-link recipe"; }
    pb "${work}/dl-csv2.log" "${playbooks}/distribute_credentials.yml" -e "distribute_csv=${csv}" \
        || { cat "${work}/dl-csv2.log"; fail "distribute after the lost-link recipe"; }
    new="$(csv_link bob "${csv}")"
    { [ -n "${new}" ] && [ "${new}" != "${old}" ]; } || fail "bob's expired link was handed out again (${old})"
    [ "$(fake_push "$(token_of "${new}")" expired)" = false ] || fail "bob's new link is not active"
    [ "$(csv_link alice "${csv}")" = "$(grep -o 'alice  http[^"]*' "${work}/dl-csv2.log" | cut -c8-)" ] || fail "alice's link changed"
    [ "$(recap_changed "${work}/dl-csv2.log")" = 2 ] || fail "serving bob again reported changed=$(recap_changed "${work}/dl-csv2.log") (1 push, the CSV)"
    [ "$(stat -c %a "${csv}")" = 600 ] || fail "the CSV is not 0600"
    [ "$(wc -l < "${csv}")" = 4 ] || fail "the CSV does not hold a header and 3 links"
}

# Item 5 on the open-source edition: whole days, rounded down; less than a day refused with the choices.
distribute_oss_lifetimes() {
    cd "${work}/elsewhere" || fail "cd"
    pb "${work}/do-200.log" "${playbooks}/distribute_credentials.yml" -e distribute_ttl_hours=200 \
        || { cat "${work}/do-200.log"; fail "oss: distribute_ttl_hours=200"; }
    grep -q 'Links expire after 8 day(s), the longest this server offers that is not longer than the 200 hour(s) asked (expire_after_days=8)' \
        "${work}/do-200.log" || fail "oss: distribute_ttl_hours=200 is not 8 days"
    pb "${work}/do-1.log" "${playbooks}/distribute_credentials.yml" -e distribute_ttl_hours=1 && fail "oss: 1 hour was accepted"
    grep -q 'distribute_ttl_hours=1 is shorter than anything' "${work}/do-1.log" || fail "oss: no refusal with the choices"
}

# Item 7: the export path from another directory: a relative one is refused with the fix, an absolute one works.
report_paths() {
    mkdir -p "${work}/elsewhere"
    cd "${work}/elsewhere" || fail "cd"
    cp "${work}/leak.json" leak.json
    pb "${work}/rp-relative.log" "${playbooks}/report_stolen_credentials.yml" -e stolen_credentials_file=leak.json \
        && fail "a relative stolen_credentials_file was accepted"
    # shellcheck disable=SC2016  # the message names $PWD literally
    grep -q 'stolen_credentials_file=leak.json: give an absolute path (for example $PWD/leak.json)' "${work}/rp-relative.log" \
        || fail "no message for a relative stolen_credentials_file"
    pb "${work}/rp-absolute.log" "${playbooks}/report_stolen_credentials.yml" --check \
        -e "stolen_credentials_file=${PWD}/leak.json" || { cat "${work}/rp-absolute.log"; fail "an absolute path from elsewhere"; }
    grep -q "Would submit 3 credential(s)" "${work}/rp-absolute.log" || fail "the absolute path was not read"
}
export -f csv_link distribute_paths_and_lost_link distribute_oss_lifetimes report_paths
