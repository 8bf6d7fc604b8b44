#!/usr/bin/python3
"""A PagerDuty REST API v2 subset that answers at once: the incident API both bots use in the
benchmark's comparison (Tocsin on its PagerDuty backend, Errbot with bench/errbot's plugin).

Only what `!ack N` needs: `GET /incidents/{id or number}`, bulk `PUT /incidents` (status
acknowledged/resolved) and the open-incident list `GET /incidents?statuses[]=…&limit=&offset=`
(Tocsin reads it once at start to learn numbers and ids), with PagerDuty's headers checked (token,
Accept, From on writes). Every incident number from 1 to --incidents exists. A status PUT that
PagerDuty would refuse is refused with its code and nothing in the bulk is applied
(shared/reference/pagerduty.md): an entry already resolved 400 code 1001 "Incident Already
Resolved", acknowledging an acknowledged one 400 code 1002 "Incident Already Acknowledged". Each answer is written with one send on a
TCP_NODELAY socket, so no Nagle/delayed-ACK pause is added to a keep-alive request (the
integration tests' simulator writes headers and body separately, which costs ~40 ms per request
on a reused connection).

  instant_api.py --port 0 --token T --incidents 4000 [--users alice@example.org]
                 [--delay-ms 500 --request-log FILE.jsonl]
Prints "listening on http://127.0.0.1:PORT" once ready.

--delay-ms makes every incident request (GET /incidents/{id}, PUT /incidents, the list) wait that long
before its answer (part 7: an API answering in 500 ms). The server runs one thread per connection,
so concurrent requests wait in parallel: the simulator itself serialises nothing. --request-log
writes one JSON line per incident request: method (LIST for the list, whose numbers are []),
incident numbers, the client's port (one per connection), and when it arrived and was answered
(time.time(), same clock as the chat drivers).
"""
from __future__ import annotations

import argparse
import json
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ACCEPT = "application/vnd.pagerduty+json;version=2"
CREATED = "2025-06-01T12:00:00Z"


