#!/usr/bin/env bash
# Room lifecycle end to end (issue 12), on InspIRCd + Anope and on Prosody, with real clients:
# invite → one greeting → `!help` per room → no operator status kept (IRC) → gateway restart →
# back in the room, not greeted again → `!leave` → gone; a kick from an invited room → gone, not
# rejoined after rejoin_after_kick_seconds, /readyz clean; another restart → neither comes back;
# refused invitations answered in one line, also when asked twice (no spam). Prints PASS/FAIL.
#
# The inviters (alice) sit in their rooms for the whole run in one connection each (ircclient.py /
# xmppclient.py `script`), so the rooms outlive gateway restarts; they and this script meet at
# signal files.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# Ports of their own when run alone (test-all.sh passes the same ones).
: "${INSPIRCD_PORT:=43667}" "${INSPIRCD_TLS_PORT:=43697}" "${INSPIRCD_LINK_PORT:=43700}"
: "${PROSODY_PORT:=44222}" "${TOCSIN_HTTP_PORT:=43080}"
export INSPIRCD_PORT INSPIRCD_TLS_PORT INSPIRCD_LINK_PORT PROSODY_PORT TOCSIN_HTTP_PORT
source "$here/lib/servers.sh"
source "$here/lib/gateway.sh"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  stop_gateway; stop_all_servers
}
trap cleanup EXIT

ca="$TOCSIN_IT_CA_DIR"
make_test_ca "$ca" || exit 1
start_inspircd || exit 1
start_prosody || exit 1
irc_register_account tocsin botpass123 && irc_register_account alice alicepass123 || exit 1
for user in tocsin alice mallory bob; do xmpp_register prosody "$user" "${user}pass123" || exit 1; done
build_tocsin || exit 1

dir="$TOCSIN_GATEWAY_DIR"
mkdir -p "$dir"
config="$dir/rooms.yml"
{
  config_gateway "$dir/rooms.sqlite" --service api:platform \
    --identity irc:inspircd/alice=alice@example.org --identity xmpp:alice@localhost=alice@example.org
  echo "irc:"
  # Anyone may invite to #team-*, one room at a time: the second is refused (max_rooms).
  config_irc_network inspircd "$INSPIRCD_TLS_PORT" --sasl=PLAIN 'rooms: [{name: "#ops"}]' \
    'invites: {accept: true, rooms: ["#team-*"], max_rooms: 1}' \
    'rejoin_after_kick_seconds: 2' 'flood: {burst: 5, interval_ms: 1100}'
  echo "xmpp:"
  config_xmpp_network prosody "$PROSODY_PORT" 'rooms: [{jid: ops@conference.localhost}]' \
    'invites: {accept: true, rooms: ["team-*@conference.localhost"], max_rooms: 1}' \
    'rejoin_after_kick_seconds: 2'
  cat <<YAML
routes:
  - {network: inspircd, room: "#ops"}
  - {network: prosody, room: ops@conference.localhost}
  - {network: inspircd, room: "#team-a", services: [api]}
  - {network: prosody, room: team-a@conference.localhost, services: [api]}
logging: {level: debug}
YAML
} >"$config"
export TOCSIN_IRC_PASSWORD=botpass123 TOCSIN_XMPP_PASSWORD=tocsinpass123

irc() { ircclient --host 127.0.0.1 --port "$INSPIRCD_TLS_PORT" --tls --cafile "$ca/ca.pem" --servername localhost "$@"; }
xmpp() { # USER ARGS...
  local user="$1"; shift
  xmppclient --jid "$user@localhost" --password "${user}pass123" --host 127.0.0.1 --port "$PROSODY_PORT" --cafile "$ca/ca.pem" "$@"
}
sig="$dir/signals"; rm -rf "$sig"; mkdir -p "$sig"

