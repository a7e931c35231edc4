# redisops.platform: `make demo` runs the demo playbooks against the emulator,
# `make test` runs every gate. Both build .venv from plain python3 first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help venv test demo emulator lint units integration bench chaos build version clean ee-check docs release oldest-core

help:
	@echo "make demo      start the emulator, run playbooks/demo.yml against it, stop it"
	@echo "make test      ansible-lint, ansible-test sanity, unit and integration tests"
	@echo "make emulator  run the API emulator in the foreground (Ctrl-C to stop)"
	@echo "make chaos     every workflow under the emulator's chaos mode for 50 seeds at rate 0.2 (ARGS='--seeds N --first-seed S --rate R --rounds K')"
	@echo "make build     build the collection tarball"
	@echo "make ee-check  ansible-builder create of the execution environment definitions, context checked"
	@echo "make version   copy galaxy.yml's version to the User-Agent (after changing galaxy.yml)"
	@echo "make docs      build the HTML docsite (antsibull-docs, Sphinx) into build/docsite/"
	@echo "make release VERSION=x.y.z  set the version, turn the changelog fragments into the release notes"
	@echo "make oldest-core  run the demo under the oldest ansible-core meta/runtime.yml claims (own virtualenv)"

$(STAMP): tests/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r tests/requirements.txt
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	VENV=$(abspath $(VENV)) bash tests/tools/run-tests.sh

demo: $(STAMP)
	$(BIN)/python tests/tools/demo.py

emulator: $(STAMP)
	cd tests && ../$(BIN)/python -m emulator

lint: $(STAMP)
	ANSIBLE_COLLECTIONS_PATH=$$($(BIN)/python tests/tools/collection_link.py) $(BIN)/ansible-lint --offline

units: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 tests/integration

bench: $(STAMP)
	$(BIN)/python tests/bench/bench.py

# Many seeds of the chaos test's round; prints each failed seed with the command that replays it.
chaos: $(STAMP)
	$(BIN)/python tests/tools/chaos.py $(ARGS)

build: $(STAMP)
	$(BIN)/ansible-galaxy collection build --force --output-path build/

ee-check: $(STAMP)
	$(BIN)/python tests/tools/ee_check.py

docs: $(STAMP)
	$(BIN)/python tests/tools/build_docs.py --dest build/docsite

# Consumes changelogs/fragments/ (docs/development.md, "Releasing"); commits nothing.
release: $(STAMP)
	$(BIN)/python tests/tools/release.py $(VERSION)

oldest-core: $(STAMP)
	$(BIN)/python tests/tools/oldest_core.py

# galaxy.yml holds the version; modules run where it is not, so _http.py carries a copy
# that this writes (`make test` fails when they differ).
version:
	$(PYTHON) tests/tools/sync_version.py

clean:
	rm -rf build .cache .pytest_cache
