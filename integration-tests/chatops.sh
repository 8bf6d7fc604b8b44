#!/usr/bin/env bash
# ChatOps from chat, with real clients on InspIRCd (+ Anope) and Prosody (issue 12, items 2 and 5):
#   - `!subscribe` in a configured room that has no route → the next incident is announced there;
#     the gateway restarts → still subscribed; `!unsubscribe` → no longer announced there; a
#     non-writer's `!subscribe` is refused (IRC and XMPP);
#   - a 664-character summary arrives as one line, cut with "…", with its link;
#   - one line per action in the room where a command was typed (lines counted, IRC and XMPP),
#     actors by chat name in the other network's room;
#   - `!incidents` with 10 open: a few lines (counted); `!incidents mine`; `!ack A B` is one line
#     where it was typed (one announcement each elsewhere); `!ack` with no number;
#     "already acknowledged by alice N s ago".
# Prints PASS/FAIL per check and the line counts.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
: "${INSPIRCD_PORT:=47667}" "${INSPIRCD_TLS_PORT:=47697}" "${INSPIRCD_LINK_PORT:=47700}" "${PROSODY_PORT:=48222}" "${TOCSIN_HTTP_PORT:=47080}"
export INSPIRCD_PORT INSPIRCD_TLS_PORT INSPIRCD_LINK_PORT PROSODY_PORT TOCSIN_HTTP_PORT
source "$here/lib/servers.sh"
source "$here/lib/gateway.sh"
cleanup() { stop_gateway; stop_all_servers; }
trap cleanup EXIT

ca="$TOCSIN_IT_CA_DIR"
make_test_ca "$ca" || exit 1
start_inspircd || exit 1
start_prosody || exit 1
for who in tocsin:botpass123 alice:alicepass123 bob:bobpass123; do irc_register_account "${who%%:*}" "${who#*:}" || exit 1; done
xmpp_register prosody tocsin botpass123 && xmpp_register prosody carol carolpass123 && xmpp_register prosody dave davepass123 || exit 1
build_tocsin || exit 1

export TOCSIN_DB_ROUTING_KEY=fedcba9876543210fedcba9876543210
mkdir -p "$TOCSIN_GATEWAY_DIR"
config="$TOCSIN_GATEWAY_DIR/chatops.yml"
{
  # Alice is on call for api: its incidents are assigned to her (!incidents mine, !ack alone).
  config_gateway "$TOCSIN_GATEWAY_DIR/chatops.sqlite" --public-url \
    --gateway 'rate_limits: {per_user: {burst: 50, per_minute: 600}, per_room: {burst: 50, per_minute: 600}}' \
    --service api:platform --service db:storage:TOCSIN_DB_ROUTING_KEY \
    --embedded 'users: [{name: Alice, email: alice@example.org}]' \
    --embedded 'schedules: [{name: api, levels: [[alice@example.org]], shift_hours: 24, start: "2026-01-01T00:00:00Z"}]' \
    --identity irc:local-irc/alice=alice@example.org --identity irc:local-irc/bob=bob@example.org \
    --identity xmpp:carol@localhost=carol@example.org --identity xmpp:dave@localhost=dave@example.org
  echo "irc:"
  # No route names #team; only alice may change it (carol in the XMPP team room).
  config_irc_network local-irc "$INSPIRCD_TLS_PORT" --sasl \
    'rooms: [{name: "#ops"}, {name: "#team", policy: {writers: [irc:local-irc/alice]}}]'
  echo "xmpp:"
  config_xmpp_network local-xmpp "$PROSODY_PORT" \
    'rooms: [{jid: ops@conference.localhost}, {jid: team@conference.localhost, policy: {writers: [xmpp:carol@localhost]}}]'
  cat <<YAML
routes:
  - {network: local-irc, room: "#ops"}
  - {network: local-xmpp, room: ops@conference.localhost}
logging: {level: debug}
YAML
} >"$config"
export TOCSIN_IRC_PASSWORD=botpass123 TOCSIN_XMPP_PASSWORD=botpass123

