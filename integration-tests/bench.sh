#!/usr/bin/env bash
# Tocsin's benchmark: every figure of docs/benchmarks.md, measured in one run on local real servers
# (InspIRCd + Anope, Prosody) with release builds, next to Errbot as the peer. Prints the table and
# writes the JSON (default .build-bench/bench-results/bench-DATE.json, or --json FILE).
#
#   integration-tests/bench.sh [--json FILE] [--commands N] [--skip-peer] [--only-part7]
#
# Parts (all from this run):
#   1. !ack round trip as a chat user sees it, IRC and XMPP, embedded store; and Tocsin's own share
#      in-process (tocsin-bench share)
#   2. fan-out: 100 incidents × 20 rooms on InspIRCd and on Prosody, against each server's flood
#      allowance
#   3. intake: events/s into the durable outbox through /v2/enqueue and signed /webhooks/pagerduty
#   4. codec throughput (tocsin-bench codec)
#   5. RSS idle with 2 networks and 50 rooms, and after the fan-out
#   6. the same round trip and RSS for Errbot (Debian's errbot 6.1.7) and for Tocsin, both on the
#      same instant PagerDuty-compatible HTTP API (bench/instant_api.py)
#   7. twenty people at once against a 500 ms API: 20 IRC users (own services accounts and
#      PagerDuty users) send `!ack` at the same moment; every reply timed as each person sees it,
#      split by the API's timestamps; a webhook announcement posted meanwhile vs alone
#      (bench/crowd.py). `--only-part7` runs just this part (servers, API, gateway: ~2 minutes
#      plus the build); BENCH_PART7=0 leaves it out of a full run. BENCH_P7_PEOPLE (20),
#      BENCH_P7_DELAY_MS (500), BENCH_P7_ROUNDS (3), BENCH_P7_IN_FLIGHT (gateway.commands.
#      max_in_flight_per_network; default: the gateway's default).
# Servers listen on 127.0.0.1 only, on the ports below (override with the same variables as
# lib/servers.sh); every process started here is stopped by its PID. About 12 minutes plus builds.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"

json_out=""
commands="${BENCH_COMMANDS:-1000}"
fanout_incidents="${BENCH_FANOUT_INCIDENTS:-100}"   # fewer only for a quick trial of the script
skip_peer=0
only_part7=0
part7="${BENCH_PART7:-1}"
while [ $# -gt 0 ]; do
  case "$1" in
    --json) json_out="$2"; shift 2 ;;
    --commands) commands="$2"; shift 2 ;;
    --skip-peer) skip_peer=1; shift ;;
    --only-part7) only_part7=1; part7=1; skip_peer=1; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

# install-deps.sh ends with `pkill -x` of every InspIRCd/Prosody/… on the machine; on a shared
# machine where others' test servers run, set TOCSIN_BENCH_SKIP_INSTALL=1 once the packages are in.
if [ "${TOCSIN_BENCH_SKIP_INSTALL:-0}" != 1 ]; then
  "$here/install-deps.sh" >/dev/null || exit 1
fi

export TOCSIN_IT_DIR="${TOCSIN_IT_DIR:-$(mktemp -d /tmp/tocsin-bench.XXXXXX)}"
export INSPIRCD_PORT="${INSPIRCD_PORT:-52667}" INSPIRCD_TLS_PORT="${INSPIRCD_TLS_PORT:-52697}"
export INSPIRCD_LINK_PORT="${INSPIRCD_LINK_PORT:-52700}" PROSODY_PORT="${PROSODY_PORT:-52522}"
export TOCSIN_HTTP_PORT="${TOCSIN_HTTP_PORT:-52880}"
export PYTHONDONTWRITEBYTECODE=1
source "$here/lib/servers.sh"
source "$here/lib/gateway.sh"
source "$here/bench/lib.sh"

scratch="$root/.build-bench"
results="$TOCSIN_IT_DIR/results"
mkdir -p "$results"
[ -n "$json_out" ] || json_out="$scratch/bench-results/bench-$(date -u +%Y%m%dT%H%M%SZ).json"
mkdir -p "$(dirname "$json_out")"
ca="$TOCSIN_IT_CA_DIR"
bench_py() { "$BENCH_PYTHON" "$BENCH_HOME/$1" "${@:2}"; }
step() { printf '\n==> %s\n' "$*" >&2; }
t_start=$(date +%s)

