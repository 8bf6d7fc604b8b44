# shellcheck shell=bash
# Real chat servers for Tocsin's integration tests: InspIRCd 3 (+ Anope services), ngIRCd,
# Prosody and ejabberd, each bound to 127.0.0.1 on a high port, with all of its files under
# "$TOCSIN_IT_DIR/<server>" and every process it starts recorded and stopped by PID.
#
# Usage (from a test script):
#   source "$(dirname "$0")/lib/servers.sh"
#   trap stop_all_servers EXIT
#   make_test_ca "$TOCSIN_IT_CA_DIR"; start_inspircd; irc_register_account alice s3cretpw
#
# start_<server> starts from a clean state (its directory is wiped); restart_<server> keeps the
# state (Anope's and the XMPP servers' databases) and the ports. All waits are bounded; on failure
# a function prints what went wrong with the tail of the server log and returns non-zero.

TOCSIN_IT_DIR="${TOCSIN_IT_DIR:-/tmp/tocsin-it}"
TOCSIN_IT_CA_DIR="${TOCSIN_IT_CA_DIR:-$TOCSIN_IT_DIR/ca}"
INSPIRCD_PORT="${INSPIRCD_PORT:-16667}"
INSPIRCD_TLS_PORT="${INSPIRCD_TLS_PORT:-16697}"
INSPIRCD_LINK_PORT="${INSPIRCD_LINK_PORT:-17000}"     # server-to-server port Anope links to
NGIRCD_PORT="${NGIRCD_PORT:-26667}"
NGIRCD_TLS_PORT="${NGIRCD_TLS_PORT:-26697}"
PROSODY_PORT="${PROSODY_PORT:-15222}"
EJABBERD_PORT="${EJABBERD_PORT:-25222}"
EJABBERD_DIST_PORT="${EJABBERD_DIST_PORT:-25270}"     # Erlang distribution (epmd-less), 127.0.0.1
TOCSIN_IT_PYTHON="${TOCSIN_IT_PYTHON:-/usr/bin/python3}"  # Debian's, with python3-irc/-slixmpp
TOCSIN_IT_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export TOCSIN_IT_DIR TOCSIN_IT_CA_DIR INSPIRCD_PORT INSPIRCD_TLS_PORT INSPIRCD_LINK_PORT \
  NGIRCD_PORT NGIRCD_TLS_PORT PROSODY_PORT EJABBERD_PORT EJABBERD_DIST_PORT

# Scripted real clients (see lib/ircclient.py and lib/xmppclient.py --help).
ircclient() { "$TOCSIN_IT_PYTHON" "$TOCSIN_IT_LIB/ircclient.py" "$@"; }
xmppclient() { "$TOCSIN_IT_PYTHON" "$TOCSIN_IT_LIB/xmppclient.py" "$@"; }

_it_log() { echo "[servers] $*" >&2; }
_it_now() { echo "${EPOCHREALTIME/,/.}"; }
_it_elapsed() { awk -v a="$1" -v b="$(_it_now)" 'BEGIN { printf "%.1f", b - a }'; }

