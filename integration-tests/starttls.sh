#!/usr/bin/env bash
# STARTTLS injection and IRCv3 STS, against a misbehaving fake server (lib/fake_starttls_ircd.py)
# that plays the attacker on the path. Run alone, or from irc.sh (which gives it its own ports).
# Prints PASS/FAIL per check; exit status 1 when any failed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib/servers.sh"
source "$here/lib/gateway.sh"

FAKE_IRCD_PORT="${FAKE_IRCD_PORT:-$((TOCSIN_HTTP_PORT + 10))}"
FAKE_IRCD_TLS_PORT="${FAKE_IRCD_TLS_PORT:-$((TOCSIN_HTTP_PORT + 11))}"
dir="$TOCSIN_GATEWAY_DIR/starttls"
FAKE_PID=""

stop_fake() {
  [ -n "$FAKE_PID" ] || return 0
  kill -TERM "$FAKE_PID" 2>/dev/null
  local i
  for ((i = 0; i < 50; i++)); do kill -0 "$FAKE_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$FAKE_PID" 2>/dev/null
  wait "$FAKE_PID" 2>/dev/null
  FAKE_PID=""
}
cleanup() { stop_gateway; stop_fake; }
trap cleanup EXIT

start_fake() { # MODE RECORD [extra args]
  local mode="$1" rec="$2"; shift 2
  rm -f "$rec" "$dir/fake.pid"
  "$TOCSIN_IT_PYTHON" "$TOCSIN_IT_LIB/fake_starttls_ircd.py" --mode "$mode" --port "$FAKE_IRCD_PORT" \
    --cert "$TOCSIN_IT_CA_DIR/server.pem" --key "$TOCSIN_IT_CA_DIR/server.key" \
    --record "$rec" --pid-file "$dir/fake.pid" "$@" >>"$dir/fake.log" 2>&1 &
  FAKE_PID=$!
  wait_for_port "$FAKE_IRCD_PORT" 10
}

write_config() { # FILE TLS_MODE DATABASE
  {
    config_gateway "$3" --public-url --service api:platform
    echo "irc:"
    config_irc_network fake "$FAKE_IRCD_PORT" --tls "$2" 'rooms: [{name: "#ops"}]'
    cat <<YAML
routes:
  - {network: fake, room: "#ops"}
logging: {level: trace}
YAML
  } >"$1"
}

# Evidence must exist: a file that is missing or empty fails the check that reads it.
nonempty() { [ -s "$1" ] || { echo "      missing or empty: $1" >&2; return 1; }; }
# Lines the gateway sent, from the fake's record: LISTENER PHASE -> one line each.
sent_lines() { # RECORD LISTENER PHASE
  "$TOCSIN_IT_PYTHON" -c 'import json, sys
for raw in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(raw)
    if r["listener"] == sys.argv[2] and r["phase"] == sys.argv[3]:
        print(r["line"])' "$@"
}
connections() { # RECORD LISTENER -> number of connections the gateway made to LISTENER
  "$TOCSIN_IT_PYTHON" -c 'import json, sys
print(len({r["conn"] for r in map(json.loads, open(sys.argv[1], encoding="utf-8")) if r["listener"] == sys.argv[2]}))' "$@"
}
wait_grep() { # SECONDS REGEX FILE
  local i
  for ((i = 0; i < $1 * 5; i++)); do grep -qE "$2" "$3" 2>/dev/null && return 0; sleep 0.2; done
  echo "      no /$2/ in $3 within $1 s" >&2; return 1
}

mkdir -p "$dir"
[ -s "$TOCSIN_IT_CA_DIR/server.pem" ] || make_test_ca "$TOCSIN_IT_CA_DIR" || exit 1
build_tocsin || exit 1

# --- (a) plaintext forged before 670: the connection is aborted, nothing is acted on -------------
rec="$dir/before.jsonl"; log="$dir/before.log"
start_fake inject-before-670 "$rec" || exit 1
write_config "$dir/before.yml" starttls "$dir/before.sqlite"
start_gateway "$dir/before.yml" "$log"
check "STARTTLS: a PRIVMSG/001 forged before 670 aborts the connection, with the reason in the log" \
  wait_grep 20 'STARTTLS: the server sent (PRIVMSG|001) before the reply to STARTTLS' "$log"
health_names_starttls() {
  local i body
  for ((i = 0; i < 100; i++)); do
    body="$(curl -s --max-time 2 "http://127.0.0.1:$TOCSIN_HTTP_PORT/readyz")"
    if [[ "$body" == *STARTTLS* ]] && [ "$(health_status <<<"$body")" != ok ] && [ -n "$(health_status <<<"$body")" ]; then return 0; fi
    sleep 0.1
  done
  echo "      /readyz never named the STARTTLS abort: $body" >&2; return 1
}
check "STARTTLS: /readyz is not ok and names the STARTTLS abort" health_names_starttls
only_starttls_in_plaintext() { # RECORD
  nonempty "$1" || return 1
  local lines; lines="$(sent_lines "$1" plain plaintext)"
  grep -qx 'STARTTLS' <<<"$lines" || { echo "      the gateway never sent STARTTLS" >&2; return 1; }
  if grep -vx 'STARTTLS' <<<"$lines" | grep -q .; then
    echo "      the gateway sent in plaintext: $(grep -vx STARTTLS <<<"$lines" | sort -u | head -5 | tr '\n' '|')" >&2; return 1
  fi
}
check "STARTTLS: the gateway sent nothing but STARTTLS in plaintext (no PONG, CAP, JOIN, PRIVMSG)" \
  only_starttls_in_plaintext "$rec"