API_PID=""
P7_API_PID=""
stop_api() {
  if [ -n "$P7_API_PID" ]; then kill -TERM "$P7_API_PID" 2>/dev/null; wait "$P7_API_PID" 2>/dev/null; P7_API_PID=""; fi
  [ -n "$API_PID" ] || return 0
  kill -TERM "$API_PID" 2>/dev/null
  local i; for ((i = 0; i < 50; i++)); do kill -0 "$API_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$API_PID" 2>/dev/null; wait "$API_PID" 2>/dev/null; API_PID=""
}
report_done=0
cleanup() {
  stop_gateway; stop_all_errbots; stop_api; stop_all_servers
  if [ "$report_done" = 0 ] && [ -s "$results/machine.json" ]; then
    echo "bench.sh: stopped early; the figures measured so far (raw parts in $results):" >&2
    bench_py report.py "$results" "$json_out" || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------------------------------------
# The release build as README's install builds it: the Swift runtime and Foundation linked
# statically (issue 11, item 8: 3.5 MB less resident, see docs/benchmarks.md), dead-stripped
# (SwiftPM's default for release: -Xlinker --gc-sections).
release_flags=(-c release --static-swift-stdlib)
step "Building tocsin and tocsin-bench (${release_flags[*]}, scratch path $scratch)"
products=(tocsin tocsin-bench); [ "$only_part7" = 1 ] && products=(tocsin)
for product in "${products[@]}"; do
  if ! (cd "$root" && swift build "${release_flags[@]}" --product "$product" --scratch-path "$scratch" >"$TOCSIN_IT_DIR/build-$product.log" 2>&1); then
    grep -m 5 'error:' "$TOCSIN_IT_DIR/build-$product.log" >&2
    echo "bench.sh: the release build of $product failed (log $TOCSIN_IT_DIR/build-$product.log)" >&2; exit 1
  fi
  tail -n 1 "$TOCSIN_IT_DIR/build-$product.log" >&2
  [ -x "$scratch/release/$product" ] || { echo "bench.sh: no $scratch/release/$product after the build" >&2; exit 1; }
done
tocsin_binary() { echo "$scratch/release/tocsin"; }   # gateway.sh's start_gateway runs this build

cpu_model="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
mem_kb="$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
swift_version="$(swift --version 2>&1 | head -n 1)"
"$BENCH_PYTHON" - "$results/machine.json" "$(nproc)" "$cpu_model" "$mem_kb" "$swift_version" \
  "$(uname -r)" "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import json, sys, datetime
out, nproc, cpu, mem, swift, kernel, commit, load = sys.argv[1:]
json.dump({"nproc": int(nproc), "cpu_model": cpu, "ram_gib": round(int(mem) / 1048576, 1), "swift": swift,
           "kernel": kernel, "commit": commit, "loadavg_at_start": load,
           "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}, open(out, "w"))
PY

# ------------------------------------------------------------------------------------------------
if [ "$only_part7" = 0 ]; then
step "Parts 1 (own share) and 4 (codec): tocsin-bench, in-process"
"$scratch/release/tocsin-bench" all --seconds 3 --iterations 10000 >"$results/inproc.json" || exit 1
fi

# ------------------------------------------------------------------------------------------------
step "Starting InspIRCd + Anope and Prosody on 127.0.0.1 (benchmark flood settings)"
bench_patch_server_configs || exit 1
bench_shield_server_names || exit 1
make_test_ca "$ca" && start_inspircd && start_prosody || exit 1
bench_check_server_configs || { echo "bench.sh: the servers did not get the benchmark's flood settings" >&2; exit 1; }
irc_register_account tocsin botpass123 && irc_register_account alice alicepass123 || exit 1
for user in tocsin alice errbot watcher; do xmpp_register prosody "$user" "${user}pass123" || exit 1; done
export TOCSIN_IRC_PASSWORD=botpass123 TOCSIN_XMPP_PASSWORD=tocsinpass123
export BENCH_KEY_RTT=0123456789abcdef0123456789abcd01 BENCH_KEY_FANOUT=0123456789abcdef0123456789abcd02
export BENCH_KEY_INTAKE=0123456789abcdef0123456789abcd03
export BENCH_PD_TOKEN=bench-token-Zq81 BENCH_WEBHOOK_SECRET=bench-webhook-secret-4f1c

# The instant incident API of part 6 (and the PagerDuty base URL of the webhook intake gateway).
start_instant_api() { # PID_VAR PORT_VAR LOG ARGS… — bench/instant_api.py on a free port
  "$BENCH_PYTHON" "$BENCH_HOME/instant_api.py" --port 0 --token "$BENCH_PD_TOKEN" "${@:4}" >"$3" 2>&1 &
  printf -v "$1" '%s' "$!"   # set before waiting, so cleanup stops it whatever happens next
  local port="" _
  for _ in $(seq 1 50); do
    port="$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$3" | head -n 1)"
    [ -n "$port" ] && break; sleep 0.1
  done
  printf -v "$2" '%s' "$port"
  [ -n "$port" ] || { echo "bench.sh: instant_api.py did not start ($3)" >&2; cat "$3" >&2; return 1; }
}
start_instant_api API_PID api_port "$TOCSIN_IT_DIR/instant-api.log" --incidents $((4 * commands)) \
  --users alice@example.org || exit 1

irc_rooms=(); xmpp_rooms=()
for i in $(seq -w 1 20); do irc_rooms+=("#room$i"); done
for i in $(seq -w 1 30); do xmpp_rooms+=("room$i@conference.localhost"); done
join_by() { local IFS="$1"; shift; echo "$*"; }

# write_config FILE KIND(embedded|pagerduty) ROOMS(all|intake)
write_config() {
  local file="$1" kind="$2" rooms="$3" r backend=()
  if [ "$kind" = embedded ]; then
    backend=(--service rtt:bench:BENCH_KEY_RTT --service fanout:bench:BENCH_KEY_FANOUT --service intake:bench:BENCH_KEY_INTAKE)
  else
    backend=(--pagerduty 'api_token: {env: BENCH_PD_TOKEN}' --pagerduty "base_url: http://127.0.0.1:$api_port"
             --pagerduty 'webhook_secrets: [{env: BENCH_WEBHOOK_SECRET}]' --pagerduty 'services: {intake: PSERVIC1, fanout: PSERVIC2}')
  fi
  {
    # The bench user sends 1,000 commands back to back: lift the per-user/per-room rate limits
    # (the peer has none), so the figures are the command path, not the limiter's refusals.
    config_gateway "${file%.yml}.sqlite" --public-url \
      --gateway 'rate_limits: {per_user: {burst: 1000, per_minute: 6000}, per_room: {burst: 1000, per_minute: 6000}}' \
      "${backend[@]}" --identity irc:inspircd/alice=alice@example.org --identity xmpp:alice@localhost=alice@example.org
    echo "irc:"
    config_irc_network inspircd "$INSPIRCD_TLS_PORT" --sasl=PLAIN \
      "flood: {burst: $BENCH_IRC_THRESHOLD, interval_ms: $((1000000 / BENCH_IRC_COMMANDRATE))}" "rooms:"
    if [ "$rooms" = intake ]; then echo "      - {name: \"#intake\"}"; else
      for r in "${irc_rooms[@]}"; do echo "      - {name: \"$r\"}"; done
    fi
    if [ "$rooms" = all ]; then
      echo "xmpp:"
      config_xmpp_network prosody "$PROSODY_PORT" "rooms:"
      for r in "${xmpp_rooms[@]}"; do echo "      - {jid: $r}"; done
    fi
    echo "routes:"
    if [ "$rooms" = intake ]; then
      echo "  - {network: inspircd, room: \"#intake\", services: [intake]}"
    else
      for r in "${irc_rooms[@]}"; do echo "  - {network: inspircd, room: \"$r\", services: [fanout]}"; done
      for r in "${xmpp_rooms[@]:0:20}"; do echo "  - {network: prosody, room: $r, services: [fanout]}"; done
    fi
    echo "logging: {level: notice}"
  } >"$file"
  "$(tocsin_binary)" check-config "$file" >&2 || { echo "bench.sh: $file is not valid" >&2; return 1; }
}
mkdir -p "$TOCSIN_GATEWAY_DIR"

"$BENCH_PYTHON" - "$results/params.json" <<PY
import json, sys
json.dump({"commands": $commands, "irc_threshold": $BENCH_IRC_THRESHOLD, "irc_commandrate": $BENCH_IRC_COMMANDRATE,
           "xmpp_rate_bytes": int("$BENCH_XMPP_RATE".split("kb")[0]) * 1000, "xmpp_burst_seconds": $BENCH_XMPP_BURST_SECONDS,
           "ports": {"inspircd_tls": $INSPIRCD_TLS_PORT, "prosody": $PROSODY_PORT}}, open(sys.argv[1], "w"))
PY
set_param() { # KEY JSON-VALUE
  "$BENCH_PYTHON" -c 'import json,sys; p=json.load(open(sys.argv[1])); p[sys.argv[2]]=json.loads(sys.argv[3]); json.dump(p, open(sys.argv[1],"w"))' \
    "$results/params.json" "$1" "$2"
}

# ------------------------------------------------------------------------------------------------
# Part 3: intake. A gateway on the real InspIRCd (announcing into #intake at its 10 lines/s while
# the load runs), wrk as the client, each request a new event.
run_intake() { # NAME KIND PATH-ARGS...
  local name="$1" kind="$2" config="$TOCSIN_GATEWAY_DIR/intake-$1.yml" out="$results/intake-$1.json" rows
  shift 2
  write_config "$config" "$kind" intake || return 1
  start_gateway "$config" "$TOCSIN_GATEWAY_DIR/intake-$name.log"
  wait_gateway_ready 60 || { stop_gateway; return 1; }
  wrk -t 1 -c 8 -d 10s --timeout 10s -s "$BENCH_HOME/intake.lua" "http://127.0.0.1:$TOCSIN_HTTP_PORT" -- "$@" \
    >"$TOCSIN_IT_DIR/wrk-$name.txt" 2>&1
  stop_gateway
  rows="$(sqlite3 "${config%.yml}.sqlite" 'SELECT count(*) FROM outbox_messages' 2>/dev/null || echo null)"
  grep '^{' "$TOCSIN_IT_DIR/wrk-$name.txt" | tail -n 1 >"$out.tmp"
  if [ -s "$out.tmp" ]; then
    "$BENCH_PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["outbox_rows"]=json.loads(sys.argv[2]); d["connections"]=8; json.dump(d, open(sys.argv[3],"w"))' \
      "$out.tmp" "$rows" "$out"
  else
    echo "{\"error\": \"wrk produced no result\"}" >"$out"; cat "$TOCSIN_IT_DIR/wrk-$name.txt" >&2
  fi
  rm -f "$out.tmp"
}
if [ "$only_part7" = 0 ]; then
step "Part 3: intake, POST /v2/enqueue (embedded store) — 10 s of wrk, 8 connections"
run_intake enqueue embedded enqueue 1 "$BENCH_KEY_INTAKE"
step "Part 3: intake, POST /webhooks/pagerduty (signed) — 10 s of wrk, 8 connections"
bench_py webhook_bodies.py --secret "$BENCH_WEBHOOK_SECRET" --service-id PSERVIC1 --count 60000 \
  --out "$TOCSIN_IT_DIR/webhooks.txt" || exit 1
run_intake webhook pagerduty webhook 1 "$TOCSIN_IT_DIR/webhooks.txt"
fi

# ------------------------------------------------------------------------------------------------
irc_rtt() { # LABEL BOT CHANNEL FIRST
  bench_py rtt.py irc --port "$INSPIRCD_TLS_PORT" --tls --cafile "$ca/ca.pem" --nick alice --sasl alice:alicepass123 \
    --channel "$3" --bot "$2" --first "$4" --count "$commands" --interval 0.12 --label "$1" --out "$results/rtt-$1.json"
}
xmpp_rtt() { # LABEL BOT ROOM FIRST
  bench_py rtt.py xmpp --port "$PROSODY_PORT" --cafile "$ca/ca.pem" --jid alice@localhost --password alicepass123 \
    --room "$3" --bot "$2" --first "$4" --count "$commands" --interval 0.12 --label "$1" --out "$results/rtt-$1.json"
}
rooms_joined() { # BOT IRC-CHANNELS XMPP-ROOMS
  bench_py wait_rooms.py --cafile "$ca/ca.pem" --irc-port "$INSPIRCD_TLS_PORT" --irc-channels "$2" --irc-bot "$1" \
    --xmpp-port "$PROSODY_PORT" --jid watcher@localhost --password watcherpass123 --xmpp-rooms "$3" --xmpp-bot "$1" --timeout 120
}
all_irc="$(join_by , "${irc_rooms[@]}")"; all_xmpp="$(join_by , "${xmpp_rooms[@]}")"
declare -A rss=()
cpu_ms() { # CPU time (user+system) of the PIDs so far, in ms
  local pid total=0 hz; hz=$(getconf CLK_TCK)
  for pid in "$@"; do total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0) )); done
  echo $(( total * 1000 / hz ))
}
per_command() { awk -v a="$1" -v b="$2" -v n="$((2 * commands))" 'BEGIN { printf "%.3f", (b - a) / n }'; }
save_rss() { # rss.json from the figures so far (kB)
  local key first=1
  { echo "{"
    for key in "${!rss[@]}"; do [ $first = 1 ] || echo ","; printf '"%s": %s' "$key" "${rss[$key]}"; first=0; done
    echo "}"; } >"$results/rss.json"
}

