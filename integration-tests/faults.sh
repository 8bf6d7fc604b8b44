#!/usr/bin/env bash
# Nothing lost: fault injection against real servers. Each test prints
#   NAME: expected E, delivered D, missing M, duplicates K
# per room, and the lines are collected in $TOCSIN_IT_DIR/fault-summary.txt for the final summary.
# A room fails on anything missing, on a missing/empty watcher file, and on more than one repeat
# per room per fault (count_delivery.py prints which keys repeated and how often).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib/servers.sh"
source "$here/lib/gateway.sh"
proxy_pids=()   # every helper process, stopped at the end
relay_pids=()   # the TCP relays only: SIGUSR1 resets their connections
cleanup() {
  stop_gateway
  for pid in "${proxy_pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  stop_all_servers
}
trap cleanup EXIT
summary="$TOCSIN_IT_DIR/fault-summary.txt"
: >"$summary"
count() { "$TOCSIN_IT_PYTHON" "$here/lib/count_delivery.py" "$@" --summary "$summary"; }

ca="$TOCSIN_IT_CA_DIR"
make_test_ca "$ca" && start_inspircd && start_prosody || exit 1
irc_register_account tocsin botpass123 || exit 1
xmpp_register prosody tocsin botpass123 && xmpp_register prosody alice alicepass123 || exit 1
build_tocsin || exit 1

# The gateway reaches both servers through TCP relays that can reset every connection at once.
IRC_PROXY_PORT=$((INSPIRCD_TLS_PORT + 100)); XMPP_PROXY_PORT=$((PROSODY_PORT + 100))
"$TOCSIN_IT_PYTHON" "$here/lib/tcpproxy.py" "$IRC_PROXY_PORT" "$INSPIRCD_TLS_PORT" & proxy_pids+=($!); relay_pids+=($!)
"$TOCSIN_IT_PYTHON" "$here/lib/tcpproxy.py" "$XMPP_PROXY_PORT" "$PROSODY_PORT" & proxy_pids+=($!); relay_pids+=($!)
wait_for_port "$IRC_PROXY_PORT" 10 && wait_for_port "$XMPP_PROXY_PORT" 10 || exit 1

mkdir -p "$TOCSIN_GATEWAY_DIR"
config="$TOCSIN_GATEWAY_DIR/faults.yml"
{
  config_gateway "$TOCSIN_GATEWAY_DIR/faults.sqlite" --gateway 'outbox_max_age_seconds: 3600' --service api
  echo "irc:"
  config_irc_network irc "$IRC_PROXY_PORT" --sasl 'rooms: [{name: "#ops"}]' \
    "flood: {burst: 5, interval_ms: 1100}   # InspIRCd's default class drains one line per second"
  echo "xmpp:"
  config_xmpp_network xmpp "$XMPP_PROXY_PORT" 'rooms: [{jid: ops@conference.localhost}]'
  cat <<YAML
routes:
  - {network: irc, room: "#ops"}
  - {network: xmpp, room: ops@conference.localhost}
YAML
} >"$config"
export TOCSIN_IRC_PASSWORD=botpass123 TOCSIN_XMPP_PASSWORD=botpass123

# Watchers connect to the servers directly (not through the relays) and keep reconnecting until
# the deadline, appending everything they see as JSON lines.
# Each writes OUT.ready once it is in the room; `watchers_ready` waits for both before a burst, so
# a watcher that joins late cannot pass for lost announcements.
watch_irc() { # OUT DEADLINE_SECONDS
  local out="$1" end=$((SECONDS + $2))
  while ((SECONDS < end)); do
    ircclient --host 127.0.0.1 --port "$INSPIRCD_TLS_PORT" --tls --cafile "$ca/ca.pem" --servername localhost \
      --nick "w$RANDOM" --timeout $((end - SECONDS)) watch --channel '#ops' --from tocsin --json \
      --until-quiet 45 --ready-file "$out.ready" >>"$out" 2>/dev/null && return 0
    sleep 0.2
  done
}
watch_xmpp() { # OUT DEADLINE_SECONDS
  local out="$1" end=$((SECONDS + $2))
  while ((SECONDS < end)); do
    xmppclient --jid alice@localhost --password alicepass123 --host 127.0.0.1 --port "$PROSODY_PORT" \
      --cafile "$ca/ca.pem" --timeout $((end - SECONDS)) watch --room ops@conference.localhost \
      --nick "w$RANDOM" --history 100 --include-history --from tocsin --json --until-quiet 45 \
      --ready-file "$out.ready" >>"$out" 2>/dev/null && return 0
    sleep 0.2
  done
}
watchers_ready() { # OUT... — bounded: 60 s for all
  local f i
  for f in "$@"; do
    for ((i = 0; i < 600; i++)); do [ -e "$f.ready" ] && break; sleep 0.1; done
    [ -e "$f.ready" ] || { echo "      watcher for $f never joined its room" >&2; return 1; }
  done
}
seen_count() { local n; n=$(grep -c "$2" "$1" 2>/dev/null); echo "${n:-0}"; }
wait_seen() { # FILE PATTERN N SECONDS
  local i
  for ((i = 0; i < $4 * 20; i++)); do [ "$(seen_count "$1" "$2")" -ge "$3" ] && return 0; sleep 0.05; done
  return 1
}

