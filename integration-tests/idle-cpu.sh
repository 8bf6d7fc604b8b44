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
cat >"$config" <<YAML
gateway: {database: $TOCSIN_GATEWAY_DIR/idle-@RUN@.sqlite}
http: {host: 127.0.0.1, port: $TOCSIN_HTTP_PORT}
backend:
  kind: embedded
  embedded:
    services: [{name: api, team: platform, routing_key: {env: TOCSIN_ROUTING_KEY}}]
irc:
  - name: inspircd
    host: 127.0.0.1
    port: $INSPIRCD_TLS_PORT
    tls: {mode: implicit, ca_file: $ca/ca.pem, server_name: localhost}
    nick: idlebot
    rooms: [${irc_rooms%, }]
xmpp:
  - name: prosody
    jid: tocsin@localhost
    password: {env: TOCSIN_XMPP_PASSWORD}
    host: 127.0.0.1
    port: $PROSODY_PORT
    tls: {mode: starttls, ca_file: $ca/ca.pem}
    nick: tocsin
    rooms: [${xmpp_rooms%, }]
routes:
  - {network: inspircd, room: "#idle1"}
logging: {level: info}
YAML
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
sched_ns() { cat /proc/"$pid"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }'; }
wakeups() { # voluntary + involuntary context switches of every thread
  cat /proc/"$pid"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { s += $2 } END { print s }'
}

per_thread() { # "TID NAME SWITCHES CPU_NS" per thread
  local task
  for task in /proc/"$pid"/task/*; do
    echo "${task##*/} $(tr ' ' '_' <"$task/comm") $(awk '/ctxt_switches/ { s += $2 } END { print s }' "$task/status") $(awk '{ print $1 }' "$task/schedstat")"
  done 2>/dev/null
}

per_thread >"$TOCSIN_GATEWAY_DIR/threads.0"
t0=$(_it_now); k0=$(stat_ticks); n0=$(sched_ns); w0=$(wakeups)
sleep "$idle_seconds"
t1=$(_it_now); k1=$(stat_ticks); n1=$(sched_ns); w1=$(wakeups)
per_thread >"$TOCSIN_GATEWAY_DIR/threads.1"
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
echo "[idle] per thread (switches/s, ms CPU/s):"
awk -v secs="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" '
  NR == FNR { sw[$1] = $3; ns[$1] = $4; next }
  { printf "  %-20s %7.2f %8.4f\n", $2, ($3 - sw[$1]) / secs, ($4 - ns[$1]) / 1e6 / secs }' \
  "$TOCSIN_GATEWAY_DIR/threads.0" "$TOCSIN_GATEWAY_DIR/threads.1" | sort -k2 -nr | head -n 12
echo "$memory_line"
summary+=("$(awk -v n0="$n0" -v n1="$n1" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.4f ms/s", (n1 - n0) / 1e6 / (t1 - t0) }') | ${memory_line#\[idle\] memory: }")
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
echo "[idle] summary (idle CPU | memory):"
for line in "${summary[@]}"; do echo "  $line"; done
exit "$status"