# Parts 1, 2, 5: the gateway on the embedded store, 2 networks, 50 rooms.
if [ "$only_part7" = 0 ]; then
step "Parts 1, 2, 5: gateway on the embedded store, InspIRCd (20 channels) + Prosody (30 rooms)"
main_config="$TOCSIN_GATEWAY_DIR/main.yml"
write_config "$main_config" embedded all || exit 1
prosody_log="$TOCSIN_IT_DIR/prosody/prosody.log"; prosody_mark=$(wc -l <"$prosody_log")
start_gateway "$main_config" "$TOCSIN_GATEWAY_DIR/main.log"
wait_gateway_ready 90 || exit 1
rooms_joined tocsin "$all_irc" "$all_xmpp" || exit 1
sleep 5
rss[tocsin_idle_kb]=$(rss_kb "$TOCSIN_GATEWAY_PID")
memory_profile "$TOCSIN_GATEWAY_PID" "$results/memory-tocsin-idle.txt"
save_rss
_bench_log "tocsin idle RSS ${rss[tocsin_idle_kb]} kB"
# Incidents 1..2N for the round trips, on a service no route announces.
bench_py events.py --url "http://127.0.0.1:$TOCSIN_HTTP_PORT" --routing-key "$BENCH_KEY_RTT" \
  --count $((2 * commands)) --summary "rtt incident" --severity info >&2 || exit 1

