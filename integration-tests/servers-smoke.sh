#!/usr/bin/env bash
# Smoke test of the integration-test servers and scripted clients: starts InspIRCd (+ Anope),
# ngIRCd, Prosody and ejabberd on 127.0.0.1, proves each works with lib/ircclient.py and
# lib/xmppclient.py, restarts each once, and stops everything by PID. One PASS/FAIL line per
# check; exits non-zero if any check failed. Needs root (or the servers' users) and the packages
# from install-deps.sh. Runs without a TTY or stdin.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export TOCSIN_IT_DIR="${TOCSIN_IT_DIR:-/tmp/tocsin-it}"
# shellcheck source=lib/servers.sh
source "$here/lib/servers.sh"
trap stop_all_servers EXIT
trap 'exit 130' INT TERM

work="$TOCSIN_IT_DIR/smoke"
rm -rf "$work" && mkdir -p "$work"
CA="$TOCSIN_IT_CA_DIR/ca.pem"
WRONG_CA="$TOCSIN_IT_CA_DIR/wrong-ca.pem"
failures=0
t_start=$(_it_now)

pass() { echo "PASS $1"; }
fail() {
  echo "FAIL $1"
  [ -z "${2:-}" ] || sed 's/^/    | /' <<<"$2" | tail -n 20
  failures=$((failures + 1))
}
# check NAME CMD... : PASS if CMD succeeds (its output is shown on failure).
check() {
  local name="$1" out t0; shift
  t0=$(_it_now)
  if out=$("$@" 2>&1); then
    pass "$name ($(_it_elapsed "$t0")s)"
  else
    fail "$name ($(_it_elapsed "$t0")s)" "$out"
  fi
}
# Runs a watcher in the background; sets WATCH_PID, waits until it has joined (ready file).
start_watcher() { # NAME CLIENT-ARGS...
  local name="$1" i; shift
  rm -f "$work/$name.ready"
  "$@" --ready-file "$work/$name.ready" >"$work/$name.out" 2>&1 &
  WATCH_PID=$!
  for ((i = 0; i < 200; i++)); do
    [ -f "$work/$name.ready" ] && return 0
    _it_pid_exists "$WATCH_PID" || break
    sleep 0.1
  done
  echo "watcher $name never became ready:"; cat "$work/$name.out"
  kill "$WATCH_PID" 2>/dev/null; wait "$WATCH_PID" 2>/dev/null
  return 1
}
# Waits (bounded by the watcher's own --timeout) for the watcher, shows its output; 0 if it
# succeeded. Not in $(...): the watcher is a child of the calling shell.
finish_watcher() { # NAME
  local rc=0
  wait "$WATCH_PID" || rc=$?
  cat "$work/$1.out"
  return $rc
}

# --- servers ---------------------------------------------------------------------------------
check "test CA created (server cert for localhost/127.0.0.1, wrong CA)" make_test_ca "$TOCSIN_IT_CA_DIR"
# Runs STEP_<server> (start_inspircd, …) for each server, its seconds kept in the array TIMES.
timed_for_each_server() { # STEP TIMES PAST_TENSE
  local step="$1" done_word="$3" s t0
  local -n times="$2"
  for s in inspircd ngircd prosody ejabberd; do
    t0=$(_it_now)
    if "${step}_$s"; then
      times[$s]=$(_it_elapsed "$t0")
      pass "$s $done_word in ${times[$s]}s"
    else
      fail "$s $done_word"
    fi
  done
}
declare -A started restarted
timed_for_each_server start started started
((failures == 0)) || { echo "servers did not start: giving up"; exit 1; }

IRC_TLS=(--host 127.0.0.1 --port "$INSPIRCD_TLS_PORT" --tls --cafile "$CA")
NG_TLS=(--host 127.0.0.1 --port "$NGIRCD_TLS_PORT" --tls --cafile "$CA")

check "inspircd: NickServ account alice registered, SASL PLAIN works" \
  irc_register_account alice 'alice-pw-1'
