# shellcheck shell=bash
# shellcheck disable=SC2154  # work, playbooks and the helpers come from runme.sh
# shellcheck disable=SC2030,SC2031  # PWPUSH_URL is changed in a subshell on purpose
# The collection as a user gets it: the tarball (no secret, LICENSE, no test-only code, links that resolve), the
# installed playbooks run by name as the guides write them, README snippets, the checkout's inventory.
# Sourced by runme.sh (which defines pb, fail, work, playbooks).

# Items 1 and 13: build after the receives (and with left-overs planted where old runs put them), then look inside.
package_build_and_check() {
    local planted="planted-$$" dist="${work}/dist" unpacked="${work}/unpacked" secret f
    secret="$(cat "${work}/planted-secret-value")"
    for f in secret playbooks/secret playbooks/links.csv links.csv link.json playbooks/link.json; do
        [ -e "${COLLECTION_ROOT}/${f}" ] && fail "${f} exists in the collection before the build"
        echo "${planted}" > "${COLLECTION_ROOT}/${f}"
    done
    (cd "${COLLECTION_ROOT}" && ansible-galaxy collection build --force --output-path "${dist}" > "${work}/build.log" 2>&1) \
        || { cat "${work}/build.log"; fail "collection build"; }
    for f in secret playbooks/secret playbooks/links.csv links.csv link.json playbooks/link.json; do
        rm -f "${COLLECTION_ROOT}/${f}"
    done
    mkdir -p "${unpacked}"
    tar xzf "${dist}"/oneshot-secrets-*.tar.gz -C "${unpacked}"
    if grep -rlF -e "${secret}" -e "${planted}" "${unpacked}"; then fail "the tarball holds a secret or a left-over file"; fi
    if find "${unpacked}" -name '*.csv' | grep .; then fail "the tarball holds a CSV"; fi
    grep -q 'GNU GENERAL PUBLIC LICENSE' "${unpacked}/LICENSE" || fail "no GPL LICENSE in the tarball"
    [ ! -e "${unpacked}/tests" ] || fail "the tarball holds test-only code (tests/: galaxy.yml build_ignore)"
    python3 - "${unpacked}" <<'PY' || fail "a relative link in the tarball's documents is broken"
import os, re, sys
root, broken = sys.argv[1], []
for folder, _dirs, files in os.walk(root):
    for name in files:
        if not name.endswith(".md"):
            continue
        path = os.path.join(folder, name)
        for target in re.findall(r"\]\(([^)\s]+)\)", open(path, encoding="utf-8").read()):
            if re.match(r"^[a-z]+:|^#", target):
                continue
            if not os.path.exists(os.path.normpath(os.path.join(folder, target.split("#")[0]))):
                broken.append("%s -> %s" % (os.path.relpath(path, root), target))
if broken:
    sys.exit("broken: " + ", ".join(broken))
PY
}

# ci_command FILE: the ansible-playbook line of a CI example, as written.
ci_command() { grep -o 'ansible-playbook oneshot.secrets.ci_handoff.*' "$1" | head -1; }

# Item 12: installed from the tarball, the playbooks run by name from a workspace, as the guides write them, and
# write their files into that workspace.
package_installed_pwpush() {
    local ws="${work}/workspace-gh" command
    ansible-galaxy collection install --force -p "${work}/installed" "${work}"/dist/oneshot-secrets-*.tar.gz > /dev/null 2>&1 \
        || fail "install the built collection"
    mkdir -p "${ws}"
    cd "${ws}" || fail "cd"
    command="$(ci_command "${COLLECTION_ROOT}/docs/ci/github-actions.yml")"
    [ -n "${command}" ] || fail "no ansible-playbook command in docs/ci/github-actions.yml"
    HANDOFF_SECRET="gh-secret-$$" ANSIBLE_COLLECTIONS_PATH="${work}/installed" \
        bash -c "ansible-playbook -vvvv ${command#ansible-playbook }" > "${work}/gh.log" 2>&1 \
        || { tail -40 "${work}/gh.log"; fail "the GitHub Actions command"; }
    leak_check "${work}/gh.log" || fail "leak in the GitHub Actions command"
    grep -q '"url": "http' "${ws}/link.json" || fail "link.json is not in the workspace"
    grep -q "${work}/installed/ansible_collections/oneshot/secrets/playbooks" "${work}/gh.log" || fail "not the installed playbook"
    # docs/distributing-credentials.md: its users file and its command, as written.
    # shellcheck disable=SC2016  # backquotes of the Markdown, not commands
    sed -n '/^`my-users.yml`:/,/^```$/p' "${COLLECTION_ROOT}/docs/distributing-credentials.md" | sed '1,3d;$d' > my-users.yml
    # shellcheck disable=SC2016  # backquotes of the Markdown, not commands
    command="$(sed -n '/^```console/,/^```/p' "${COLLECTION_ROOT}/docs/distributing-credentials.md" | sed -n '2,3p' \
        | tr -d '\\\n' | sed 's/^PWPUSH_TOKEN=\.\.\. //')"
    ANSIBLE_COLLECTIONS_PATH="${work}/installed" bash -c "${command/ansible-playbook /ansible-playbook -vvvv }" > "${work}/doc-distribute.log" 2>&1 \
        || { tail -40 "${work}/doc-distribute.log"; fail "the distributing-credentials command: ${command}"; }
    leak_check "${work}/doc-distribute.log" || fail "leak in the distributing-credentials command"
    { grep -qE '^alice,alice@example.com,http' links.csv && grep -qE '^bob,,http' links.csv; } || fail "links.csv is not in the workspace"
}
package_installed_ots() {
    local ws="${work}/workspace-gl" command
    mkdir -p "${ws}"
    cd "${ws}" || fail "cd"
    command="$(ci_command "${COLLECTION_ROOT}/docs/ci/gitlab-ci.yml")"
    HANDOFF_SECRET="gl-secret-$$" ANSIBLE_COLLECTIONS_PATH="${work}/installed" \
        bash -c "ansible-playbook -vvvv ${command#ansible-playbook }" > "${work}/gl.log" 2>&1 \
        || { tail -40 "${work}/gl.log"; fail "the GitLab CI command"; }
    leak_check "${work}/gl.log" || fail "leak in the GitLab CI command"
    grep -q '"service": "ots"' "${ws}/link.json" || fail "the GitLab link.json is not in the workspace"
}