irc() { ircclient --host 127.0.0.1 --port "$INSPIRCD_TLS_PORT" --tls --cafile "$ca/ca.pem" --servername localhost "$@"; }
alice() { irc --nick alice --sasl alice:alicepass123 --timeout 40 say --wait-for-nick tocsin --from tocsin "$@"; }
bob() { irc --nick bob --sasl bob:bobpass123 --timeout 40 say --wait-for-nick tocsin --from tocsin "$@"; }
xmpp_as() { local who="$1"; shift; xmppclient --jid "$who@localhost" --password "${who}pass123" --host 127.0.0.1 --port "$PROSODY_PORT" --cafile "$ca/ca.pem" "$@"; }
carol() { xmpp_as carol --timeout 40 say --wait-for-nick tocsin --from tocsin "$@"; }
wait_file() { local i; for i in $(seq 1 150); do [ -e "$1" ] && return 0; sleep 0.2; done; return 1; }
d="$TOCSIN_GATEWAY_DIR"
enqueue_db() { # SUMMARY DEDUP
  enqueue_event "{\"routing_key\":\"$TOCSIN_DB_ROUTING_KEY\",\"event_action\":\"trigger\",\"dedup_key\":\"$2\",\"payload\":{\"summary\":\"$1\",\"source\":\"it\",\"severity\":\"warning\"}}"
}
accepted() { [[ "$1" == *" 202" ]]; }
# A capture of everything the bot says in a room until it is quiet for SECONDS; prints its file.
irc_capture() { # NAME CHANNEL QUIET
  rm -f "$d/$1".*
  irc --nick "cap$1" --timeout 120 watch --channel "$2" --wait-for-nick tocsin --from tocsin --match '.' --json \
    --until-quiet "$3" --ready-file "$d/$1.ready" >"$d/$1.out" 2>"$d/$1.err" &
  echo $! >"$d/$1.pid"
  wait_file "$d/$1.ready"
}
xmpp_capture() { # NAME ROOM QUIET
  rm -f "$d/$1".*
  xmpp_as dave --timeout 120 watch --room "$2" --nick "cap$1" --wait-for-nick tocsin --from tocsin --match '.' --json \
    --until-quiet "$3" --ready-file "$d/$1.ready" >"$d/$1.out" 2>"$d/$1.err" &
  echo $! >"$d/$1.pid"
  wait_file "$d/$1.ready"
}
capture_done() { wait "$(cat "$d/$1.pid")"; }
# Lines of text the bot sent in a capture (a message with newlines counts each), whose text matches REGEX.
lines_matching() { # NAME REGEX
  python3 - "$d/$1.out" "$2" <<'PY'
import json, re, sys
# XEP-0393 styling removed as xmppclient.py does (*strong*, _emphasis_, `pre`).
STYLING = re.compile(r"(?:(?<=\s)|^)([*_`])(\S(?:[^\n]*?\S)?)\1(?=\s|$|[.,;:!?)])", re.M)
def unstyled(text):
    previous = None
    while previous != text:
        previous, text = text, STYLING.sub(r"\2", text)
    return text
rx, n = re.compile(sys.argv[2]), 0
for raw in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        m = json.loads(raw)
    except ValueError:
        continue
    text = m.get("text") if "text" in m else m.get("body")
    if text is None:
        continue
    text = re.sub(r"\x03(\d{1,2}(,\d{1,2})?)?|[\x02\x0f\x16\x1d\x1e\x1f]", "", text)
    text = unstyled(text)
    n += sum(1 for line in text.split("\n") if rx.search(line))
print(n)
PY
}
number_of() { # SUMMARY → the incident number announced for it in capture NAME
  python3 - "$d/$1.out" "$2" <<'PY'
import json, re, sys
for raw in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        m = json.loads(raw)
    except ValueError:
        continue
    text = m.get("text") or m.get("body") or ""
    hit = re.search(r"#(\d+)\W+" + re.escape(sys.argv[2][:20]), re.sub(r"[\x02\x0f\x16\x1d\x1e\x1f*]|\x03\d{0,2}", "", text))
    if hit:
        print(hit.group(1)); break
PY
}

