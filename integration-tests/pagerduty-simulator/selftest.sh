#!/usr/bin/env bash
# Proves the PagerDuty simulator is strict, not a stub: with curl, against a running simulator and a
# tiny webhook receiver. Prints PASS/FAIL per check and "N passed, N failed"; exits non-zero on failure.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"

work="${TOCSIN_IT_DIR:-/tmp/tocsin-it}/pagerduty-selftest"
rm -rf "$work"; mkdir -p "$work"
secret="whsec-selftest-3f9a"
receiver_pid=""
cleanup() {
  stop_pd_simulator
  if [ -n "$receiver_pid" ]; then kill -TERM "$receiver_pid" 2>/dev/null; wait "$receiver_pid" 2>/dev/null; fi
}
trap cleanup EXIT

passed=0; failed=0
check() { # NAME COMMAND...
  local name="$1"; shift
  if "$@"; then echo "PASS  $name"; passed=$((passed + 1)); else echo "FAIL  $name"; failed=$((failed + 1)); fi
}
is() { [ "$1" = "$2" ] || { echo "      expected [$2], got [$1]" >&2; return 1; }; }
body_is() { is "$(pd_json "$1" <<<"$PD_BODY" 2>/dev/null)" "$2"; }

/usr/bin/python3 "$here/webhook_receiver.py" --out "$work/webhooks.jsonl" --fail-first 1 --status 503 \
  >"$work/receiver.log" 2>&1 </dev/null &
receiver_pid=$!
receiver_port="$(_pd_wait_port "$work/receiver.log" "$receiver_pid")" || exit 1
start_pd_simulator "$work" --webhook-url "http://127.0.0.1:$receiver_port/hook" --webhook-secret "$secret" \
  --webhook-retry-delay 0.2 --users alice@example.org,bob@example.org,carol@example.org --services api:PSVC001 || exit 1

create='{"incident":{"type":"incident","title":"Disk full","service":{"id":"PSVC001","type":"service_reference"}}}'

# --- authentication and headers
pd_req GET /incidents "" -H 'Authorization:'
check "no token: 401" is "$PD_STATUS" 401
check "401 body is {error:{message,code}}" body_is "d['error']['code']" 2006
pd_req GET /incidents "" -H 'Authorization: Token token=wrong'
check "wrong token: 401" is "$PD_STATUS" 401
pd_req GET /incidents "" -H 'Authorization: Bearer '"$PD_SIM_TOKEN"
check "token in the wrong scheme: 401" is "$PD_STATUS" 401
pd_req GET /incidents "" -H 'Accept: application/json'
check "Accept without version=2: 406" is "$PD_STATUS" 406

# --- From on writes
pd_req POST /incidents "$create"
check "write without From: 400" is "$PD_STATUS" 400
check "  ... with PagerDuty's message" body_is "d['error']['message'].startswith('You must specify a user') and d['error']['code']" 2016
pd_req POST /incidents "$create" -H 'From: mallory@example.org'
check "From of an unknown user: 400 Requester User Not Found" body_is "(d['error']['code'], d['error']['message'])" \
  "(1008, 'Requester User Not Found')"
pd_req POST /incidents "$create" -H 'From: alice@example.org' -H 'Content-Type: text/plain'
check "body without Content-Type: application/json: 415" is "$PD_STATUS" 415

# --- bodies
pd_req POST /incidents '{"incident":{"type":"incident_reference","title":"x","service":{"id":"PSVC001","type":"service_reference"}}}' \
  -H 'From: alice@example.org'
check "create with type incident_reference: 400 Invalid Input Provided" \
  body_is "(d['error']['code'], d['error']['errors'])" "(2001, ['incident.type must be incident'])"
pd_req POST /incidents '{"incident":{"type":"incident","title":"x","service":{"id":"PSVC001","type":"service"}}}' \
  -H 'From: alice@example.org'
