#!/usr/bin/python3
"""Creates incidents through Tocsin's Events API v2 intake (`POST /v2/enqueue`), over one
keep-alive connection: `events.py --url http://127.0.0.1:P --routing-key K --count N --summary S`.
Prints one JSON line: {"sent": N, "accepted": N, "seconds": S}. As a module: `Enqueuer`."""
from __future__ import annotations

import argparse
import http.client
import json
import sys
import time
import uuid
from urllib.parse import urlsplit


class Enqueuer:
    def __init__(self, url: str, routing_key: str):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.routing_key = routing_key
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.run = uuid.uuid4().hex[:8]

    def trigger(self, summary: str, severity: str = "critical", dedup: str | None = None) -> int:
        body = json.dumps({"routing_key": self.routing_key, "event_action": "trigger",
                           "dedup_key": dedup or f"{self.run}-{uuid.uuid4().hex}",
                           "payload": {"summary": summary, "source": "tocsin-bench", "severity": severity}})
        for attempt in range(2):
            try:
                self.conn.request("POST", "/v2/enqueue", body=body, headers={"Content-Type": "application/json"})
                response = self.conn.getresponse()
                response.read()
                return response.status
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt:
                    raise
        return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--url", required=True)
    p.add_argument("--routing-key", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--summary", default="bench incident")
    p.add_argument("--severity", default="critical")
    args = p.parse_args()
    e = Enqueuer(args.url, args.routing_key)
    start = time.time()
    accepted = sum(1 for i in range(args.count) if e.trigger(f"{args.summary} {i + 1}", args.severity) == 202)
    print(json.dumps({"sent": args.count, "accepted": accepted, "seconds": round(time.time() - start, 2)}))
    return 0 if accepted == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