"$(tocsin_binary)" check-config "$config" >/dev/null || { echo "FAIL  check-config"; exit 1; }
start_gateway "$config"
check "gateway starts, joins #ops, #team and both XMPP rooms" wait_gateway_ready 90

# ---- Subscriptions from chat --------------------------------------------------------------
check "IRC: a non-writer's !subscribe in #team is refused" \
  bob --channel '#team' --text '!subscribe api' --expect '^bob: Refused: .*may not run !subscribe here'
check "IRC: bad arguments get the usage line" \
  alice --channel '#team' --text '!subscribe api loudly' --expect '^alice: Usage: !subscribe SERVICE\|team:TEAM\|all'
check "IRC: alice (a writer) subscribes #team to api" \
  alice --channel '#team' --text '!subscribe api' --expect '^alice: Subscribed: #team now gets api'
check "IRC: subscribing twice says so" \
  alice --channel '#team' --text '!subscribe API' --expect 'already subscribed to api'
check "XMPP: a non-writer's !subscribe in team@ is refused" \
  xmpp_as dave --timeout 40 say --room team@conference.localhost --wait-for-nick tocsin --from tocsin --text '!subscribe all' \
  --expect '^dave: Refused: '
check "XMPP: carol subscribes team@conference.localhost to team:storage" \
  carol --room team@conference.localhost --text '!subscribe team:storage' --expect '^carol: Subscribed: team@conference.localhost now gets team:storage'

irc_capture team1 '#team' 6
xmpp_capture xteam1 team@conference.localhost 6
check "api incident enqueued (202)" accepted "$(enqueue_trigger 'chatops one: api latency' error chatops-1)"
check "db incident enqueued (202)" accepted "$(enqueue_db 'chatops one: db replica lag' db-1)"
capture_done team1; capture_done xteam1
check "IRC: the api incident is announced in #team (subscribed from chat)" test "$(lines_matching team1 'TRIGGERED\] #[0-9]+ chatops one: api')" -eq 1
check "IRC: the db incident is not (not subscribed)" test "$(lines_matching team1 'chatops one: db')" -eq 0
check "XMPP: the db incident (team storage) is announced in team@" test "$(lines_matching xteam1 'TRIGGERED\] #[0-9]+ chatops one: db')" -eq 1
check "XMPP: the api incident is not" test "$(lines_matching xteam1 'chatops one: api')" -eq 0

stop_gateway
start_gateway "$config"
check "gateway restarts" wait_gateway_ready 90
check "IRC: after the restart !subscriptions lists the chat subscription" \
  alice --channel '#team' --text '!subscriptions' --expect '#team gets: api \(by alice\)'
check "IRC: #ops lists its configuration route as read-only" \
  alice --channel '#ops' --text '!subscriptions' --expect '#ops gets: all \(configuration, read-only\)'
check "IRC: a configuration route cannot be unsubscribed from chat" \
  alice --channel '#ops' --text '!unsubscribe all' --expect 'Refused: all is a configuration route of #ops, read-only'
irc_capture team2 '#team' 6
xmpp_capture xteam2 team@conference.localhost 6
check "api incident enqueued after the restart (202)" accepted "$(enqueue_trigger 'chatops two: api errors' error chatops-2)"
check "db incident enqueued after the restart (202)" accepted "$(enqueue_db 'chatops two: db disk' db-2)"
capture_done team2; capture_done xteam2
check "IRC: still subscribed after the restart (announced in #team)" test "$(lines_matching team2 'TRIGGERED\] #[0-9]+ chatops two: api')" -eq 1
check "XMPP: still subscribed after the restart (announced in team@)" test "$(lines_matching xteam2 'TRIGGERED\] #[0-9]+ chatops two: db')" -eq 1

