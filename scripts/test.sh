#!/usr/bin/env bash
# Runs the whole test suite (what CI runs), after installing what the tests need (setup.sh --test).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh --test
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test tests/Tessera.Tests -c Release -nologo 2>&1 | tee "$log" || status=$?

# One plain closing line: "tests: N passed, N failed, N skipped".
summary=$(grep -E '(Passed|Failed)!.*Total:' "$log" | tail -n 1 || true)
if [[ -n $summary ]]; then
    count() { sed -E "s/.*$1:[[:space:]]*([0-9]+).*/\1/" <<<"$summary"; }
    echo "tests: $(count Passed) passed, $(count Failed) failed, $(count Skipped) skipped"
fi
exit "$status"