# A phase of a background script passed when it wrote FILE; it failed when the script exited
# first (its output says which step) or the wait ran out.
phase() { # FILE PID OUT SECONDS
  local i
  for ((i = 0; i < $4 * 5; i++)); do
    [ -e "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.2
  done
  [ -e "$1" ] && return 0
  echo "      phase $(basename "$1") not reached; script output tail:" >&2; tail -n 6 "$3" | sed 's/^/        /' >&2
  return 1
}
restart_gateway() {
  stop_gateway
  start_gateway "$config" "$dir/tocsin.log"
  wait_gateway_ready 90
}
# /readyz is ok and the network's component is ok (not degraded by a room it was kicked from).
ready_clean() { # COMPONENT
  gateway_healthy && [ "$(component_status "$1")" = ok ]
}

start_gateway "$config" "$dir/tocsin.log"
check "gateway starts and joins its configured rooms on both networks" wait_gateway_ready 90

# --- the inviters' long connections ---------------------------------------------------------
irc_out="$dir/alice-irc.out"
irc --nick alice --sasl alice:alicepass123 --timeout 280 script \
  --step 'join #team-a' --step 'invite tocsin #team-a' --step 'expect-join tocsin #team-a 30' \
  --step 'expect-msg tocsin #team-a "invited by alice: .*Commands here: .*!leave.*Subscribed to: service api; subscribe with !subscribe" 30' \
  --step 'expect-count tocsin #team-a "invited by" 3 1' --step "signal $sig/irc.greeted" \
  --step 'mark' --step 'say #team-a !help' --step 'expect-msg tocsin #team-a "off here: !ack .*read-only" 20' \
  --step 'say #team-a !help ack' --step 'expect-msg tocsin #team-a "!ack is off here: this room is read-only \(invited rooms are read-only unless default_room_policy.writers\)" 20' \
  --step "signal $sig/irc.help" \
  --step 'mark' --step 'mode #team-a +o tocsin' --step 'expect-mode tocsin #team-a "^-o tocsin$" 15' --step "signal $sig/irc.deop" \
  --step "signal $sig/irc.invited" --step "wait-file $sig/restarting 120" --step 'expect-part tocsin #team-a 30' --step 'mark' \
  --step 'expect-join tocsin #team-a 90' --step 'expect-count tocsin #team-a "invited by" 4 0' --step "signal $sig/irc.rejoined" \
  --step 'say #team-a !leave' --step 'expect-part tocsin #team-a 20' --step "signal $sig/irc.left" \
  --step 'join #team-k' --step 'invite tocsin #team-k' --step 'expect-join tocsin #team-k 30' \
  --step 'kick #team-k tocsin enough' --step 'expect-part tocsin #team-k 10' --step 'expect-absent tocsin #team-k 6' \
  --step "signal $sig/irc.kicked" --step "wait-file $sig/restarted2 120" \
  --step 'expect-absent tocsin #team-a 6' --step 'expect-absent tocsin #team-k 2' --step "signal $sig/irc.gone" \
  >"$irc_out" 2>&1 &
irc_pid=$!; pids+=("$irc_pid")

team=team-a@conference.localhost
kroom=team-k@conference.localhost
xmpp_out="$dir/alice-xmpp.out"
xmpp alice --timeout 280 script \
  --step "join $team alice" --step "invite tocsin@localhost $team" --step "expect-join tocsin $team 30" \
  --step "expect-msg tocsin $team 'invited by alice@localhost: .*Commands here: .*!leave.*Subscribed to: service api; subscribe with !subscribe' 30" \
  --step "expect-count tocsin $team 'invited by' 3 1" --step "signal $sig/xmpp.greeted" \
  --step 'mark' --step "say $team !help" --step "expect-msg tocsin $team 'off here: !ack .*read-only' 20" \
  --step "say $team !help ack" --step "expect-msg tocsin $team '!ack is off here: this room is read-only' 20" \
  --step "signal $sig/xmpp.help" \
  --step "signal $sig/xmpp.invited" --step "wait-file $sig/restarting 120" --step "expect-part tocsin $team 30" --step 'mark' \
  --step "expect-join tocsin $team 90" --step "expect-count tocsin $team 'invited by' 4 0" --step "signal $sig/xmpp.rejoined" \
  --step "say $team !leave" --step "expect-part tocsin $team 20" --step "signal $sig/xmpp.left" \
  --step "join $kroom alice" --step "invite tocsin@localhost $kroom" --step "expect-join tocsin $kroom 30" \
  --step "kick $kroom tocsin enough" --step "expect-part tocsin $kroom 10" --step "expect-absent tocsin $kroom 6" \
  --step "signal $sig/xmpp.kicked" --step "wait-file $sig/restarted2 120" \
  --step "expect-absent tocsin $team 6" --step "expect-absent tocsin $kroom 2" --step "signal $sig/xmpp.gone" \
  >"$xmpp_out" 2>&1 &
xmpp_pid=$!; pids+=("$xmpp_pid")

check "IRC: an invitation by alice is followed and ONE greeting names the commands, the routes and !subscribe" \
  phase "$sig/irc.greeted" "$irc_pid" "$irc_out" 60
check "XMPP: an invitation by alice is followed and ONE greeting names the commands, the routes and !subscribe" \
  phase "$sig/xmpp.greeted" "$xmpp_pid" "$xmpp_out" 60

# Refusals while #team-a holds the one allowed room: each inviter gets one line, even when asking twice.
check "IRC: a refused invitation (room pattern) is answered in ONE line, asked twice" \
  irc --nick mallory --timeout 40 script --step 'join #random' --step 'invite tocsin #random' --step 'sleep 1' \
  --step 'invite tocsin #random' --step 'expect-count tocsin me "Not joining #random: .*invites.rooms" 8 1'
check "IRC: the invitation over invites.max_rooms is refused and answered" \
  irc --nick bob --timeout 30 script --step 'join #team-b' --step 'invite tocsin #team-b' \
  --step 'expect-msg tocsin me "Not joining #team-b: .*invites.max_rooms" 15' --step 'expect-absent tocsin #team-b 2'
check "XMPP: a refused invitation (room pattern) is answered in ONE line, asked twice" \
  xmpp mallory --timeout 40 script --step 'invite tocsin@localhost random@conference.localhost' --step 'sleep 1' \
  --step 'invite tocsin@localhost random@conference.localhost' \
  --step "expect-count tocsin@localhost - 'Not joining random@conference.localhost: .*invites.rooms' 8 1"
check "XMPP: the invitation over invites.max_rooms is refused and answered" \
  xmpp bob --timeout 30 script --step 'join team-b@conference.localhost bob' --step 'invite tocsin@localhost team-b@conference.localhost' \
  --step "expect-msg tocsin@localhost - 'Not joining team-b@conference.localhost: .*invites.max_rooms' 15" \
  --step 'expect-absent tocsin team-b@conference.localhost 2'

check "IRC: !help in the invited room lists what runs there and says !ack is off because the room is read-only" \
  phase "$sig/irc.help" "$irc_pid" "$irc_out" 60
check "XMPP: !help in the invited room lists what runs there and says !ack is off because the room is read-only" \
  phase "$sig/xmpp.help" "$xmpp_pid" "$xmpp_out" 60
check "IRC: !help in the configured #ops offers !ack and says nothing is off" \
  irc --nick carol --timeout 30 script --step 'join #ops' --step 'expect-join tocsin #ops 10' --step 'mark' --step 'say #ops !help' \
  --step 'expect-msg tocsin #ops "Commands: !ack !resolve" 20' --step 'expect-count tocsin #ops "off here" 2 0'
check "XMPP: !help in the configured room offers !ack and says nothing is off" \
  xmpp bob --timeout 30 script --step 'join ops@conference.localhost bob' --step 'mark' --step 'say ops@conference.localhost !help' \
  --step "expect-msg tocsin ops@conference.localhost 'Commands: !ack !resolve' 20" \
  --step "expect-count tocsin ops@conference.localhost 'off here' 2 0"
check "IRC: operator status given to the bot in an invited room is given back (MODE -o by the bot)" \
  phase "$sig/irc.deop" "$irc_pid" "$irc_out" 40

# Restart: both bots come back to the invited rooms (from the database), without a second greeting.
phase "$sig/irc.invited" "$irc_pid" "$irc_out" 30 && phase "$sig/xmpp.invited" "$xmpp_pid" "$xmpp_out" 30
touch "$sig/restarting"
restart_gateway
check "IRC: after a gateway restart the bot is back in the invited room, not greeted again" \
  phase "$sig/irc.rejoined" "$irc_pid" "$irc_out" 90
check "XMPP: after a gateway restart the bot is back in the invited room, not greeted again" \
  phase "$sig/xmpp.rejoined" "$xmpp_pid" "$xmpp_out" 90
check "IRC: !leave by the inviter parts the room" phase "$sig/irc.left" "$irc_pid" "$irc_out" 40
check "XMPP: !leave by the inviter leaves the room" phase "$sig/xmpp.left" "$xmpp_pid" "$xmpp_out" 40
check "IRC: a kick from an invited room is final (not rejoined after rejoin_after_kick_seconds)" \
  phase "$sig/irc.kicked" "$irc_pid" "$irc_out" 60
check "XMPP: a kick from an invited room is final (not rejoined after rejoin_after_kick_seconds)" \
  phase "$sig/xmpp.kicked" "$xmpp_pid" "$xmpp_out" 60
check "IRC: after the kick /readyz and irc:inspircd are ok (not degraded)" ready_clean irc:inspircd
check "XMPP: after the kick /readyz and xmpp:prosody are ok (not degraded)" ready_clean xmpp:prosody
rows_left() { # the invited_rooms table is empty: left and kicked rooms are forgotten
  [ "$(sqlite3 "$dir/rooms.sqlite" 'SELECT count(*) FROM invited_rooms' 2>/dev/null)" = 0 ]
}
if command -v sqlite3 >/dev/null; then check "the database holds no invited room any more" rows_left; fi

check "the gateway restarts once more" restart_gateway
touch "$sig/restarted2"
check "IRC: after another restart neither the left nor the kicked room is rejoined" \
  phase "$sig/irc.gone" "$irc_pid" "$irc_out" 60
check "XMPP: after another restart neither the left nor the kicked room is rejoined" \
  phase "$sig/xmpp.gone" "$xmpp_pid" "$xmpp_out" 60
check "the gateway logged the refusals with their reasons" \
  log_has 'invites\.max_rooms.*invitation refused|invitation refused.*invites\.max_rooms' "$dir/tocsin.log"

wait "$irc_pid" "$xmpp_pid" 2>/dev/null
echo "rooms: $TOCSIN_FAILURES failure(s)"
exit $((TOCSIN_FAILURES > 0))
