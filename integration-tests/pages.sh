#!/usr/bin/env bash
# Incident pages in a real browser (issue 13): a real demo flow on InspIRCd (+ Anope) and Prosody —
# trigger → !ack 1 → chat lines mentioning #1 → !note → !resolve — then headless Chromium (Debian's
# `chromium`) loads the list and the incident page and the checks read what a person sees: the
# status, the timeline entries in order, the chat lines; no page without a session; a one-time
# link works once; sign-in from IRC and from XMPP. Keeps a screenshot in docs/incident-page.png.
# Signing in is what a person does: the link (GET) shows a "Sign in as …" button and uses nothing
# up (link previews fetch it first); the browser presses the button (lib/cdp_browser.py drives
# Chromium over its DevTools pipe) and the POST signs in. A page elsewhere that posts a token is
# refused (its Origin is not ours). Every wait is bounded; every process is stopped by its PID.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
"$here/install-deps.sh" >/dev/null || exit 1
export TOCSIN_IT_DIR="${TOCSIN_IT_DIR:-$(mktemp -d /tmp/tocsin-pages.XXXXXX)}"
source "$here/lib/servers.sh"
source "$here/lib/gateway.sh"
dir="$TOCSIN_GATEWAY_DIR"
mkdir -p "$dir"
cleanup() { stop_gateway; stop_all_servers; }
trap cleanup EXIT

build_tocsin || exit 1
ca="$TOCSIN_IT_CA_DIR"
make_test_ca "$ca" && start_inspircd && start_prosody || exit 1
irc_register_account tocsin botpass123 && irc_register_account alice alicepass123 || exit 1
xmpp_register prosody tocsin botpass123 && xmpp_register prosody bob bobpass123 || exit 1

base="http://127.0.0.1:$TOCSIN_HTTP_PORT"
config="$dir/pages.yml"
{
  config_gateway "$dir/pages.sqlite" --public-url --service api:platform \
    --gateway 'pages: {link_minutes: 5, session_hours: 1}' \
    --gateway 'recording: {after_resolve_minutes: 30, retention_days: 90}' \
    --identity irc:local-irc/alice=alice@example.org --identity xmpp:bob@localhost=bob@example.org
  echo "irc:"
  config_irc_network local-irc "$INSPIRCD_TLS_PORT" --sasl \
    'rooms: [{name: "#ops", record: mentions}, {name: "#quiet", record: off}]'
  echo "xmpp:"
  config_xmpp_network local-xmpp "$PROSODY_PORT" 'rooms: [{jid: ops@conference.localhost}]'
  cat <<YAML
routes:
  - {network: local-irc, room: "#ops"}
  - {network: local-irc, room: "#quiet"}
  - {network: local-xmpp, room: ops@conference.localhost}
logging: {level: debug}
YAML
} >"$config"
export TOCSIN_IRC_PASSWORD=botpass123 TOCSIN_XMPP_PASSWORD=botpass123
"$(tocsin_binary)" check-config "$config" >/dev/null || exit 1
start_gateway "$config"
wait_gateway_ready 90 || exit 1

irc() { ircclient --host 127.0.0.1 --port "$INSPIRCD_TLS_PORT" --tls --cafile "$ca/ca.pem" --servername localhost "$@"; }
xmpp() { xmppclient --jid bob@localhost --password bobpass123 --host 127.0.0.1 --port "$PROSODY_PORT" --cafile "$ca/ca.pem" "$@"; }
alice() { irc --nick alice --sasl alice:alicepass123 --timeout 30 say --channel '#ops' --wait-for-nick tocsin --from tocsin "$@"; }