for s in prosody ejabberd; do
  check "$s: users alice and bob registered" \
    eval "xmpp_register $s alice alice-pw && xmpp_register $s bob bob-pw"
done

# --- IRC -------------------------------------------------------------------------------------
irc_account_tag() {
  start_watcher insp-watch ircclient "${IRC_TLS[@]}" --nick watcher --timeout 20 \
    watch --channel '#ops' --expect-count 1 --match '^!ack 101$' || return 1
  ircclient "${IRC_TLS[@]}" --nick alice --sasl alice:alice-pw-1 --timeout 20 \
    say --channel '#ops' --wait-for-nick watcher --text '!ack 101' || return 1
  finish_watcher insp-watch || return 1
  grep -q '[;@]account=alice[; ].* PRIVMSG #ops :!ack 101$' "$work/insp-watch.out"
}
check "inspircd: SASL-authenticated alice's message seen by a watcher with account=alice" irc_account_tag

irc_sasl_and_caps() {
  local out
  out=$(ircclient "${IRC_TLS[@]}" --nick alice2 --sasl alice:alice-pw-1 caps) || { echo "$out"; return 1; }
  echo "$out"
  grep -q '^nick=alice2 account=alice$' <<<"$out" &&
    grep -q 'enabled=.*account-tag.*echo-message.*message-tags.*sasl.*server-time' <<<"$out"
}
check "inspircd: CAP LS 302 + SASL PLAIN (account-tag, echo-message, message-tags, server-time)" \
  irc_sasl_and_caps

expect_exit() { # CODE REGEX CMD... : CMD must exit with CODE and print REGEX
  local code="$1" rx="$2" out rc=0; shift 2
  out=$("$@" 2>&1) || rc=$?
  echo "$out"
  [ "$rc" -eq "$code" ] && grep -qE "$rx" <<<"$out"
}
check "inspircd: wrong SASL password refused (904)" \
  expect_exit 4 '904' ircclient "${IRC_TLS[@]}" --nick mallory --sasl alice:wrong --timeout 10 caps
check "inspircd: TLS with the wrong CA refused" \
  expect_exit 3 'certificate verify failed' ircclient --port "$INSPIRCD_TLS_PORT" --tls \
  --cafile "$WRONG_CA" --timeout 10 caps

irc_invite() {
  start_watcher insp-invitee ircclient "${IRC_TLS[@]}" --nick invitee --timeout 15 \
    watch --channel '#lobby' || return 1
  ircclient "${IRC_TLS[@]}" --nick inviter --timeout 10 invite --channel '#incident-7' --target invitee
  local rc=$?
  _it_kill_pid "$WATCH_PID" ircclient.py 5
  return $rc
}
check "inspircd: INVITE to a new channel answered with 341" irc_invite

ngircd_exchange() {
  start_watcher ng-watch ircclient "${NG_TLS[@]}" --nick ngbob --timeout 20 \
    watch --channel '#ops' --expect-count 1 --match 'incident 42' || return 1
  ircclient "${NG_TLS[@]}" --nick ngalice --timeout 20 \
    say --channel '#ops' --wait-for-nick ngbob --text 'incident 42 acknowledged' || return 1
  finish_watcher ng-watch || return 1
  grep -q '^:ngalice![^ ]* PRIVMSG #ops :incident 42 acknowledged$' "$work/ng-watch.out"
}
check "ngircd: two clients exchange a channel message over TLS" ngircd_exchange
ngircd_no_sasl() {
  local out; out=$(ircclient "${NG_TLS[@]}" caps) || { echo "$out"; return 1; }
  echo "$out"
  ! grep -q sasl <<<"$out"
}
check "ngircd: no sasl offered (fallback server)" ngircd_no_sasl
check "ngircd: TLS with the wrong CA refused" \
  expect_exit 3 'certificate verify failed' ircclient --port "$NGIRCD_TLS_PORT" --tls \
  --cafile "$WRONG_CA" --timeout 10 caps

# --- XMPP ------------------------------------------------------------------------------------
xmpp_port() { if [ "$1" = prosody ]; then echo "$PROSODY_PORT"; else echo "$EJABBERD_PORT"; fi; }