# Prints MESSAGE and the last lines of every log file of SERVER, returns 1.
_it_fail() {
  local server="$1"; shift
  echo "[servers] FAILED: $*" >&2
  local f
  for f in "$TOCSIN_IT_DIR/$server"/*.log "$TOCSIN_IT_DIR/$server"/logs/*.log \
           "$TOCSIN_IT_DIR/$server"/anope/logs/*; do
    [ -f "$f" ] || continue
    echo "----- tail of $f -----" >&2
    tail -n 25 "$f" >&2
  done
  return 1
}

# ---------------------------------------------------------------------------------------------
# Process bookkeeping: "$TOCSIN_IT_DIR/<server>/pids" holds "PID LABEL EXE" lines, in start
# order. EXE (a substring of /proc/PID/cmdline) guards against killing a reused PID.

_it_track() { # SERVER PID LABEL EXE
  echo "$2 $3 $4" >>"$TOCSIN_IT_DIR/$1/pids"
}

_it_pid_alive() { # PID EXE -> 0 if PID runs and its command line contains EXE
  local pid="$1" exe="$2" state
  [ -r "/proc/$pid/stat" ] || return 1
  state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] || { wait "$pid" 2>/dev/null; return 1; }
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$exe"
}

# Stops one process by PID: SIGTERM, up to SECONDS (default 10) for it to exit, then SIGKILL.
_it_kill_pid() { # PID EXE [SECONDS] [LABEL]
  local pid="$1" exe="$2" secs="${3:-10}" label="${4:-$2}" i
  _it_pid_alive "$pid" "$exe" || return 0
  kill "$pid" 2>/dev/null || true
  for ((i = 0; i < secs * 10; i++)); do
    _it_pid_alive "$pid" "$exe" || { wait "$pid" 2>/dev/null; return 0; }
    sleep 0.1
  done
  _it_log "$label (pid $pid) ignored SIGTERM for ${secs}s: SIGKILL"
  kill -9 "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    _it_pid_alive "$pid" "$exe" || { wait "$pid" 2>/dev/null; return 0; }
    sleep 0.1
  done
  _it_log "$label (pid $pid) still alive after SIGKILL"
  return 1
}

# Stops every process recorded for SERVER, last started first.
_it_stop_server() { # SERVER
  local server="$1" file="$TOCSIN_IT_DIR/$1/pids" rc=0 pid label exe
  [ -f "$file" ] || return 0
  while read -r pid label exe; do
    [ -n "$pid" ] || continue
    _it_kill_pid "$pid" "$exe" 15 "$server/$label" || rc=1
  done < <(tac "$file")
  [ $rc -ne 0 ] || rm -f "$file"
  return $rc
}

_it_port_open() { # PORT -> 0 if something accepts TCP connections on 127.0.0.1:PORT
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# wait_for_port PORT [SECONDS=15]: waits until 127.0.0.1:PORT accepts connections.
wait_for_port() {
  local port="$1" secs="${2:-15}" i
  for ((i = 0; i < secs * 10; i++)); do
    _it_port_open "$port" && return 0
    sleep 0.1
  done
  _it_log "port $port did not open within ${secs}s"
  return 1
}

_it_require_free_port() { # SERVER PORT...
  local server="$1" p; shift
  for p in "$@"; do
    if _it_port_open "$p"; then
      _it_fail "$server" "port 127.0.0.1:$p is already in use (set the port variable to another value)"
      return 1
    fi
  done
}

_it_pid_exists() { # PID -> 0 if it runs (not a zombie), whatever its command line
  local state
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# Waits while PID lives for port; fails early if the process died.
_it_wait_port_of() { # SERVER PID EXE PORT SECONDS
  local server="$1" pid="$2" exe="$3" port="$4" secs="$5" i
  for ((i = 0; i < secs * 10; i++)); do
    _it_port_open "$port" && return 0
    _it_pid_exists "$pid" || { _it_fail "$server" "$exe exited before opening port $port"; return 1; }
    sleep 0.1
  done
  _it_fail "$server" "port $port not open after ${secs}s"
}

_it_prepare_dir() { # SERVER FRESH(0/1): stops leftovers; FRESH=1 wipes the directory
  local dir="$TOCSIN_IT_DIR/$1"
  _it_stop_server "$1" || return 1
  if [ "$2" = 1 ]; then rm -rf "$dir"; fi
  mkdir -p "$dir"
  # Servers run as irc/prosody/ejabberd: they must traverse TOCSIN_IT_DIR (mktemp -d is 0700).
  chmod a+x "$TOCSIN_IT_DIR"
  if ! setpriv --reuid=nobody --regid=nogroup --clear-groups -- test -x "$dir"; then
    _it_fail "$1" "$dir is not reachable by unprivileged users (a parent directory is private)"
    return 1
  fi
}

_it_ensure_ca() {
  [ -s "$TOCSIN_IT_CA_DIR/server.pem" ] || make_test_ca "$TOCSIN_IT_CA_DIR"
}

# ---------------------------------------------------------------------------------------------
# make_test_ca DIR: a private CA and a server certificate for localhost / 127.0.0.1.
# Writes ca.pem ca.key server.pem server.key server-combined.pem (cert+key, for ejabberd) and
# wrong-ca.pem (an unrelated CA: a client trusting only it must refuse the servers).
make_test_ca() {
  local dir="${1:?make_test_ca DIR}"
  mkdir -p "$dir" || return 1
  (
    set -e
    cd "$dir"
    umask 022
    cat >ca.ext <<'EOF'
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
    cat >server.ext <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
EOF
    _ca() { # NAME SUBJECT
      openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout "$1.key" -out "$1.pem" \
        -subj "$2" -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" -addext "subjectKeyIdentifier=hash" \
        2>/dev/null
    }
    _ca ca "/O=Tocsin integration tests/CN=Tocsin Test CA"
    _ca wrong-ca "/O=Somebody else/CN=Unrelated Test CA"
    openssl req -new -newkey rsa:2048 -nodes -sha256 -keyout server.key -out server.csr \
      -subj "/O=Tocsin integration tests/CN=localhost" 2>/dev/null
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 -sha256 \
      -extfile server.ext -out server.pem 2>/dev/null
    cat server.pem server.key >server-combined.pem
    chmod 644 server.key server-combined.pem   # read by servers running as other users
    rm -f server.csr ca.srl ca.ext server.ext wrong-ca.key
    openssl verify -CAfile ca.pem server.pem >/dev/null
  ) || { _it_log "make_test_ca: openssl failed in $dir"; return 1; }
}

# ---------------------------------------------------------------------------------------------
# InspIRCd 3 + Anope 2.0 services (accounts, SASL, account-tag).

_it_write_inspircd_conf() {
  local d="$TOCSIN_IT_DIR/inspircd" m
  local modules=(cap ircv3 ircv3_accounttag ircv3_servertime ircv3_echomessage ircv3_batch
    ircv3_labeledresponse ircv3_msgid ircv3_ctctags ircv3_capnotify ircv3_invitenotify
    ircv3_chghost services_account sasl spanningtree hidechans chghost chgident svshold cban
    ssl_gnutls sslinfo namesx uhnames botmode)  # sslinfo: client certificate fingerprints for SASL EXTERNAL
  {
    cat <<EOF
<path configdir="$d" datadir="$d/data" logdir="$d" moduledir="/usr/lib/inspircd/modules">
<server name="irc.localhost" description="Tocsin integration-test IRC server" network="TocsinIT">
<admin name="Tocsin tests" nick="admin" email="admin@localhost">
<pid file="$d/inspircd.pid">
<files motd="$d/motd.txt">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="$d/ircd.log">
<bind address="127.0.0.1" port="$INSPIRCD_PORT" type="clients">
<bind address="127.0.0.1" port="$INSPIRCD_TLS_PORT" type="clients" sslprofile="main">
<bind address="127.0.0.1" port="$INSPIRCD_LINK_PORT" type="servers">
<sslprofile name="main" provider="gnutls" certfile="$d/server.pem" keyfile="$d/server.key" dhfile="" hash="sha256">
<dns server="127.0.0.1" timeout="1">
<options prefixquit="Quit: " syntaxhints="no" announcets="yes" hostintopic="yes" pingwarning="15" splitwhois="no" exemptchanops="">
<security hideserver="" userstats="Pu" customversion="" flatlinks="no" hidesplits="no" hideulines="no" hidebans="no" maxtargets="20">
<performance quietbursts="yes" softlimit="1024" somaxconn="128" netbuffersize="10240">
<channels users="20" opers="60">
# InspIRCd's example "main" <connect> class (the flood behaviour of a normal network:
# threshold/commandrate/fakelag/sendq/recvq untouched); only the per-IP connection limits are
# raised, since every test client comes from 127.0.0.1.
<connect name="main" allow="*" maxchans="20" timeout="20" pingfreq="2m" hardsendq="1M"
         softsendq="10240" recvq="10K" threshold="10" commandrate="1000" fakelag="yes"
         localmax="1000" globalmax="1000" resolvehostnames="no" useident="no" limit="5000">
<sasl target="services.localhost">
<link name="services.localhost" ipaddr="127.0.0.1" port="$INSPIRCD_LINK_PORT" allowmask="127.0.0.0/8"
      sendpass="tocsin-link" recvpass="tocsin-link">
<uline server="services.localhost" silent="yes">
<badnick nick="ChanServ" reason="Reserved For Services">
<badnick nick="NickServ" reason="Reserved For Services">
<badnick nick="OperServ" reason="Reserved For Services">
<badnick nick="MemoServ" reason="Reserved For Services">
<badnick nick="BotServ" reason="Reserved For Services">
<badnick nick="HostServ" reason="Reserved For Services">
<badnick nick="Global" reason="Reserved For Services">
EOF
    for m in "${modules[@]}"; do echo "<module name=\"$m\">"; done
  } >"$d/inspircd.conf"
}

_it_write_anope_conf() {
  local a="$TOCSIN_IT_DIR/inspircd/anope"
  # data/backups must exist: when db_flatfile cannot back up anope.db (daily, and on the first
  # save after a restart) Anope SQUITs and exits ("Unable to back up database").
  mkdir -p "$a/conf" "$a/data/backups" "$a/logs"
  cp /usr/share/doc/anope/examples/*.conf "$a/conf/"
  # Settings that differ from Anope's examples: the uplink, our name, rfc1459 casemap (InspIRCd's;
  # with "ascii" the link is refused), no mail, registration without delay, no per-host session
  # limit (all test clients share 127.0.0.1), quick reconnect and frequent database saves.
  sed -i \
    -e '/^uplink/,/^}/ { s/^\(\s*\)port = [0-9]*/\1port = '"$INSPIRCD_LINK_PORT"'/; s/^\(\s*\)password = ".*"/\1password = "tocsin-link"/ }' \
    -e '/^serverinfo/,/^}/ { s/^\(\s*\)name = ".*"/\1name = "services.localhost"/; s|^\(\s*\)pid = ".*"|\1pid = "'"$a"'/data/services.pid"| }' \
    -e 's/^\(\s*\)casemap = "ascii"/\1casemap = "rfc1459"/' \
    -e 's/^\(\s*\)usemail = yes/\1usemail = no/' \
    -e 's/^\(\s*\)retrywait = .*/\1retrywait = 2s/' \
    -e 's/^\(\s*\)updatetimeout = .*/\1updatetimeout = 2s/' \
    -e 's/^\(\s*\)#nobackupokay = yes/\1nobackupokay = yes/' \
    "$a/conf/example.conf"
  sed -i -e 's/^\(\s*\)regdelay = .*/\1regdelay = 0/' "$a/conf/nickserv.example.conf"
  sed -i -e 's/^\(\s*\)defaultsessionlimit = .*/\1defaultsessionlimit = 0/' \
         -e 's/^\(\s*\)maxsessionlimit = .*/\1maxsessionlimit = 0/' "$a/conf/operserv.example.conf"
  grep -q "port = $INSPIRCD_LINK_PORT" "$a/conf/example.conf" &&
    grep -q 'name = "services.localhost"' "$a/conf/example.conf" &&
    grep -q 'casemap = "rfc1459"' "$a/conf/example.conf" ||
    { _it_fail inspircd "could not adapt Anope's example.conf"; return 1; }
}