# Items 9 and 14: README snippets are plays that pass ansible-lint, the lookup snippet reaches the configured
# server; the lookup does not document kind=file; the checkout's ansible.cfg spares the inventory warnings.
package_readme_and_inventory() {
    local snippets="${work}/readme"
    mkdir -p "${snippets}"
    python3 - "${COLLECTION_ROOT}/README.md" "${snippets}" "${PWPUSH_URL}" <<'PY' || fail "README snippets"
import re, sys
readme, out, url = sys.argv[1:4]
blocks = [b for b in re.findall(r"```yaml\n(.*?)```", open(readme).read(), re.S) if re.search(r"^- name:", b, re.M)]
plays = [b for b in blocks if "\n  hosts:" in b]
assert plays and len(plays) == len(blocks), "a README example is not a whole play"
for number, play in enumerate(plays):
    open("%s/play-%d.yml" % (out, number), "w").write("---\n" + play)
lookup = [p for p in plays if "query('oneshot.secrets.pwpush'" in p][0]
lookup = lookup.replace("https://pwpush.example.com", url).replace("{{ vault_pwpush_token }}", "{{ lookup('ansible.builtin.env', 'PWPUSH_TOKEN') }}")
open(out + "/run-lookup.yml", "w").write("---\n" + lookup)
PY
    (cd "${snippets}" && ANSIBLE_HOME="${work}/lint-home" ansible-lint --offline --profile production play-*.yml > "${work}/readme-lint.log" 2>&1) \
        || { cat "${work}/readme-lint.log"; fail "a README example fails ansible-lint"; }
    # The environment points elsewhere: only the play's pwpush_url can lead the lookup to the test server.
    (cd "${snippets}" && export PWPUSH_URL=https://pwpush.invalid && pb "${work}/readme-lookup.log" run-lookup.yml \
        -e '{"passwords": ["readme-pw-one", "readme-pw-two"]}') || { cat "${work}/readme-lookup.log"; fail "the README lookup play"; }
    [ "$(python3 -c 'import json,os,urllib.request; print(len(json.load(urllib.request.urlopen(os.environ["PWPUSH_URL"] + "/_fake/pwpush/pushes"))))')" -ge 2 ] \
        || fail "the README lookup did not reach the configured server"
    ansible-doc -t lookup -j oneshot.secrets.pwpush | python3 -c '
import json, sys
choices = list(json.load(sys.stdin).values())[0]["doc"]["options"]["kind"]["choices"]
assert "file" not in choices, choices' || fail "the pwpush lookup documents kind=file"
    # ansible-test sets ANSIBLE_CONFIG and ANSIBLE_INVENTORY=/dev/null; a user's shell has neither.
    (cd "${COLLECTION_ROOT}" && HANDOFF_SECRET="cfg-secret-$$" env -u ANSIBLE_CONFIG -u ANSIBLE_INVENTORY ansible-playbook playbooks/ci_handoff.yml \
        > "${work}/inventory.log" 2>&1) || { cat "${work}/inventory.log"; fail "ci_handoff from the checkout"; }
    if grep -qi 'No inventory was parsed\|provided hosts list is empty' "${work}/inventory.log"; then
        fail "the checkout's playbooks still warn about the inventory"
    fi
}
export -f package_build_and_check ci_command package_installed_pwpush package_installed_ots package_readme_and_inventory

