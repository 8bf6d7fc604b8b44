# shellcheck shell=bash
# The Tocsin gateway under test: build, configure, start, stop (by PID), and talk to its HTTP intake.
# Sourced by the integration tests next to servers.sh.
#
#   source lib/gateway.sh
#   { config_gateway "$dir/x.sqlite" --service api:platform; echo irc:; config_irc_network …
#     cat <<YAML … YAML; } >FILE          (the configuration, in pieces: see "Configuration" below)
#   start_gateway FILE; wait_gateway_ready; enqueue_trigger api "Disk full" critical
#   stop_gateway         (SIGTERM, bounded wait, then SIGKILL)
#   kill9_gateway        (crash on purpose, for fault tests)

TOCSIN_ROOT="${TOCSIN_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
TOCSIN_HTTP_PORT="${TOCSIN_HTTP_PORT:-18080}"
TOCSIN_ROUTING_KEY="${TOCSIN_ROUTING_KEY:-0123456789abcdef0123456789abcdef}"
TOCSIN_GATEWAY_DIR="${TOCSIN_GATEWAY_DIR:-${TOCSIN_IT_DIR:-/tmp/tocsin-it}/gateway}"
export TOCSIN_HTTP_PORT TOCSIN_ROUTING_KEY TOCSIN_GATEWAY_DIR
TOCSIN_GATEWAY_PID=""

_gw_log() { echo "[gateway] $*" >&2; }

# The debug build is what `swift build` leaves; tests use it so that the test command builds once.
# TOCSIN_BIN names the binary outright (test-all.sh sets it for suites running side by side).
tocsin_binary() {
  if [ -n "${TOCSIN_BIN:-}" ]; then echo "$TOCSIN_BIN"; return; fi
  echo "$(cd "$TOCSIN_ROOT" && swift build --show-bin-path 2>/dev/null)/tocsin"
}

# TOCSIN_NO_BUILD=1 uses the binary already built (test-all.sh builds once, before the suites).
build_tocsin() {
  [ -n "${TOCSIN_NO_BUILD:-}" ] && return 0
  (cd "$TOCSIN_ROOT" && swift build --product tocsin >&2) || { _gw_log "swift build failed"; return 1; }
}

# Configuration: the pieces every suite's tocsin.yml shares, printed on stdout, so that a suite
# writes only what is its own (rooms, invites, routes, logging) and the rest stays alike:
#   { config_gateway "$dir/x.sqlite" --public-url --service api:platform --identity irc:inspircd/alice=alice@example.org
#     echo "irc:"
#     config_irc_network inspircd "$INSPIRCD_TLS_PORT" --sasl 'rooms: [{name: "#ops"}]'
#     echo "xmpp:"
#     config_xmpp_network prosody "$PROSODY_PORT" 'rooms: [{jid: ops@conference.localhost}]'
#     cat <<YAML
#   routes: [{network: inspircd, room: "#ops"}]
#   YAML
#   } >"$config"
# The networks are the local servers of servers.sh: 127.0.0.1, its test CA ($TOCSIN_IT_CA_DIR), the
# bot's nick tocsin (JID tocsin@localhost) and its secrets from TOCSIN_IRC_PASSWORD/TOCSIN_XMPP_PASSWORD.

