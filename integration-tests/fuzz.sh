#!/usr/bin/env bash
# Fuzzes one of Tocsin's parsers with libFuzzer for ${FUZZ_SECONDS:-60} seconds.
#
#   integration-tests/fuzz.sh irc        # IRC codec (Sources/IRC)
#   integration-tests/fuzz.sh xmpp       # XMPP stream parser (Sources/XMPP XML/Stream, libexpat)
#   integration-tests/fuzz.sh commands   # chat command parser (Sources/TocsinCore/Commands)
#
# The harness Tests/Fuzz/<Harness>/main.swift is compiled with the fuzzed sources into one module by
# `swiftc -sanitize=fuzzer,address` (no SwiftPM; only sources free of package dependencies), then run
# on a temporary copy of the seed corpus Tests/Fuzz/corpus/<target>, so the repository stays clean.
# Exits non-zero on a crash, leak or timeout; reproducers are kept in Tests/Fuzz/.artifacts/<target>/
# (git-ignored) and replayed with FUZZ_REPRO=<file> integration-tests/fuzz.sh <target>.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target="${1:?usage: fuzz.sh irc|xmpp|commands}"
seconds="${FUZZ_SECONDS:-60}"
swiftc="${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}"
extra=()
case "$target" in
  irc) harness=IRCParserFuzz; sources=(Sources/IRC/*.swift); max_len=4096 ;;
  xmpp) harness=XMPPStreamFuzz; max_len=16384; extra=(-I Sources/CExpat -lexpat)
    sources=(Sources/XMPP/XML/*.swift Sources/XMPP/Stream/*.swift Sources/XMPP/Namespaces/*.swift) ;;
  commands) harness=CommandParserFuzz; max_len=1024
    sources=(Sources/TocsinCore/Commands/{CommandParser,Command,CommandName,SnoozeDuration}.swift
      Sources/TocsinCore/Routing/{SubscriptionRequest,RouteRule}.swift Sources/TocsinCore/Chat/*.swift
      Sources/TocsinCore/Incidents/{Incident,IncidentEvent}.swift) ;;
  *) echo "fuzz.sh: unknown target '$target' (irc|xmpp|commands)" >&2; exit 2 ;;
esac
sources+=("Tests/Fuzz/$harness/main.swift")
if grep -lE '^import (Crypto|Logging|Metrics|GRDB|NIO)' "${sources[@]}" >/dev/null 2>&1; then
  echo "fuzz.sh: fuzzed sources must not import package modules: $(grep -lE '^import (Crypto|Logging|Metrics|GRDB|NIO)' "${sources[@]}")" >&2
  exit 2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/tocsin-fuzz-$target.XXXXXX")"
trap 'rm -rf "$work"' EXIT
artifacts="$root/Tests/Fuzz/.artifacts/$target"
mkdir -p "$artifacts" "$work/corpus"
# The toolchain's lld links the sanitizer runtimes without gold's "cannot export local symbol" noise.
linker=()
[[ -x "$(dirname "$swiftc")/ld.lld" ]] && linker=(-use-ld=lld)

echo "fuzz-$target: building $harness"
"$swiftc" -sanitize="${FUZZ_SANITIZERS:-fuzzer,address}" -parse-as-library -O "${linker[@]}" \
  -swift-version 6 -module-name "$harness" "${extra[@]}" "${sources[@]}" -o "$work/fuzzer"

# The Swift runtime's crash backtracer would keep libFuzzer from saving the input (and trips ASan).
export SWIFT_BACKTRACE=enable=no
[[ -n "${FUZZ_REPRO:-}" ]] && exec "$work/fuzzer" "$FUZZ_REPRO"

cp "Tests/Fuzz/corpus/$target"/* "$work/corpus/"
echo "fuzz-$target: fuzzing for ${seconds}s on $(ls "$work/corpus" | wc -l) seed inputs"
status=0
"$work/fuzzer" "$work/corpus" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 >"$work/fuzz.log" 2>&1 || status=$?
if ((status != 0)); then
  tail -n 60 "$work/fuzz.log" >&2
  echo "fuzz-$target: FAILED (exit $status); reproducer in $artifacts/ — FUZZ_REPRO=<file> $0 $target" >&2
  exit 1
fi
runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")"
echo "fuzz-$target: OK — ${runs:-?} executions in ${seconds}s, no crash"
