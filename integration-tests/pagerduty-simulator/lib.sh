# shellcheck shell=bash
# Start, stop (by PID) and call the PagerDuty simulator. Sourced by selftest.sh and ../pagerduty.sh.
#
#   source pagerduty-simulator/lib.sh
#   start_pd_simulator DIR [simulator args...]   # sets PD_SIM_PID, PD_SIM_PORT, PD_SIM_URL
#   pd_req METHOD PATH [JSON] [curl args...]      # sets PD_STATUS and PD_BODY
#   pd_json "d['incident']['id']" <<<"$PD_BODY"   # a Python expression over the parsed JSON `d`
#   stop_pd_simulator

PD_SIM_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PD_SIM_TOKEN="${PD_SIM_TOKEN:-sim-token-u+Xy7Kq2}"
PD_SIM_PID=""
PD_SIM_PORT=""
PD_SIM_URL=""
PD_ACCEPT="application/vnd.pagerduty+json;version=2"

_pd_log() { echo "[pagerduty-sim] $*" >&2; }

# Waits for "listening on http://127.0.0.1:PORT" in LOG; prints PORT.
_pd_wait_port() { # LOG PID
  local log="$1" pid="$2" i port
  for ((i = 0; i < 100; i++)); do
    port="$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" 2>/dev/null | head -n1)"
    if [ -n "$port" ]; then echo "$port"; return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  _pd_log "did not start; log:"; cat "$log" >&2
  return 1
}

start_pd_simulator() { # DIR [ARGS...]
  local dir="$1"; shift
  mkdir -p "$dir"
  : >"$dir/simulator.log"
  /usr/bin/python3 "$PD_SIM_HOME/simulator.py" --port 0 --token "$PD_SIM_TOKEN" --pid-file "$dir/simulator.pid" \
    "$@" >>"$dir/simulator.log" 2>&1 </dev/null &
  PD_SIM_PID=$!
  PD_SIM_PORT="$(_pd_wait_port "$dir/simulator.log" "$PD_SIM_PID")" || { stop_pd_simulator; return 1; }
  PD_SIM_URL="http://127.0.0.1:$PD_SIM_PORT"
  PD_TMP="$dir"
  _pd_log "pid $PD_SIM_PID on $PD_SIM_URL"
}

stop_pd_simulator() {
  [ -n "$PD_SIM_PID" ] || return 0
  kill -TERM "$PD_SIM_PID" 2>/dev/null
  local i
  for ((i = 0; i < 50; i++)); do kill -0 "$PD_SIM_PID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$PD_SIM_PID" 2>/dev/null && kill -KILL "$PD_SIM_PID" 2>/dev/null
  wait "$PD_SIM_PID" 2>/dev/null
  PD_SIM_PID=""
}

# A REST API call with the right token and Accept header; extra curl args may override them
# (`-H 'Authorization:'` removes a header). Sets PD_STATUS (000 when no HTTP answer) and PD_BODY.
pd_req() { # METHOD PATH [JSON] [CURL ARGS...]
  local method="$1" path="$2" data="${3:-}"
  shift 2; [ $# -gt 0 ] && shift
  # curl sends every -H given, so a default is left out when the caller names the same header.
  local overridden=" " arg previous=""
  for arg in "$@"; do
    [ "$previous" = "-H" ] && overridden+="$(echo "${arg%%:*}" | tr '[:upper:]' '[:lower:]') "
    previous="$arg"
  done
  local args=(-s --max-time 10 -o "$PD_TMP/pd_body" -w '%{http_code}' -X "$method")
  [[ "$overridden" == *" authorization "* ]] || args+=(-H "Authorization: Token token=$PD_SIM_TOKEN")
  [[ "$overridden" == *" accept "* ]] || args+=(-H "Accept: $PD_ACCEPT")
  if [ -n "$data" ]; then
    [[ "$overridden" == *" content-type "* ]] || args+=(-H 'Content-Type: application/json')
    args+=(--data-binary "$data")
  fi
  : >"$PD_TMP/pd_body"
  PD_STATUS="$(curl "${args[@]}" "$@" "$PD_SIM_URL$path")" || true
  PD_BODY="$(cat "$PD_TMP/pd_body")"
}

# A control-API call (no auth). Prints the body.
pd_sim() { # METHOD PATH [JSON]
  local data=()
  [ -n "${3:-}" ] && data=(-H 'Content-Type: application/json' --data-binary "$3")
  curl -s --max-time 10 -X "$1" "${data[@]}" "$PD_SIM_URL$2"
}

# Evaluates a Python expression over the JSON document on stdin (bound to `d`).
pd_json() { # EXPR
  /usr/bin/python3 -c 'import json, sys; d = json.load(sys.stdin); v = eval(sys.argv[1]); print(json.dumps(v) if isinstance(v, (dict, list)) else v)' "$1"
}