# Waits until CAP LS 302 over TLS offers sasl (i.e. Anope is linked).
_it_wait_services_linked() { # SECONDS
  local secs="$1" deadline
  deadline=$(( $(date +%s) + secs ))
  while (( $(date +%s) < deadline )); do
    if ircclient --host 127.0.0.1 --port "$INSPIRCD_TLS_PORT" --tls --cafile "$TOCSIN_IT_CA_DIR/ca.pem" \
         --timeout 5 caps --require sasl >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}

_it_start_inspircd() { # FRESH
  local d="$TOCSIN_IT_DIR/inspircd" t0 pid wpid apid i
  t0=$(_it_now)
  _it_prepare_dir inspircd "$1" || return 1
  _it_require_free_port inspircd "$INSPIRCD_PORT" "$INSPIRCD_TLS_PORT" "$INSPIRCD_LINK_PORT" || return 1
  _it_ensure_ca || return 1
  mkdir -p "$d/data"
  cp "$TOCSIN_IT_CA_DIR/server.pem" "$TOCSIN_IT_CA_DIR/server.key" "$d/"
  echo "Tocsin integration-test server" >"$d/motd.txt"
  _it_write_inspircd_conf
  [ -f "$d/anope/conf/example.conf" ] || _it_write_anope_conf || return 1

  # InspIRCd 3.15's m_ssl_gnutls (Debian 12) segfaults while exiting on SIGTERM, after a clean
  # shutdown. A small bash wrapper keeps core dumps off and the "Segmentation fault" report in the
  # log instead of the test's output; inspircd's own PID comes from its pid file.
  rm -f "$d/inspircd.pid"
  (cd "$d" && exec bash -c 'ulimit -c 0; inspircd "$@"; rc=$?; echo "inspircd exited with status $rc"; exit $rc' \
     tocsin-it-inspircd-wrapper --config="$d/inspircd.conf" --nofork --runasroot) \
     </dev/null >>"$d/inspircd-console.log" 2>&1 &
  wpid=$!
  _it_track inspircd "$wpid" wrapper tocsin-it-inspircd-wrapper
  for ((i = 0; i < 100; i++)); do
    [ -s "$d/inspircd.pid" ] && break
    _it_pid_exists "$wpid" || break
    sleep 0.1
  done
  pid=$(cat "$d/inspircd.pid" 2>/dev/null)
  [ -n "$pid" ] || { _it_fail inspircd "inspircd wrote no pid file within 10s"; return 1; }
  _it_track inspircd "$pid" inspircd inspircd
  _it_wait_port_of inspircd "$pid" inspircd "$INSPIRCD_TLS_PORT" 20 || return 1

  _it_start_anope || return 1
  _it_log "inspircd+anope ready in $(_it_elapsed "$t0")s (inspircd pid $pid, anope pid $IT_ANOPE_PID;" \
    "plain $INSPIRCD_PORT, tls $INSPIRCD_TLS_PORT)"
}