muc_exchange() { # SERVER
  local port; port=$(xmpp_port "$1")
  start_watcher "$1-watch" xmppclient --jid bob@localhost --password bob-pw --port "$port" \
    --cafile "$CA" --timeout 20 watch --room ops@conference.localhost --nick bob \
    --expect-count 1 --match '^!ack 7$' || return 1
  xmppclient --jid alice@localhost --password alice-pw --port "$port" --cafile "$CA" \
    --timeout 20 say --room ops@conference.localhost --nick alice --wait-for-nick bob \
    --text '!ack 7' || return 1
  finish_watcher "$1-watch" || return 1
  # "groupchat ROOM <nick (real JID)> body": the real JID proves the room is non-anonymous.
  grep -q '^groupchat ops@conference.localhost <alice (alice@localhost/[^)]*)> !ack 7$' \
    "$work/$1-watch.out"
}
for s in prosody ejabberd; do
  port=$(xmpp_port "$s")
  check "$s: STARTTLS (test CA) + SASL + stream management" \
    expect_exit 0 'tls=yes sasl=SCRAM-SHA-[0-9A-Z-]+ sm=yes' xmppclient --jid alice@localhost \
    --password alice-pw --port "$port" --cafile "$CA" --timeout 15 check
  check "$s: MUC groupchat delivered; watcher sees the sender's real JID" muc_exchange "$s"
  check "$s: occupants of a new room carry real JIDs (non-anonymous default)" \
    expect_exit 0 'self_status_codes=.*100' xmppclient --jid bob@localhost --password bob-pw \
    --port "$port" --cafile "$CA" --timeout 15 occupants --room "fresh-$s@conference.localhost" \
    --require-real-jids
  check "$s: XEP-0249 invitation sent" \
    xmppclient --jid alice@localhost --password alice-pw --port "$port" --cafile "$CA" \
    --timeout 15 invite --room "inv-$s@conference.localhost" --target bob@localhost
  check "$s: TLS with the wrong CA refused" \
    expect_exit 3 'certificate verify failed' xmppclient --jid alice@localhost \
    --password alice-pw --port "$port" --cafile "$WRONG_CA" --timeout 15 check
done

# --- restarts --------------------------------------------------------------------------------
timed_for_each_server restart restarted restarted
check "inspircd after restart: Anope kept the account (SASL PLAIN as alice)" \
  expect_exit 0 'account=alice' ircclient "${IRC_TLS[@]}" --nick alice --sasl alice:alice-pw-1 caps
check "ngircd after restart: TLS registration works" \
  expect_exit 0 'caps=' ircclient "${NG_TLS[@]}" --nick ngcheck caps
for s in prosody ejabberd; do
  check "$s after restart: alice logs in (accounts kept)" \
    expect_exit 0 'tls=yes' xmppclient --jid alice@localhost --password alice-pw \
    --port "$(xmpp_port "$s")" --cafile "$CA" --timeout 15 check
done

# --- stop ------------------------------------------------------------------------------------
pids=$(cat "$TOCSIN_IT_DIR"/*/pids 2>/dev/null | awk '{ print $1 }')
if stop_all_servers; then
  left=""
  for p in $pids; do _it_pid_exists "$p" && left+=" $p"; done
  if [ -z "$left" ]; then pass "all servers stopped by PID"; else fail "processes left:$left"; fi
else
  fail "stop_all_servers"
fi

echo "timings: start inspircd+anope=${started[inspircd]:-?}s ngircd=${started[ngircd]:-?}s" \
  "prosody=${started[prosody]:-?}s ejabberd=${started[ejabberd]:-?}s;" \
  "restart inspircd+anope=${restarted[inspircd]:-?}s ngircd=${restarted[ngircd]:-?}s" \
  "prosody=${restarted[prosody]:-?}s ejabberd=${restarted[ejabberd]:-?}s; total $(_it_elapsed "$t_start")s"
if ((failures)); then
  echo "servers-smoke: $failures check(s) FAILED"
  exit 1
fi
echo "servers-smoke: all checks passed"