# Headless Chromium driven like a person (open, press a button, read the page), one profile per
# call, stopped by its PID (lib/cdp_browser.py); bounded: the script gives up after 45 s, `timeout`
# kills it at 60 s. browser STEP… with open:URL click:SELECTOR wait dump:FILE shot:FILE.
browser() {
  timeout -k 5 60 python3 "$here/lib/cdp_browser.py" --timeout 45 --size 900x1500 "$@" 2>>"$dir/chromium.log"
}
# Signs in with curl as the button does: GET the link (the page with the form), then POST the
# form's fields to /login with our own Origin. The session goes to JAR; prints the POST's status.
curl_sign_in() { # LINK JAR [more curl options for the POST…]
  local link="$1" jar="$2" page token next; shift 2
  page="$(curl -s --max-time 10 "$link")"
  token="$(printf '%s' "$page" | grep -o 'name="token" value="[0-9a-f.]*"' | sed 's/.*value="//; s/"$//')"
  next="$(printf '%s' "$page" | grep -o 'name="next" value="[^"]*"' | sed 's/.*value="//; s/"$//')"
  [ -n "$token" ] || { echo "curl_sign_in: no sign-in form at $link" >&2; echo 000; return 1; }
  curl -s --max-time 10 -c "$jar" -o /dev/null -w '%{http_code}' -H "Origin: $base" \
    --data-urlencode "token=$token" --data-urlencode "next=$next" "$@" "$base/login"
}
# POST /login with TOKEN as a form field and ORIGIN (empty: none); prints the status.
post_token() { # TOKEN ORIGIN [more curl options…]
  local token="$1" origin="$2"; shift 2
  curl -s --max-time 10 -o /dev/null -w '%{http_code}' ${origin:+-H "Origin: $origin"} \
    --data-urlencode "token=$token" "$@" "$base/login"
}
has() { grep -qF -- "$1" "$2"; }
lacks() { [ -s "$2" ] && ! grep -qF -- "$1" "$2"; }
# The line numbers of each fixed string in FILE, in the given order, must increase.
in_order() { # FILE STRING...
  local file="$1" last=0 line; shift
  for s in "$@"; do
    line="$(grep -nF -- "$s" "$file" | head -n 1 | cut -d: -f1)"
    [ -n "$line" ] || { echo "in_order: \"$s\" not found in $file" >&2; return 1; }
    ((line > last)) || { echo "in_order: \"$s\" (line $line) is not after line $last" >&2; return 1; }
    last=$line
  done
}
http_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }

# --- The demo flow -------------------------------------------------------------------------------
rm -f "$dir"/*.ready
irc --nick watcher --timeout 60 watch --channel '#ops' --wait-for-nick tocsin --from tocsin \
  --match '\[TRIGGERED\] #1 ' --expect-count 1 --ready-file "$dir/watch.ready" >"$dir/watch.txt" 2>&1 &
watch_pid=$!
for _ in $(seq 1 150); do [ -e "$dir/watch.ready" ] && break; sleep 0.2; done
echo "trigger: $(enqueue_trigger 'Checkout API error rate above 5%' critical checkout-5xx)"
sleep 2
check "alice acknowledges #1 in #ops" alice --text '!ack 1' --expect 'Acknowledged #1'
# Lines about #1 (kept), chatter (not kept), markup that must stay text on the page.
check "chat lines about #1 are said in #ops" alice --text 'looking at #1: deploy 42 broke checkout <b>bold</b>' \
  --text 'lunch anyone?' --text 'rolling back deploy 42 for #1 now'
check "a line about #1 in a room with record: off is said" \
  irc --nick carol --timeout 30 say --channel '#quiet' --wait-for-nick tocsin --text 'secret chatter about #1 in the quiet room'
check "alice adds a note to #1" alice --text '!note 1 rolled back deploy 42' --expect 'Note added to #1'
check "bob says a line about #1 in the XMPP room" \
  xmpp --timeout 30 say --room ops@conference.localhost --nick bob --wait-for-nick tocsin --text 'bob here: watching #1 from XMPP'
check "alice resolves #1" alice --text '!resolve 1' --expect 'Resolved #1'
wait "$watch_pid"; check "#ops saw #1 announced" test $? -eq 0
sleep 2  # the recorder writes in the background

# --- No page without a session -------------------------------------------------------------------
check "GET /incidents without a session is 401" test "$(http_status "$base/incidents")" = 401
check "GET /incidents/1/postmortem.md without a session is 401" test "$(http_status "$base/incidents/1/postmortem.md")" = 401
browser "open:$base/incidents/1" "dump:$dir/anonymous.html"
check "the browser without a session is asked to sign in with chat" has 'Sign in with chat' "$dir/anonymous.html"
check "the browser without a session sees nothing of #1" lacks 'Checkout API error rate' "$dir/anonymous.html"
check "a forged session cookie gets no page" test "$(http_status -b "tocsin_session=$(printf '%032d.%064d' 0 0)" "$base/incidents/1")" = 401

# --- Sign-in from IRC: !web answers privately, the link works once --------------------------------
alice --text '!web' --expect 'Sign in to the incident pages' --expect-count 1 >"$dir/web-irc.txt" 2>&1
irc_link="$(grep -o "$base/login/[0-9a-f.]*" "$dir/web-irc.txt" | head -n 1)"
check "!web in #ops answers alice privately with a sign-in link" \
  sh -c "[ -n '$irc_link' ] && grep -q 'PRIVMSG alice ' '$dir/web-irc.txt' && ! grep -q 'PRIVMSG #ops :Sign in' '$dir/web-irc.txt'"
irc_token="${irc_link##*/login/}"
check "a link preview (GET, as chat clients and bots unfurl links) shows the button" \
  sh -c "curl -s --max-time 10 -A 'preview-bot' '$irc_link' | grep -qF '>Sign in as irc:local-irc/alice</button>'"
