#!/usr/bin/env bash
# PagerDuty backend end to end, first part: the simulator's own self-test (it must refuse what
# PagerDuty refuses), then a gateway configured with the PagerDuty backend receiving the simulator's
# signed Webhooks v3 deliveries on /webhooks/pagerduty. Prints PASS/FAIL per check.
#
# TODO(lead, once the chat transports land): drive `!ack`, `!note`, `!incidents`, `!oncall`,
# `!trigger`, `!snooze` from an IRC client against this gateway and assert on /_sim/requests (a PUT
# /incidents with `From: alice@example.org`, a body with `incident_reference`), then the circuit
# breaker with /_sim/down and /healthz.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib/gateway.sh"
source "$here/pagerduty-simulator/lib.sh"
cleanup() { stop_gateway; stop_pd_simulator; }
trap cleanup EXIT

check "PagerDuty simulator self-test (headers, From, bodies, pagination, failures, signed webhooks)" \
  "$here/pagerduty-simulator/selftest.sh"

# TOCSIN_NO_BUILD=1 uses the binary already built (e.g. by test-all.sh's build step).
if [ -z "${TOCSIN_NO_BUILD:-}" ]; then
  build_tocsin || { echo "FAIL  tocsin builds"; exit 1; }
fi

dir="$TOCSIN_GATEWAY_DIR/pagerduty"
rm -rf "$dir"; mkdir -p "$dir"
webhook_secret="whsec-it-7c1d0b"
start_pd_simulator "$dir/simulator" \
  --webhook-url "http://127.0.0.1:$TOCSIN_HTTP_PORT/webhooks/pagerduty" --webhook-secret "$webhook_secret" \
  --webhook-retry-delay 0.5 --users alice@example.org,bob@example.org,carol@example.org \
  --services api:PSERVIC1,db:PSERVIC2 --schedule Primary:PSCHED1 --escalation-policy Default:PESCAL1 || exit 1

config="$dir/pagerduty.yml"
cat >"$config" <<YAML
gateway:
  database: $dir/tocsin.sqlite
http: {host: 127.0.0.1, port: $TOCSIN_HTTP_PORT}
backend:
  kind: pagerduty
  pagerduty:
    api_token: {env: TOCSIN_PAGERDUTY_TOKEN}
    base_url: $PD_SIM_URL
    request_timeout_seconds: 5
    webhook_secrets:
      - {env: TOCSIN_PAGERDUTY_WEBHOOK_SECRET}
    services: {api: PSERVIC1, db: PSERVIC2}
    schedules: {primary: PSCHED1}
    escalation_policies: {default: PESCAL1}
logging: {level: debug}
YAML
export TOCSIN_PAGERDUTY_TOKEN="$PD_SIM_TOKEN" TOCSIN_PAGERDUTY_WEBHOOK_SECRET="$webhook_secret"

start_gateway "$config"
check "gateway with the PagerDuty backend starts healthy" wait_gateway_ready 60
pagerduty_health() {
  [ "$(curl -s "http://127.0.0.1:$TOCSIN_HTTP_PORT/healthz" \
    | pd_json "[c['status'] for c in d['components'] if c['component'] == 'pagerduty']")" = '["ok"]' ]
}
check "/healthz reports the pagerduty component ok" pagerduty_health

# Incident changes made on the PagerDuty side reach the gateway as signed webhooks.
pd_req POST /incidents \
  '{"incident":{"type":"incident","title":"Checkout latency","service":{"id":"PSERVIC1","type":"service_reference"}}}' \
  -H 'From: alice@example.org'
incident_id="$(pd_json "d['incident']['id']" <<<"$PD_BODY")"
pd_req PUT /incidents "{\"incidents\":[{\"id\":\"$incident_id\",\"type\":\"incident_reference\",\"status\":\"acknowledged\"}]}" \
  -H 'From: bob@example.org'
pd_req POST "/incidents/$incident_id/notes" '{"note":{"content":"rolled back the canary"}}' -H 'From: bob@example.org'

deliveries() { pd_sim GET /_sim/webhooks; }
wait_delivered() { # COUNT
  local i
  for ((i = 0; i < 100; i++)); do
    [ "$(deliveries | pd_json "sum(1 for x in d['deliveries'] if x['state'] != 'queued')")" -ge "$1" ] && return 0
    sleep 0.1
  done
  return 1
}
check "three webhooks delivered" wait_delivered 3
accepted_first_time() {
  local got
  got="$(deliveries | pd_json "[(x['event_type'], [a.get('status') for a in x['attempts']]) for x in d['deliveries']]")"
  [ "$got" = '[["incident.triggered", [202]], ["incident.acknowledged", [202]], ["incident.annotated", [202]]]' ] \
    || { echo "      deliveries: $got" >&2; return 1; }
}
check "each was accepted (202) on the first attempt" accepted_first_time

# Replays and forgeries, sent straight to the gateway.
body="$(deliveries | pd_json "d['deliveries'][0]['body']")"
signature="v1=$(printf '%s' "$body" | /usr/bin/python3 -c "import hashlib,hmac,sys; print(hmac.new(sys.argv[1].encode(), sys.stdin.buffer.read(), hashlib.sha256).hexdigest())" "$webhook_secret")"
post_webhook() { # SIGNATURE BODY → "STATUS BODY"
  curl -s --max-time 10 -w ' %{http_code}' -H 'Content-Type: application/json' -H "X-PagerDuty-Signature: $1" \
    -H 'User-Agent: PagerDuty-Webhook/V3.0' --data-binary "$2" "http://127.0.0.1:$TOCSIN_HTTP_PORT/webhooks/pagerduty"
}
check "a redelivered event is accepted as a duplicate" bash -c '[[ "$0" == *duplicate*" 202" ]]' "$(post_webhook "$signature" "$body")"
check "a body signed with another secret is refused (403)" bash -c '[[ "$0" == *" 403" ]]' \
  "$(post_webhook "v1=$(printf '%064d' 0)" "$body")"
check "a tampered body is refused (403)" bash -c '[[ "$0" == *" 403" ]]' "$(post_webhook "$signature" "${body/Checkout/Payments}")"
check "a missing signature is refused (400)" bash -c '[[ "$0" == *" 400" ]]' "$(post_webhook "" "$body")"

[ "$TOCSIN_FAILURES" -eq 0 ]
