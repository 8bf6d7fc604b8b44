#!/usr/bin/env bash
# Reload (issue 12, item 6) against real InspIRCd + Anope and Prosody: `kill -HUP` after adding a
# room and a route on each network joins the rooms and announces there with no new connection
# (the gateway's log shows one connection per network, before and after); removing the room again
# leaves it; a broken file is refused with its key path and the running configuration is kept; a
# room's `record:` changed in the file is what `!help` there says after the reload.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib/servers.sh"
source "$here/lib/gateway.sh"
cleanup() { stop_gateway; stop_all_servers; }
trap cleanup EXIT

ca="$TOCSIN_IT_CA_DIR"
make_test_ca "$ca" && start_inspircd && start_prosody || exit 1
irc_register_account tocsin botpass123 || exit 1
xmpp_register prosody tocsin botpass123 && xmpp_register prosody alice alicepass123 || exit 1
build_tocsin || exit 1

mkdir -p "$TOCSIN_GATEWAY_DIR"
config="$TOCSIN_GATEWAY_DIR/reload.yml"
write_config() { # EXTRA_IRC_ROOM EXTRA_XMPP_ROOM EXTRA_ROUTES [#OPS_SETTINGS] (empty strings for none)
  {
    config_gateway "$TOCSIN_GATEWAY_DIR/reload.sqlite" --public-url --service api
    echo "irc:"
    config_irc_network irc "$INSPIRCD_TLS_PORT" --sasl "rooms: [{name: \"#ops\"${4:-}}$1]" 'flood: {burst: 5, interval_ms: 1100}'
    echo "xmpp:"
    config_xmpp_network xmpp "$PROSODY_PORT" "rooms: [{jid: ops@conference.localhost}$2]"
    cat <<YAML
routes:
  - {network: irc, room: "#ops"}
  - {network: xmpp, room: ops@conference.localhost}
$3
logging: {level: debug}
YAML
  } >"$config.new"
  mv "$config.new" "$config"
}
export TOCSIN_IRC_PASSWORD=botpass123 TOCSIN_XMPP_PASSWORD=botpass123
irc_insp() { ircclient --host 127.0.0.1 --port "$INSPIRCD_TLS_PORT" --tls --cafile "$ca/ca.pem" --servername localhost "$@"; }
xmpp_alice() { xmppclient --jid alice@localhost --password alicepass123 --host 127.0.0.1 --port "$PROSODY_PORT" --cafile "$ca/ca.pem" "$@"; }
connections() { grep -cE "$1" "$TOCSIN_GATEWAY_LOG"; }
wait_log() { # REGEX SECONDS
  local i; for ((i = 0; i < $2 * 10; i++)); do grep -qE -- "$1" "$TOCSIN_GATEWAY_LOG" 2>/dev/null && return 0; sleep 0.1; done
  echo "      not in the log within $2 s: $1" >&2; return 1
}

write_config "" "" ""
start_gateway "$config"
check "gateway ready with #ops and the ops MUC" wait_gateway_ready 90 || exit 1
irc_connects=$(connections '\[IRCClient\] connecting to'); xmpp_connects=$(connections '\[XMPPClient\] connecting')
help_says() { # REGEX: what the bot's !help in #ops must say
  irc_insp --nick helpcheck --timeout 20 say --channel '#ops' --wait-for-nick tocsin --text '!help' --from tocsin --expect "$1" >/dev/null 2>&1
}
check "!help in #ops says what is recorded there (record: mentions, the default)" help_says 'recorded here: lines that mention'

# The new rooms' watchers are there first; the bot joins them on SIGHUP.
d="$TOCSIN_GATEWAY_DIR"; rm -f "$d"/new.*
irc_insp --nick newwatch --timeout 90 watch --channel '#new' --wait-for-nick tocsin --from tocsin \
  --match 'TRIGGERED\] #[0-9]+ reloaded route' --expect-count 1 --ready-file "$d/new.irc.ready" >"$d/new.irc.out" 2>&1 & wi=$!