check "service reference with the wrong type: 400" is "$PD_STATUS" 400
pd_req POST /incidents '{not json' -H 'From: alice@example.org'
check "malformed JSON: 400" is "$PD_STATUS" 400
pd_req POST /incidents "$create" -H 'From: alice@example.org'
check "valid create: 201" is "$PD_STATUS" 201
id="$(pd_json "d['incident']['id']" <<<"$PD_BODY")"
number="$(pd_json "d['incident']['incident_number']" <<<"$PD_BODY")"
check "  ... assigned through the escalation policy" body_is "d['incident']['assignments'][0]['assignee']['summary']" Alice

# --- ids and numbers
pd_req GET "/incidents/$number"
check "GET /incidents/{number} finds the incident" body_is "d['incident']['id']" "$id"
pd_req PUT "/incidents/$number" '{"incident":{"type":"incident_reference","status":"acknowledged"}}' -H 'From: bob@example.org'
check "writes by number are refused (404): writes go to the id" is "$PD_STATUS" 404
pd_req GET /incidents/PNOSUCH
check "unknown incident: 404 code 2100" body_is "d['error']['code']" 2100

# --- transitions
pd_req POST "/incidents/$id/snooze" '{"duration":600}' -H 'From: bob@example.org'
check "snoozing a triggered incident: 400 Incident is not Acknowledged (1012)" body_is "d['error']['code']" 1012
pd_req PUT /incidents "{\"incidents\":[{\"id\":\"$id\",\"type\":\"incident\",\"status\":\"bogus\"}]}" -H 'From: bob@example.org'
check "bulk update with an invalid status: 400" is "$PD_STATUS" 400
pd_req PUT /incidents "{\"incidents\":[{\"id\":\"$id\",\"type\":\"incident_reference\",\"status\":\"acknowledged\"}]}" \
  -H 'From: bob@example.org'
check "bulk acknowledge: 200 with the updated incident" body_is "d['incidents'][0]['status']" acknowledged
pd_req PUT /incidents "{\"incidents\":[{\"id\":\"$id\",\"type\":\"incident_reference\",\"status\":\"acknowledged\"}]}" \
  -H 'From: bob@example.org'
check "acknowledging it again: 400 Incident Already Acknowledged (1002)" \
  body_is "(d['error']['code'], d['error']['message'])" "(1002, 'Incident Already Acknowledged')"
pd_req POST "/incidents/$id/snooze" '{"duration":600}' -H 'From: bob@example.org'
check "snoozing the acknowledged incident: 201, unacknowledge pending" \
  body_is "d['incident']['pending_actions'][0]['type']" unacknowledge
pd_req POST "/incidents/$id/notes" '{"note":{"content":"rolled back the deploy"}}' -H 'From: bob@example.org'
check "note: 201 by the From user" body_is "d['note']['user']['summary']" Bob
pd_req PUT "/incidents/$id" '{"incident":{"type":"incident_reference","escalation_level":9}}' -H 'From: bob@example.org'
check "escalating past the policy's levels: 400 Cannot Escalate (1006)" body_is "d['error']['code']" 1006
pd_req PUT "/incidents/$id" '{"incident":{"type":"incident_reference","escalation_level":2}}' -H 'From: bob@example.org'
check "escalate to level 2: reassigned to level 2, triggered again" \
  body_is "(d['incident']['status'], d['incident']['assignments'][0]['assignee']['summary'])" "('triggered', 'Bob')"
pd_req PUT /incidents "{\"incidents\":[{\"id\":\"$id\",\"type\":\"incident_reference\",\"status\":\"resolved\"}]}" \
  -H 'From: bob@example.org'
pd_req PUT /incidents "{\"incidents\":[{\"id\":\"$id\",\"type\":\"incident_reference\",\"status\":\"acknowledged\"}]}" \
  -H 'From: bob@example.org'
check "acknowledging a resolved incident: 400 Incident Already Resolved (1001)" \
  body_is "d['error']['errors'][0].startswith('Incident') and d['error']['code']" 1001
pd_req PUT /incidents "{\"incidents\":[{\"id\":\"$id\",\"type\":\"incident_reference\",\"status\":\"resolved\"}]}" \
  -H 'From: bob@example.org'
check "resolving it again: 400 Incident Already Resolved (1001)" body_is "d['error']['code']" 1001