check "a second preview does too: a GET uses nothing up" \
  sh -c "curl -s --max-time 10 -A 'another-preview-bot' '$irc_link' | grep -qF '>Sign in as irc:local-irc/alice</button>'"
browser "open:$irc_link" "dump:$dir/signin-irc.html" "click:#sign-in" "dump:$dir/list.html"
check "the link's page in the browser is a 'Sign in as' button and nothing else" \
  sh -c "grep -qF '>Sign in as irc:local-irc/alice</button>' '$dir/signin-irc.html' && ! grep -qF 'Checkout API' '$dir/signin-irc.html' && ! grep -qF 'signed in as' '$dir/signin-irc.html'"
check "pressing the button signs the browser in and shows the list" has 'signed in as irc:local-irc/alice' "$dir/list.html"
check "the list is empty of resolved incidents by default (open only)" has 'No incidents match.' "$dir/list.html"
browser "open:$irc_link" "dump:$dir/again.html"
check "the same link a second time does not sign in" has 'This sign-in link does not work' "$dir/again.html"
check "the second use shows no button and no incident" \
  sh -c "! grep -qF 'Sign in as' '$dir/again.html' && ! grep -qF 'signed in as' '$dir/again.html'"
check "posting the used link's token again is refused" test "$(post_token "$irc_token" "$base")" = 403

# --- A page elsewhere cannot sign anyone in (CSRF) -----------------------------------------------
csrf_link="$("$(tocsin_binary)" login-link --config "$config" --as irc:local-irc/alice)"
csrf_token="${csrf_link##*/login/}"
cat >"$dir/csrf.html" <<HTML
<!DOCTYPE html><html><body onload="document.forms[0].submit()"><form method="post" action="$base/login">
<input type="hidden" name="token" value="$csrf_token"><input type="hidden" name="next" value="/incidents"></form></body></html>
HTML
browser "open:file://$dir/csrf.html" wait "dump:$dir/csrf-result.html"
check "a page elsewhere that posts a link's token is refused (Origin: null)" has 'This sign-in came from another site' "$dir/csrf-result.html"
check "that page signs the browser in to nothing" lacks 'signed in as' "$dir/csrf-result.html"
check "a POST with a foreign Origin is refused" test "$(post_token "$csrf_token" http://evil.example)" = 403
check "a POST marked Sec-Fetch-Site: cross-site is refused" test "$(post_token "$csrf_token" '' -H 'Sec-Fetch-Site: cross-site')" = 403
check "the refused link still signs in from its own page" test "$(curl_sign_in "$csrf_link" "$dir/csrf-jar.txt")" = 303