# Starts Anope for the running InspIRCd and waits until it is linked (sasl offered). Sets IT_ANOPE_PID.
_it_start_anope() {
  local d="$TOCSIN_IT_DIR/inspircd" apid
  # Anope runs as "irc": as root it warns and sleeps 3 s on every start.
  chown -R irc:irc "$d/anope"
  (cd "$d/anope" && exec setpriv --reuid=irc --regid=irc --init-groups -- anope --config=example.conf --confdir="$d/anope/conf" --dbdir="$d/anope/data" \
     --logdir="$d/anope/logs" --modulesdir=/usr/lib/anope --nofork) \
     </dev/null >>"$d/anope-console.log" 2>&1 &
  apid=$!
  IT_ANOPE_PID=$apid
  _it_track inspircd "$apid" anope anope
  if ! _it_wait_services_linked 30; then
    local why="did not link to InspIRCd within 30s (CAP LS over TLS never offered sasl)"
    _it_pid_exists "$apid" || why="exited before linking to InspIRCd"
    _it_fail inspircd "Anope $why"
    return 1
  fi
}

# Services down while the IRC server runs (InspIRCd then stops offering sasl), and back.
stop_anope() {
  local file="$TOCSIN_IT_DIR/inspircd/pids" pid label exe
  [ -f "$file" ] || return 1
  while read -r pid label exe; do
    [ "$label" = anope ] && _it_kill_pid "$pid" "$exe" 15 inspircd/anope
  done <"$file"
  grep -v ' anope anope$' "$file" >"$file.new"; mv "$file.new" "$file"
}
start_anope() { _it_start_anope && _it_log "anope linked again (pid $IT_ANOPE_PID)"; }