# gateway: (DATABASE), http: on 127.0.0.1:$TOCSIN_HTTP_PORT, the embedded backend, identities:.
#   --public-url            public_url: http://127.0.0.1:$TOCSIN_HTTP_PORT
#   --gateway 'KEY: VALUE'  one more line under gateway: (e.g. 'rate_limits: {…}', '# a comment')
#   --http 'KEY: VALUE'     one more entry in http: (e.g. 'max_body_bytes: 4096')
#   --service NAME[:TEAM[:ENV]]  an embedded service whose routing key is read from $ENV
#                           (TOCSIN_ROUTING_KEY when not given); one at least
#   --embedded 'LINE'       one more line under embedded: (users:, schedules:, …; indent nested lines yourself)
#   --identity CHAT=EMAIL   an identities: entry
#   --pagerduty 'LINE'      the PagerDuty backend instead, LINE one line under pagerduty: (api_token:,
#                           base_url:, services:, …; indent nested lines yourself); no --service then
config_gateway() { # DATABASE [OPTION…]
  local database="$1" gateway=() http="" services=() embedded=() identities=() pagerduty=() name team env
  shift
  while [ $# -gt 0 ]; do
    case "$1" in
      --public-url) gateway+=("public_url: http://127.0.0.1:$TOCSIN_HTTP_PORT") ;;
      --gateway) gateway+=("$2"); shift ;;
      --http) http+=", $2"; shift ;;
      --service)
        IFS=: read -r name team env <<<"$2"
        services+=("{name: $name${team:+, team: $team}, routing_key: {env: ${env:-TOCSIN_ROUTING_KEY}}}"); shift ;;
      --embedded) embedded+=("$2"); shift ;;
      --identity) identities+=("$2"); shift ;;
      --pagerduty) pagerduty+=("$2"); shift ;;
      *) _gw_log "config_gateway: unknown option $1"; return 1 ;;
    esac
    shift
  done
  if [ ${#pagerduty[@]} -gt 0 ]; then
    [ ${#services[@]} -eq 0 ] && [ ${#embedded[@]} -eq 0 ] ||
      { _gw_log "config_gateway: --pagerduty with --service/--embedded"; return 1; }
  else
    [ ${#services[@]} -gt 0 ] || { _gw_log "config_gateway: no --service"; return 1; }
  fi
  echo "gateway:"
  echo "  database: $database"
  _config_lines "  " "${gateway[@]}"
  echo "http: {host: 127.0.0.1, port: $TOCSIN_HTTP_PORT$http}"
  echo "backend:"
  if [ ${#pagerduty[@]} -gt 0 ]; then
    echo "  kind: pagerduty"
    echo "  pagerduty:"
    _config_lines "    " "${pagerduty[@]}"
  else
    echo "  kind: embedded"
    echo "  embedded:"
    echo "    services:"
    _config_lines "      - " "${services[@]}"
    _config_lines "    " "${embedded[@]}"
  fi
  [ ${#identities[@]} -eq 0 ] || config_identities "${identities[@]}"
}

# identities: mapping chat identities to people (CHAT=EMAIL, e.g. irc:inspircd/alice=alice@example.org).
config_identities() { # CHAT=EMAIL…
  local identity
  echo "identities:"
  for identity in "$@"; do echo "  - {chat: ${identity%%=*}, email: ${identity#*=}}"; done
}

# One entry of irc: — NAME at 127.0.0.1:PORT over TLS verified by the test CA, nick tocsin; then
# each LINE (rooms:, invites:, flood:, …) as the network's own, one YAML line each.
#   --tls MODE       the TLS mode (implicit when not given)
#   --nick NICK      the bot's nick (tocsin when not given)
#   --sasl           SASL as account tocsin, password from TOCSIN_IRC_PASSWORD
#   --sasl=MECHANISM the same with the mechanism named (e.g. PLAIN)
config_irc_network() { # NAME PORT [--tls MODE] [--nick NICK] [--sasl[=MECHANISM]] [LINE…]
  local name="$1" port="$2" tls=implicit nick=tocsin sasl=""
  shift 2
  while [ $# -gt 0 ]; do
    case "$1" in
      --tls) tls="$2"; shift ;;
      --nick) nick="$2"; shift ;;
      --sasl) sasl="{account: tocsin, password: {env: TOCSIN_IRC_PASSWORD}}" ;;
      --sasl=*) sasl="{mechanism: ${1#--sasl=}, account: tocsin, password: {env: TOCSIN_IRC_PASSWORD}}" ;;
      *) break ;;
    esac
    shift
  done
  echo "  - name: $name"
  echo "    host: 127.0.0.1"
  echo "    port: $port"
  echo "    tls: {mode: $tls, ca_file: $TOCSIN_IT_CA_DIR/ca.pem, server_name: localhost}"
  echo "    nick: $nick"
  [ -z "$sasl" ] || echo "    sasl: $sasl"
  _config_lines "    " "$@"
}

# One entry of xmpp: — NAME at 127.0.0.1:PORT, STARTTLS verified by the test CA, as tocsin@localhost
# (password from TOCSIN_XMPP_PASSWORD), nick tocsin; then each LINE (rooms:, invites:, …).
config_xmpp_network() { # NAME PORT [LINE…]
  local name="$1" port="$2"
  shift 2
  echo "  - name: $name"
  echo "    jid: tocsin@localhost"
  echo "    password: {env: TOCSIN_XMPP_PASSWORD}"
  echo "    host: 127.0.0.1"
  echo "    port: $port"
  echo "    tls: {mode: starttls, ca_file: $TOCSIN_IT_CA_DIR/ca.pem}"
  echo "    nick: tocsin"
  _config_lines "    " "$@"
}

_config_lines() { # PREFIX [LINE…]
  local prefix="$1" line
  shift
  for line in "$@"; do echo "$prefix$line"; done
}

start_gateway() { # CONFIG [LOGFILE]
  local config="$1" log="${2:-$TOCSIN_GATEWAY_DIR/tocsin.log}" bin
  bin="$(tocsin_binary)"
  mkdir -p "$(dirname "$log")"
  TOCSIN_GATEWAY_LOG="$log"
  [ -x "$bin" ] || { _gw_log "no tocsin binary at $bin (run build_tocsin)"; return 1; }
  "$bin" run --config "$config" >>"$log" 2>&1 </dev/null &
  TOCSIN_GATEWAY_PID=$!
  TOCSIN_GATEWAY_LOG="$log"
  _gw_log "started pid $TOCSIN_GATEWAY_PID (log $log)"
}

gateway_alive() { [ -n "$TOCSIN_GATEWAY_PID" ] && kill -0 "$TOCSIN_GATEWAY_PID" 2>/dev/null; }

# Waits until /readyz answers with every component ok (connections registered, rooms joined).
wait_gateway_ready() { # [SECONDS]
  local seconds="${1:-60}" i body
  for ((i = 0; i < seconds * 4; i++)); do
    if ! gateway_alive; then
      _gw_log "gateway exited early; log tail:"; tail -n 30 "$TOCSIN_GATEWAY_LOG" >&2; return 1
    fi
    body="$(curl -s --max-time 2 "http://127.0.0.1:$TOCSIN_HTTP_PORT/readyz" 2>/dev/null)"
    if [ "$(health_status <<<"$body")" = ok ]; then return 0; fi
    sleep 0.25
  done
  _gw_log "not healthy after ${seconds}s: $body"; tail -n 30 "$TOCSIN_GATEWAY_LOG" >&2
  return 1
}

# The top-level status of a /readyz body on stdin (ok, degraded, down), or nothing.
health_status() {
  /usr/bin/python3 -c 'import json, sys
try: print(json.load(sys.stdin)["status"])
except Exception: pass'
}

# The gateway under test answers /readyz with status ok (after a short settling pause).
gateway_healthy() {
  sleep 2
  [ "$(curl -s --max-time 5 "http://127.0.0.1:$TOCSIN_HTTP_PORT/readyz" | health_status)" = ok ]
}

stop_gateway() {
  [ -n "$TOCSIN_GATEWAY_PID" ] || return 0
  if kill -0 "$TOCSIN_GATEWAY_PID" 2>/dev/null; then
    kill -TERM "$TOCSIN_GATEWAY_PID" 2>/dev/null
    local i
    for ((i = 0; i < 100; i++)); do kill -0 "$TOCSIN_GATEWAY_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$TOCSIN_GATEWAY_PID" 2>/dev/null; then
      _gw_log "pid $TOCSIN_GATEWAY_PID ignored SIGTERM for 10 s; killing"
      kill -KILL "$TOCSIN_GATEWAY_PID" 2>/dev/null
    fi
  fi
  wait "$TOCSIN_GATEWAY_PID" 2>/dev/null
  TOCSIN_GATEWAY_PID=""
}

kill9_gateway() {
  [ -n "$TOCSIN_GATEWAY_PID" ] || return 0
  kill -KILL "$TOCSIN_GATEWAY_PID" 2>/dev/null
  wait "$TOCSIN_GATEWAY_PID" 2>/dev/null
  TOCSIN_GATEWAY_PID=""
}

# POST an Events API v2 event; prints the HTTP status and body ("202 {...}").
enqueue_event() { # JSON
  curl -s --max-time 10 -o /dev/stdout -w ' %{http_code}' -H 'Content-Type: application/json' \
    --data-binary "$1" "http://127.0.0.1:$TOCSIN_HTTP_PORT/v2/enqueue"
}

enqueue_trigger() { # SUMMARY SEVERITY [DEDUP_KEY]
  local summary="$1" severity="${2:-critical}" dedup="${3:-}"
  local dedup_field=""
  [ -n "$dedup" ] && dedup_field=",\"dedup_key\":\"$dedup\""
  enqueue_event "{\"routing_key\":\"$TOCSIN_ROUTING_KEY\",\"event_action\":\"trigger\"$dedup_field,\"payload\":{\"summary\":\"$summary\",\"source\":\"integration-test\",\"severity\":\"$severity\"}}"
}

# Certificate verification: a second gateway, configured like CONFIG but trusting an unrelated CA
# (ca.pem → wrong-ca.pem), must refuse the servers, say in its log which setting to fix (ca_file),
# and report itself down in /readyz. The main gateway keeps running meanwhile.
wrong_ca_is_refused() { # CONFIG
  local config="$1" dir="$TOCSIN_GATEWAY_DIR/wrong-ca" port=$((TOCSIN_HTTP_PORT + 1)) i status=1
  mkdir -p "$dir"
  sed -e "s#/ca.pem#/wrong-ca.pem#g" -e "s#port: $TOCSIN_HTTP_PORT#port: $port#" \
      -e "s#database: [^,}]*#database: $dir/wrong.sqlite#" "$config" >"$dir/wrong-ca.yml"
  "$(tocsin_binary)" run --config "$dir/wrong-ca.yml" >"$dir/tocsin.log" 2>&1 </dev/null &
  local pid=$!
  for ((i = 0; i < 120; i++)); do
    if grep -q 'ca_file' "$dir/tocsin.log" &&
       [ "$(curl -s --max-time 2 "http://127.0.0.1:$port/readyz" | health_status)" = down ]; then
      status=0; break
    fi
    sleep 0.5
  done
  ((status == 0)) || { _gw_log "wrong CA not refused as expected; log tail:"; tail -n 20 "$dir/tocsin.log" >&2; }
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  return $status
}

# Negative log checks that cannot pass by accident: FILE must exist and be non-empty (a gateway
# that never started, or a log written elsewhere, is a failure, not a pass), then REGEX (grep -E)
# must not occur in it. Several files may be given; each must exist and be non-empty.
#   check "no secret in the log" log_lacks 'botpass123|alicepass123' "$dir/tocsin.log"
log_lacks() { # REGEX FILE...
  local regex="$1" file; shift
  [ $# -gt 0 ] || { _gw_log "log_lacks: no file given"; return 1; }
  for file in "$@"; do
    [ -s "$file" ] || { _gw_log "log_lacks: $file is missing or empty, so it proves nothing"; return 1; }
  done
  if grep -nE -- "$regex" "$@" >&2; then return 1; fi
  return 0
}

# The positive twin: FILE exists and REGEX (grep -E) occurs in it.
log_has() { # REGEX FILE...
  local regex="$1"; shift
  grep -qE -- "$regex" "$@" 2>/dev/null
}

# The gateway's own /readyz component status (ok, degraded, down), or nothing.
component_status() { # COMPONENT [PORT]
  curl -s --max-time 5 "http://127.0.0.1:${2:-$TOCSIN_HTTP_PORT}/readyz" | /usr/bin/python3 -c 'import json, sys
try: print(" ".join(c["status"] for c in json.load(sys.stdin)["components"] if c["component"] == sys.argv[1]))
except Exception: pass' "$1"
}

# PASS/FAIL bookkeeping shared by the test scripts.
TOCSIN_FAILURES=0
check() { # NAME COMMAND...
  local name="$1"; shift
  if "$@"; then echo "PASS  $name"; else echo "FAIL  $name"; TOCSIN_FAILURES=$((TOCSIN_FAILURES + 1)); fi
}