xmpp_alice --timeout 90 watch --room new@conference.localhost --nick newwatch --from tocsin \
  --match 'TRIGGERED\] #[0-9]+ reloaded route' --expect-count 1 --ready-file "$d/new.xmpp.ready" >"$d/new.xmpp.out" 2>&1 & wx=$!
for f in "$d/new.irc.ready" "$d/new.xmpp.ready"; do
  for ((i = 0; i < 300; i++)); do [ -e "$f" ] && break; sleep 0.1; done
done
write_config ', {name: "#new"}' ', {jid: new@conference.localhost}' \
  '  - {network: irc, room: "#new"}
  - {network: xmpp, room: new@conference.localhost}'
kill -HUP "$TOCSIN_GATEWAY_PID"
check "SIGHUP: the reload is logged with what it applied" wait_log 'joining #new on irc.*configuration reloaded' 20
check "SIGHUP: the bot joins #new on InspIRCd" wait_log 'joined #new' 30
check "SIGHUP: the bot joins new@conference.localhost on Prosody" wait_log 'joined room.*new@conference.localhost|room=new@conference.localhost.*joined room' 30
enqueue_trigger "reloaded route" warning "reload-1" >/dev/null
check "the new route announces in #new (IRC)" wait "$wi"
check "the new route announces in the new MUC (XMPP)" wait "$wx"
no_new_connection() {
  local irc xmpp
  irc=$(connections '\[IRCClient\] connecting to'); xmpp=$(connections '\[XMPPClient\] connecting')
  [ "$irc" -eq "$irc_connects" ] && [ "$xmpp" -eq "$xmpp_connects" ] ||
    { echo "      connections: IRC $irc_connects → $irc, XMPP $xmpp_connects → $xmpp" >&2; return 1; }
}
check "no connection was dropped or opened for the reload" no_new_connection

# A broken file: refused with its key path; the running configuration (and #new) is kept.
cp "$config" "$config.good"
sed -i 's/{network: irc, room: "#new"}/{network: nowhere, room: "#new"}/' "$config"
kill -HUP "$TOCSIN_GATEWAY_PID"
check "a broken file is refused with its key path" wait_log 'routes\[2\]\.network: no network named.*configuration reload refused' 20
cp "$config.good" "$config"

# Removing the room again leaves it, still without reconnecting; #ops now records every line.
write_config "" "" "" ", record: all"
kill -HUP "$TOCSIN_GATEWAY_PID"
check "SIGHUP after removing #new: the bot leaves it" wait_log 'left #new on irc.*configuration reloaded' 20
check "SIGHUP: #ops's new record: all is applied in place" wait_log 'applied=.*recording rules' 5
check "!help in #ops says the new recording (every line while an incident is open)" help_says 'recorded here: while an incident announced here is open, every line is kept'
check "#ops was not left and joined again for it" bash -c '[ "$(grep -cE "left #ops|joining #ops" "$0")" -eq 0 ]' "$TOCSIN_GATEWAY_LOG"
left_channel() {
  # Control first: the same client sees the bot in #ops, so a failure below means "not in #new".
  irc_insp --nick namecheck --timeout 15 say --channel '#ops' --wait-for-nick tocsin --text hi >/dev/null 2>&1 ||
    { echo "      the checking client could not see the bot in #ops" >&2; return 1; }
  ! irc_insp --nick namecheck --timeout 6 say --channel '#new' --wait-for-nick tocsin --text hi >/dev/null 2>&1
}
check "InspIRCd no longer lists the bot in #new" left_channel
check "still no new connection after two reloads" no_new_connection
check "the gateway is healthy after the reloads" gateway_healthy

echo "reload: $TOCSIN_FAILURES failure(s)"
exit $((TOCSIN_FAILURES > 0))