# Item 8: pwpush_push_info's "Check that a link still works" example, as ansible-doc shows it, tells an active push
# from an expired one without counting a view.
push_info_example() {
    local token
    ansible-doc -j oneshot.secrets.pwpush_push_info | python3 -c '
import json, sys, yaml
examples = yaml.safe_load(list(json.load(sys.stdin).values())[0]["examples"])
start = [i for i, task in enumerate(examples) if task["name"].startswith("Check that a link still works")]
assert start, "no example that checks whether a link still works"
tasks = examples[start[0]:start[0] + 2]
play = [{"name": "The example", "hosts": "localhost", "gather_facts": False, "tasks": tasks,
         "vars": {"pwpush_api_token": "{{ lookup(\"ansible.builtin.env\", \"PWPUSH_TOKEN\") }}"}}]
yaml.safe_dump(play, open(sys.argv[1], "w"))' "${work}/push-info-example.yml" || fail "the push_info example cannot be extracted"
    token="$(token_of "$(handoff_push "example-secret-$$" "${work}/pi-push.log")")"
    pb "${work}/pi-active.log" "${work}/push-info-example.yml" -e "{\"push\": {\"url_token\": \"${token}\", \"url\": \"${PWPUSH_URL}/p/${token}\"}}" \
        || { cat "${work}/pi-active.log"; fail "the example says an active push does not work"; }
    ansible localhost -m oneshot.secrets.pwpush_push -a "state=absent url_token=${token}" > /dev/null 2>&1 || fail "expire the push"
    pb "${work}/pi-expired.log" "${work}/push-info-example.yml" -e "{\"push\": {\"url_token\": \"${token}\", \"url\": \"${PWPUSH_URL}/p/${token}\"}}" \
        && fail "the example says an expired push still works"
    grep -q 'no longer works' "${work}/pi-expired.log" || fail "the example does not say why"
    [ "$(fake_push "${token}" view_count)" = 0 ] || fail "the example counted a view"
}
export -f push_info_example

# guide_commands FILE SERVICE: the ansible/ansible-playbook lines of FILE's console blocks (for SERVICE's section
# of getting-started.md: its 2a/2c part), with "..." placeholders of the environment dropped.
guide_commands() {
    python3 - "$1" "$2" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
if sys.argv[1].endswith("getting-started.md"):
    text = re.split(r"^## ", text, flags=re.M)
    text = "".join(part for part in text if part.startswith("2a" if sys.argv[2] == "pwpush" else "2c"))
for block in re.findall(r"```console\n(.*?)```", text, re.S):
    for line in block.replace("\\\n", " ").splitlines():
        line = re.sub(r"\s+#.*$", "", line).strip()
        line = re.sub(r"^(\w+=\.\.\. )+", "", line)
        if line.startswith(("ansible ", "ansible-playbook ", "HANDOFF_SECRET=")):
            print(line)
PY
}
# Item 12: every command of getting-started.md (2a, 2c) and docs/ci/README.md, as written, on the installed collection.
package_guides_as_written() {
    local service="$1" ws="${work}/guides-$1" line n=0 link
    mkdir -p "${ws}"
    cd "${ws}" || fail "cd"
    export HANDOFF_SECRET="guide-secret-$$"
    while read -r line; do
        n=$((n + 1))
        [ -s link.json ] && link="$(python3 -c 'import json; print(json.load(open("link.json"))["url"])')"
        line="${line//handoff_link=https:\/\/.../handoff_link=${link:-none}}"
        [ "${service}" = pwpush ] || line="${line//ci_handoff /ci_handoff -e handoff_service=ots }"
        echo "guide command: ${line}"
        ANSIBLE_COLLECTIONS_PATH="${work}/installed" bash -c "${line/ansible-playbook /ansible-playbook -vvvv }" \
            > "${work}/guide-${service}-${n}.log" 2>&1 || { tail -30 "${work}/guide-${service}-${n}.log"; fail "guide command: ${line}"; }
        grep -q '^task path: ' "${work}/guide-${service}-${n}.log" && { leak_check "${work}/guide-${service}-${n}.log" || fail "leak: ${line}"; }
    done < <(guide_commands "${COLLECTION_ROOT}/docs/getting-started.md" "${service}"; guide_commands "${COLLECTION_ROOT}/docs/ci/README.md" "${service}")
    [ "${n}" -ge 3 ] || fail "only ${n} guide commands for ${service}"
    [ "$(cat secret)" = "guide-secret-$$" ] || fail "the guide's receive did not write the secret into the workspace"
}
export -f guide_commands package_guides_as_written
