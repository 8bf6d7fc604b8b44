#!/usr/bin/env bash
# Fuzzes the IRC codec (Sources/IRC) with libFuzzer for ${FUZZ_SECONDS:-60} seconds.
#
# The IRC sources and Tests/Fuzz/IRCParserFuzz/main.swift are compiled into one module with
# `swiftc -sanitize=fuzzer` (no SwiftPM, no .build directory is touched). The fuzzer starts from a
# copy of the seed corpus Tests/Fuzz/corpus/irc in a temporary directory, so the repository stays
# clean. Exits non-zero if the fuzzer finds a crash; the crashing input is copied to
# Tests/Fuzz/.artifacts/irc/ (git-ignored) for reproduction:
#   <tmp>/irc-fuzz Tests/Fuzz/.artifacts/irc/crash-...
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${FUZZ_SECONDS:-60}"
swiftc="${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}"

work="$(mktemp -d "${TMPDIR:-/tmp}/irc-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "fuzz-irc: building with $swiftc"
"$swiftc" -sanitize=fuzzer -parse-as-library -O -swift-version 6 \
  -module-name IRCFuzz \
  "$root"/Sources/IRC/*.swift "$root/Tests/Fuzz/IRCParserFuzz/main.swift" \
  -o "$work/irc-fuzz"

mkdir -p "$work/corpus" "$work/artifacts"
cp "$root"/Tests/Fuzz/corpus/irc/* "$work/corpus/"

echo "fuzz-irc: running for ${seconds}s"
status=0
(cd "$work" && SWIFT_BACKTRACE=enable=no ./irc-fuzz -max_total_time="$seconds" -max_len=4096 -timeout=10 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 corpus) >"$work/fuzz.log" 2>&1 || status=$?

if compgen -G "$work/artifacts/*" >/dev/null || [ "$status" -ne 0 ]; then
  tail -n 60 "$work/fuzz.log" >&2
  if compgen -G "$work/artifacts/*" >/dev/null; then
    mkdir -p "$root/Tests/Fuzz/.artifacts/irc"
    cp "$work"/artifacts/* "$root/Tests/Fuzz/.artifacts/irc/"
    echo "fuzz-irc: FAILED — crashing inputs saved to Tests/Fuzz/.artifacts/irc/" >&2
  fi
  echo "fuzz-irc: FAILED — fuzzer exited with status $status" >&2
  exit 1
fi
grep -E '^(INFO: seed corpus|Done |stat::)' "$work/fuzz.log" || true
runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")"
echo "fuzz-irc: OK — ${runs:-?} executions in ${seconds}s, no crash"
