#!/usr/bin/env bash
# Abuse end to end (issue 10, hole 4): a nick WITHOUT an account floods #ops with `!incidents`
# against real InspIRCd + Anope; a critical incident triggered right after over /v2/enqueue must
# still reach the channel within seconds, and the flooder gets at most one "slow down" line.
# The bot uses Tocsin's default IRC flood settings (burst 4, one line per 2.1 s), so a backlog of
# replies is visible: before the fix the critical announcement waited ~74 s behind them.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib/servers.sh"
source "$here/lib/gateway.sh"
cleanup() { stop_gateway; stop_all_servers; }
trap cleanup EXIT

ca="$TOCSIN_IT_CA_DIR"
make_test_ca "$ca" || exit 1
start_inspircd || exit 1
irc_register_account tocsin botpass123 || exit 1
build_tocsin || exit 1

mkdir -p "$TOCSIN_GATEWAY_DIR"
config="$TOCSIN_GATEWAY_DIR/abuse.yml"
# No `flood:` and no `rate_limits:`: both defaults are what is under test.
{
  config_gateway "$TOCSIN_GATEWAY_DIR/abuse.sqlite" --public-url --service api:platform
  echo "irc:"
  config_irc_network inspircd "$INSPIRCD_TLS_PORT" --sasl=PLAIN 'rooms: [{name: "#ops"}]'
  cat <<YAML
routes:
  - {network: inspircd, room: "#ops"}
logging: {level: debug}
YAML
} >"$config"
export TOCSIN_IRC_PASSWORD=botpass123

irc_insp() { ircclient --host 127.0.0.1 --port "$INSPIRCD_TLS_PORT" --tls --cafile "$ca/ca.pem" --servername localhost "$@"; }
wait_ready_file() { local i; for i in $(seq 1 100); do [ -e "$1" ] && return 0; sleep 0.2; done; return 1; }
now() { date +%s.%N; }

start_gateway "$config"
check "gateway starts, registers and joins #ops" wait_gateway_ready 60

# Three open incidents, so every `!incidents` reply is several lines (as on a real bad day).
d="$TOCSIN_GATEWAY_DIR"; rm -f "$d"/seed.* "$d"/all.* "$d"/crit.* "$d"/flood.*
irc_insp --nick seedwatch --timeout 60 watch --channel '#ops' --wait-for-nick tocsin --from tocsin \
  --match 'TRIGGERED\] #[0-9]+ seed' --expect-count 3 --ready-file "$d/seed.ready" >"$d/seed.out" 2>&1 &
ps=$!
wait_ready_file "$d/seed.ready"
for i in 1 2 3; do enqueue_trigger "seed $i" info "seed-$i" >/dev/null; done
check "three seed incidents announced before the flood" wait "$ps"

# Everything the bot says in #ops from now on, until it has been quiet for 12 s.
irc_insp --nick everything --timeout 200 watch --channel '#ops' --wait-for-nick tocsin --from tocsin --match '.' \
  --until-quiet 12 --ready-file "$d/all.ready" >"$d/all.out" 2>&1 &
pall=$!
irc_insp --nick critwatch --timeout 200 watch --channel '#ops' --wait-for-nick tocsin --from tocsin \
  --match 'TRIGGERED\] #[0-9]+ abuse: primary database down' --expect-count 1 --ready-file "$d/crit.ready" >"$d/crit.out" 2>&1 &
pcrit=$!
wait_ready_file "$d/all.ready" && wait_ready_file "$d/crit.ready"

# The flood: twelve `!incidents` in a row from a nick with no services account. The client stays
# until it sees its "slow down" line (or 150 s), so the server relays every line it sent.
texts=(); for _ in $(seq 1 12); do texts+=(--text '!incidents'); done
irc_insp --nick mallory --timeout 150 say --channel '#ops' --wait-for-nick tocsin "${texts[@]}" \
  --from tocsin --expect 'mallory: slow down' >"$d/flood.out" 2>&1 &
pflood=$!

# Once the bot is busy answering (its first reply line is in the channel), the critical incident.
for _ in $(seq 1 150); do grep -q 'seed' "$d/all.out" 2>/dev/null && break; sleep 0.2; done
check "the bot started answering the flood" grep -q 'seed' "$d/all.out"
t0=$(now)
check "critical incident enqueued over HTTP is accepted (202)" \
  bash -c '[[ "$1" == *" 202" ]]' _ "$(enqueue_trigger 'abuse: primary database down' critical abuse-critical)"
wait "$pcrit"; crit_status=$?
t1=$(now)
delay=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
echo "      critical announcement delay under the flood: ${delay} s (before the fix: ~74 s)"
check "the critical announcement reached #ops" test "$crit_status" -eq 0
check "…within 10 s despite the flood (took ${delay} s)" python3 -c "import sys; sys.exit(0 if $delay <= 10 else 1)"

wait "$pflood"; flood_status=$?
wait "$pall"; all_status=$?
check "the capture of #ops ended on a quiet channel" test "$all_status" -eq 0
# IRC formatting (bold, colours…) removed, so the words can be matched as a reader sees them.
plain_text() { python3 -c 'import re, sys; sys.stdout.write(re.sub(r"\x03(\d{1,2}(,\d{1,2})?)?|[\x02\x0f\x16\x1d\x1e\x1f]", "", open(sys.argv[1], encoding="utf-8", errors="replace").read()))' "$1"; }
check "the capture of #ops is not empty" test -s "$d/all.out"
slow=$(plain_text "$d/all.out" | grep -c 'mallory: slow down')
replies=$(plain_text "$d/all.out" | grep -c 'seed 1')
echo "      the flooder got $replies !incidents replies and $slow \"slow down\" line(s) for 12 commands"
check "the flooder was told to slow down (its client saw the line)" test "$flood_status" -eq 0
check "exactly one \"slow down\" line for the flooder, then silence" test "$slow" -eq 1
check "at most 5 of the 12 commands answered (per-user burst)" test "$replies" -le 5 -a "$replies" -ge 1
check "the gateway logged the rate limit" grep -q 'command rate-limited' "$TOCSIN_GATEWAY_LOG"
check "the gateway is healthy after the flood" gateway_healthy

echo "abuse: $TOCSIN_FAILURES failure(s)"
exit $((TOCSIN_FAILURES > 0))
