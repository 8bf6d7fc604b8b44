#!/usr/bin/env bash
# Every test Tocsin has, on a fresh Debian 12 machine: system packages, build, unit tests, then the
# integration suites against real IRC/XMPP servers on 127.0.0.1, then bounded fuzzing.
# Exits non-zero when anything fails; prints a summary table at the end.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

"$here/install-deps.sh" || exit 1

results=()
failed=0
run_step() { # NAME COMMAND...
  local name="$1"; shift
  local start=$SECONDS
  echo; echo "=== $name"
  if "$@"; then
    results+=("PASS  $name ($((SECONDS - start)) s)")
  else
    results+=("FAIL  $name ($((SECONDS - start)) s)")
    failed=1
  fi
}

export TOCSIN_IT_DIR="${TOCSIN_IT_DIR:-$(mktemp -d /tmp/tocsin-it.XXXXXX)}"
run_step "build" swift build
run_step "unit tests" swift test
for suite in irc xmpp pagerduty faults; do
  [ -x "$here/$suite.sh" ] && run_step "integration: $suite" "$here/$suite.sh"
done
for target in irc xmpp commands; do
  run_step "fuzz: $target (${FUZZ_SECONDS:-60} s)" "$here/fuzz.sh" "$target"
done

echo; echo "=== summary"
printf '%s\n' "${results[@]}"
[ -f "$TOCSIN_IT_DIR/fault-summary.txt" ] && { echo; cat "$TOCSIN_IT_DIR/fault-summary.txt"; }
exit $failed