# --- lists and pagination
seed='{"incidents":['
for i in $(seq 1 30); do seed+="{\"title\":\"Seeded $i\",\"service\":\"api\"},"; done
seed+='{"title":"Old one","service":"api","age_days":40}]}'
pd_sim POST /_sim/seed "$seed" >/dev/null
pd_req GET '/incidents?statuses%5B%5D=triggered&limit=10&offset=0'
check "page 1: 10 incidents, more=true, total=null" body_is "(len(d['incidents']), d['more'], d['total'])" "(10, True, None)"
pd_req GET '/incidents?statuses%5B%5D=triggered&limit=10&offset=20&total=true'
check "last page: more=false, total=30 (the 40-day-old one is outside the default month)" \
  body_is "(len(d['incidents']), d['more'], d['total'])" "(10, False, 30)"
pd_req GET '/incidents?statuses%5B%5D=triggered&date_range=all&total=true&limit=1'
check "date_range=all sees it" body_is "d['total']" 31
pd_req GET '/incidents?statuses%5B%5D=triggered&sort_by=created_at:desc&limit=1&date_range=all'
check "sort_by=created_at:desc puts the newest first" body_is "d['incidents'][0]['title']" "Seeded 30"
pd_req GET '/incidents?limit=101'
check "limit over 100: 400" is "$PD_STATUS" 400
pd_req GET '/incidents?limit=100&offset=9950'
check "offset + limit over 10000: 400" is "$PD_STATUS" 400
pd_req GET '/incidents?statuses%5B%5D=open'
check "unknown status filter: 400 with PagerDuty's words" \
  body_is "d['error']['errors'][0]" "Status must be a list of triggered, acknowledged, or resolved."
pd_req GET '/users?query=bo'
check "users?query= matches names and emails" body_is "[u['email'] for u in d['users']]" '["bob@example.org"]'
pd_req GET '/oncalls?earliest=true&include%5B%5D=users&schedule_ids%5B%5D=PSCHED1'
check "oncalls by schedule, users included with email" \
  body_is "[(o['escalation_level'], o['user']['email']) for o in d['oncalls']]" '[[1, "alice@example.org"]]'

pd_req GET /escalation_policies/PESCAL1
check "escalation policy: one rule per level, targets as references" \
  body_is "(d['escalation_policy']['name'], [[t['type'] for t in r['targets']] for r in d['escalation_policy']['escalation_rules']])" \
  "('Default', [['schedule_reference'], ['user_reference'], ['user_reference']])"
pd_req GET /escalation_policies/PNOSUCH
check "unknown escalation policy: 404 with code 2100" body_is "(d['error']['code'], d['error']['message'])" "(2100, 'Not Found')"
pd_req GET /abilities
check "abilities: 200 with a list" body_is "isinstance(d['abilities'], list)" True
pd_req GET /abilities "" -H 'Authorization: Token token=wrong'
check "abilities needs the token (401)" is "$PD_STATUS" 401

# --- failure injection
# "apply": PagerDuty carried the write out, then the answer was lost as a 500.
pd_req POST /incidents "$create" -H 'From: alice@example.org'
applied_id="$(pd_json "d['incident']['id']" <<<"$PD_BODY")"
notes_before="$(curl -s "$PD_SIM_URL/_sim/incidents" | pd_json "[len(i['_notes']) for i in d['incidents'] if i['id'] == '$applied_id'][0]")"
pd_sim POST /_sim/fail '{"status":500,"count":1,"method":"POST","path":"/incidents/","apply":true}' >/dev/null
pd_req POST "/incidents/$applied_id/notes" '{"note":{"content":"applied then 500"}}' -H 'From: alice@example.org'
check "apply-then-fail: the write is answered 500 in PagerDuty's error format" body_is "(d['error']['code'])" 2000
check "  ... and was applied all the same (the note is there)" is \
  "$(curl -s "$PD_SIM_URL/_sim/incidents" | pd_json "[[n['content'] for n in i['_notes']] for i in d['incidents'] if i['id'] == '$applied_id'][0][$notes_before:]")" \
  '["applied then 500"]'
