#!/usr/bin/env bash
# XMPP front-end end to end: the gateway (embedded store) against real Prosody and ejabberd over
# STARTTLS with a test CA, driven by scripted slixmpp clients. Prints PASS/FAIL per check.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib/servers.sh"
source "$here/lib/gateway.sh"
cleanup() { stop_gateway; stop_all_servers; }
trap cleanup EXIT

ca="$TOCSIN_IT_CA_DIR"
make_test_ca "$ca" || exit 1
start_prosody || exit 1
start_ejabberd || exit 1
for server in prosody ejabberd; do
  xmpp_register $server tocsin botpass123 && xmpp_register $server alice alicepass123 &&
    xmpp_register $server mallory mallorypass123 || exit 1
done
build_tocsin || exit 1

mkdir -p "$TOCSIN_GATEWAY_DIR"
config="$TOCSIN_GATEWAY_DIR/xmpp.yml"
cat >"$config" <<YAML
gateway: {database: $TOCSIN_GATEWAY_DIR/xmpp.sqlite}
http: {host: 127.0.0.1, port: $TOCSIN_HTTP_PORT}
backend:
  kind: embedded
  embedded:
    services: [{name: api, team: platform, routing_key: {env: TOCSIN_ROUTING_KEY}}]
identities:
  - {chat: xmpp:alice@localhost, email: alice@example.org}
xmpp:
  - name: prosody
    jid: tocsin@localhost
    password: {env: TOCSIN_XMPP_PASSWORD}
    host: 127.0.0.1
    port: $PROSODY_PORT
    tls: {mode: starttls, ca_file: $ca/ca.pem}
    nick: tocsin
    rooms: [{jid: ops@conference.localhost}]
    invites: {accept: true, rooms: ["inv-*@conference.localhost"]}
  - name: ejabberd
    jid: tocsin@localhost
    password: {env: TOCSIN_XMPP_PASSWORD}
    host: 127.0.0.1
    port: $EJABBERD_PORT
    tls: {mode: starttls, ca_file: $ca/ca.pem}
    nick: tocsin
    rooms: [{jid: ops@conference.localhost}]
    invites: {accept: true, rooms: ["inv-*@conference.localhost"]}
routes:
  - {network: prosody, room: ops@conference.localhost}
  - {network: ejabberd, room: ops@conference.localhost}
logging: {level: debug}
YAML
export TOCSIN_XMPP_PASSWORD=botpass123

port_of() { case "$1" in prosody) echo "$PROSODY_PORT" ;; ejabberd) echo "$EJABBERD_PORT" ;; esac; }
as() { # SERVER USER PASSWORD ARGS...
  local server="$1" user="$2" pass="$3"; shift 3
  xmppclient --jid "$user@localhost" --password "$pass" --host 127.0.0.1 --port "$(port_of "$server")" --cafile "$ca/ca.pem" "$@"
}
room=ops@conference.localhost

start_gateway "$config"
check "gateway negotiates STARTTLS (verified) + SCRAM on both servers and joins the rooms" wait_gateway_ready 90

number=0
for server in prosody ejabberd; do
  out="$TOCSIN_GATEWAY_DIR/$server"; rm -f "$out".*
  # Watch first, then trigger: the watcher must see the announcement live.
  as $server alice alicepass123 --timeout 40 watch --room $room --nick "watch-$server" --wait-for-nick tocsin \
    --from tocsin --match "TRIGGERED\\] #[0-9]+ Queue stuck on $server" --expect-count 1 \
    --ready-file "$out.ready" >"$out.watch" 2>&1 &
  pw=$!
  for _ in $(seq 1 150); do [ -e "$out.ready" ] && break; sleep 0.2; done
  enqueue_trigger "Queue stuck on $server" critical "queue-$server" >/dev/null
  number=$((number + 1))
  check "$server: enqueued incident #$number announced in the room" wait "$pw"
  check "$server: !ack from an authorized JID acknowledges it" \
    as $server alice alicepass123 --timeout 30 say --room $room --nick alice --wait-for-nick tocsin \
    --text "!ack $number" --from tocsin --expect "Acknowledged #$number"
  check "$server: an unmapped JID is refused" \
    as $server mallory mallorypass123 --timeout 30 say --room $room --nick mallory --wait-for-nick tocsin \
    --text "!resolve $number" --from tocsin --expect "Refused"
  check "$server: a note from alice is recorded" \
    as $server alice alicepass123 --timeout 30 say --room $room --nick alice --wait-for-nick tocsin \
    --text "!note $number history-check-$server" --from tocsin --expect "Note added to #$number"
  check "$server: joins on a direct (XEP-0249) invitation" \
    as $server alice alicepass123 --timeout 40 invite --room "inv-$server@conference.localhost" --nick alice \
    --target tocsin@localhost --expect-join
done

# Hostile input: XML metacharacters and a forged stanza in a title must arrive as literal text.
out="$TOCSIN_GATEWAY_DIR/hostile"; rm -f "$out".*
as prosody alice alicepass123 --timeout 40 watch --room $room --nick watch-hostile --wait-for-nick tocsin \
  --from tocsin --match "</body></message><message to='evil@localhost'><body>forged & \]\]>\ufffd\ufffd end" \
  --expect-count 1 --ready-file "$out.ready" >"$out.watch" 2>&1 &
ph=$!
for _ in $(seq 1 150); do [ -e "$out.ready" ] && break; sleep 0.2; done
enqueue_trigger "</body></message><message to='evil@localhost'><body>forged & ]]>\u0001\u0000 end" critical hostile-xml >/dev/null
check "XML metacharacters arrive as literal text, control characters as U+FFFD" wait "$ph"
check "the stream survived the hostile title (gateway healthy)" gateway_healthy

# History must never be re-executed: restart the gateway (it rejoins the rooms), then the note
# written before must still be there exactly once.
stop_gateway
start_gateway "$config"
check "gateway restarts and rejoins" wait_gateway_ready 90
note_recorded_once() { # SERVER NUMBER
  local reply
  reply=$(as "$1" alice alicepass123 --timeout 30 say --room $room --nick alice --wait-for-nick tocsin \
    --text "!incident $2" --from tocsin --expect "history-check-$1" 2>&1) || return 1
  [ "$(grep -o "history-check-$1" <<<"$reply" | wc -l)" -eq 1 ]
}
check "prosody: room history is not re-executed after rejoin (note recorded once)" note_recorded_once prosody 1
check "ejabberd: room history is not re-executed after rejoin (note recorded once)" note_recorded_once ejabberd 2

# A server restart during which incidents are enqueued: all of them delivered once the bot is back.
for server in prosody ejabberd; do
  stop_$server
  for i in 1 2 3; do enqueue_trigger "outage $server $i" error "outage-$server-$i" >/dev/null; done
  restart_$server || { check "$server restarts" false; continue; }
  check "$server: incidents enqueued during the outage are all delivered after reconnect" \
    as $server alice alicepass123 --timeout 120 watch --room $room --nick "late-$server" --wait-for-nick tocsin \
    --history 50 --include-history --from tocsin --match "outage $server [123]" --expect-count 3
done

check "a server certificate from the wrong CA is refused, the log names ca_file, /healthz says down" \
  wrong_ca_is_refused "$config"
check "no secret appears in the gateway log" bash -c "! grep -qE 'botpass123|alicepass123' '$TOCSIN_GATEWAY_LOG'"
echo "xmpp: $TOCSIN_FAILURES failure(s)"
exit $((TOCSIN_FAILURES > 0))
