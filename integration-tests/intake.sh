#!/usr/bin/env bash
# HTTP intake under a slow-loris attack, no chat servers: an intake-only gateway on the embedded
# store, run with the usual 1,024 file descriptors (soft limit), on 127.0.0.1.
#
# The attacker holds 1,100 unfinished request heads from 127.0.0.2 (another loopback address);
# meanwhile /readyz, /v2/enqueue and /webhooks/pagerduty must still answer 127.0.0.1 within two
# seconds and the gateway must not spin a core. A head trickled one byte per second is closed after
# the header timeout (10 s by default), and a body over max_body_bytes gets 413. Prints PASS/FAIL
# per check; exits non-zero when any fails.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib/gateway.sh"
TOCSIN_IT_PYTHON="${TOCSIN_IT_PYTHON:-/usr/bin/python3}"
ATTACK_CONNECTIONS="${ATTACK_CONNECTIONS:-1100}"
attacker_pid=""
cleanup() {
  if [ -n "$attacker_pid" ]; then kill "$attacker_pid" 2>/dev/null; wait "$attacker_pid" 2>/dev/null; fi
  stop_gateway
}
trap cleanup EXIT

build_tocsin || { echo "FAIL  tocsin builds"; exit 1; }

dir="$TOCSIN_GATEWAY_DIR/intake"
rm -rf "$dir"; mkdir -p "$dir"
config="$dir/intake.yml"
# Only keys with their defaults in force: the header timeout and connection caps are the shipped ones.
config_gateway "$dir/intake.sqlite" --http 'max_body_bytes: 4096' --service api >"$config"
export TOCSIN_ROUTING_KEY

# The gateway gets the usual 1,024 descriptors (soft limit; the attacker raises its own again).
ulimit -Sn 1024
start_gateway "$config" "$dir/tocsin.log" && wait_gateway_ready 60 || { echo "FAIL  gateway starts"; exit 1; }
ulimit -Sn "$(ulimit -Hn)"
base="http://127.0.0.1:$TOCSIN_HTTP_PORT"

# HTTP status of a request from 127.0.0.1 that must be answered within 2 s ("000": no answer).
status_of() { # METHOD PATH [BODY]
  if [ "$1" = POST ]; then
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 --interface 127.0.0.1 -H 'Content-Type: application/json' \
      --data-binary "$3" "$base$2"
  else
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 --interface 127.0.0.1 "$base$2"
  fi
}
event() { echo "{\"routing_key\":\"$TOCSIN_ROUTING_KEY\",\"event_action\":\"trigger\",\"payload\":{\"summary\":\"$1\",\"source\":\"intake.sh\",\"severity\":\"warning\"}}"; }
webhook_body='{"event":{"id":"E1","event_type":"incident.triggered"}}'

answers() { # EXPECTED METHOD PATH [BODY]
  local expected="$1" got; shift
  got="$(status_of "$@")"
  [ "$got" = "$expected" ] || { echo "    $1 $2: expected $expected, got $got (000: no answer in 2 s)" >&2; return 1; }
}
# The embedded backend takes no webhooks: 404 is its answer, and an answer is what counts here.
all_endpoints_answer() { # LABEL
  answers 200 GET /readyz && answers 202 POST /v2/enqueue "$(event "probe $1")" &&
    answers 404 POST /webhooks/pagerduty "$webhook_body"
}
check "before the attack: /readyz, /v2/enqueue and /webhooks/pagerduty answer" all_endpoints_answer before

oversized_body_gets_413() {
  local body
  body="$(event "$(head -c 6000 /dev/zero | tr '\0' x)")"
  answers 413 POST /v2/enqueue "$body"
}
check "a body over max_body_bytes (4096) gets 413" oversized_body_gets_413

# Gateway CPU time in clock ticks (utime + stime, fields 14 and 15 of /proc/PID/stat).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$TOCSIN_GATEWAY_PID/stat"; }
ready="$dir/attacker.state"
"$TOCSIN_IT_PYTHON" "$here/lib/slowloris.py" hold 127.0.0.1 "$TOCSIN_HTTP_PORT" "$ATTACK_CONNECTIONS" 127.0.0.2 "$ready" \
  >"$dir/attacker.log" 2>&1 &
attacker_pid=$!
for ((i = 0; i < 120; i++)); do grep -q . "$ready" 2>/dev/null && break; sleep 0.5; done
attack_started() { [ -s "$ready" ] && kill -0 "$attacker_pid" 2>/dev/null; }
check "attacker made $ATTACK_CONNECTIONS connection attempts from 127.0.0.2 ($(cat "$ready" 2>/dev/null))" attack_started

# Counted at once: the header timeout closes the held connections 10 s after they were opened.
held="$(ss -Htn state established "( sport = :$TOCSIN_HTTP_PORT )" dst 127.0.0.2 | wc -l)"
window_start=$EPOCHREALTIME ticks_start="$(cpu_ticks)"
answering=1
for round in 1 2 3; do
  all_endpoints_answer "attack $round" || answering=0
  sleep 1
done
check "under attack: /readyz, /v2/enqueue and /webhooks/pagerduty answer 127.0.0.1 within 2 s (3 rounds)" \
  test "$answering" = 1
sleep 3
ticks_end="$(cpu_ticks)" window_end=$EPOCHREALTIME
cpu_percent="$(awk -v t="$((ticks_end - ticks_start))" -v hz="$(getconf CLK_TCK)" -v a="$window_start" -v b="$window_end" \
  'BEGIN { printf "%.0f", 100 * (t / hz) / (b - a) }')"
echo "    gateway CPU during the attack: $cpu_percent % of a core; connections from 127.0.0.2 held: $held; attacker: $(cat "$ready")"
check "gateway CPU during the attack stays under 20 % of a core ($cpu_percent %)" test "$cpu_percent" -lt 20
check "connections held for 127.0.0.2 stay within the per-address cap of 64 ($held)" test "$held" -le 64

kill "$attacker_pid" 2>/dev/null; wait "$attacker_pid" 2>/dev/null; attacker_pid=""

trickled_head_is_closed() {
  local verdict seconds
  verdict="$("$TOCSIN_IT_PYTHON" "$here/lib/slowloris.py" trickle 127.0.0.1 "$TOCSIN_HTTP_PORT" 20)"
  echo "    trickled head: $verdict" >&2
  seconds="${verdict#closed after }"
  [ "$seconds" != "$verdict" ] && awk -v s="$seconds" 'BEGIN { exit !(s >= 8 && s <= 13) }'
}
check "a request head trickled one byte per second is closed after the 10 s header timeout" trickled_head_is_closed

check "after the attack: gateway alive and every endpoint answers" all_endpoints_answer after
check "gateway log exists and is non-empty" test -s "$dir/tocsin.log"

((TOCSIN_FAILURES == 0)) || { echo "intake: $TOCSIN_FAILURES check(s) failed; log: $dir/tocsin.log"; exit 1; }
echo "intake: all checks passed"