check "IRC: alice unsubscribes #team" alice --channel '#team' --text '!unsubscribe api' --expect '^alice: Unsubscribed: #team no longer gets api'
check "XMPP: carol unsubscribes team@" carol --room team@conference.localhost --text '!unsubscribe team:storage' --expect 'Unsubscribed'
irc_capture team3 '#team' 6
irc_capture ops3 '#ops' 6
xmpp_capture xteam3 team@conference.localhost 6
check "api and db incidents enqueued after !unsubscribe (202)" \
  bash -c '[[ "$1" == *" 202" && "$2" == *" 202" ]]' _ "$(enqueue_trigger 'chatops three: api' error chatops-3)" "$(enqueue_db 'chatops three: db' db-3)"
capture_done team3; capture_done ops3; capture_done xteam3
check "IRC: #ops (configuration route) got the incident" test "$(lines_matching ops3 'TRIGGERED\] #[0-9]+ chatops three: api')" -eq 1
check "IRC: #team no longer did (capture not empty of evidence: the watcher ran)" \
  bash -c 'test -s "$1" && grep -q "received=\|\"summary\"" "$1" && test "$2" -eq 0' _ "$d/team3.out" "$(lines_matching team3 'chatops three')"
check "XMPP: team@ no longer did" \
  bash -c 'test -s "$1" && test "$2" -eq 0' _ "$d/xteam3.out" "$(lines_matching xteam3 'chatops three')"

# ---- Output ---------------------------------------------------------------------------------
long="chatops long: $(python3 -c 'print(" ".join(["the primary database cluster in eu-west-1 is refusing writes"] * 11))')"
echo "      long summary: ${#long} characters"
irc_capture ops4 '#ops' 6
check "a ${#long}-character summary is accepted (202)" accepted "$(enqueue_trigger "$long" error chatops-long)"
capture_done ops4
long_lines=$(lines_matching ops4 'chatops long')
echo "      the long summary took $long_lines line(s) in #ops"
check "the long summary is one line in #ops" test "$long_lines" -eq 1
check "…cut with … and followed by its link" test "$(lines_matching ops4 'chatops long: the primary.{100,170}… · api .*http://127.0.0.1:'"$TOCSIN_HTTP_PORT"'/incidents/[0-9]+')" -eq 1
longnum=$(number_of ops4 'chatops long')
check "the long incident's number is known ($longnum)" test -n "$longnum"

irc_capture ops5 '#ops' 7
xmpp_capture xops5 ops@conference.localhost 7
check "IRC: alice's !ack $longnum is answered" alice --channel '#ops' --text "!ack $longnum" --expect "^alice: Acknowledged #$longnum "
capture_done ops5; capture_done xops5
ack_lines=$(lines_matching ops5 "#$longnum\b")
echo "      lines in #ops for one !ack: $ack_lines (before: 2, the reply and the announcement)"
check "IRC: one line for the !ack in #ops, where it was typed" test "$ack_lines" -eq 1
check "XMPP: ops@ hears it as an announcement, by alice's chat name" test "$(lines_matching xops5 "ACKNOWLEDGED\] #$longnum .* — by alice ")" -eq 1
check "IRC: !ack again says who acknowledged and how long ago" \
  bob --channel '#ops' --text "!ack $longnum" --expect "^bob: #$longnum already acknowledged by alice [0-9]+ [smh] ago"

xnum=$(number_of ops3 'chatops three: api')
xmpp_capture xops6 ops@conference.localhost 7
irc_capture ops6 '#ops' 7
check "XMPP: carol's !resolve $xnum is answered" carol --room ops@conference.localhost --text "!resolve $xnum" --expect "^carol: Resolved #$xnum "
capture_done xops6; capture_done ops6
xres_lines=$(lines_matching xops6 "#$xnum\b")
echo "      lines in ops@ for one !resolve: $xres_lines"
check "XMPP: one line for the !resolve in ops@, where it was typed" test "$xres_lines" -eq 1
check "IRC: #ops hears it, by carol's chat name (not her email)" test "$(lines_matching ops6 "RESOLVED\] #$xnum .* — by carol ")" -eq 1

