#!/usr/bin/env bash
# IRC front-end end to end: the gateway (embedded store) against real InspIRCd + Anope services and
# ngIRCd over TLS with a test CA, driven by a scripted real client. Prints PASS/FAIL per check.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib/servers.sh"
source "$here/lib/gateway.sh"
cleanup() { stop_gateway; stop_all_servers; }
trap cleanup EXIT

ca="$TOCSIN_IT_CA_DIR"
make_test_ca "$ca" || exit 1
start_inspircd || exit 1
start_ngircd || exit 1
irc_register_account tocsin botpass123 || exit 1
irc_register_account alice alicepass123 || exit 1
build_tocsin || exit 1

mkdir -p "$TOCSIN_GATEWAY_DIR"
config="$TOCSIN_GATEWAY_DIR/irc.yml"
{
  config_gateway "$TOCSIN_GATEWAY_DIR/irc.sqlite" --public-url --service api:platform \
    --identity irc:inspircd/alice=alice@example.org
  echo "irc:"
  config_irc_network inspircd "$INSPIRCD_TLS_PORT" --sasl=PLAIN \
    'rooms: [{name: "#ops"}, {name: "#ops2"}, {name: "#keyed", key: roomkey123}]' \
    'invites: {accept: true, rooms: ["#inv-*"]}' 'rejoin_after_kick_seconds: 2' \
    "# InspIRCd's default connect class drains one command per second (threshold 10): pace at 91 %." \
    'flood: {burst: 5, interval_ms: 1100}'
  config_irc_network ngircd "$NGIRCD_TLS_PORT" 'rooms: [{name: "#ops"}]' 'invites: {accept: true, rooms: ["#inv-*"]}'
  cat <<YAML
routes:
  - {network: inspircd, room: "#ops"}
  - {network: ngircd, room: "#ops"}
# trace: raw protocol lines are logged, so the secret check below sees what a verbose operator would.
logging: {level: trace}
YAML
} >"$config"
export TOCSIN_IRC_PASSWORD=botpass123

irc_insp() { ircclient --host 127.0.0.1 --port "$INSPIRCD_TLS_PORT" --tls --cafile "$ca/ca.pem" --servername localhost "$@"; }
irc_ngircd() { ircclient --host 127.0.0.1 --port "$NGIRCD_TLS_PORT" --tls --cafile "$ca/ca.pem" --servername localhost "$@"; }

# A check that reads a log must fail when the log is missing or empty (no evidence, no PASS).
log_has_not() { # REGEX FILE
  [ -s "$2" ] || { echo "      missing or empty: $2" >&2; return 1; }
  ! grep -qE -- "$1" "$2"
}

start_gateway "$config"
check "gateway starts, registers over verified TLS and joins all rooms" wait_gateway_ready 60

# Watchers in the subscribed channels, started before the incident.
w1="$TOCSIN_GATEWAY_DIR/w1"; w2="$TOCSIN_GATEWAY_DIR/w2"; rm -f "$w1".* "$w2".*
irc_insp --nick watcher1 --timeout 40 watch --channel '#ops' --wait-for-nick tocsin --from tocsin \
  --require-account --match 'TRIGGERED\] #1 Disk full' --expect-count 1 --ready-file "$w1.ready" >"$w1.out" 2>&1 &
p1=$!
irc_ngircd --nick watcher2 --timeout 40 watch --channel '#ops' --wait-for-nick tocsin --from tocsin \
  --match 'TRIGGERED\] #1 Disk full' --expect-count 1 --ready-file "$w2.ready" >"$w2.out" 2>&1 &
p2=$!
for _ in $(seq 1 100); do [ -e "$w1.ready" ] && [ -e "$w2.ready" ] && break; sleep 0.2; done
accepted() { [[ "$(enqueue_trigger "$@")" == *' 202' ]]; }
check "incident enqueued over HTTP is accepted (202)" accepted 'Disk full' critical disk-1
check "announcement seen on InspIRCd from the SASL-authenticated bot (account tag)" wait "$p1"
check "announcement seen on ngIRCd" wait "$p2"

check "!ack from a registered account acknowledges (reply)" \
  irc_insp --nick alice --sasl alice:alicepass123 --timeout 30 say --channel '#ops' --wait-for-nick tocsin \
  --text '!ack 1' --from tocsin --expect 'Acknowledged #1'
check "the incident is now acknowledged (!incident shows its status)" \
  irc_insp --nick watcher3 --timeout 20 say --channel '#ops' --wait-for-nick tocsin --text '!incident 1' \
  --from tocsin --expect 'acknowledged'