step "Part 1: $commands × !ack on IRC (#room01) and on XMPP (room01), at once, one command per 0.12 s each"
cpu0=$(cpu_ms "$TOCSIN_GATEWAY_PID")
# BENCH_PERF=DIR: a separate profiling run (not the figures' run: sampling costs the gateway CPU)
# records the gateway with `perf record -g` during part 1, and its switches with `perf sched`.
perf_pid=""
if [ -n "${BENCH_PERF:-}" ]; then
  mkdir -p "$BENCH_PERF"
  perf record -F "${BENCH_PERF_HZ:-997}" -g -p "$TOCSIN_GATEWAY_PID" -o "$BENCH_PERF/part1.data" >"$BENCH_PERF/perf.log" 2>&1 &
  perf_pid=$!
fi
irc_rtt tocsin-irc tocsin '#room01' 1 & p1=$!
xmpp_rtt tocsin-xmpp tocsin room01@conference.localhost $((commands + 1)) & p2=$!
wait "$p1"; wait "$p2"
set_param tocsin_cpu_ms_per_command "$(per_command "$cpu0" "$(cpu_ms "$TOCSIN_GATEWAY_PID")")"
if [ -n "$perf_pid" ]; then kill -INT "$perf_pid" 2>/dev/null; wait "$perf_pid" 2>/dev/null; fi

