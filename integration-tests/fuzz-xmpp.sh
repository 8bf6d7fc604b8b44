#!/usr/bin/env bash
# Fuzzes the XMPP stream parser (Sources/XMPP/XML, Stream, Namespaces) with libFuzzer.
#
# The harness Tests/Fuzz/XMPPStreamFuzz/main.swift is compiled together with those sources into
# one module by swiftc (no SwiftPM, and none of the SASL code that needs swift-crypto), linked
# with the system libexpat, and run for FUZZ_SECONDS on a temporary copy of the seed corpus
# Tests/Fuzz/corpus/xmpp. Exits non-zero if the fuzzer finds a crash, leak or timeout; the
# reproducer is kept in Tests/Fuzz/.artifacts/xmpp/.
#
# Environment:
#   FUZZ_SECONDS     run time in seconds (default 60)
#   FUZZ_SANITIZERS  swiftc -sanitize value (default fuzzer,address)
#   FUZZ_MAX_LEN     largest input libFuzzer generates (default 16384)
#   SWIFTC           compiler to use (default: swiftc from PATH, else /opt/swift/usr/bin/swiftc)
#   FUZZ_REPRO=file  run the harness once on one input (e.g. a saved crash) instead of fuzzing
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

seconds="${FUZZ_SECONDS:-60}"
sanitizers="${FUZZ_SANITIZERS:-fuzzer,address}"
max_len="${FUZZ_MAX_LEN:-16384}"
swiftc="${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}"

work="$(mktemp -d "${TMPDIR:-/tmp}/tocsin-fuzz-xmpp.XXXXXX")"
trap 'rm -rf "$work"' EXIT
artifacts="$root/Tests/Fuzz/.artifacts/xmpp"
mkdir -p "$artifacts" "$work/corpus"

sources=(Sources/XMPP/XML/*.swift Sources/XMPP/Stream/*.swift Sources/XMPP/Namespaces/*.swift Tests/Fuzz/XMPPStreamFuzz/main.swift)
if grep -l '^import Crypto' "${sources[@]}" >/dev/null 2>&1; then
  echo "fuzz-xmpp: the fuzzed sources must not import Crypto: $(grep -l '^import Crypto' "${sources[@]}")" >&2
  exit 2
fi

# The toolchain's lld links sanitizer runtimes without gold's "cannot export local symbol" noise.
linker=()
if [[ -x "$(dirname "$swiftc")/ld.lld" ]]; then linker=(-use-ld=lld); fi

echo "fuzz-xmpp: building with $swiftc (-sanitize=$sanitizers)"
"$swiftc" -sanitize="$sanitizers" -parse-as-library -O "${linker[@]}" \
  -swift-version 6 -module-name XMPPStreamFuzz \
  -I Sources/CExpat -lexpat \
  "${sources[@]}" -o "$work/xmpp-stream-fuzz"

if [[ -n "${FUZZ_REPRO:-}" ]]; then
  export SWIFT_BACKTRACE=enable=no
  exec "$work/xmpp-stream-fuzz" "$FUZZ_REPRO"
fi

cp Tests/Fuzz/corpus/xmpp/* "$work/corpus/"
echo "fuzz-xmpp: fuzzing for ${seconds}s on $(ls "$work/corpus" | wc -l) seed inputs"
# The Swift runtime's crash backtracer adds nothing to libFuzzer's report and trips ASan.
export SWIFT_BACKTRACE=enable=no
status=0
"$work/xmpp-stream-fuzz" "$work/corpus" \
  -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 || status=$?

if ((status != 0)); then
  echo "fuzz-xmpp: FAILED (exit $status); reproducer in $artifacts/ — rerun with FUZZ_REPRO=<file> $0" >&2
  exit "$status"
fi
echo "fuzz-xmpp: no crash in ${seconds}s"
