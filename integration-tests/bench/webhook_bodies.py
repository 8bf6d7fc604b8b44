#!/usr/bin/python3
"""Writes COUNT distinct PagerDuty Webhooks v3 `incident.triggered` deliveries, signed with SECRET,
one per line as "v1=<hex HMAC-SHA256>\\t<body>", for intake.lua:
  webhook_bodies.py --secret S --service-id PSERVIC1 --count N --out FILE"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import hmac
import json


def delivery(secret: str, service_id: str, n: int, occurred_at: str, title: str | None = None,
             event_id: str | None = None) -> tuple[str, str]:
    """One signed `incident.triggered` delivery for incident number n: (signature header, body)."""
    incident_id = "Q%07d" % n
    event = {"event": {
        "id": event_id or "01BENCH%019d" % n, "event_type": "incident.triggered", "resource_type": "incident",
        "occurred_at": occurred_at,
        "agent": None, "client": None,
        "data": {
            "id": incident_id, "type": "incident",
            "self": f"https://api.pagerduty.com/incidents/{incident_id}",
            "html_url": f"https://example.pagerduty.com/incidents/{incident_id}",
            "number": n, "status": "triggered", "incident_key": f"bench-{n}",
            "created_at": "2025-06-01T12:00:00Z", "title": title or f"intake {n}: disk full on db-{n % 7}",
            "service": {"id": service_id, "type": "service_reference", "summary": "api",
                        "html_url": f"https://example.pagerduty.com/services/{service_id}"},
            "assignees": [], "escalation_policy": None, "teams": [], "priority": None,
            "urgency": "high", "conference_bridge": None, "resolve_reason": None}}}
    body = json.dumps(event, separators=(",", ":"))
    return "v1=" + hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest(), body


def now_stamp() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--secret", required=True)
    p.add_argument("--service-id", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    # Now, not a fixed date: the intake refuses deliveries older than its 72 h replay window.
    now = now_stamp()
    with open(args.out, "w") as f:
        for n in range(1, args.count + 1):
            signature, body = delivery(args.secret, args.service_id, n, now)
            f.write(f"{signature}\t{body}\n")


if __name__ == "__main__":
    main()
