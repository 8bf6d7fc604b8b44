#!/usr/bin/env bash
# Tocsin's main job, end to end, on a fresh Debian 12 machine: installs what is missing, builds,
# starts a local InspIRCd (with Anope services) and a local Prosody on 127.0.0.1 with a test CA,
# runs the gateway on the embedded incident store, triggers an incident through /v2/enqueue, shows
# it announced in #ops and in ops@conference.localhost, acknowledges it from a scripted IRC user
# logged in with SASL, and shows the acknowledgement announced in both rooms. Then alice invites the
# bot to #payments (one greeting line), types `!subscribe api` there, and a second incident is
# announced in #payments. Ends with the incident's page link and its postmortem, and a PASS/FAIL
# verdict (exit status 0/1). Stops everything it started, by PID.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/install-deps.sh" >/dev/null || exit 1
export TOCSIN_IT_DIR="${TOCSIN_IT_DIR:-$(mktemp -d /tmp/tocsin-demo.XXXXXX)}"
source "$here/lib/servers.sh"
source "$here/lib/gateway.sh"
cleanup() { stop_gateway; stop_all_servers; }
trap cleanup EXIT
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Building Tocsin"
build_tocsin || exit 1
step "Starting InspIRCd + Anope and Prosody on 127.0.0.1 (test CA in $TOCSIN_IT_CA_DIR)"
ca="$TOCSIN_IT_CA_DIR"
make_test_ca "$ca" && start_inspircd && start_prosody || exit 1
irc_register_account tocsin botpass123 && irc_register_account alice alicepass123 || exit 1
xmpp_register prosody tocsin botpass123 && xmpp_register prosody bob bobpass123 || exit 1

mkdir -p "$TOCSIN_GATEWAY_DIR"
config="$TOCSIN_GATEWAY_DIR/demo.yml"
# The gateway on the embedded store, SASL on InspIRCd and STARTTLS on Prosody, both verified by the
# test CA (lib/gateway.sh writes the part every suite shares; the file's path is printed below).
{
  config_gateway "$TOCSIN_GATEWAY_DIR/demo.sqlite" --public-url --service api:platform \
    --identity irc:local-irc/alice=alice@example.org --identity xmpp:bob@localhost=bob@example.org
  echo "irc:"
  # Teams may invite the bot to #payments (only alice, verified by SASL): issue 12's self-service rooms.
  config_irc_network local-irc "$INSPIRCD_TLS_PORT" --sasl 'rooms: [{name: "#ops"}]' \
    'invites: {accept: true, rooms: ["#payments"], inviters: [irc:local-irc/alice], max_rooms: 1}'
  echo "xmpp:"
  config_xmpp_network local-xmpp "$PROSODY_PORT" 'rooms: [{jid: ops@conference.localhost}]'
  cat <<YAML
# Rooms joined by invitation: the mapped people there may run every command, !subscribe included.
default_room_policy: {writers: mapped}
routes:
  - {network: local-irc, room: "#ops"}
  - {network: local-xmpp, room: ops@conference.localhost}
YAML
} >"$config"
export TOCSIN_IRC_PASSWORD=botpass123 TOCSIN_XMPP_PASSWORD=botpass123
echo "config: $config"
"$(tocsin_binary)" check-config "$config" || exit 1

step "Starting the gateway"
start_gateway "$config"
wait_gateway_ready 90 || exit 1
curl -s "http://127.0.0.1:$TOCSIN_HTTP_PORT/readyz"; echo

irc() { ircclient --host 127.0.0.1 --port "$INSPIRCD_TLS_PORT" --tls --cafile "$ca/ca.pem" --servername localhost "$@"; }
xmpp() { xmppclient --jid bob@localhost --password bobpass123 --host 127.0.0.1 --port "$PROSODY_PORT" --cafile "$ca/ca.pem" "$@"; }