start_gateway "$config"
check "gateway ready" wait_gateway_ready 90 || exit 1

# A slow-loris server (one byte per second, never a whole line or element), checked at the end: a
# second gateway pointed at it must give up on it instead of waiting forever.
SLOW_PORT=$((INSPIRCD_TLS_PORT + 200)); SLOW_XMPP_PORT=$((PROSODY_PORT + 200)); SLOW_HTTP_PORT=$((TOCSIN_HTTP_PORT + 2))
"$TOCSIN_IT_PYTHON" "$here/lib/slowloris.py" "$SLOW_PORT" irc & proxy_pids+=($!)
"$TOCSIN_IT_PYTHON" "$here/lib/slowloris.py" "$SLOW_XMPP_PORT" xmpp & proxy_pids+=($!)
wait_for_port "$SLOW_PORT" 10 && wait_for_port "$SLOW_XMPP_PORT" 10 || exit 1
slow_dir="$TOCSIN_GATEWAY_DIR/slowloris"; mkdir -p "$slow_dir"
cat >"$slow_dir/slow.yml" <<YAML
gateway: {database: $slow_dir/slow.sqlite}
http: {host: 127.0.0.1, port: $SLOW_HTTP_PORT}
backend: {kind: embedded, embedded: {services: [{name: api}]}}
irc: [{name: slow-irc, host: 127.0.0.1, port: $SLOW_PORT, tls: {mode: plaintext}, nick: tocsin}]
xmpp: [{name: slow-xmpp, jid: tocsin@localhost, password: x, host: 127.0.0.1, port: $SLOW_XMPP_PORT, tls: {mode: plaintext}, nick: tocsin}]
YAML
"$(tocsin_binary)" run --config "$slow_dir/slow.yml" >"$slow_dir/tocsin.log" 2>&1 </dev/null & slow_pid=$!
slow_started=$SECONDS

# 1. kill -9 while 200 incidents are being announced; restart; everything arrives.
irc_out="$TOCSIN_GATEWAY_DIR/kill.irc.json"; xmpp_out="$TOCSIN_GATEWAY_DIR/kill.xmpp.json"; rm -f "$irc_out"* "$xmpp_out"*
watch_irc "$irc_out" 900 & wi=$!
watch_xmpp "$xmpp_out" 900 & wx=$!
check "kill -9: both watchers are in their rooms before the burst" watchers_ready "$irc_out" "$xmpp_out"
for i in $(seq 1 200); do enqueue_trigger "kill-test $i" warning "kill-$i" >/dev/null; done
# XMPP drains fastest: kill as soon as its room has seen a few, so both rooms are mid-burst.
wait_seen "$xmpp_out" 'kill-test' 10 120
kill9_gateway
echo "      killed the gateway with SIGKILL after $(seen_count "$irc_out" kill-test) IRC / $(seen_count "$xmpp_out" kill-test) XMPP announcements"
start_gateway "$config"
check "the gateway restarted after kill -9 is ready" wait_gateway_ready 90
wait "$wi"; wait "$wx"
check "kill -9 mid-burst: all 200 in #ops (IRC)" count "kill -9 / IRC #ops" "$irc_out" 'kill-test (\d+)\b' 1..200
check "kill -9 mid-burst: all 200 in the MUC (XMPP)" count "kill -9 / XMPP room" "$xmpp_out" 'kill-test (\d+)\b' 1..200

# 2. Each chat server stopped and restarted in the middle of a burst.
for server in inspircd prosody; do
  irc_out="$TOCSIN_GATEWAY_DIR/restart-$server.irc.json"; xmpp_out="$TOCSIN_GATEWAY_DIR/restart-$server.xmpp.json"
  rm -f "$irc_out"* "$xmpp_out"*
  watch_irc "$irc_out" 400 & wi=$!
  watch_xmpp "$xmpp_out" 400 & wx=$!
  check "$server restart: both watchers are in their rooms before the burst" watchers_ready "$irc_out" "$xmpp_out"
  for i in $(seq 1 30); do enqueue_trigger "restart-$server $i" warning "restart-$server-$i" >/dev/null; done
  sleep 3
  stop_$server
  sleep 5
  restart_$server || echo "      $server did not restart"
  wait "$wi"; wait "$wx"
  check "$server restart mid-burst: all 30 in #ops (IRC)" count "$server restart / IRC #ops" "$irc_out" "restart-$server (\\d+)\\b" 1..30
  check "$server restart mid-burst: all 30 in the MUC (XMPP)" count "$server restart / XMPP room" "$xmpp_out" "restart-$server (\\d+)\\b" 1..30