step "Part 2: fan-out, $fanout_incidents incidents × 20 rooms on InspIRCd and on Prosody"
bench_py fanout.py --enqueue-url "http://127.0.0.1:$TOCSIN_HTTP_PORT" --routing-key "$BENCH_KEY_FANOUT" \
  --incidents "$fanout_incidents" --tag fanout --cafile "$ca/ca.pem" \
  --irc-port "$INSPIRCD_TLS_PORT" --irc-channels "$all_irc" --irc-bot tocsin \
  --xmpp-port "$PROSODY_PORT" --jid watcher@localhost --password watcherpass123 \
  --xmpp-rooms "$(join_by , "${xmpp_rooms[@]:0:20}")" --xmpp-bot tocsin \
  --bot-pid "$TOCSIN_GATEWAY_PID" --timeout 420 --out "$results/fanout.json"
rss[tocsin_after_fanout_kb]=$(rss_kb "$TOCSIN_GATEWAY_PID")
memory_profile "$TOCSIN_GATEWAY_PID" "$results/memory-tocsin-after-fanout.txt"
save_rss
# Disconnects while the gateway ran: the gateway's own log (a lost connection is logged with
# "reconnecting in", an IRC server's ERROR with "closed the link"), Prosody's logins of the bot (one
# expected) and the fan-out watchers. (InspIRCd's own log is written lazily, so it is not used.)
xmpp_logins=$(tail -n +"$((prosody_mark + 1))" "$prosody_log" | grep -c 'Authenticated as tocsin@localhost' || true)
gateway_reconnects=$(grep -ciE 'reconnecting in|closed the link|excess flood|recvq exceeded' "$TOCSIN_GATEWAY_DIR/main.log" || true)
watcher_drops=$("$BENCH_PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(bool(d.get(k,{}).get("watcher_disconnected")) for k in ("irc","xmpp")))' \
  "$results/fanout.json" 2>/dev/null || echo 0)
disconnects=$(( (xmpp_logins > 1 ? xmpp_logins - 1 : 0) + gateway_reconnects + watcher_drops ))
_bench_log "fan-out: XMPP logins of the bot $xmpp_logins, gateway reconnects/kills $gateway_reconnects," \
  "watcher drops $watcher_drops"
set_param fanout_disconnects "$disconnects"
gateway_alive || { echo "bench.sh: the gateway died during the fan-out" >&2; tail -n 30 "$TOCSIN_GATEWAY_DIR/main.log" >&2; }
stop_gateway
fi

# ------------------------------------------------------------------------------------------------
if [ "$skip_peer" = 0 ]; then
  step "Part 6: Tocsin on its PagerDuty backend → instant API, same rooms"
  pd_config="$TOCSIN_GATEWAY_DIR/pagerduty.yml"
  write_config "$pd_config" pagerduty all || exit 1
  start_gateway "$pd_config" "$TOCSIN_GATEWAY_DIR/pagerduty.log"
  wait_gateway_ready 90 || exit 1
  rooms_joined tocsin "$all_irc" "$all_xmpp" || exit 1
  sleep 5
  rss[tocsinpd_idle_kb]=$(rss_kb "$TOCSIN_GATEWAY_PID")
  save_rss
  cpu0=$(cpu_ms "$TOCSIN_GATEWAY_PID")
  irc_rtt tocsinpd-irc tocsin '#room01' 1 & p1=$!
  xmpp_rtt tocsinpd-xmpp tocsin room01@conference.localhost $((commands + 1)) & p2=$!
  wait "$p1"; wait "$p2"
  set_param tocsinpd_cpu_ms_per_command "$(per_command "$cpu0" "$(cpu_ms "$TOCSIN_GATEWAY_PID")")"
  stop_gateway

  step "Part 6: Errbot (IRC bot in 20 channels, XMPP bot in 30 rooms) → instant API"
  api_env=(INCIDENT_API_URL="http://127.0.0.1:$api_port" INCIDENT_API_TOKEN="$BENCH_PD_TOKEN"
           INCIDENT_USERS="alice=alice@example.org")
  # Nick errbot: "tocsin" is a registered Anope account, whose nick protection would rename an
  # unidentified client after a minute.
  start_errbot irc env "${api_env[@]}" ERRBOT_BACKEND=IRC ERRBOT_NICK=errbot ERRBOT_PORT="$INSPIRCD_TLS_PORT" \
    ERRBOT_IRC_RATE=0.1 ERRBOT_ROOMS="$all_irc"
  start_errbot xmpp env "${api_env[@]}" ERRBOT_BACKEND=XMPP ERRBOT_ASYNC=0 ERRBOT_NICK=errbot \
    ERRBOT_JID=errbot@localhost ERRBOT_PASSWORD=errbotpass123 ERRBOT_PORT="$PROSODY_PORT" \
    ERRBOT_CA_FILE="$ca/ca.pem" ERRBOT_ROOMS="$all_xmpp"
  rooms_joined errbot "$all_irc" "$all_xmpp" || exit 1
  sleep 5
  rss[errbot_irc_idle_kb]=$(rss_kb "${BENCH_ERRBOT_PIDS[irc]}")
  rss[errbot_xmpp_idle_kb]=$(rss_kb "${BENCH_ERRBOT_PIDS[xmpp]}")
  rss[errbot_idle_kb]=$(( rss[errbot_irc_idle_kb] + rss[errbot_xmpp_idle_kb] ))
  memory_profile "${BENCH_ERRBOT_PIDS[irc]}" "$results/memory-errbot-irc-idle.txt"
  save_rss
  cpu0=$(cpu_ms "${BENCH_ERRBOT_PIDS[irc]}" "${BENCH_ERRBOT_PIDS[xmpp]}")
  irc_rtt errbot-irc errbot '#room01' $((2 * commands + 1)) & p1=$!
  xmpp_rtt errbot-xmpp errbot room01@conference.localhost $((3 * commands + 1)) & p2=$!
  wait "$p1"; wait "$p2"
  set_param errbot_cpu_ms_per_command "$(per_command "$cpu0" "$(cpu_ms "${BENCH_ERRBOT_PIDS[irc]}" "${BENCH_ERRBOT_PIDS[xmpp]}")")"
  rss[errbot_irc_after_kb]=$(rss_kb "${BENCH_ERRBOT_PIDS[irc]}")
  rss[errbot_xmpp_after_kb]=$(rss_kb "${BENCH_ERRBOT_PIDS[xmpp]}")
  stop_all_errbots
fi

# ------------------------------------------------------------------------------------------------
# Part 7: twenty people at once against an API answering in 500 ms (issue 11). Each person is an
# IRC user with its own services account, mapped to its own PagerDuty user (`From:` on the PUT),
# all in #p7 with the bot; announcements of PSERVIC1 go to #p7news, where a watcher reads them.
# Flood: the people are 20 connections, one line each (InspIRCd's per-client threshold is not
# reached); the gateway's own pacing is the bench's (burst $BENCH_IRC_THRESHOLD, then one line per
# $((1000000 / BENCH_IRC_COMMANDRATE)) ms), so 20 replies + 1 announcement fit one burst or nearly.
if [ "$part7" = 1 ]; then
  [ "$only_part7" = 1 ] && set_param only_part7 true
  p7_people="${BENCH_P7_PEOPLE:-20}" p7_delay="${BENCH_P7_DELAY_MS:-500}" p7_rounds="${BENCH_P7_ROUNDS:-3}"
  step "Part 7: $p7_people people at once, !ack against an API answering in $p7_delay ms ($p7_rounds rounds)"
  p7_nicks=(); p7_auth=(); p7_emails=()
  for i in $(seq -w 1 "$p7_people"); do
    p7_nicks+=("p7u$i"); p7_auth+=("p7u$i:p7u${i}pass"); p7_emails+=("p7u$i@example.org")
    irc_register_account "p7u$i" "p7u${i}pass" || exit 1
  done
  p7_api_log="$TOCSIN_IT_DIR/p7-api-requests.jsonl"; : >"$p7_api_log"
  start_instant_api P7_API_PID p7_api_port "$TOCSIN_IT_DIR/p7-api.log" \
    --incidents $((p7_people * p7_rounds + 100)) --users "$(join_by , "${p7_emails[@]}")" \
    --delay-ms "$p7_delay" --request-log "$p7_api_log" || exit 1
  p7_config="$TOCSIN_GATEWAY_DIR/part7.yml"
  p7_options=()
  [ -n "${BENCH_P7_IN_FLIGHT:-}" ] && p7_options+=(--gateway "commands: {max_in_flight_per_network: $BENCH_P7_IN_FLIGHT}")
  for i in "${!p7_nicks[@]}"; do p7_options+=(--identity "irc:inspircd/${p7_nicks[$i]}=${p7_emails[$i]}"); done
  {
    config_gateway "${p7_config%.yml}.sqlite" --public-url \
      --gateway 'rate_limits: {per_user: {burst: 1000, per_minute: 6000}, per_room: {burst: 1000, per_minute: 6000}}' \
      --pagerduty 'api_token: {env: BENCH_PD_TOKEN}' --pagerduty "base_url: http://127.0.0.1:$p7_api_port" \
      --pagerduty 'webhook_secrets: [{env: BENCH_WEBHOOK_SECRET}]' --pagerduty 'services: {intake: PSERVIC1, fanout: PSERVIC2}' \
      "${p7_options[@]}"
    echo "irc:"
    config_irc_network inspircd "$INSPIRCD_TLS_PORT" --sasl=PLAIN \
      "flood: {burst: $BENCH_IRC_THRESHOLD, interval_ms: $((1000000 / BENCH_IRC_COMMANDRATE))}" \
      'rooms: [{name: "#p7"}, {name: "#p7news"}]'
    cat <<YAML
routes:
  - {network: inspircd, room: "#p7", services: [fanout]}
  - {network: inspircd, room: "#p7news", services: [intake]}
logging: {level: notice}
YAML
  } >"$p7_config"
  "$(tocsin_binary)" check-config "$p7_config" >&2 || { echo "bench.sh: $p7_config is not valid" >&2; exit 1; }
  start_gateway "$p7_config" "$TOCSIN_GATEWAY_DIR/part7.log"
  wait_gateway_ready 90 || exit 1
  bench_py crowd.py --port "$INSPIRCD_TLS_PORT" --cafile "$ca/ca.pem" --people "$(join_by , "${p7_auth[@]}")" \
    --channel '#p7' --bot tocsin --watch-channel '#p7news' \
    --webhook-url "http://127.0.0.1:$TOCSIN_HTTP_PORT/webhooks/pagerduty" --secret "$BENCH_WEBHOOK_SECRET" \
    --service-id PSERVIC1 --first 1 --rounds "$p7_rounds" --baseline 3 \
    --api-log "$p7_api_log" --api-delay-ms "$p7_delay" --out "$results/crowd.json"
  set_param part7 "{\"people\": $p7_people, \"api_delay_ms\": $p7_delay, \"rounds\": $p7_rounds, \"max_in_flight_per_network\": ${BENCH_P7_IN_FLIGHT:-null}}"
  gateway_alive || { echo "bench.sh: the gateway died during part 7" >&2; tail -n 30 "$TOCSIN_GATEWAY_DIR/part7.log" >&2; }
  stop_gateway
  kill -TERM "$P7_API_PID" 2>/dev/null; wait "$P7_API_PID" 2>/dev/null; P7_API_PID=""
fi

# ------------------------------------------------------------------------------------------------
save_rss
set_param total_seconds "$(( $(date +%s) - t_start ))"
set_param loadavg_at_end "\"$(cut -d' ' -f1-3 /proc/loadavg)\""
step "Results (all from this run; raw parts in $results)"
report_done=1
bench_py report.py "$results" "$json_out" || exit 1
echo "JSON: $json_out"