step "Watching #ops (IRC) and ops@conference.localhost (XMPP)"
out="$TOCSIN_GATEWAY_DIR"; rm -f "$out"/*.ready
# In #ops, where alice types !ack 1, the acknowledgement is her answer ("alice: Acknowledged #1 …"),
# said once (issue 12); the XMPP room hears it as an announcement.
irc --nick watcher --timeout 60 watch --channel '#ops' --wait-for-nick tocsin --from tocsin \
  --match '\[TRIGGERED\] #1 |^alice: Acknowledged #1 ' --expect-count 2 --ready-file "$out/irc.ready" >"$out/irc-watch.txt" 2>&1 &
irc_watch=$!
xmpp --timeout 60 watch --room ops@conference.localhost --nick bob --wait-for-nick tocsin --from tocsin \
  --match '\[(TRIGGERED|ACKNOWLEDGED)\] #1 ' --expect-count 2 --ready-file "$out/xmpp.ready" >"$out/xmpp-watch.txt" 2>&1 &
xmpp_watch=$!
for _ in $(seq 1 150); do [ -e "$out/irc.ready" ] && [ -e "$out/xmpp.ready" ] && break; sleep 0.2; done

step "Triggering an incident through the Events API v2 intake"
echo "POST /v2/enqueue → $(enqueue_trigger 'Checkout API error rate above 5%' critical checkout-5xx)"
sleep 2

step "alice (SASL account on InspIRCd) types !ack 1 in #ops"
irc --nick alice --sasl alice:alicepass123 --timeout 30 say --channel '#ops' --wait-for-nick tocsin \
  --text '!ack 1' --from tocsin --expect 'Acknowledged #1'

irc --nick alice --sasl alice:alicepass123 --timeout 30 say --channel '#ops' --wait-for-nick tocsin \
  --text 'looking at #1: the 10:02 deploy raised the error rate, rolling it back'

status=0
wait "$irc_watch" || status=1
wait "$xmpp_watch" || status=1
step "What #ops on IRC saw"
cat "$out/irc-watch.txt"
step "What ops@conference.localhost on XMPP saw"
cat "$out/xmpp-watch.txt"
step "alice invites the bot to #payments, subscribes it to the api service; a new incident is announced there"
# One connection for alice, sitting in #payments throughout: invite → greeting → !subscribe api →
# (the shell triggers incident #2 over HTTP) → the announcement arrives in #payments.
rm -f "$out/subscribed"
irc --nick alice --sasl alice:alicepass123 --timeout 90 script \
  --step 'join #payments' --step 'invite tocsin #payments' --step 'expect-join tocsin #payments 30' \
  --step 'expect-msg tocsin #payments "invited by alice: .*Commands here: .*Subscribed to: nothing yet" 30' \
  --step 'say #payments !subscribe api' --step 'expect-msg tocsin #payments "alice: Subscribed: #payments now gets " 30' \
  --step 'mark' --step "signal $out/subscribed" \
  --step 'expect-msg tocsin #payments "\[TRIGGERED\] #2 .*Payments API latency above 2 s" 40' \
  >"$out/payments.txt" 2>&1 &
payments=$!
for _ in $(seq 1 300); do [ -e "$out/subscribed" ] || ! kill -0 "$payments" 2>/dev/null && break; sleep 0.2; done
if [ -e "$out/subscribed" ]; then
  echo "POST /v2/enqueue → $(enqueue_trigger 'Payments API latency above 2 s' critical payments-latency)"
fi
wait "$payments" || status=1
step "What alice saw in #payments (the greeting, the !subscribe answer, the announcement)"
sed -n 's/^  got: /#payments <tocsin> /p; s/^error: /FAILED: /p' "$out/payments.txt"
[ "$(grep -c '^  got: ' "$out/payments.txt")" -eq 3 ] || status=1

step "The incident's page and its postmortem (with the chat about #1)"
sleep 1  # the chat recorder writes in the background
echo "page: http://127.0.0.1:$TOCSIN_HTTP_PORT/incidents/1 (type !web to the bot for a one-time sign-in link)"
jar="$out/demo-cookies.txt" base="http://127.0.0.1:$TOCSIN_HTTP_PORT"
# Signs in as the link's "Sign in as" button does: its form POSTs the link's secret to /login.
link="$("$(tocsin_binary)" login-link --config "$config" --as irc:local-irc/alice --next /incidents/1/postmortem.md)"
token="${link##*/login/}"; token="${token%%\?*}"
signed_in="$(curl -s --max-time 10 -c "$jar" -o /dev/null -w '%{http_code}' -H "Origin: $base" \
  --data-urlencode "token=$token" --data-urlencode "next=/incidents/1/postmortem.md" "$base/login")"
[ "$signed_in" = 303 ] || { echo "FAILED: signing in with the one-time link answered $signed_in, not 303"; status=1; }
postmortem="$(curl -s --max-time 10 -b "$jar" "$base/incidents/1/postmortem.md")"
echo "postmortem: http://127.0.0.1:$TOCSIN_HTTP_PORT/incidents/1/postmortem.md"
echo "$postmortem"
grep -q '^# Postmortem: #1 ' <<<"$postmortem" || status=1
if [ $status -eq 0 ]; then
  step "PASS: triggered and acknowledged, announced in IRC and XMPP; invited to #payments, subscribed from chat, announced there; postmortem served"
else
  step "FAIL (gateway log: $TOCSIN_GATEWAY_LOG)"; tail -n 40 "$TOCSIN_GATEWAY_LOG"
fi
exit $status
