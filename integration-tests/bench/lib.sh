# shellcheck shell=bash
# Helpers for integration-tests/bench.sh: the benchmark's server settings on top of
# lib/servers.sh, process RSS, and Errbot start/stop by PID. Sourced after lib/servers.sh.

BENCH_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_PYTHON="${BENCH_PYTHON:-/usr/bin/python3}"   # Debian's: python3-irc, python3-slixmpp, errbot

# InspIRCd connect class for the benchmark: a bot-friendly class (a network gives its bots one)
# that allows 20 commands at once and 10 per second after that — the fastest Tocsin's own pacing
# can be configured for (flood.burst ≤ 20, flood.interval_ms ≥ 100). The stock class (10 at once,
# then 1 per second) would make 2,000 fan-out lines last 33 minutes.
BENCH_IRC_THRESHOLD="${BENCH_IRC_THRESHOLD:-20}"
BENCH_IRC_COMMANDRATE="${BENCH_IRC_COMMANDRATE:-10000}"   # InspIRCd units: 1000 per command per second
# Prosody's mod_limits as Debian's stock prosody.cfg.lua enables it: 10 kB/s per client, 2 s burst.
BENCH_XMPP_RATE="${BENCH_XMPP_RATE:-10kb/s}"
BENCH_XMPP_BURST_SECONDS="${BENCH_XMPP_BURST_SECONDS:-2}"

_bench_log() { echo "[bench] $*" >&2; }

# Wraps servers.sh's config writers: same servers, the benchmark's flood-control settings.
bench_patch_server_configs() {
  eval "$(declare -f _it_write_inspircd_conf | sed '1s/_it_write_inspircd_conf/_bench_orig_write_inspircd_conf/')"
  _it_write_inspircd_conf() {
    _bench_orig_write_inspircd_conf || return 1
    local conf="$TOCSIN_IT_DIR/inspircd/inspircd.conf"
    sed -i -e "s/threshold=\"10\" commandrate=\"1000\"/threshold=\"$BENCH_IRC_THRESHOLD\" commandrate=\"$BENCH_IRC_COMMANDRATE\"/" "$conf"
    grep -q "threshold=\"$BENCH_IRC_THRESHOLD\" commandrate=\"$BENCH_IRC_COMMANDRATE\"" "$conf" ||
      { _bench_log "could not set the benchmark's connect class in $conf"; return 1; }
  }
  # Prosody's config is written inside _it_start_prosody: add mod_limits to that heredoc.
  local body
  body="$(declare -f _it_start_prosody)"
  body="${body/modules_enabled = \{ \"roster\";/modules_enabled = \{ \"limits\"; \"roster\";}"
  body="${body/c2s_require_encryption = true/limits = \{ c2s = \{ rate = \"$BENCH_XMPP_RATE\"; burst = \"${BENCH_XMPP_BURST_SECONDS}s\" \} \}
c2s_require_encryption = true}"
  eval "$body"
  declare -f _it_start_prosody | grep -q '"limits"; "roster"' ||
    { _bench_log "could not enable mod_limits in the benchmark's prosody config"; return 1; }
}

bench_check_server_configs() {
  grep -q "commandrate=\"$BENCH_IRC_COMMANDRATE\"" "$TOCSIN_IT_DIR/inspircd/inspircd.conf" &&
    grep -q '"limits"; "roster"' "$TOCSIN_IT_DIR/prosody/prosody.cfg.lua" &&
    grep -q "rate = \"$BENCH_XMPP_RATE\"" "$TOCSIN_IT_DIR/prosody/prosody.cfg.lua"
}

# Resident set size of PID in kB (0 when gone).
rss_kb() { awk '/^VmRSS:/ { print $2; found=1 } END { if (!found) print 0 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# Errbot, through errbot/run_errbot.py (Debian's /usr/bin/errbot does not start; see there).
# start_errbot NAME ENV... : runs in $TOCSIN_IT_DIR/errbot-NAME with config.py from here.
declare -A BENCH_ERRBOT_PIDS=()
start_errbot() {
  local name="$1"; shift
  local dir="$TOCSIN_IT_DIR/errbot-$name"
  rm -rf "$dir"; mkdir -p "$dir/data"
  (cd "$dir" && exec env ERRBOT_DATA_DIR="$dir/data" "$@" "$BENCH_PYTHON" "$BENCH_HOME/errbot/run_errbot.py" \
     "$BENCH_HOME/errbot/config.py") </dev/null >>"$dir/console.log" 2>&1 &
  BENCH_ERRBOT_PIDS[$name]=$!
  _bench_log "errbot $name started (pid ${BENCH_ERRBOT_PIDS[$name]}, log $dir)"
}

stop_errbot() {
  local name="$1" pid="${BENCH_ERRBOT_PIDS[$1]:-}" i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { _bench_log "errbot $name ignored SIGTERM; SIGKILL"; kill -KILL "$pid" 2>/dev/null; }
  wait "$pid" 2>/dev/null
  unset "BENCH_ERRBOT_PIDS[$name]"
}

stop_all_errbots() {
  local name
  for name in "${!BENCH_ERRBOT_PIDS[@]}"; do stop_errbot "$name"; done
}

# memory_profile PID FILE: where the RSS of PID lives (for docs/benchmarks.md's analysis):
# smaps_rollup, thread count, and the 15 largest mappings by resident size.
memory_profile() {
  local pid="$1" file="$2"
  {
    echo "# /proc/$pid/smaps_rollup"
    cat "/proc/$pid/smaps_rollup" 2>/dev/null
    echo "# threads: $(ls "/proc/$pid/task" 2>/dev/null | wc -l)"
    echo "# largest mappings (Rss kB, Anonymous kB, mapping)"
    awk '/^[0-9a-f]+-[0-9a-f]+ / { name = ($6 == "" ? "[anon]" : $6) }
         /^Rss:/ { rss[name] += $2 } /^Anonymous:/ { anon[name] += $2 }
         END { for (n in rss) printf "%8d %8d %s\n", rss[n], anon[n], n }' "/proc/$pid/smaps" 2>/dev/null |
      sort -rn | head -n 15
  } >"$file"
}

# Other sessions' scripts on a shared machine (install-deps.sh ends with `pkill -x inspircd`,
# `pkill -x anope`, …) would stop this run's servers half-way. The benchmark runs them under
# their own process names through shims early in PATH, so a name-based kill elsewhere misses them;
# servers.sh still finds and stops them by PID (their command lines name their config files).
bench_shield_server_names() {
  local bin="$TOCSIN_IT_DIR/bin" name real
  mkdir -p "$bin"
  for name in inspircd anope; do
    real="$(command -v "$name")" || { _bench_log "$name is not installed"; return 1; }
    ln -sf "$real" "$bin/tocsin-bench-$name"
    printf '#!/bin/sh\nexec "%s" "$@"\n' "$bin/tocsin-bench-$name" >"$bin/$name"
    chmod 755 "$bin/$name"
  done
  chmod 755 "$bin"
  export PATH="$bin:$PATH"
}