start_inspircd() { _it_start_inspircd 1; }
stop_inspircd() { _it_stop_server inspircd; }
restart_inspircd() { stop_inspircd && _it_start_inspircd 0; }

# irc_register_account NICK PASSWORD: registers NICK with NickServ on InspIRCd's plain port
# (password: 5+ chars, not the nick), then proves SASL PLAIN with it works over TLS.
irc_register_account() {
  local nick="${1:?irc_register_account NICK PASSWORD}" pass="${2:?irc_register_account NICK PASSWORD}"
  ircclient --host 127.0.0.1 --port "$INSPIRCD_PORT" --nick "$nick" --timeout 20 \
    register --password "$pass" --email "$nick@example.com" >&2 ||
    { _it_log "irc_register_account $nick: NickServ REGISTER failed"; return 1; }
  ircclient --host 127.0.0.1 --port "$INSPIRCD_TLS_PORT" --tls --cafile "$TOCSIN_IT_CA_DIR/ca.pem" \
    --nick "${nick}_chk" --sasl "$nick:$pass" --timeout 20 caps >/dev/null ||
    { _it_log "irc_register_account $nick: SASL PLAIN failed after registration"; return 1; }
}

# ---------------------------------------------------------------------------------------------
# ngIRCd 26 (classic server: no services, few IRCv3 capabilities).

