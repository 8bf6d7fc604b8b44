#!/usr/bin/env bash
# Every test Tocsin has, on a fresh Debian 12 machine: system packages, build, unit tests, the
# integration suites against real IRC/XMPP servers on 127.0.0.1, then bounded fuzzing.
# Exits non-zero when anything fails; prints a summary at the end.
#
# The integration suites mostly wait on servers' flood control and reconnects, so they run side
# by side (TOCSIN_SUITES_AT_ONCE, 5 by default), each with its own servers on its own ports and its
# own directory; their output is printed one suite after another. TOCSIN_SERIAL=1 runs them one by
# one instead.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

"$here/install-deps.sh" || exit 1

results=()
failed=0
record() { # NAME STATUS SECONDS
  if [ "$2" -eq 0 ]; then results+=("PASS  $1 ($3 s)"); else results+=("FAIL  $1 ($3 s)"); failed=1; fi
}
run_step() { # NAME COMMAND...
  local name="$1" start=$SECONDS status=0; shift
  echo; echo "=== $name"
  "$@" || status=$?
  record "$name" "$status" $((SECONDS - start))
}

base="${TOCSIN_IT_DIR:-$(mktemp -d /tmp/tocsin-it.XXXXXX)}"
chmod a+x "$base"
run_step "build" swift build
if ((failed)); then
  echo "test-all: the build failed; nothing else can run" >&2
  printf '%s\n' "${results[@]}"
  exit 1
fi
run_step "unit tests" swift test
TOCSIN_BIN="$(swift build --show-bin-path)/tocsin"
export TOCSIN_BIN

# Suite → its servers' ports (distinct per suite, all on 127.0.0.1).
declare -A ports=(
  [irc]="INSPIRCD_PORT=31667 INSPIRCD_TLS_PORT=31697 INSPIRCD_LINK_PORT=31700 NGIRCD_PORT=32667 NGIRCD_TLS_PORT=32697 TOCSIN_HTTP_PORT=31080"
  [xmpp]="PROSODY_PORT=33222 EJABBERD_PORT=34222 EJABBERD_DIST_PORT=34270 TOCSIN_HTTP_PORT=33080"
  [pagerduty]="INSPIRCD_PORT=35667 INSPIRCD_TLS_PORT=35697 INSPIRCD_LINK_PORT=35700 PROSODY_PORT=36222 TOCSIN_HTTP_PORT=35080"
  [faults]="INSPIRCD_PORT=37667 INSPIRCD_TLS_PORT=37697 INSPIRCD_LINK_PORT=37700 PROSODY_PORT=38222 TOCSIN_HTTP_PORT=37080"
  [intake]="TOCSIN_HTTP_PORT=39080"
  [abuse]="INSPIRCD_PORT=41667 INSPIRCD_TLS_PORT=41697 INSPIRCD_LINK_PORT=41700 TOCSIN_HTTP_PORT=41080"
  [chatops]="INSPIRCD_PORT=47667 INSPIRCD_TLS_PORT=47697 INSPIRCD_LINK_PORT=47700 PROSODY_PORT=48222 TOCSIN_HTTP_PORT=47080"
  [pages]="INSPIRCD_PORT=45667 INSPIRCD_TLS_PORT=45697 INSPIRCD_LINK_PORT=45700 PROSODY_PORT=46222 TOCSIN_HTTP_PORT=45080"
  [rooms]="INSPIRCD_PORT=43667 INSPIRCD_TLS_PORT=43697 INSPIRCD_LINK_PORT=43700 PROSODY_PORT=44222 TOCSIN_HTTP_PORT=43080"
  [reload]="INSPIRCD_PORT=49667 INSPIRCD_TLS_PORT=49697 INSPIRCD_LINK_PORT=49700 PROSODY_PORT=50222 TOCSIN_HTTP_PORT=49080"
)
# Longest first: the fault suite alone takes ~9 minutes; the rest fit beside it.
suites=(faults chatops pagerduty irc xmpp reload rooms pages abuse intake)
# At most this many suites at once: more would only fight for the CPU (2 cores in CI) and make
# the servers' timing, not Tocsin, the thing under test.
at_once="${TOCSIN_SUITES_AT_ONCE:-5}"
declare -A started=() running=() status_of=() took=()
finish_one() { # waits for one running suite and records its end
  local pid="" status=0
  wait -n -p pid "${!running[@]}" || status=$?
  [ -n "$pid" ] || return 1
  local suite="${running[$pid]}"
  unset "running[$pid]"
  status_of[$suite]=$status
  took[$suite]=$((SECONDS - started[$suite]))
}
for suite in "${suites[@]}"; do
  # shellcheck disable=SC2086
  cmd=(env TOCSIN_IT_DIR="$base/$suite" TOCSIN_NO_BUILD=1 ${ports[$suite]} "$here/$suite.sh")
  if [ -n "${TOCSIN_SERIAL:-}" ]; then
    run_step "integration: $suite" "${cmd[@]}"
  else
    while ((${#running[@]} >= at_once)); do finish_one || break; done
    mkdir -p "$base/$suite"
    started[$suite]=$SECONDS
    "${cmd[@]}" >"$base/$suite.log" 2>&1 </dev/null &
    running[$!]=$suite
  fi
done
if [ -z "${TOCSIN_SERIAL:-}" ]; then
  while ((${#running[@]} > 0)); do finish_one || break; done
  for suite in "${suites[@]}"; do
    record "integration: $suite" "${status_of[$suite]:-1}" "${took[$suite]:-0}"
  done
  for suite in "${suites[@]}"; do
    echo; echo "=== integration: $suite"
    cat "$base/$suite.log"
  done
fi

for target in irc xmpp commands; do
  run_step "fuzz: $target (${FUZZ_SECONDS:-60} s)" "$here/fuzz.sh" "$target"
done

echo; echo "=== summary"
printf '%s\n' "${results[@]}"
if [ -f "$base/faults/fault-summary.txt" ]; then
  echo; echo "fault injection (expected / delivered / duplicates per room):"
  cat "$base/faults/fault-summary.txt"
fi
exit $failed
