#!/usr/bin/env bash
# Every gate of the collection, in order: ansible-lint (production profile),
# ansible-test sanity (no ignore files, no test skipped), the collection build, the version
# check, the execution environment's build context (make ee-check), the changelog (lint, and a
# release in a temporary copy), the HTML docsite (make docs, no warning), the demo under the
# oldest claimed ansible-core (make oldest-core), then unit and integration tests with pytest
# (integration tests run real ansible-playbook against the emulator).
# Called by `make test` once the virtualenv exists; ends with a summary: the failed gates
# (or that all passed), then "make test: N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
VENV=${VENV:-$ROOT/.venv}
PATH="$VENV/bin:$PATH"
export PATH
PYTEST_WORKERS=${PYTEST_WORKERS:-2}

# Every temporary file of the run (collection copies, the build, pytest's and the emulator's
# directories, Ansible's payloads, ansible-test's private HOME) lives under one directory,
# removed on exit: nothing is left in /tmp and nothing is written to the user's home.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/redisops-test.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
export TMPDIR=$WORK

passed=0
failed=0
failures=()
gate() {
    local name=$1
    shift
    echo "=== $name"
    local started=$SECONDS
    if "$@"; then
        passed=$((passed + 1))
        echo "=== $name: ok ($((SECONDS - started)) s)"
    else
        failed=$((failed + 1))
        failures+=("$name")
        echo "=== $name: FAILED ($((SECONDS - started)) s)"
    fi
}

# ansible-test needs the collection under ansible_collections/<namespace>/<name>,
# outside this git work tree (inside it, ansible-test would list files with git).
collection_copy() {
    local dest
    dest=$(mktemp -d "${TMPDIR:-/tmp}/redisops-sanity.XXXXXX")/ansible_collections/redisops/platform
    mkdir -p "$dest"
    git ls-files --cached --others --exclude-standard -z | while IFS= read -r -d '' file; do
        if [ -e "$file" ]; then
            mkdir -p "$dest/$(dirname "$file")"
            cp -p "$file" "$dest/$file"
        fi
    done
    echo "$dest"
}

# ansible-test runs with a private HOME (its caches and the pip bootstrap stand-in go there,
# never to ~/.ansible), keeping the user's pip configuration (package index settings).
# A sanity test skipped because a program it needs is missing fails the gate.
sanity() {
    local pip_version dest home log status conf
    pip_version=$(python - <<'PY'
import inspect, re
from ansible_test._internal import python_requirements
print(re.search(r"pip='([0-9.]+)'", inspect.getsource(python_requirements.get_venv_packages)).group(1))
PY
)
    home=$(mktemp -d "${TMPDIR:-/tmp}/redisops-home.XXXXXX")
    mkdir -p "$home/.ansible/test/cache"
    cp tests/tools/offline_get_pip.py "$home/.ansible/test/cache/get_pip_${pip_version//./_}.py"
    for conf in .config/pip/pip.conf .pip/pip.conf; do
        if [ -f "$HOME/$conf" ]; then
            mkdir -p "$home/$(dirname "$conf")"
            cp "$HOME/$conf" "$home/$conf"
        fi
    done
    dest=$(collection_copy)
    log="$home/sanity.log"
    (cd "$dest" && HOME="$home" ansible-test sanity --color no \
        --python "$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')") 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    if grep -E 'WARNING: (Skipping sanity test|Required program)' "$log" >/dev/null; then
        echo "ansible-test sanity skipped a test (see the warnings above): every sanity test must run"
        status=1
    elif ! grep -F 'Running sanity test "shellcheck"' "$log" >/dev/null; then
        echo "ansible-test sanity did not run shellcheck"
        status=1
    fi
    rm -rf "$home" "${dest%/ansible_collections/redisops/platform}"
    return "$status"
}

lint() {
    ANSIBLE_COLLECTIONS_PATH=$(python tests/tools/collection_link.py) ansible-lint --offline
}

build() {
    local out status
    out=$(mktemp -d "${TMPDIR:-/tmp}/redisops-build.XXXXXX")
    ansible-galaxy collection build --force --output-path "$out" >/dev/null && ls "$out"/redisops-platform-*.tar.gz
    status=$?
    rm -rf "$out"
    return "$status"
}

# The User-Agent's copy of the version must equal galaxy.yml's (`make version` writes it).
version() {
    python tests/tools/sync_version.py --check && echo "COLLECTION_VERSION matches galaxy.yml"
}

# The roles' YAML integration targets (tests/integration/targets/role_*), run by ansible-test
# integration in a collection copy against one emulator that this gate starts and stops; the
# setup_emulator target finds it through integration_config.yml.
role_targets() {
    local dest home emu info pid status
    dest=$(collection_copy)
    home=$(mktemp -d "${TMPDIR:-/tmp}/redisops-home.XXXXXX")
    emu=$(mktemp -d "${TMPDIR:-/tmp}/redisops-emulator.XXXXXX")
    info="$emu/emulator.json"
    (cd tests && exec python -m emulator --memstore-port 0 --re-port 0 --state-dir "$emu/state" \
        --info-file "$info" >"$emu/emulator.log" 2>&1) &
    pid=$!
    for _ in $(seq 300); do [ -s "$info" ] && break; sleep 0.1; done
    printf 'emulator_info_file: %s\n' "$info" >"$dest/tests/integration/integration_config.yml"
    (cd "$dest" && HOME="$home" ansible-test integration --color no \
        --python "$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')")
    status=$?
    kill "$pid"
    wait "$pid" 2>/dev/null
    rm -rf "$home" "$emu" "${dest%/ansible_collections/redisops/platform}"
    return "$status"
}

pytests() {
    python -m pytest -p no:cacheprovider -n "$PYTEST_WORKERS" --basetemp "$WORK/pytest" \
        --junitxml=build/pytest.xml tests/unit tests/integration
}

gate "ansible-lint (production profile)" lint
gate "ansible-test sanity" sanity
gate "ansible-galaxy collection build" build
gate "one collection version" version
gate "execution environment (make ee-check)" python tests/tools/ee_check.py
gate "changelog (antsibull-changelog lint, release in a copy)" python tests/tools/release.py --check
gate "docsite (antsibull-docs, sphinx-build -W)" python tests/tools/build_docs.py --dest "$WORK/docsite"
gate "demo under the oldest claimed ansible-core (make oldest-core)" python tests/tools/oldest_core.py
gate "pytest: unit and integration tests" pytests
gate "ansible-test integration: the roles' targets" role_targets

# The closing line counts each pytest test and each other gate as one check.
read -r tests_passed tests_failed < <(python - <<'PY'
import xml.etree.ElementTree as ET
try:
    suite = ET.parse("build/pytest.xml").getroot().iter("testsuite")
except (OSError, ET.ParseError):
    print(0, 1)
else:
    total = failed = skipped = 0
    for s in suite:
        total += int(s.get("tests", 0))
        failed += int(s.get("failures", 0)) + int(s.get("errors", 0))
        skipped += int(s.get("skipped", 0))
    print(total - failed - skipped, failed)
PY
)
echo
if [ "$failed" -eq 0 ]; then
    echo "All gates passed: ansible-lint, ansible-test sanity, collection build, $tests_passed pytest tests."
else
    echo "Failed gates: ${failures[*]}"
fi
pytest_gate_failed=0
for name in "${failures[@]}"; do
    case $name in pytest*) pytest_gate_failed=1 ;; esac
done
echo "make test: $((tests_passed + passed - 1 + pytest_gate_failed)) passed, $((tests_failed + failed - pytest_gate_failed)) failed"
[ "$failed" -eq 0 ]