check "!ack from an unidentified nick is refused" \
  irc_insp --nick mallory --timeout 30 say --channel '#ops' --wait-for-nick tocsin --text '!resolve 1' \
  --from tocsin --expect 'Refused.*verified identity'
check "ngIRCd (no services accounts): write commands refused with the reason" \
  irc_ngircd --nick alice --timeout 30 say --channel '#ops' --wait-for-nick tocsin --text '!ack 1' \
  --from tocsin --expect 'Refused.*no services accounts'
check "read command works without an account on ngIRCd" \
  irc_ngircd --nick bob --timeout 30 say --channel '#ops' --wait-for-nick tocsin --text '!incidents' \
  --from tocsin --expect '#1 Disk full'
check "unknown command gets a one-line usage reply" \
  irc_insp --nick carol --timeout 30 say --channel '#ops' --wait-for-nick tocsin --text '!frobnicate 3' \
  --from tocsin --expect 'Unknown command'
check "INVITE to an allowed channel is followed (InspIRCd)" \
  irc_insp --nick alice --sasl alice:alicepass123 --timeout 30 invite --channel '#inv-one' --target tocsin --expect-join
check "INVITE to an allowed channel is followed (ngIRCd)" \
  irc_ngircd --nick dave --timeout 30 invite --channel '#inv-two' --target tocsin --expect-join

# Hostile input: a title carrying CR/LF (command injection), NUL and IRC colour codes must arrive as
# ONE harmless line, and the connection must survive it.
irc_insp --nick watcher5 --timeout 40 watch --channel '#ops' --wait-for-nick tocsin --from tocsin \
  --match 'evil.{0,3}QUIT :pwned.*end' --expect-count 1 --ready-file "$w1.hostile" >"$w1.hostile.out" 2>&1 &
ph=$!
for _ in $(seq 1 100); do [ -e "$w1.hostile" ] && break; sleep 0.2; done
enqueue_trigger 'evil\r\nQUIT :pwned\u0000 \u000304red\u0002 end' critical hostile-1 >/dev/null
check "CR/LF/NUL/colour codes in a title arrive as one harmless line" wait "$ph"
check "the connection survived the hostile title (gateway healthy)" gateway_healthy

# 60-line burst: 60 incidents, one announcement line each, under InspIRCd's default flood limits.
irc_insp --nick counter --timeout 240 watch --channel '#ops' --wait-for-nick tocsin --from tocsin \
  --match 'TRIGGERED\] #[0-9]+ burst' --expect-count 60 --ready-file "$w1.burst" >"$w1.burst.out" 2>&1 &
pb=$!
for _ in $(seq 1 100); do [ -e "$w1.burst" ] && break; sleep 0.2; done
for i in $(seq 1 60); do enqueue_trigger "burst $i" warning "burst-$i" >/dev/null; done
check "60-line burst delivered in full" wait "$pb"
grep -o 'received=[0-9]*' "$w1.burst.out" | tail -n 1 | sed 's/^/      burst: /'
check "no flood disconnect during the burst" log_has_not '[Ee]xcess [Ff]lood|[Ss]end[Qq] exceeded' "$TOCSIN_GATEWAY_LOG"

# Server restart: announcements made while InspIRCd is down are delivered after reconnect + rejoin.
stop_inspircd
for i in 1 2 3; do enqueue_trigger "during outage $i" error "outage-$i" >/dev/null; done
start_watch_after_restart() {
  restart_inspircd || return 1
  irc_insp --nick watcher4 --timeout 90 watch --channel '#ops' --wait-for-nick tocsin --from tocsin \
    --match 'during outage [123]' --expect-count 3
}
# The watcher joins after the restart; announcements must wait in the outbox until the bot rejoined,
# so the watcher (joined first, the bot rejoins later) sees all three.
check "after an InspIRCd restart the bot reconnects, rejoins and delivers what was queued" start_watch_after_restart

check "a server certificate from the wrong CA is refused, the log names ca_file, /readyz says down" \
  wrong_ca_is_refused "$config"

# The log must hold raw lines (trace), including our JOIN with the key and AUTHENTICATE, for the
# absence of secrets to mean anything.
secrets_absent_from_trace_log() { # LOG
  grep -q '>> JOIN .*#keyed' "$1" && grep -q '>> AUTHENTICATE' "$1" ||
    { echo "      no raw JOIN/AUTHENTICATE lines in $1: is the gateway at trace?" >&2; return 1; }
  log_has_not 'botpass123|alicepass123|roomkey123' "$1"
}
check "no secret (SASL password, channel key) appears in the gateway's trace log" \
  secrets_absent_from_trace_log "$TOCSIN_GATEWAY_LOG"
