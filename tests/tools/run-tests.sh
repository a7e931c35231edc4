#!/usr/bin/env bash
# Every gate of the collection, in order: ansible-lint (production profile),
# ansible-test sanity (no ignore files), the collection build, then unit and integration tests with
# pytest (integration tests run real ansible-playbook against the emulator).
# Called by `make test` once the virtualenv exists; prints one closing line.
set -u
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
VENV=${VENV:-$ROOT/.venv}
PATH="$VENV/bin:$PATH"
export PATH
PYTEST_WORKERS=${PYTEST_WORKERS:-2}

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

sanity() {
    local pip_version cache dest
    pip_version=$(python - <<'PY'
import inspect, re
from ansible_test._internal import python_requirements
print(re.search(r"pip='([0-9.]+)'", inspect.getsource(python_requirements.get_venv_packages)).group(1))
PY
)
    cache=$HOME/.ansible/test/cache
    mkdir -p "$cache"
    cp tests/tools/offline_get_pip.py "$cache/get_pip_${pip_version//./_}.py"
    dest=$(collection_copy)
    (cd "$dest" && ansible-test sanity --color no --python "$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')")
}

lint() {
    ANSIBLE_COLLECTIONS_PATH=$(python tests/tools/collection_link.py) ansible-lint --offline
}

build() {
    local out
    out=$(mktemp -d "${TMPDIR:-/tmp}/redisops-build.XXXXXX")
    ansible-galaxy collection build --force --output-path "$out" >/dev/null && ls "$out"/redisops-platform-*.tar.gz
}

pytests() {
    python -m pytest -p no:cacheprovider -n "$PYTEST_WORKERS" --junitxml=build/pytest.xml tests/unit tests/integration
}

gate "ansible-lint (production profile)" lint
gate "ansible-test sanity" sanity
gate "ansible-galaxy collection build" build
gate "pytest: unit and integration tests" pytests

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