# A processed command leaves its reply in the durable outbox (delivered or not).
no_reply_stored_for() { # DATABASE NICK
  nonempty "$1" || return 1
  "$TOCSIN_IT_PYTHON" - "$@" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
total = db.execute("SELECT count(*) FROM outbox_messages").fetchone()[0]
to_nick = db.execute("SELECT count(*) FROM outbox_messages WHERE conversation = ?", (sys.argv[2],)).fetchone()[0]
print(f"      outbox: {total} message(s), {to_nick} to {sys.argv[2]}", file=sys.stderr)
sys.exit(1 if to_nick else 0)
PY
}
check "STARTTLS: the forged !whoami was never processed (no reply to alice in the outbox)" \
  no_reply_stored_for "$dir/before.sqlite" alice
stop_gateway; stop_fake

# --- (b) lines glued to 670 in the same segment are discarded --------------------------------------
rec="$dir/after.jsonl"; log="$dir/after.log"
start_fake inject-after-670 "$rec" || exit 1
write_config "$dir/after.yml" starttls "$dir/after.sqlite"
start_gateway "$dir/after.yml" "$log"
check "STARTTLS: after 670 + injected lines the gateway still registers over TLS and joins" wait_gateway_ready 40
check "STARTTLS: the bytes glued to 670 were dropped (logged), 'TLS started' logged on handshake" \
  bash -c "grep -qE 'STARTTLS: dropped [0-9]+ plaintext bytes' '$log' && grep -q 'STARTTLS: TLS started (handshake complete)' '$log'"
answered_control_not_injection() { # RECORD
  nonempty "$1" || return 1
  wait_grep 15 '"phase": "tls", "line": "(PRIVMSG|NOTICE) carol ' "$1" || return 1
  local tls; tls="$(sent_lines "$1" plain tls)"
  if grep -qiE '^(PRIVMSG|NOTICE) alice|#injected' <<<"$tls"; then
    echo "      the gateway acted on the injected lines: $(grep -iE 'alice|#injected' <<<"$tls" | head -3 | tr '\n' '|')" >&2; return 1
  fi
}
check "STARTTLS: the injected !whoami is never answered, the one over TLS is (control)" \
  answered_control_not_injection "$rec"
check "STARTTLS: nothing but STARTTLS went out in plaintext (the injected 001 triggered no JOIN)" \
  only_starttls_in_plaintext "$rec"
check "STARTTLS: no reply to the injected !whoami in the outbox either" no_reply_stored_for "$dir/after.sqlite" alice
stop_gateway; stop_fake

# --- (c) IRCv3 sts: upgrade to the advertised TLS port, remember the policy across a restart --------
rec="$dir/sts.jsonl"; log="$dir/sts.log"
start_fake sts "$rec" --tls-port "$FAKE_IRCD_TLS_PORT" --sts-duration 3600 || exit 1
wait_for_port "$FAKE_IRCD_TLS_PORT" 10 || exit 1
write_config "$dir/sts.yml" plaintext "$dir/sts.sqlite"
start_gateway "$dir/sts.yml" "$log"
check "STS: sts=port on plaintext makes the gateway reconnect with TLS to that port and register" \
  wait_gateway_ready 40
check "STS: the policy learnt over TLS is stored" wait_grep 10 'STS policy stored: TLS on port' "$log"
no_registration_in_plaintext() { # RECORD
  nonempty "$1" || return 1
  local lines; lines="$(sent_lines "$1" plain plaintext)"
  grep -q '^CAP LS' <<<"$lines" || { echo "      no plaintext CAP LS recorded" >&2; return 1; }
  if grep -qE '^(CAP (REQ|END)|JOIN|PRIVMSG|AUTHENTICATE)' <<<"$lines"; then
    echo "      sent in plaintext after the sts upgrade: $(grep -E '^(CAP|JOIN|PRIVMSG)' <<<"$lines" | tr '\n' '|')" >&2; return 1
  fi
}
check "STS: no CAP REQ (sts is never requested), CAP END, JOIN or PRIVMSG went out in plaintext" \
  no_registration_in_plaintext "$rec"
stop_gateway
plain_before="$(connections "$rec" plain)"
log2="$dir/sts-restart.log"
start_gateway "$dir/sts.yml" "$log2"
restarted_with_policy() { wait_gateway_ready 40 && wait_grep 5 'the stored STS policy for 127.0.0.1 holds' "$log2"; }
check "STS: after a restart the stored policy is applied (TLS on the policy port, healthy)" restarted_with_policy
no_new_plaintext() {
  local after; after="$(connections "$rec" plain)"
  [ -n "$plain_before" ] && [ "$plain_before" -ge 1 ] && [ "$after" = "$plain_before" ] ||
    { echo "      plaintext connections before restart: $plain_before, after: $after" >&2; return 1; }
}
check "STS: after the restart no plaintext connection was attempted" no_new_plaintext
stop_gateway; stop_fake

echo "starttls: $TOCSIN_FAILURES failure(s)"
exit $((TOCSIN_FAILURES > 0))
