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
# An ordinary account whose JID matches the invitation pattern below: it plays a fake room.
xmpp_register prosody inv-mallory mallorypass123 || exit 1
build_tocsin || exit 1

mkdir -p "$TOCSIN_GATEWAY_DIR"
config="$TOCSIN_GATEWAY_DIR/xmpp.yml"
{
  config_gateway "$TOCSIN_GATEWAY_DIR/xmpp.sqlite" --service api:platform --identity xmpp:alice@localhost=alice@example.org
  echo "xmpp:"
  # "inv-*" also matches the account inv-mallory@localhost: only the MUC-service check stops it.
  config_xmpp_network prosody "$PROSODY_PORT" 'rooms: [{jid: ops@conference.localhost}]' \
    'invites: {accept: true, rooms: ["inv-*"], inviters: [xmpp:alice@localhost]}'
  config_xmpp_network ejabberd "$EJABBERD_PORT" 'rooms: [{jid: ops@conference.localhost}]' \
    'invites: {accept: true, rooms: ["inv-*@conference.localhost"]}'
  cat <<YAML
# Invited rooms are read-only by default; they are opened for writes here so that only the room
# checks (MUC service, 110) stand between a forged room and a write command.
default_room_policy: {writers: mapped}
routes:
  - {network: prosody, room: ops@conference.localhost}
  - {network: ejabberd, room: ops@conference.localhost}
logging: {level: trace}
YAML
} >"$config"
export TOCSIN_XMPP_PASSWORD=botpass123

port_of() { case "$1" in prosody) echo "$PROSODY_PORT" ;; ejabberd) echo "$EJABBERD_PORT" ;; esac; }
as() { # SERVER USER PASSWORD ARGS...
  local server="$1" user="$2" pass="$3"; shift 3
  xmppclient --jid "$user@localhost" --password "$pass" --host 127.0.0.1 --port "$(port_of "$server")" --cafile "$ca/ca.pem" "$@"
}
room=ops@conference.localhost

start_gateway "$config"
check "gateway negotiates STARTTLS (verified) + SCRAM on both servers and joins the rooms" wait_gateway_ready 90
# Evidence a check reads must exist: a missing or empty log would make every "! grep" pass.
log_has() { [ -s "$TOCSIN_GATEWAY_LOG" ] && grep -qE "$1" "$TOCSIN_GATEWAY_LOG"; }
log_lacks() { [ -s "$TOCSIN_GATEWAY_LOG" ] && ! grep -qE "$1" "$TOCSIN_GATEWAY_LOG"; }
check "prosody: the gateway discovers the MUC service conference.localhost (disco#items, disco#info)" \
  log_has 'network=prosody service=conference\.localhost .*MUC service discovered'

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

# Issue 10, hole 1: an ordinary account forges a mediated invitation "from alice" and then plays
# the room (fake self-presence 110 with alice's real JID, a fake occupant, a groupchat !resolve).
# The bot must not join it, answer it or believe it: the incident stays triggered.
out="$TOCSIN_GATEWAY_DIR/forge"; rm -f "$out".*
as prosody alice alicepass123 --timeout 40 watch --room $room --nick watch-forge --wait-for-nick tocsin \
  --from tocsin --match "TRIGGERED\\] #[0-9]+ Forgery target" --expect-count 1 \
  --ready-file "$out.ready" >"$out.watch" 2>&1 &
pf=$!
for _ in $(seq 1 150); do [ -e "$out.ready" ] && break; sleep 0.2; done
enqueue_trigger "Forgery target" critical forgery-target >/dev/null
check "the forgery target incident is announced" wait "$pf"
forged=$(grep -m 1 'Forgery target' "$out.watch" | grep -oE '#[0-9]+' | head -n 1 | tr -d '#')
forged_stays_triggered() {
  [ -n "$forged" ] || return 1
  as prosody alice alicepass123 --timeout 30 say --room $room --nick alice --wait-for-nick tocsin \
    --text "!incident $forged" --from tocsin --expect "(?s)#$forged Forgery target.*· triggered"
}
check "an account posing as a room gets no answer: no join, no reply (forged invite, fake 110, fake occupant)" \
  as prosody inv-mallory mallorypass123 --resource tocsin --timeout 40 forge --target tocsin@localhost \
  --inviter alice@localhost --occupant-nick alice --occupant-jid alice@localhost --text "!resolve ${forged:-0}" \
  --text "!ack ${forged:-0}" --expect-ignored
check "the forged !resolve/!ack changed nothing: the incident is still triggered" forged_stays_triggered
check "the forged invitation was not believed: not sent by a room's bare JID (log)" \
  log_has "reason=mediated invitation not sent by a room's bare JID \\(from inv-mallory@localhost/tocsin\\)"
check "the fake room's groupchat was not believed: not a room the bot is in (log)" \
  log_has 'reason=groupchat from inv-mallory@localhost, a room the bot is not in'
check "the gateway never tried to join the fake room (log)" log_lacks 'room=inv-mallory@localhost.* joining room'
check "prosody: a genuine mediated (XEP-0045) invitation relayed by a real room still works" \
  as prosody alice alicepass123 --timeout 40 invite --room "inv-mediated@conference.localhost" --nick alice \
  --target tocsin@localhost --mediated --expect-join

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

check "a server certificate from the wrong CA is refused, the log names ca_file, /readyz says down" \
  wrong_ca_is_refused "$config"
# The log ran at trace (every stanza received is logged there), so the secrets had every chance.
check "the gateway log was written at trace level (stanzas received are logged)" \
  log_has ' trace .*element=message .*\[XMPPClient\] received'
check "no secret appears in the gateway log (at trace)" log_lacks 'botpass123|alicepass123|mallorypass123'
echo "xmpp: $TOCSIN_FAILURES failure(s)"
exit $((TOCSIN_FAILURES > 0))