# --- The list and the incident page, as a person sees them ----------------------------------------
link="$("$(tocsin_binary)" login-link --config "$config" --as irc:local-irc/alice --next '/incidents?status=all' 2>/dev/null)"
check "login-link refuses a --next that is not one of the pages" test -z "$link"
curl_jar="$dir/cookies.txt"
list_link="$("$(tocsin_binary)" login-link --config "$config" --as irc:local-irc/alice)"
check "signing in with curl (GET the form, POST it) gets a session cookie" \
  test "$(curl_sign_in "$list_link" "$curl_jar" -D "$dir/signin-headers.txt")" = 303
check "the session cookie is HttpOnly and SameSite=Strict" \
  sh -c "grep -i '^set-cookie: tocsin_session=' '$dir/signin-headers.txt' | grep -q 'HttpOnly; SameSite=Strict'"
curl -s --max-time 10 -b "$curl_jar" "$base/incidents?status=resolved" >"$dir/list-resolved.html"
check "the list filtered by status=resolved shows #1 resolved" \
  sh -c "grep -qF '#1 Checkout API error rate above 5%' '$dir/list-resolved.html' && grep -qF 'status-resolved' '$dir/list-resolved.html'"

page_link="$("$(tocsin_binary)" login-link --config "$config" --as irc:local-irc/alice --next /incidents/1)"
browser "open:$page_link" "click:#sign-in" "dump:$dir/incident.html" "shot:$dir/incident-page.png"
check "the incident page shows #1 and its title" has '<h1 id="title">#1 Checkout API error rate above 5%</h1>' "$dir/incident.html"
check "the incident page shows the status resolved" has 'id="status">resolved<' "$dir/incident.html"
check "the incident page shows who acknowledged, from where, and the times" \
  sh -c "grep -qF '<span class=\"who\">alice@example.org</span> <span class=\"where\">local-irc #ops</span> <div class=\"text\">Acknowledged</div>' '$dir/incident.html' && grep -qF '(after ' '$dir/incident.html'"
check "the timeline holds the chat lines about #1" \
  sh -c "grep -qF 'looking at #1: deploy 42 broke checkout' '$dir/incident.html' && grep -qF 'rolling back deploy 42 for #1 now' '$dir/incident.html'"
check "chat markup is shown as text, not HTML" has 'checkout &lt;b&gt;bold&lt;/b&gt;' "$dir/incident.html"
check "chatter without #1 is not kept" lacks 'lunch anyone?' "$dir/incident.html"
check "a room with record: off is not kept" lacks 'secret chatter' "$dir/incident.html"
check "chat lines carry the verified identity and room" has 'alice (irc:local-irc/alice)' "$dir/incident.html"
check "the XMPP room's line about #1 is in the timeline with bob's JID" \
  sh -c "grep -qF 'bob (xmpp:bob@localhost)' '$dir/incident.html' && grep -qF 'bob here: watching #1 from XMPP' '$dir/incident.html'"
check "timeline entries are in order: trigger, !ack, ack, chat, note, resolve" in_order "$dir/incident.html" \
  'Triggered by an alert from integration-test' '!ack 1' 'class="text">Acknowledged<' 'looking at #1' 'rolling back deploy 42' \
  '!note 1 rolled back' 'Added a note: rolled back deploy 42' '!resolve 1' 'class="text">Resolved<'
check "the bot's replies are in the timeline" has 'tocsin (bot)' "$dir/incident.html"

check "a screenshot of the incident page was taken" test -s "$dir/incident-page.png"
if [ -s "$dir/incident-page.png" ] && [ -n "${TOCSIN_PAGES_SCREENSHOT:-}" ]; then cp "$dir/incident-page.png" "$TOCSIN_PAGES_SCREENSHOT"; fi