class State:
    def __init__(self, count: int, users: set[str]):
        self.lock = threading.Lock()
        self.status = {n: "triggered" for n in range(1, count + 1)}
        self.users = users

    @staticmethod
    def incident_id(number: int) -> str:
        return "Q%06d" % number

    def incident(self, number: int) -> dict:
        return {
            "id": self.incident_id(number), "type": "incident", "incident_number": number,
            "title": f"bench incident {number}", "summary": f"[#{number}] bench incident {number}",
            "status": self.status[number], "urgency": "high", "created_at": CREATED, "updated_at": CREATED,
            "html_url": f"https://example.pagerduty.com/incidents/{self.incident_id(number)}",
            "service": {"id": "PSERVIC1", "type": "service_reference", "summary": "api"},
            "assignments": [], "teams": [], "pending_actions": [],
        }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    state: State = None  # type: ignore[assignment]
    token = ""
    delay_s = 0.0
    request_log = None  # open file, written under log_lock
    log_lock = threading.Lock()

    def slow_down(self, method: str, numbers: list) -> float:
        """The configured answer delay (time.sleep in this connection's own thread); returns when
        the request arrived."""
        arrived = time.time()
        if self.delay_s > 0:
            time.sleep(self.delay_s)
        return arrived

    def record(self, method: str, numbers: list, arrived: float) -> None:
        if self.request_log is None:
            return
        line = json.dumps({"method": method, "numbers": numbers, "peer_port": self.client_address[1],
                           "arrived": round(arrived, 6), "answered": round(time.time(), 6)})
        with self.log_lock:
            self.request_log.write(line + "\n")
            self.request_log.flush()

    def log_message(self, fmt, *args):  # quiet
        pass

    def answer(self, status: int, document: dict) -> None:
        body = json.dumps(document, separators=(",", ":")).encode()
        head = (f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}\r\n"
                f"Content-Type: application/json; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        self.wfile.write(head + body)

    def error(self, status: int, message: str, code: int) -> None:
        self.answer(status, {"error": {"message": message, "code": code}})

    def check(self, write: bool) -> bool:
        if self.headers.get("Authorization") != f"Token token={self.token}":
            self.error(401, "Authentication failed", 2006)
            return False
        if (self.headers.get("Accept") or "").replace(" ", "") != ACCEPT:
            self.error(406, "Not Acceptable", 2001)
            return False
        if write and (self.headers.get("From") or "").strip() not in self.state.users:
            self.error(400, "Requester User Not Found", 1008)
            return False
        return True

    def number_of(self, key: str) -> int | None:
        if key.isdigit():
            number = int(key)
        elif key.startswith("Q") and key[1:].isdigit():
            number = int(key[1:])
        else:
            return None
        return number if number in self.state.status else None

    def do_GET(self):
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        if not self.check(write=False):
            return
        if parts == ["incidents"]:
            return self.list_incidents()
        if len(parts) == 2 and parts[0] == "incidents":
            number = self.number_of(parts[1])
            arrived = self.slow_down("GET", [number])
            if number is None:
                return self.error(404, "Not Found", 2100)
            with self.state.lock:
                document = {"incident": self.state.incident(number)}
            self.answer(200, document)
            return self.record("GET", [number], arrived)
        self.error(404, "Not Found", 2100)

    def list_incidents(self):
        """Open incidents newest (highest number) first, classic pagination (limit <= 100)."""
        query = parse_qs(urlsplit(self.path).query)
        statuses = set(query.get("statuses[]", [])) or {"triggered", "acknowledged", "resolved"}
        try:
            limit = int(query.get("limit", ["25"])[0])
            offset = int(query.get("offset", ["0"])[0])
        except ValueError:
            return self.error(400, "Invalid Input Provided", 2001)
        if not 1 <= limit <= 100 or offset < 0:
            return self.error(400, "Invalid Input Provided", 2001)
        arrived = self.slow_down("LIST", [])
        with self.state.lock:
            numbers = [n for n in sorted(self.state.status, reverse=True) if self.state.status[n] in statuses]
            page = [self.state.incident(n) for n in numbers[offset:offset + limit]]
        self.answer(200, {"incidents": page, "limit": limit, "offset": offset,
                          "more": offset + limit < len(numbers), "total": None})
        self.record("LIST", [], arrived)

    def do_PUT(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if not self.check(write=True):
            return
        if self.path.split("?")[0].rstrip("/") != "/incidents":
            return self.error(404, "Not Found", 2100)
        try:
            entries = json.loads(body)["incidents"]
        except (ValueError, KeyError, TypeError):
            return self.error(400, "Invalid Input Provided", 2001)
        arrived = self.slow_down("PUT", [])
        updated = []
        with self.state.lock:
            plan = []
            for entry in entries:
                number = self.number_of(str(entry.get("id", "")))
                if number is None:
                    return self.error(400, "Invalid Input Provided", 2001)
                status, now = entry.get("status"), self.state.status[number]
                refusal = (("Incident Already Resolved", 1001) if status in ("acknowledged", "resolved") and now == "resolved"
                           else ("Incident Already Acknowledged", 1002) if status == "acknowledged" and now == "acknowledged"
                           else None)
                if refusal:
                    self.error(400, *refusal)
                    return self.record("PUT", [number], arrived)
                plan.append((number, status))
            for number, status in plan:
                if status in ("acknowledged", "resolved"):
                    self.state.status[number] = status
                updated.append(self.state.incident(number))
        self.answer(200, {"incidents": updated, "limit": len(updated), "offset": 0, "more": False, "total": None})
        self.record("PUT", [i["incident_number"] for i in updated], arrived)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--token", required=True)
    p.add_argument("--incidents", type=int, default=4000)
    p.add_argument("--users", default="alice@example.org")
    p.add_argument("--delay-ms", type=float, default=0, help="answer delay of the incident endpoints")
    p.add_argument("--request-log", help="JSON lines, one per incident request")
    args = p.parse_args()
    Handler.delay_s = args.delay_ms / 1000
    if args.request_log:
        Handler.request_log = open(args.request_log, "a")
    Handler.state = State(args.incidents, {u for u in args.users.split(",") if u})
    Handler.token = args.token
    socketserver.TCPServer.allow_reuse_address = True
    ThreadingHTTPServer.request_queue_size = 128  # 20 people connecting at once must not overflow the backlog
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