stop_gateway

# SASL EXTERNAL: a client certificate from the test CA, its fingerprint registered with Anope
# (NickServ CERT ADD), InspIRCd's sslinfo passing it on; the bot logs in without a password.
certdir="$TOCSIN_GATEWAY_DIR/certfp"; mkdir -p "$certdir"
make_client_cert() {
  openssl req -new -newkey rsa:2048 -nodes -sha256 -keyout "$certdir/bot.key" -out "$certdir/bot.csr" \
    -subj "/O=Tocsin integration tests/CN=tocsinx" 2>/dev/null &&
  openssl x509 -req -in "$certdir/bot.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca.key" -CAcreateserial \
    -CAserial "$certdir/ca.srl" -days 30 -sha256 -out "$certdir/bot.pem" \
    -extfile <(printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n') 2>/dev/null &&
  openssl verify -CAfile "$ca/ca.pem" "$certdir/bot.pem" >/dev/null
}
register_certfp() {
  local fp
  fp="$(openssl x509 -in "$certdir/bot.pem" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')"
  [ ${#fp} -eq 64 ] || return 1
  irc_register_account tocsinx certpass123 &&
  irc_insp --nick tocsinx --sasl tocsinx:certpass123 --certfile "$certdir/bot.pem" --keyfile "$certdir/bot.key" \
    --timeout 20 say --to NickServ --text "CERT ADD $fp" --expect "$fp"
}
check "a client certificate issued by the test CA" make_client_cert
check "its fingerprint is registered with Anope (NickServ CERT ADD)" register_certfp
external="$TOCSIN_GATEWAY_DIR/external.yml"
sed -e "s#database: .*#database: $TOCSIN_GATEWAY_DIR/external.sqlite#" \
    -e "s#tls: {mode: implicit, ca_file: $ca/ca.pem, server_name: localhost}#tls: {mode: implicit, ca_file: $ca/ca.pem, server_name: localhost, client_certificate: $certdir/bot.pem, client_key: $certdir/bot.key}#" \
    -e 's#nick: tocsin$#nick: tocsinx#' \
    -e 's#sasl: {mechanism: PLAIN.*#sasl: {mechanism: EXTERNAL}#' "$config" >"$external"
unset TOCSIN_IRC_PASSWORD
start_gateway "$external" "$TOCSIN_GATEWAY_DIR/external.log"
external_login() {
  wait_gateway_ready 60 || return 1
  grep -q 'SASL EXTERNAL authentication succeeded' "$TOCSIN_GATEWAY_LOG" &&
    grep -q 'logged in to services as tocsinx' "$TOCSIN_GATEWAY_LOG" ||
    { echo "      no 900/903 for EXTERNAL in $TOCSIN_GATEWAY_LOG" >&2; grep -i sasl "$TOCSIN_GATEWAY_LOG" | tail -3 >&2; return 1; }
}
check "SASL EXTERNAL: the bot logs in as its account with its certificate (InspIRCd sslinfo + Anope CertFP: 900, 903)" \
  external_login
external_announcement() {
  local w="$TOCSIN_GATEWAY_DIR/wx"; rm -f "$w".*
  irc_insp --nick watcherx --timeout 40 watch --channel '#ops' --wait-for-nick tocsinx --from tocsinx \
    --require-account --match 'TRIGGERED\] #[0-9]+ Cert login' --expect-count 1 --ready-file "$w.ready" >"$w.out" 2>&1 &
  local pw=$! i
  for ((i = 0; i < 100; i++)); do [ -e "$w.ready" ] && break; sleep 0.2; done
  enqueue_trigger 'Cert login' critical certfp-1 >/dev/null
  wait "$pw"
}
check "SASL EXTERNAL: the server tags the bot's announcement with its account" external_announcement
stop_gateway

# STARTTLS injection and STS, against a misbehaving fake server, on ports of their own.
TOCSIN_HTTP_PORT=$((TOCSIN_HTTP_PORT + 2)) TOCSIN_GATEWAY_DIR="$TOCSIN_GATEWAY_DIR/starttls-suite" \
  "$here/starttls.sh" || TOCSIN_FAILURES=$((TOCSIN_FAILURES + 1))

echo "irc: $TOCSIN_FAILURES failure(s)"
exit $((TOCSIN_FAILURES > 0))