_it_start_ngircd() { # FRESH
  local d="$TOCSIN_IT_DIR/ngircd" t0 pid
  t0=$(_it_now)
  _it_prepare_dir ngircd "$1" || return 1
  _it_require_free_port ngircd "$NGIRCD_PORT" "$NGIRCD_TLS_PORT" || return 1
  _it_ensure_ca || return 1
  mkdir -p "$d/conf.d"
  cp "$TOCSIN_IT_CA_DIR/server.pem" "$TOCSIN_IT_CA_DIR/server.key" "$d/"
  echo "Tocsin integration-test server" >"$d/motd"
  # Without DHFile ngIRCd generates 2048-bit DH parameters on every start (~1 s): use the
  # standard RFC 7919 ffdhe2048 group instead (instant).
  [ -s "$d/dhparams.pem" ] ||
    openssl genpkey -genparam -algorithm DH -pkeyopt dh_param:ffdhe2048 -out "$d/dhparams.pem" 2>/dev/null
  chown -R irc:irc "$d"  # ngircd drops root for ServerUID after reading its key
  cat >"$d/ngircd.conf" <<EOF
[Global]
	Name = irc.ngircd.localhost
	Info = Tocsin integration-test ngIRCd
	Network = TocsinNG
	AdminInfo1 = Tocsin tests
	AdminInfo2 = localhost
	AdminEMail = admin@localhost
	Listen = 127.0.0.1
	Ports = $NGIRCD_PORT
	MotdFile = $d/motd
	PidFile = $d/ngircd.pid
	ServerUID = irc
	ServerGID = irc
[Limits]
	MaxConnections = 0
	MaxConnectionsIP = 0
	MaxJoins = 10
	MaxNickLength = 30
	PingTimeout = 120
	PongTimeout = 20
[Options]
	DNS = no
	Ident = no
	PAM = no
	IncludeDir = $d/conf.d
[SSL]
	CertFile = $d/server.pem
	KeyFile = $d/server.key
	DHFile = $d/dhparams.pem
	CipherList = SECURE128:-VERS-SSL3.0
	Ports = $NGIRCD_TLS_PORT
EOF
  ngircd --nodaemon --config "$d/ngircd.conf" </dev/null >>"$d/ngircd.log" 2>&1 &
  pid=$!
  _it_track ngircd "$pid" ngircd ngircd
  _it_wait_port_of ngircd "$pid" ngircd "$NGIRCD_TLS_PORT" 15 || return 1
  _it_wait_port_of ngircd "$pid" ngircd "$NGIRCD_PORT" 5 || return 1
  _it_log "ngircd ready in $(_it_elapsed "$t0")s (pid $pid; plain $NGIRCD_PORT, tls $NGIRCD_TLS_PORT)"
}

start_ngircd() { _it_start_ngircd 1; }
stop_ngircd() { _it_stop_server ngircd; }
restart_ngircd() { stop_ngircd && _it_start_ngircd 0; }

# ---------------------------------------------------------------------------------------------
# Prosody 0.12, run as the prosody user (mod_posix refuses root).

_it_as() { # USER CMD... : run as USER (exec, so $! is the command's own PID)
  local user="$1"; shift
  setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
}

_it_prosodyctl() {
  local d="$TOCSIN_IT_DIR/prosody"
  _it_as prosody env HOME="$d" prosodyctl --config "$d/prosody.cfg.lua" "$@"
}