pd_sim POST /_sim/fail '{"status":503,"count":1,"method":"POST","path":"/incidents/"}' >/dev/null
pd_req POST "/incidents/$applied_id/notes" '{"note":{"content":"refused with 503"}}' -H 'From: alice@example.org'
check "a plain injected 503 is not applied" bash -c '[ "$0" = 503 ] && ! grep -q "refused with 503" <<<"$1"' "$PD_STATUS" \
  "$(curl -s "$PD_SIM_URL/_sim/incidents")"
pd_sim POST /_sim/fail '{"status":429,"count":1,"retry_after":2}' >/dev/null
curl -s -D "$work/h429" -o /dev/null -H "Authorization: Token token=$PD_SIM_TOKEN" -H "Accept: $PD_ACCEPT" "$PD_SIM_URL/incidents"
check "injected 429 carries Retry-After and ratelimit-* headers" \
  bash -c 'grep -qi "^HTTP/1.1 429" "$0" && grep -qi "^Retry-After: 2" "$0" && grep -qi "^ratelimit-remaining: 0" "$0" && grep -qi "^ratelimit-reset: 2" "$0"' "$work/h429"
pd_req GET /incidents
check "the next request succeeds again" is "$PD_STATUS" 200
pd_sim POST /_sim/down '{"mode":"reset"}' >/dev/null
curl -s --max-time 5 -o /dev/null -H "Authorization: Token token=$PD_SIM_TOKEN" "$PD_SIM_URL/incidents"
check "down (reset): the connection is dropped without an answer" bash -c '[ "$0" -eq 56 ] || [ "$0" -eq 52 ]' "$?"
pd_sim POST /_sim/down '{"mode":"503"}' >/dev/null
pd_req GET /incidents
check "down (503): 503" is "$PD_STATUS" 503
pd_sim POST /_sim/up >/dev/null
pd_req GET /incidents
check "up again: 200" is "$PD_STATUS" 200

# --- recorded requests
check "recorded requests keep the From header of writes" bash -c \
  "curl -s '$PD_SIM_URL/_sim/requests' | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)[\"requests\"]; sys.exit(0 if any(x[\"method\"]==\"PUT\" and x[\"headers\"].get(\"From\")==\"bob@example.org\" and \"incident_reference\" in x[\"body\"] for x in r) else 1)'"

# --- webhooks: signed, redelivered after a 503, annotated carries the note
for _ in $(seq 1 100); do
  state="$(pd_sim GET /_sim/webhooks | pd_json "[x['state'] for x in d['deliveries']]")"
  [[ "$state" != *queued* ]] && break
  sleep 0.1
done
verify_webhooks() {
  /usr/bin/python3 - "$work/webhooks.jsonl" "$secret" <<'PY'
import hashlib, hmac, json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
secret = sys.argv[2].encode()
assert lines, "no webhook received"
for line in lines:
    h = {k.lower(): v for k, v in line["headers"].items()}
    expected = "v1=" + hmac.new(secret, line["body"].encode(), hashlib.sha256).hexdigest()
    assert h["x-pagerduty-signature"] == expected, ("bad signature", h["x-pagerduty-signature"], expected)
    assert h["user-agent"] == "PagerDuty-Webhook/V3.0", h["user-agent"]
    assert h["x-webhook-id"] and h["x-webhook-subscription"], h
    event = json.loads(line["body"])["event"]
    assert set(event) >= {"id", "event_type", "resource_type", "occurred_at", "agent", "client", "data"}, event
types = [json.loads(l["body"])["event"]["event_type"] for l in lines]
for wanted in ("incident.triggered", "incident.acknowledged", "incident.annotated", "incident.escalated", "incident.resolved"):
    assert wanted in types, (wanted, types)
first, second = lines[0], lines[1]
assert first["answered"] == 503 and first["headers"]["X-Webhook-Id"] == second["headers"]["X-Webhook-Id"], \
    "the 503 answered delivery is retried with the same X-Webhook-Id"
note = [json.loads(l["body"])["event"] for l in lines if '"incident.annotated"' in l["body"]][0]
assert note["data"]["type"] == "incident_note" and note["data"]["content"] == "rolled back the deploy", note
assert note["agent"]["summary"] == "Bob", note["agent"]
PY
}
check "webhooks: v1 HMAC-SHA256 signature, headers, envelope, retry after 503, note content" verify_webhooks

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
