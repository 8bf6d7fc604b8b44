#!/usr/bin/env bash
# Installs every system package Tocsin's build, demo and tests need on a bare Debian 12 machine.
# Idempotent: packages already present are skipped, so a second run costs a few seconds.
set -euo pipefail
packages=(
  libexpat1-dev libsqlite3-dev pkg-config          # CExpat system library, GRDB's SQLite
  openssl curl procps psmisc                        # test CA, HTTP calls, process control
  inspircd anope ngircd                             # IRC servers (InspIRCd linked to Anope services)
  prosody ejabberd                                  # XMPP servers
  python3-irc python3-slixmpp errbot python3-deepmerge wrk sqlite3  # scripted clients; benchmark peer and load
  chromium fonts-dejavu-core                        # pages.sh: a real headless browser loads the incident pages
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  # policy-rc.d keeps the packages' own daemons from starting: tests start their own on 127.0.0.1.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee /usr/sbin/policy-rc.d >/dev/null
    $sudo_cmd chmod +x /usr/sbin/policy-rc.d
    trap '$sudo_cmd rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-deps: all system packages present"