_it_start_prosody() { # FRESH
  local d="$TOCSIN_IT_DIR/prosody" t0 pid
  t0=$(_it_now)
  _it_prepare_dir prosody "$1" || return 1
  _it_require_free_port prosody "$PROSODY_PORT" || return 1
  _it_ensure_ca || return 1
  mkdir -p "$d/data" "$d/certs"
  cp "$TOCSIN_IT_CA_DIR/server.pem" "$TOCSIN_IT_CA_DIR/server.key" "$d/certs/"
  cat >"$d/prosody.cfg.lua" <<EOF
-- Tocsin integration-test Prosody (generated by integration-tests/lib/servers.sh)
pidfile = "$d/prosody.pid"
data_path = "$d/data"
log = { info = "$d/prosody.log" }
interfaces = { "127.0.0.1" }
c2s_ports = { $PROSODY_PORT }
c2s_interfaces = { "127.0.0.1" }
s2s_ports = { }
http_ports = { }
https_ports = { }
modules_enabled = { "roster"; "saslauth"; "tls"; "disco"; "ping"; "smacks"; "version" }
c2s_require_encryption = true
authentication = "internal_hashed"
certificates = "$d/certs"
ssl = { certificate = "$d/certs/server.pem"; key = "$d/certs/server.key" }
VirtualHost "localhost"
Component "conference.localhost" "muc"
    muc_room_locking = false
    -- Non-anonymous rooms by default: occupants (and the bot) see real JIDs.
    muc_room_default_public_jids = true
EOF
  chown -R prosody:prosody "$d"
  chmod 600 "$d/certs/server.key"
  (cd "$d" && exec setpriv --reuid=prosody --regid=prosody --init-groups -- \
     env HOME="$d" prosody -F --config "$d/prosody.cfg.lua") </dev/null >>"$d/prosody-console.log" 2>&1 &
  pid=$!
  _it_track prosody "$pid" prosody prosody
  _it_wait_port_of prosody "$pid" prosody "$PROSODY_PORT" 20 || return 1
  _it_log "prosody ready in $(_it_elapsed "$t0")s (pid $pid; c2s $PROSODY_PORT)"
}

start_prosody() { _it_start_prosody 1; }
stop_prosody() { _it_stop_server prosody; }
restart_prosody() { stop_prosody && _it_start_prosody 0; }

# ---------------------------------------------------------------------------------------------
# ejabberd 23.01, run as the ejabberd user, epmd-less: ERL_DIST_PORT makes the node listen for
# Erlang distribution on 127.0.0.1:$EJABBERD_DIST_PORT and start no epmd at all.

_it_ejabberdctl() {
  local d="$TOCSIN_IT_DIR/ejabberd"
  (cd "$d/spool" && _it_as ejabberd env HOME="$d" ejabberdctl --config-dir "$d/conf" \
     --config "$d/conf/ejabberd.yml" --ctl-config "$d/conf/ejabberdctl.cfg" \
     --spool "$d/spool" --logs "$d/logs" "$@")
}