done

# 3. Services (Anope) down when the gateway reconnects: InspIRCd offers no sasl then. The bot must
# not register unidentified (services would rename it to Guest… and its lines carry no account);
# it retries until services are back, then delivers everything from its account.
irc_out="$TOCSIN_GATEWAY_DIR/services.irc.json"; rm -f "$irc_out"*
ircclient --host 127.0.0.1 --port "$INSPIRCD_TLS_PORT" --tls --cafile "$ca/ca.pem" --servername localhost \
  --nick "w$RANDOM" --timeout 150 watch --channel '#ops' --from tocsin --require-account --json \
  --match 'services-down' --expect-count 10 --ready-file "$irc_out.ready" >"$irc_out" 2>/dev/null & wi=$!
check "services down: the watcher is in #ops before the burst" watchers_ready "$irc_out"
stop_anope
kill -USR1 "${relay_pids[0]}"
for i in $(seq 1 10); do enqueue_trigger "services-down $i" warning "services-down-$i" >/dev/null; done
sleep 8
check "services down: the gateway refuses to register without its account and says why" \
  log_has 'offers no SASL now' "$TOCSIN_GATEWAY_LOG"
start_anope || echo "      anope did not start again"
wait "$wi"
check "services down: all 10 arrive from the bot's account once services are back" \
  count "services down / IRC #ops" "$irc_out" 'services-down (\d+)\b' 1..10

# 4. TCP connections dropped abruptly (RST) twice during a burst.
irc_out="$TOCSIN_GATEWAY_DIR/drop.irc.json"; xmpp_out="$TOCSIN_GATEWAY_DIR/drop.xmpp.json"; rm -f "$irc_out"* "$xmpp_out"*
watch_irc "$irc_out" 400 & wi=$!
watch_xmpp "$xmpp_out" 400 & wx=$!
check "TCP reset: both watchers are in their rooms before the burst" watchers_ready "$irc_out" "$xmpp_out"
for i in $(seq 1 40); do enqueue_trigger "drop-test $i" warning "drop-$i" >/dev/null; done
for round in 1 2; do
  sleep 4
  for pid in "${relay_pids[@]}"; do kill -USR1 "$pid"; done
done
wait "$wi"; wait "$wx"
check "connections reset twice: all 40 in #ops (IRC)" count "TCP reset / IRC #ops" "$irc_out" 'drop-test (\d+)\b' 1..40
check "connections reset twice: all 40 in the MUC (XMPP)" count "TCP reset / XMPP room" "$xmpp_out" 'drop-test (\d+)\b' 1..40

# The slow-loris verdicts: a greeting that never completes a line or element counts as silence
# (30 s); registration (90 s) and XMPP negotiation (60 s) also have overall deadlines.
while ((SECONDS - slow_started < 45)); do sleep 1; done
check "slow-loris IRC server: the connection is abandoned, not waited on forever" \
  log_has 'sent nothing within|registration did not complete within' "$slow_dir/tocsin.log"
check "slow-loris XMPP server: negotiation abandoned" \
  log_has 'stopped answering during negotiation|negotiation did not complete' "$slow_dir/tocsin.log"
# "Not ok" is not enough: a crashed gateway answers nothing at all. The stuck gateway must be alive
# and say "degraded" or "down" about its connections itself.
slow_health() {
  local status
  kill -0 "$slow_pid" 2>/dev/null || { echo "      the slow-loris gateway (pid $slow_pid) is not running" >&2; return 1; }
  status="$(curl -s --max-time 5 "http://127.0.0.1:$SLOW_HTTP_PORT/readyz" | health_status)"
  [[ "$status" =~ ^(degraded|down)$ ]] || { echo "      /readyz status: '${status:-no answer}'" >&2; return 1; }
}
check "slow-loris: the stuck gateway is alive and says degraded/down in /readyz" slow_health
kill -TERM "$slow_pid"; wait "$slow_pid"
main_gateway_answers() {
  gateway_alive && [ -n "$(curl -s --max-time 5 "http://127.0.0.1:$TOCSIN_HTTP_PORT/readyz" | health_status)" ]
}
check "the main gateway survived every fault (still running, /readyz answers)" main_gateway_answers

echo
cat "$summary"
echo "faults: $TOCSIN_FAILURES failure(s)"
exit $((TOCSIN_FAILURES > 0))
