#!/usr/bin/env bash
# Idle CPU of a gateway (issue 11, item 4): InspIRCd + Prosody on 127.0.0.1, one gateway in 50
# rooms on 2 networks (20 IRC channels — InspIRCd's default per-user channel limit — and 30 MUC
# rooms), ready, then nothing happens. Reads the gateway's
# utime+stime from /proc/PID/stat (clock ticks) and, at nanosecond resolution, the sum of
# /proc/PID/task/*/schedstat, over IDLE_SECONDS (default 60), and prints ms CPU per second.
#
# A measurement, not a test (not in test-all.sh). Target: < 0.1 ms/s.
#   TOCSIN_IT_DIR=$(mktemp -d) integration-tests/idle-cpu.sh
#   TOCSIN_BIN=/path/to/other/tocsin integration-tests/idle-cpu.sh   # measure another build
#   TOCSIN_BINS="/a/tocsin /b/tocsin" integration-tests/idle-cpu.sh   # several builds, same servers, one after the other
# Also prints each gateway's memory by kind (issue 11, item 8): VmRSS, and from smaps_rollup the
# anonymous part (heaps, stacks) and the file-backed part (code and read-only data of the
# executable and the shared libraries it maps), after the idle window.
# IDLE_PERF_DIR=DIR records `perf record -g` over the window (events: IDLE_PERF_EVENTS, default
# `-e sched:sched_switch`) into DIR/idle-RUN.data, to attribute the wake-ups (`perf script`).
# IDLE_MAX_MS_PER_S=0.1 makes the script exit 1 when the schedstat figure is above it.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib/servers.sh"
source "$here/lib/gateway.sh"
cleanup() { stop_gateway; stop_all_servers; }
trap cleanup EXIT

idle_seconds="${IDLE_SECONDS:-60}"
settle_seconds="${SETTLE_SECONDS:-10}"
irc_room_count="${IRC_ROOMS:-20}"
xmpp_room_count="${XMPP_ROOMS:-30}"

ca="$TOCSIN_IT_CA_DIR"
make_test_ca "$ca" || exit 1
start_inspircd || exit 1
start_prosody || exit 1
xmpp_register prosody tocsin botpass123 || exit 1
if [ -n "${TOCSIN_BINS:-}" ]; then read -r -a binaries <<<"$TOCSIN_BINS"; else build_tocsin || exit 1; binaries=("$(tocsin_binary)"); fi

irc_rooms="" xmpp_rooms=""
for ((i = 1; i <= irc_room_count; i++)); do irc_rooms+="{name: \"#idle$i\"}, "; done
for ((i = 1; i <= xmpp_room_count; i++)); do xmpp_rooms+="{jid: idle$i@conference.localhost}, "; done

mkdir -p "$TOCSIN_GATEWAY_DIR"
config="$TOCSIN_GATEWAY_DIR/idle.yml"
{
  config_gateway "$TOCSIN_GATEWAY_DIR/idle-@RUN@.sqlite" --service api:platform
  echo "irc:"
  config_irc_network inspircd "$INSPIRCD_TLS_PORT" --nick idlebot "rooms: [${irc_rooms%, }]"
  echo "xmpp:"
  config_xmpp_network prosody "$PROSODY_PORT" "rooms: [${xmpp_rooms%, }]"
  cat <<YAML
routes:
  - {network: inspircd, room: "#idle1"}
logging: {level: info}
YAML
} >"$config"
export TOCSIN_XMPP_PASSWORD=botpass123
template="$config.template"; mv "$config" "$template"