_it_start_ejabberd() { # FRESH
  local d="$TOCSIN_IT_DIR/ejabberd" t0 pid bpid="" i node
  t0=$(_it_now)
  _it_prepare_dir ejabberd "$1" || return 1
  _it_require_free_port ejabberd "$EJABBERD_PORT" "$EJABBERD_DIST_PORT" || return 1
  _it_ensure_ca || return 1
  mkdir -p "$d/conf" "$d/spool" "$d/logs"
  # The Mnesia spool belongs to one node name: keep it across restarts, unique per state dir.
  [ -s "$d/node" ] || echo "tocsinit$$x$RANDOM@localhost" >"$d/node"
  node=$(cat "$d/node")
  cp "$TOCSIN_IT_CA_DIR/server-combined.pem" "$d/conf/server.pem"
  cp "$TOCSIN_IT_CA_DIR/ca.pem" "$d/conf/ca.pem"
  cp /etc/ejabberd/inetrc "$d/conf/inetrc"
  rm -f "$d/ejabberd.pid"
  cat >"$d/conf/ejabberdctl.cfg" <<EOF
ERLANG_NODE=$node
ERL_DIST_PORT=$EJABBERD_DIST_PORT
INET_DIST_INTERFACE=127.0.0.1
ERL_EPMD_ADDRESS=127.0.0.1
EJABBERD_PID_PATH=$d/ejabberd.pid
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0 -setcookie tocsin_it_cookie"
EOF
  cat >"$d/conf/ejabberd.yml" <<EOF
# Tocsin integration-test ejabberd (generated by integration-tests/lib/servers.sh)
hosts:
  - localhost
loglevel: info
log_rotate_count: 0
certfiles:
  - "$d/conf/server.pem"
  - "$d/conf/ca.pem"
acme:
  auto: false
listen:
  -
    port: $EJABBERD_PORT
    ip: "127.0.0.1"
    module: ejabberd_c2s
    max_stanza_size: 262144
    shaper: c2s_shaper
    access: c2s
    starttls_required: true
disable_sasl_mechanisms:
  - "digest-md5"
  - "X-OAUTH2"
auth_method: internal
auth_password_format: scram
acl:
  local:
    user_regexp: ""
access_rules:
  local:
    allow: local
  c2s:
    allow: all
  muc_create:
    allow: local
# Debian's default c2s shaper (what a stock deployment applies to clients).
shaper:
  normal:
    rate: 3000
    burst_size: 20000
shaper_rules:
  max_user_sessions: 10
  c2s_shaper: normal
modules:
  mod_caps: {}
  mod_disco: {}
  mod_muc:
    hosts:
      - conference.localhost
    access_create: muc_create
    access_persistent: muc_create
    # Non-anonymous rooms by default: occupants (and the bot) see real JIDs.
    default_room_options:
      anonymous: false
  mod_ping: {}
  mod_roster: {}
  mod_stream_mgmt: {}
  mod_version: {}
EOF
  chown -R ejabberd:ejabberd "$d"
  local epmd_before=0
  _it_port_open 4369 && epmd_before=1
  (cd "$d/spool" && exec setpriv --reuid=ejabberd --regid=ejabberd --init-groups -- \
     env HOME="$d" ejabberdctl --config-dir "$d/conf" --config "$d/conf/ejabberd.yml" \
     --ctl-config "$d/conf/ejabberdctl.cfg" --spool "$d/spool" --logs "$d/logs" foreground) \
     </dev/null >>"$d/ejabberd-console.log" 2>&1 &
  pid=$!
  _it_track ejabberd "$pid" ejabberdctl ejabberdctl
  for ((i = 0; i < 300; i++)); do
    if [ -s "$d/ejabberd.pid" ]; then bpid=$(cat "$d/ejabberd.pid"); break; fi
    _it_pid_exists "$pid" || break
    sleep 0.1
  done
  if [ -z "$bpid" ]; then
    _it_fail ejabberd "ejabberd wrote no pid file within 30s"; return 1
  fi
  _it_track ejabberd "$bpid" beam beam.smp
  _it_wait_port_of ejabberd "$bpid" beam.smp "$EJABBERD_PORT" 30 || return 1
  for ((i = 0; i < 20; i++)); do
    _it_ejabberdctl status >/dev/null 2>&1 && break
    sleep 0.5
  done
  ((i < 20)) || { _it_fail ejabberd "ejabberdctl status did not report started"; return 1; }
  # ERL_DIST_PORT means no epmd; should one have appeared anyway, it is ours: record its PID.
  if [ $epmd_before = 0 ] && _it_port_open 4369; then
    local epid
    for epid in $(fuser -n tcp 4369 2>/dev/null); do
      _it_pid_alive "$epid" epmd && _it_track ejabberd "$epid" epmd epmd &&
        _it_log "ejabberd started epmd (pid $epid): recorded, stopped with ejabberd"
    done
  fi
  _it_log "ejabberd ready in $(_it_elapsed "$t0")s (beam pid $bpid; c2s $EJABBERD_PORT, node $node)"
}

start_ejabberd() { _it_start_ejabberd 1; }
stop_ejabberd() { _it_stop_server ejabberd; }
restart_ejabberd() { stop_ejabberd && _it_start_ejabberd 0; }

# xmpp_register prosody|ejabberd USER PASSWORD: creates USER@localhost.
xmpp_register() {
  local server="${1:?xmpp_register SERVER USER PASSWORD}" user="${2:?}" pass="${3:?}" out
  case "$server" in
    prosody) out=$(_it_prosodyctl register "$user" localhost "$pass" 2>&1) ;;
    ejabberd) out=$(_it_ejabberdctl register "$user" localhost "$pass" 2>&1) ;;
    *) _it_log "xmpp_register: unknown server '$server' (prosody|ejabberd)"; return 2 ;;
  esac || { _it_log "xmpp_register $server $user failed: $out"; return 1; }
}

# ---------------------------------------------------------------------------------------------

stop_all_servers() {
  local rc=0 s
  for s in ejabberd prosody ngircd inspircd; do
    _it_stop_server "$s" || rc=1
  done
  return $rc
}