# Ten open incidents at least: top up with db incidents.
open_now=$(python3 - "$d/chatops.sqlite" <<'PY'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM incident_incidents WHERE status != 'resolved'").fetchone()[0])
PY
)
irc_capture fill '#ops' 5
for i in $(seq "$open_now" 9); do enqueue_db "chatops filler $i" "filler-$i" >/dev/null; done
capture_done fill  # the fillers' announcements are out: what follows in #ops is the list alone
irc_capture ops7 '#ops' 6
check "IRC: !incidents with 10 open is answered" bob --channel '#ops' --text '!incidents' --expect '^bob: 10 open: #[0-9]+'
capture_done ops7
list_lines=$(lines_matching ops7 '.')
echo "      !incidents with 10 open: $list_lines line(s) (before: 10, one per incident)"
check "!incidents with 10 open takes at most 3 lines" test "$list_lines" -ge 1 -a "$list_lines" -le 3
check "…with age, status and 'and N more: link'" \
  test "$(lines_matching ops7 '\([0-9]+ [smhd], (triggered|acked)')" -ge 1 -a "$(lines_matching ops7 'and [0-9]+ more: http://127.0.0.1:'"$TOCSIN_HTTP_PORT"'/incidents')" -eq 1
check "IRC: !incidents mine lists what is assigned to alice" \
  alice --channel '#ops' --text '!incidents mine' --expect '^alice: [0-9]+ open assigned to you: #'
check "XMPP: !incidents mine for someone with nothing assigned" \
  carol --room ops@conference.localhost --text '!incidents mine' --expect 'No open incidents assigned to you'
# One line per action on several incidents: `!ack A B` in #ops (routed) is ONE line there, while
# ops@ (routed too) gets one announcement per incident.
read -r multi_a multi_b < <(python3 - "$d/chatops.sqlite" <<'PY'
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT number FROM incident_incidents WHERE status = 'triggered' AND title LIKE 'chatops filler%' ORDER BY number LIMIT 2").fetchall()
print(" ".join(str(r[0]) for r in rows))
PY
)
check "two triggered fillers to acknowledge together (#${multi_a:-?}, #${multi_b:-?})" test -n "${multi_a:-}" -a -n "${multi_b:-}"
irc_capture ops9 '#ops' 7
xmpp_capture xops9 ops@conference.localhost 7
check "IRC: bob's !ack $multi_a $multi_b is answered in one line naming both" \
  bob --channel '#ops' --text "!ack $multi_a $multi_b" --expect "^bob: Acknowledged #$multi_a, #$multi_b"
capture_done ops9; capture_done xops9
multi_lines=$(lines_matching ops9 "#($multi_a|$multi_b)\b")
echo "      lines in #ops for one !ack of two incidents: $multi_lines (before: 2, one per incident)"
check "IRC: exactly one line in #ops for !ack of two incidents" test "$multi_lines" -eq 1
check "XMPP: ops@ hears one announcement per incident, by bob" \
  test "$(lines_matching xops9 "ACKNOWLEDGED\] #($multi_a|$multi_b) .* — by bob ")" -eq 2
irc_capture ops8 '#ops' 8
check "IRC: !ack with no number acknowledges what is assigned to alice and triggered, saying how many" \
  alice --channel '#ops' --text '!ack' --expect '^alice: [0-9]+ assigned to you — Acknowledged #'
capture_done ops8
check "IRC: …in one line in #ops, however many it took" test "$(lines_matching ops8 'Acknowledged #|ACKNOWLEDGED\]')" -eq 1
check "IRC: …and then nothing triggered is left for her" \
  alice --channel '#ops' --text '!ack' --expect '^alice: nothing triggered is assigned to you'
check "no secret in the log" log_lacks 'botpass123|alicepass123|carolpass123' "$TOCSIN_GATEWAY_LOG"
check "the gateway is healthy at the end" gateway_healthy

echo "chatops: $TOCSIN_FAILURES failure(s)"
exit $((TOCSIN_FAILURES > 0))