# Ready: every component ok on /readyz (or, for builds from before /readyz, /healthz).
idle_wait_ready() { # SECONDS
  local i path
  for ((i = 0; i < $1 * 2; i++)); do
    gateway_alive || { echo "[idle] FAILED: the gateway exited"; tail -n 30 "$TOCSIN_GATEWAY_LOG"; return 1; }
    for path in readyz healthz; do
      [ "$(curl -s --max-time 2 "http://127.0.0.1:$TOCSIN_HTTP_PORT/$path" | health_status)" = ok ] && return 0
    done
    sleep 0.5
  done
  echo "[idle] FAILED: not ready after $1 s"; tail -n 30 "$TOCSIN_GATEWAY_LOG"; return 1
}
measure_one() { # RUN-INDEX BINARY
local run="$1" TOCSIN_BIN="$2"
sed "s/@RUN@/$run/" "$template" >"$config"
start_gateway "$config" "$TOCSIN_GATEWAY_DIR/tocsin-$run.log" || return 1
idle_wait_ready 120 || return 1
echo "[idle] ready: 2 networks, $((irc_room_count + xmpp_room_count)) rooms; settling ${settle_seconds}s"
sleep "$settle_seconds"

pid="$TOCSIN_GATEWAY_PID"
ticks_per_second="$(getconf CLK_TCK)"
stat_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
# Per thread, sampled every second: libdispatch ends a worker thread after a few idle seconds,
# and a thread that has exited is no longer in /proc/PID/task — summing the live threads at both
# ends of the window would drop its switches (and once went negative). Each thread counts from its
# first sample (0 when born in the window) to its last.
thread_sample() { # "TID NAME SWITCHES CPU_NS" for every live thread
  awk 'FNR == 1 { n = split(FILENAME, p, "/"); tid = p[n - 1] }
       FILENAME ~ /comm$/ { name[tid] = $0; gsub(/ /, "_", name[tid]) }
       FILENAME ~ /status$/ && /ctxt_switches/ { sw[tid] += $2 }
       FILENAME ~ /schedstat$/ { ns[tid] = $1 }
       END { for (t in sw) print t, name[t], sw[t], ns[t] + 0 }' \
    /proc/"$pid"/task/*/comm /proc/"$pid"/task/*/status /proc/"$pid"/task/*/schedstat 2>/dev/null
}
samples="$TOCSIN_GATEWAY_DIR/threads-$run.samples"
thread_sample | sed 's/^/0 /' >"$samples"
t0=$(_it_now); k0=$(stat_ticks)
( for ((s = 1; s <= idle_seconds; s++)); do sleep 1; thread_sample | sed "s/^/$s /"; done >>"$samples" ) &
sampler=$!
if [ -n "${IDLE_PERF_DIR:-}" ]; then # attribution: perf over the window (its own cost is counted)
  mkdir -p "$IDLE_PERF_DIR"
  # shellcheck disable=SC2086 # IDLE_PERF_EVENTS is a list of perf options
  perf record -q -g ${IDLE_PERF_EVENTS:--e sched:sched_switch} -p "$pid" -o "$IDLE_PERF_DIR/idle-$run.data" \
    -- sleep "$idle_seconds" >"$IDLE_PERF_DIR/perf-$run.log" 2>&1 || echo "[idle] perf failed: see $IDLE_PERF_DIR/perf-$run.log"
fi
wait "$sampler"
t1=$(_it_now); k1=$(stat_ticks)
# "TID NAME SWITCHES CPU_NS" over the window, per thread seen in it.
awk '$1 == 0 { first_sw[$2] = $4; first_ns[$2] = $5 }
     { last_sw[$2] = $4; last_ns[$2] = $5; name[$2] = $3 }
     END { for (t in last_sw) print t, name[t], last_sw[t] - first_sw[t], last_ns[t] - first_ns[t] }' \
  "$samples" >"$TOCSIN_GATEWAY_DIR/threads-$run.window"
w0=0; w1=$(awk '{ s += $3 } END { print s + 0 }' "$TOCSIN_GATEWAY_DIR/threads-$run.window")
n0=0; n1=$(awk '{ s += $4 } END { printf "%.0f", s }' "$TOCSIN_GATEWAY_DIR/threads-$run.window")
gateway_alive || { echo "[idle] FAILED: the gateway exited during the measurement"; return 1; }
memory_line="$(awk -v bin="$(tocsin_binary)" '/^Rss:/ { rss = $2 } /^Anonymous:/ { anon = $2 } /^Pss:/ { pss = $2 }
  END { printf "[idle] memory: VmRSS %.1f MB = anonymous %.1f MB + file-backed %.1f MB (Pss %.1f MB) %s", rss / 1024, anon / 1024, (rss - anon) / 1024, pss / 1024, bin }' \
  "/proc/$pid/smaps_rollup")"
cp "/proc/$pid/smaps" "$TOCSIN_GATEWAY_DIR/smaps-$run.txt" 2>/dev/null

awk -v t0="$t0" -v t1="$t1" -v k0="$k0" -v k1="$k1" -v hz="$ticks_per_second" \
    -v n0="$n0" -v n1="$n1" -v w0="$w0" -v w1="$w1" -v bin="$(tocsin_binary)" 'BEGIN {
  secs = t1 - t0
  printf "[idle] binary: %s\n", bin
  printf "[idle] over %.1f s: utime+stime %d ticks -> %.3f ms CPU per second (resolution %.3f ms/s)\n",
    secs, k1 - k0, (k1 - k0) * 1000 / hz / secs, 1000 / hz / secs
  printf "[idle] schedstat (all threads, ns): %.4f ms CPU per second\n", (n1 - n0) / 1e6 / secs
  printf "[idle] context switches: %.1f per second\n", (w1 - w0) / secs
}'
# Which threads woke: context switches and CPU per thread over the window (busiest first).
echo "[idle] per thread (switches/s, ms CPU/s; threads that ended in the window included):"
awk -v secs="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" '
  { printf "  %-20s %7.2f %8.4f\n", $2, $3 / secs, $4 / 1e6 / secs }' \
  "$TOCSIN_GATEWAY_DIR/threads-$run.window" | sort -k2 -nr | head -n 12
echo "$memory_line"
summary+=("$(awk -v n0="$n0" -v n1="$n1" -v w1="$w1" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.4f ms/s, %.2f switches/s", (n1 - n0) / 1e6 / (t1 - t0), w1 / (t1 - t0) }') | ${memory_line#\[idle\] memory: }")
limit="${IDLE_MAX_MS_PER_S:-}"
if [ -n "$limit" ]; then
  awk -v n0="$n0" -v n1="$n1" -v t0="$t0" -v t1="$t1" -v limit="$limit" \
    'BEGIN { exit !((n1 - n0) / 1e6 / (t1 - t0) < limit) }' || { echo "[idle] above $limit ms/s"; stop_gateway; return 2; }
fi
stop_gateway
}

summary=() status=0
for index in "${!binaries[@]}"; do
  measure_one "$index" "${binaries[$index]}"; rc=$?
  [ "$rc" = 0 ] || status=1
  [ "$rc" = 1 ] && break
done
echo "[idle] summary (idle CPU, context switches | memory):"
for line in "${summary[@]}"; do echo "  $line"; done
exit "$status"