# --- The postmortem ------------------------------------------------------------------------------
curl -s --max-time 10 -b "$curl_jar" "$base/incidents/1/postmortem.md" >"$dir/postmortem.md"
check "the postmortem names the incident and its times" \
  sh -c "grep -qF '# Postmortem: #1 Checkout API error rate above 5%' '$dir/postmortem.md' && grep -q 'Time to resolve:\*\* [0-9]' '$dir/postmortem.md'"
check "the postmortem lists the responders and the note" \
  sh -c "grep -qF 'alice@example.org' '$dir/postmortem.md' && grep -qF 'rolled back deploy 42' '$dir/postmortem.md'"
check "the postmortem timeline holds the chat, in order" in_order "$dir/postmortem.md" \
  '## Timeline' 'looking at #1' 'rolling back deploy 42 for #1 now' '**Resolved** — alice@example.org'
check "the postmortem escapes chat markup" has 'checkout \<b\>bold\<' "$dir/postmortem.md"
check "!postmortem 1 answers with its link" alice --text '!postmortem 1' --expect "$base/incidents/1/postmortem.md"

# --- Sign-in from XMPP ---------------------------------------------------------------------------
xmpp --timeout 40 say --room ops@conference.localhost --nick bob --wait-for-nick tocsin --text '!web' \
  --expect 'Sign in to the incident pages as xmpp:bob@localhost' >"$dir/web-xmpp.txt" 2>&1
xmpp_link="$(grep -o "$base/login/[0-9a-f.]*" "$dir/web-xmpp.txt" | head -n 1)"
check "!web in the XMPP room answers bob privately with a link" test -n "$xmpp_link"
browser "open:$xmpp_link" "dump:$dir/signin-xmpp.html" "click:#sign-in" "dump:$dir/xmpp-list.html"
check "bob's link shows 'Sign in as xmpp:bob@localhost'" has '>Sign in as xmpp:bob@localhost</button>' "$dir/signin-xmpp.html"
check "bob's button signs the browser in as xmpp:bob@localhost" has 'signed in as xmpp:bob@localhost' "$dir/xmpp-list.html"

# --- An attacker's view ---------------------------------------------------------------------------
evil="$("$(tocsin_binary)" login-link --config "$config" --as irc:local-irc/alice)"
curl -s --max-time 10 "$evil?next=//evil.example/x" >"$dir/evil-page.html"
check "the button's page keeps no foreign next" \
  sh -c "grep -qF 'name=\"next\" value=\"/incidents\"' '$dir/evil-page.html' && ! grep -qF 'evil.example' '$dir/evil-page.html'"
post_token "${evil##*/login/}" "$base" --data-urlencode 'next=//evil.example/x' -D "$dir/evil-headers.txt" >/dev/null
check "a sign-in never redirects to another site" \
  sh -c "grep -i '^location:' '$dir/evil-headers.txt' | grep -q ' /incidents'"
mallory_link="$("$(tocsin_binary)" login-link --config "$config" --as irc:other-net/mallory)"
curl_sign_in "$mallory_link" "$dir/m.txt" >/dev/null
check "an identity routed nowhere it may read sees no incident #1" \
  test "$(http_status -b "$dir/m.txt" "$base/incidents/1")" = 404
tokens="$( (grep -ho "/login/[0-9a-f.]*" "$dir/web-irc.txt" "$dir/web-xmpp.txt"; echo "/login/$csrf_token") | sed 's#/login/##; s#.*\.##' | sort -u | paste -sd'|')"
check "no sign-in secret in the gateway's debug log" log_lacks "${tokens:-no-token-seen}" "$TOCSIN_GATEWAY_LOG"
check "the database keeps no sign-in secret" \
  sh -c "! sqlite3 '$dir/pages.sqlite' 'SELECT verifierHash FROM web_login_links' | grep -qE '${tokens:-no-token-seen}'"
check "the gateway is still healthy" gateway_healthy

echo "pages: $TOCSIN_FAILURES failure(s); screenshot $dir/incident-page.png"
[ "$TOCSIN_FAILURES" -eq 0 ]
