#!/usr/bin/python3
"""A strict fake of PagerDuty's REST API v2 and Webhooks v3, for Tocsin's integration tests.

Standard library only. Binds to 127.0.0.1. It accepts only what PagerDuty documents, so a test fails
when Tocsin sends a wrong header or body:

* every API request needs ``Authorization: Token token=<--token>`` (else 401) and
  ``Accept: application/vnd.pagerduty+json;version=2`` (else 406);
* requests with a body need ``Content-Type: application/json`` (else 415) and a JSON object body;
* writes (POST/PUT) need ``From: <email of a known user>`` (missing: 400 code 2016, unknown: 400
  code 1008 "Requester User Not Found", malformed: 400 code 1028);
* bodies are checked per endpoint (``type: incident_reference`` etc.); errors come back as
  ``{"error": {"message", "code", "errors": [...]}}`` (developer docs, REST API > Errors);
* a status write PagerDuty cannot apply is refused with its code, in ``PUT /incidents/{id}`` and in
  the bulk ``PUT /incidents`` alike (which then applies nothing): acknowledging or resolving a
  resolved incident 400 code 1001 "Incident Already Resolved", acknowledging an acknowledged one
  400 code 1002 "Incident Already Acknowledged";
* classic pagination: ``limit`` <= 100, ``offset + limit`` <= 10000, ``more``, ``total`` only with
  ``total=true``; ``GET /incidents`` without ``date_range=all`` or ``since`` sees one month back;
* writes to an incident go to its id; ``GET /incidents/{id}`` also accepts the incident number.

Every incident change is POSTed to ``--webhook-url`` as a Webhooks v3 envelope signed with
``X-PagerDuty-Signature: v1=<hex HMAC-SHA256(secret, body)>``, with ``X-Webhook-Id``,
``X-Webhook-Subscription`` and ``User-Agent: PagerDuty-Webhook/V3.0``; failed deliveries (no answer,
5xx, 429) are retried up to 4 times, in order; other 4xx answers drop the webhook (developer docs,
Webhooks > Behavior).

Control API for tests (no auth), under ``/_sim``::

  GET  /_sim/health                      {"ok": true, "port": P}
  POST /_sim/reset                       forget incidents, requests, deliveries, injected failures
  POST /_sim/seed                        {"users": [...], "services": [...], "schedules": [...],
                                          "escalation_policies": [...], "incidents": [...]}
  POST /_sim/fail                        {"status": 429|5xx, "count": N, "retry_after": S,
                                          "ratelimit_reset": S, "method": "PUT", "path": "/incidents",
                                          "apply": true}  -- with "apply", the request is carried
                                          out first and its answer replaced by the failure (a write
                                          PagerDuty applied before its answer was lost)
  POST /_sim/down                        {"mode": "reset"|"503"}; POST /_sim/up
  GET  /_sim/requests                    recorded API requests (method, path, query, headers, body)
  POST /_sim/requests/clear
  GET  /_sim/incidents                   the incidents, with internal state (escalation level)
  GET  /_sim/webhooks                    webhook deliveries and their attempts
  POST /_sim/emit                        {"event_type": "incident.acknowledged", "incident": N}
"""

import argparse
import hashlib
import hmac
import http.client
import json
import os
import queue
import random
import socket
import signal
import string
import struct
import sys
import threading
import time
import traceback
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

ACCEPT_V2 = "application/vnd.pagerduty+json;version=2"
PAGE_LIMIT_MAX = 100
PAGINATION_CEILING = 10000
BULK_LIMIT = 250
DEFAULT_LOOKBACK = timedelta(days=30)
RATE_LIMIT = 960


def now():
    return datetime.now(timezone.utc)


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def parse_time(text):
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


class APIError(Exception):
    """An answer in PagerDuty's error format."""

    def __init__(self, status, message, code, errors=None, headers=None):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"message": message, "code": code}}
        if errors is not None:
            self.body["error"]["errors"] = errors
        self.headers = headers or {}


def invalid(*errors):
    return APIError(400, "Invalid Input Provided", 2001, list(errors))


def not_found():
    return APIError(404, "Not Found", 2100)


class Simulator:
    """All state, behind one lock."""

    def __init__(self, args):
        self.lock = threading.RLock()
        self.token = args.token
        self.html_base = args.html_base.rstrip("/")
        self.api_base = "https://api.pagerduty.com"
        self.random = random.Random(args.seed)
        self.webhook_url = args.webhook_url
        self.webhook_secrets = [s for s in (args.webhook_secret or []) if s]
        self.webhook_subscription = "PSUBSIM"
        self.webhook_retry_delay = args.webhook_retry_delay
        self.users = {}
        self.services = {}
        self.schedules = {}
        self.policies = {}
        self.teams = {}
        self.port = 0
        self._configure(args)
        self.reset()
        self.deliveries_queue = queue.Queue()
        threading.Thread(target=self._deliver_forever, name="webhooks", daemon=True).start()

    # ----------------------------------------------------------------- setup

    def _configure(self, args):
        for index, entry in enumerate(u for u in (args.users or "").split(",") if u.strip()):
            entry = entry.strip()
            name = None
            if "=" in entry:
                name, entry = entry.split("=", 1)
            self.add_user(entry, name)
        policy_name, policy_id = args.escalation_policy.split(":", 1)
        schedule_name, schedule_id = args.schedule.split(":", 1)
        user_ids = list(self.users)
        self.schedules[schedule_id] = {"id": schedule_id, "name": schedule_name, "users": user_ids[:1]}
        levels = [[("schedule", schedule_id)]]
        for extra in user_ids[1:3]:
            levels.append([("user", extra)])
        self.policies[policy_id] = {"id": policy_id, "name": policy_name, "levels": levels}
        for entry in (s for s in (args.services or "").split(",") if s.strip()):
            name, service_id = entry.strip().split(":", 1)
            self.services[service_id] = {"id": service_id, "name": name, "policy": policy_id, "teams": []}

    def reset(self):
        with self.lock:
            self.incidents = {}
            self.next_number = 1
            self.requests = []
            self.failures = []
            self.down = None
            self.deliveries = []
            self.rate_window = (int(time.time()) // 60, 0)

    def new_id(self, prefix="P"):
        alphabet = string.ascii_uppercase + string.digits
        while True:
            candidate = prefix + "".join(self.random.choice(alphabet) for _ in range(7 - len(prefix)))
            if not any(candidate in table for table in
                       (self.users, self.services, self.schedules, self.policies, self.incidents, self.teams)):
                return candidate

    def add_user(self, email, name=None, user_id=None):
        email = email.strip()
        if not name:
            local = email.split("@", 1)[0]
            name = " ".join(part.capitalize() for part in local.replace("_", ".").split(".") if part)
        user_id = user_id or "PU" + hashlib.sha1(email.lower().encode()).hexdigest()[:5].upper()
        self.users[user_id] = {"id": user_id, "name": name, "email": email}
        return self.users[user_id]

    def user_by_email(self, email):
        for user in self.users.values():
            if user["email"].lower() == email.lower():
                return user
        return None

    def find_service(self, key):
        if key in self.services:
            return self.services[key]
        for service in self.services.values():
            if service["name"].lower() == str(key).lower():
                return service
        return None

    # ------------------------------------------------------------ references

    def ref(self, kind, obj_id):
        if kind == "user":
            user = self.users[obj_id]
            return {"id": obj_id, "type": "user_reference", "summary": user["name"],
                    "self": "%s/users/%s" % (self.api_base, obj_id), "html_url": "%s/users/%s" % (self.html_base, obj_id)}
        if kind == "service":
            service = self.services[obj_id]
            return {"id": obj_id, "type": "service_reference", "summary": service["name"],
                    "self": "%s/services/%s" % (self.api_base, obj_id),
                    "html_url": "%s/service-directory/%s" % (self.html_base, obj_id)}
        if kind == "schedule":
            schedule = self.schedules[obj_id]
            return {"id": obj_id, "type": "schedule_reference", "summary": schedule["name"],
                    "self": "%s/schedules/%s" % (self.api_base, obj_id), "html_url": "%s/schedules/%s" % (self.html_base, obj_id)}
        if kind == "escalation_policy":
            policy = self.policies[obj_id]
            return {"id": obj_id, "type": "escalation_policy_reference", "summary": policy["name"],
                    "self": "%s/escalation_policies/%s" % (self.api_base, obj_id),
                    "html_url": "%s/escalation_policies/%s" % (self.html_base, obj_id)}
        if kind == "team":
            team = self.teams[obj_id]
            return {"id": obj_id, "type": "team_reference", "summary": team["name"],
                    "self": "%s/teams/%s" % (self.api_base, obj_id), "html_url": "%s/teams/%s" % (self.html_base, obj_id)}
        if kind == "incident":
            incident = self.incidents[obj_id]
            return {"id": obj_id, "type": "incident_reference", "summary": "[#%d] %s" % (incident["number"], incident["title"]),
                    "self": "%s/incidents/%s" % (self.api_base, obj_id), "html_url": "%s/incidents/%s" % (self.html_base, obj_id)}
        raise KeyError(kind)

    def full_user(self, user_id):
        user = self.users[user_id]
        ref = self.ref("user", user_id)
        ref.update({"type": "user", "name": user["name"], "email": user["email"], "time_zone": "Etc/UTC",
                    "role": "user", "description": None, "job_title": None, "teams": []})
        return ref

    def level_users(self, policy_id, level):
        policy = self.policies.get(policy_id)
        if not policy or not 1 <= level <= len(policy["levels"]):
            return []
        users = []
        for kind, target in policy["levels"][level - 1]:
            if kind == "user":
                users.append(target)
            elif self.schedules[target]["users"]:
                users.append(self.schedules[target]["users"][0])
        return users

    # ------------------------------------------------------------- incidents

    def incident_json(self, incident):
        assignments = [{"at": incident["assigned_at"], "assignee": self.ref("user", uid)}
                       for uid in incident["assignees"]] if incident["status"] != "resolved" else []
        acknowledgements = [{"at": at, "acknowledger": self.ref("user", uid)}
                            for uid, at in incident["acknowledgements"]] if incident["status"] == "acknowledged" else []
        return {
            "id": incident["id"],
            "type": "incident",
            "summary": "[#%d] %s" % (incident["number"], incident["title"]),
            "self": "%s/incidents/%s" % (self.api_base, incident["id"]),
            "html_url": "%s/incidents/%s" % (self.html_base, incident["id"]),
            "incident_number": incident["number"],
            "title": incident["title"],
            "created_at": incident["created_at"],
            "updated_at": incident["updated_at"],
            "status": incident["status"],
            "incident_key": incident["incident_key"],
            "service": self.ref("service", incident["service"]),
            "assignments": assignments,
            "assigned_via": "escalation_policy",
            "last_status_change_at": incident["last_status_change_at"],
            "last_status_change_by": self.ref("user", incident["last_status_change_by"])
            if incident["last_status_change_by"] else self.ref("service", incident["service"]),
            "first_trigger_log_entry": {"id": incident["log"][0]["id"], "type": "trigger_log_entry_reference"},
            "escalation_policy": self.ref("escalation_policy", incident["policy"]),
            "teams": [self.ref("team", t) for t in incident["teams"]],
            "pending_actions": incident["pending_actions"],
            "acknowledgements": acknowledgements,
            "alert_counts": {"all": 0, "triggered": 0, "resolved": 0},
            "is_mergeable": True,
            "urgency": incident["urgency"],
            "priority": None,
            "resolve_reason": None,
            "conference_bridge": None,
            "body": {"type": "incident_body", "details": incident["details"]},
        }

    def create_incident(self, title, service, urgency="high", created_at=None, incident_key=None,
                        details=None, agent=None, status="triggered", assignee=None, notify=True):
        moment = created_at or now()
        incident_id = self.new_id("Q")
        number = self.next_number
        self.next_number += 1
        assignees = [assignee] if assignee else self.level_users(service["policy"], 1)
        incident = {
            "id": incident_id, "number": number, "title": title, "service": service["id"],
            "policy": service["policy"], "teams": list(service.get("teams", [])), "urgency": urgency,
            "status": "triggered", "created_at": iso(moment), "updated_at": iso(moment),
            "last_status_change_at": iso(moment), "last_status_change_by": None,
            "incident_key": incident_key or uuid.uuid4().hex, "details": details or "",
            "assignees": assignees, "assigned_at": iso(moment), "acknowledgements": [],
            "escalation_level": 1, "pending_actions": [], "notes": [], "log": [],
        }
        self.incidents[incident_id] = incident
        self.log(incident, "trigger_log_entry", "Triggered through the API" if agent else "Triggered", agent, moment)
        if notify:
            self.emit("incident.triggered", incident, agent)
        if status in ("acknowledged", "resolved"):
            self.set_status(incident, "acknowledged", agent, notify)
        if status == "resolved":
            self.set_status(incident, "resolved", agent, notify)
        return incident

    def log(self, incident, kind, summary, agent, moment=None):
        entry = {"id": self.new_id("R"), "type": kind, "summary": summary, "created_at": iso(moment or now()),
                 "agent": self.ref("user", agent) if agent else self.ref("service", incident["service"]),
                 # REST API v2 "List log entries": channel is a polymorphic object named by its type.
                 "channel": {"type": "auto" if kind == "notify_log_entry" else "api"},
                 "incident": {"id": incident["id"], "type": "incident_reference"}}
        incident["log"].append(entry)

    def touch(self, incident, agent):
        stamp = iso(now())
        incident["updated_at"] = stamp
        return stamp

    def set_status(self, incident, status, agent, notify=True):
        stamp = self.touch(incident, agent)
        incident["status"] = status
        incident["last_status_change_at"] = stamp
        incident["last_status_change_by"] = agent
        incident["pending_actions"] = []
        if status == "acknowledged":
            acknowledger = agent or (incident["assignees"][0] if incident["assignees"] else None)
            if acknowledger:
                incident["acknowledgements"].append((acknowledger, stamp))
            self.log(incident, "acknowledge_log_entry", "Acknowledged by %s" % self.name(agent), agent)
        elif status == "resolved":
            self.log(incident, "resolve_log_entry", "Resolved by %s" % self.name(agent), agent)
        elif status == "triggered":
            incident["acknowledgements"] = []
        if notify:
            self.emit("incident." + {"acknowledged": "acknowledged", "resolved": "resolved",
                                     "triggered": "unacknowledged"}[status], incident, agent)

    def name(self, user_id):
        return self.users[user_id]["name"] if user_id in self.users else "PagerDuty"

    def expire_snoozes(self):
        moment = now()
        for incident in self.incidents.values():
            for action in list(incident["pending_actions"]):
                if action["type"] == "unacknowledge" and parse_time(action["at"]) <= moment \
                        and incident["status"] == "acknowledged":
                    self.set_status(incident, "triggered", None)

    def lookup_incident(self, key, allow_number):
        if key in self.incidents:
            return self.incidents[key]
        if allow_number and key.isdigit():
            for incident in self.incidents.values():
                if incident["number"] == int(key):
                    return incident
        raise not_found()

    # -------------------------------------------------------------- webhooks

    def webhook_data(self, incident):
        return {
            "id": incident["id"], "type": "incident",
            "self": "%s/incidents/%s" % (self.api_base, incident["id"]),
            "html_url": "%s/incidents/%s" % (self.html_base, incident["id"]),
            "number": incident["number"], "status": incident["status"], "incident_key": incident["incident_key"],
            "created_at": incident["created_at"], "title": incident["title"],
            "service": self.ref("service", incident["service"]),
            "assignees": [self.ref("user", u) for u in incident["assignees"]] if incident["status"] != "resolved" else [],
            "escalation_policy": self.ref("escalation_policy", incident["policy"]),
            "teams": [self.ref("team", t) for t in incident["teams"]],
            "priority": None, "urgency": incident["urgency"], "conference_bridge": None, "resolve_reason": None,
        }

    def emit(self, event_type, incident, agent, note=None):
        if note is not None:
            data = {"incident": self.ref("incident", incident["id"]), "id": note["id"], "content": note["content"],
                    "trimmed": False, "type": "incident_note"}
        else:
            data = self.webhook_data(incident)
        event = {"event": {
            "id": uuid.uuid4().hex.upper()[:26],
            "event_type": event_type,
            "resource_type": "incident",
            "occurred_at": iso_ms(now()),
            "agent": self.ref("user", agent) if agent else None,
            "client": {"name": "PagerDuty"} if agent else None,
            "data": data,
        }}
        if not self.webhook_url:
            return
        body = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        delivery = {"webhook_id": str(uuid.uuid4()), "event_id": event["event"]["id"], "event_type": event_type,
                    "incident": incident["number"], "body": body.decode("utf-8"), "attempts": [], "state": "queued"}
        self.deliveries.append(delivery)
        self.deliveries_queue.put(delivery)

    def _post_webhook(self, body, webhook_id):
        """One delivery attempt with http.client, so header names go out exactly as PagerDuty spells them."""
        target = urlsplit(self.webhook_url)
        connection_class = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
        connection = connection_class(target.hostname, target.port, timeout=5)
        try:
            connection.request("POST", (target.path or "/") + ("?" + target.query if target.query else ""), body=body,
                               headers={
                                   "Content-Type": "application/json; charset=utf-8",
                                   "User-Agent": "PagerDuty-Webhook/V3.0",
                                   "X-Webhook-Id": webhook_id,
                                   "X-Webhook-Subscription": self.webhook_subscription,
                                   "X-PagerDuty-Signature": self.sign(body),
                               })
            answer = connection.getresponse()
            answer.read()
            return answer.status
        finally:
            connection.close()

    def sign(self, body):
        return ",".join("v1=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
                        for secret in self.webhook_secrets)

    def _deliver_forever(self):
        while True:
            delivery = self.deliveries_queue.get()
            body = delivery["body"].encode("utf-8")
            delay = self.webhook_retry_delay
            for attempt in range(5):
                outcome = {"at": iso_ms(now())}
                retry = True
                try:
                    status = self._post_webhook(body, delivery["webhook_id"])
                    outcome["status"] = status
                    retry = status >= 500 or status == 429
                except Exception as error:  # no answer, refused, timeout
                    outcome["error"] = str(error)
                with self.lock:
                    delivery["attempts"].append(outcome)
                    if not retry:
                        delivery["state"] = "delivered" if outcome.get("status", 0) < 300 else "dropped"
                if not retry:
                    break
                if attempt == 4:
                    with self.lock:
                        delivery["state"] = "failed"
                    break
                time.sleep(delay)
                delay *= 2


# ------------------------------------------------------------------ validation helpers

def require_object(value, path):
    if not isinstance(value, dict):
        raise invalid("%s must be an object" % path)
    return value


def require_reference(value, path, expected_type):
    value = require_object(value, path)
    if not isinstance(value.get("id"), str) or not value["id"]:
        raise invalid("%s.id is required" % path)
    if value.get("type") != expected_type:
        raise invalid("%s.type must be %s" % (path, expected_type))
    return value["id"]


def page_params(query, default_limit=25):
    try:
        limit = int(query.get("limit", [str(default_limit)])[0])
        offset = int(query.get("offset", ["0"])[0])
    except ValueError:
        raise invalid("limit and offset must be integers")
    if limit < 1 or limit > PAGE_LIMIT_MAX:
        raise invalid("limit must be between 1 and %d" % PAGE_LIMIT_MAX)
    if offset < 0:
        raise invalid("offset must not be negative")
    if offset + limit > PAGINATION_CEILING:
        raise invalid("Offset + limit must not exceed %d" % PAGINATION_CEILING)
    total = query.get("total", ["false"])[0] == "true"
    return limit, offset, total


def paginate(key, items, query, default_limit=25):
    limit, offset, want_total = page_params(query, default_limit)
    window = items[offset:offset + limit]
    return {key: window, "limit": limit, "offset": offset, "more": offset + limit < len(items),
            "total": len(items) if want_total else None}


# ---------------------------------------------------------------------------- handler

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pagerduty-simulator"
    sim = None  # set in main

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("[pagerduty-sim] %s\n" % (fmt % args))

    # ---- plumbing

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send_json(self, status, payload, headers=None):
        body = b"" if payload is None else json.dumps(payload, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def reset_connection(self):
        """Answer nothing: drop the connection with a TCP RST, as a dead load balancer would."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self._aborted = True

    def finish(self):
        if getattr(self, "_aborted", False):
            try:
                self.connection.close()
            except OSError:
                pass
            return
        super().finish()

    def dispatch(self, method):
        sim = self.sim
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = parse_qs(url.query, keep_blank_values=True)
        body = self.read_body()
        if path.startswith("/_sim/") or path == "/_sim":
            return self.control(method, path, query, body)

        with sim.lock:
            sim.requests.append({
                "method": method, "path": path, "query": {k: v for k, v in query.items()},
                "headers": {name: value for name, value in self.headers.items()},
                "body": body.decode("utf-8", "replace"), "at": iso_ms(now()),
            })
            down = sim.down
            failure = None
            for candidate in sim.failures:
                if candidate["count"] > 0 and candidate.get("method", method) == method \
                        and path.startswith(candidate.get("path", "/")):
                    candidate["count"] -= 1
                    failure = dict(candidate)
                    break
            sim.failures = [f for f in sim.failures if f["count"] > 0]
        if down == "reset":
            return self.reset_connection()
        if down == "503":
            return self.send_json(503, {"error": {"message": "Service Unavailable", "code": 2000}}, {"Retry-After": 1})
        headers = self.rate_limit_headers()
        try:
            if failure and not failure.get("apply"):
                raise self.injected(failure)
            self.check_headers(method, body)
            with sim.lock:
                sim.expire_snoozes()
                status, payload = self.route(method, path, query, body)
            if failure:
                raise self.injected(failure)
            self.send_json(status, payload, headers)
        except APIError as error:
            headers.update(error.headers)
            self.send_json(error.status, error.body, headers)
        except Exception as error:  # a simulator bug: say so loudly
            traceback.print_exc()
            self.send_json(500, {"error": {"message": "simulator error: %s" % error, "code": 2000}})

    def rate_limit_headers(self):
        sim = self.sim
        with sim.lock:
            minute = int(time.time()) // 60
            window, used = sim.rate_window
            used = used + 1 if window == minute else 1
            sim.rate_window = (minute, used)
        return {"ratelimit-limit": RATE_LIMIT, "ratelimit-remaining": max(0, RATE_LIMIT - used),
                "ratelimit-reset": 60 - int(time.time()) % 60}

    def injected(self, failure):
        status = failure["status"]
        headers = {}
        if failure.get("retry_after") is not None:
            headers["Retry-After"] = failure["retry_after"]
        if status == 429:
            reset = failure.get("ratelimit_reset", failure.get("retry_after", 1))
            headers.update({"ratelimit-limit": RATE_LIMIT, "ratelimit-remaining": 0, "ratelimit-reset": reset})
            return APIError(429, "Rate Limit Exceeded", 2020, headers=headers)
        message = {500: "An internal error has occurred. PagerDuty team has been notified.",
                   502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}.get(status, "Error")
        return APIError(status, message, 2000, headers=headers)

    def check_headers(self, method, body):
        sim = self.sim
        authorization = self.headers.get("Authorization")
        if authorization != "Token token=%s" % sim.token:
            raise APIError(401, "Authentication failed", 2006,
                           ["A valid API key must be sent as 'Authorization: Token token=<key>'"])
        accept = (self.headers.get("Accept") or "").replace(" ", "")
        if accept != ACCEPT_V2:
            raise APIError(406, "Not Acceptable", 2001,
                           ["Accept must be %s (got %r)" % (ACCEPT_V2, self.headers.get("Accept"))])
        if body or method in ("POST", "PUT"):
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if content_type != "application/json":
                raise APIError(415, "Unsupported Media Type", 2001,
                               ["Content-Type must be application/json (got %r)" % self.headers.get("Content-Type")])
        if method in ("POST", "PUT", "DELETE"):
            sender = self.headers.get("From")
            if sender is None or not sender.strip():
                raise APIError(400, "You must specify a user's email address in the \"From\" header to perform this action",
                               2016)
            if "@" not in sender:
                raise APIError(400, "Malformed \"From\" header", 1028)
            with sim.lock:
                user = sim.user_by_email(sender.strip())
            if user is None:
                raise APIError(400, "Requester User Not Found", 1008)
            self.agent = user["id"]
        else:
            self.agent = None

    def json_body(self, body):
        try:
            value = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise invalid("Request body is not valid JSON")
        return require_object(value, "body")

    # ---- REST API v2

    def route(self, method, path, query, body):
        parts = [p for p in path.split("/") if p]
        if parts == ["incidents"]:
            if method == "GET":
                return self.list_incidents(query)
            if method == "POST":
                return self.create_incident(self.json_body(body))
            if method == "PUT":
                return self.bulk_update(self.json_body(body))
        if len(parts) == 2 and parts[0] == "incidents":
            if method == "GET":
                return 200, {"incident": self.sim.incident_json(self.sim.lookup_incident(parts[1], True))}
            if method == "PUT":
                incident = self.sim.lookup_incident(parts[1], False)
                fields = require_object(self.json_body(body).get("incident"), "incident")
                return 200, {"incident": self.sim.incident_json(self.update(incident, fields, "incident"))}
        if len(parts) == 3 and parts[0] == "incidents":
            if parts[2] == "notes" and method == "GET":
                incident = self.sim.lookup_incident(parts[1], False)
                return 200, {"notes": incident["notes"]}
            if parts[2] == "notes" and method == "POST":
                return self.add_note(self.sim.lookup_incident(parts[1], False), self.json_body(body))
            if parts[2] == "snooze" and method == "POST":
                return self.snooze(self.sim.lookup_incident(parts[1], False), self.json_body(body))
            if parts[2] == "log_entries" and method == "GET":
                incident = self.sim.lookup_incident(parts[1], False)
                entries = list(reversed(incident["log"]))
                if query.get("is_overview", ["false"])[0] == "true":
                    entries = [e for e in entries if e["type"] != "notify_log_entry"]
                return 200, paginate("log_entries", entries, query)
        if parts == ["oncalls"] and method == "GET":
            return self.oncalls(query)
        if parts == ["abilities"] and method == "GET":
            return 200, {"abilities": ["sso", "advanced_reports", "teams", "read_only_users", "team_responders",
                                       "service_support_hours", "urgencies", "manage_schedules"]}
        if parts == ["escalation_policies"] and method == "GET":
            text = query.get("query", [""])[0].lower()
            policies = [self.policy_json(pid) for pid, p in sorted(self.sim.policies.items()) if text in p["name"].lower()]
            return 200, paginate("escalation_policies", policies, query)
        if len(parts) == 2 and parts[0] == "escalation_policies" and method == "GET":
            if parts[1] not in self.sim.policies:
                raise not_found()
            return 200, {"escalation_policy": self.policy_json(parts[1])}
        if parts == ["users"] and method == "GET":
            text = query.get("query", [""])[0].lower()
            users = [self.sim.full_user(uid) for uid, u in sorted(self.sim.users.items(), key=lambda i: i[1]["name"])
                     if text in u["name"].lower() or text in u["email"].lower()]
            return 200, paginate("users", users, query)
        if parts == ["services"] and method == "GET":
            text = query.get("query", [""])[0].lower()
            services = [dict(self.sim.ref("service", sid), type="service", name=s["name"], status="active",
                             escalation_policy=self.sim.ref("escalation_policy", s["policy"]))
                        for sid, s in sorted(self.sim.services.items(), key=lambda i: i[1]["name"]) if text in s["name"].lower()]
            return 200, paginate("services", services, query)
        if parts == ["schedules"] and method == "GET":
            text = query.get("query", [""])[0].lower()
            schedules = [dict(self.sim.ref("schedule", sid), type="schedule", name=s["name"])
                         for sid, s in sorted(self.sim.schedules.items()) if text in s["name"].lower()]
            return 200, paginate("schedules", schedules, query)
        raise not_found()

    def policy_json(self, policy_id):
        """An escalation policy as GET /escalation_policies/{id} shows it: one rule per level."""
        sim = self.sim
        policy = sim.policies[policy_id]
        rules = [{"id": "R%s%d" % (policy_id[-5:], level), "escalation_delay_in_minutes": 30,
                  "targets": [sim.ref("user" if kind == "user" else "schedule", target) for kind, target in targets]}
                 for level, targets in enumerate(policy["levels"], start=1)]
        document = sim.ref("escalation_policy", policy_id)
        document.update({"type": "escalation_policy", "name": policy["name"], "escalation_rules": rules,
                         "services": [sim.ref("service", sid) for sid, svc in sorted(sim.services.items())
                                      if svc["policy"] == policy_id],
                         "num_loops": 0, "teams": [], "description": "", "on_call_handoff_notifications": "if_has_services"})
        return document

    def list_incidents(self, query):
        sim = self.sim
        statuses = query.get("statuses[]", [])
        for status in statuses:
            if status not in ("triggered", "acknowledged", "resolved"):
                raise invalid("Status must be a list of triggered, acknowledged, or resolved.")
        urgencies = query.get("urgencies[]", [])
        for urgency in urgencies:
            if urgency not in ("high", "low"):
                raise invalid("Urgencies must be a list of high or low.")
        service_ids = query.get("service_ids[]", [])
        team_ids = query.get("team_ids[]", [])
        user_ids = query.get("user_ids[]", [])
        key = query.get("incident_key", [None])[0]
        incidents = list(sim.incidents.values())
        if query.get("date_range", [""])[0] != "all":
            try:
                until = parse_time(query["until"][0]) if "until" in query else now() + timedelta(seconds=1)
                since = parse_time(query["since"][0]) if "since" in query else until - DEFAULT_LOOKBACK
            except ValueError:
                raise APIError(400, "Invalid time values in 'since' and/or 'until' parameters", 2004)
            incidents = [i for i in incidents if since <= parse_time(i["created_at"]) < until]
        if statuses:
            incidents = [i for i in incidents if i["status"] in statuses]
        if urgencies:
            incidents = [i for i in incidents if i["urgency"] in urgencies]
        if service_ids:
            incidents = [i for i in incidents if i["service"] in service_ids]
        if team_ids:
            incidents = [i for i in incidents if set(i["teams"]) & set(team_ids)]
        if user_ids:
            incidents = [i for i in incidents if i["status"] != "resolved" and set(i["assignees"]) & set(user_ids)]
        if key:
            incidents = [i for i in incidents if i["incident_key"] == key]
        order = query.get("sort_by", ["incident_number:asc"])[0]
        fields = [f for f in order.split(",") if f]
        if len(fields) > 2:
            raise invalid("sort_by accepts at most two fields")
        for field in reversed(fields):
            name, _, direction = field.partition(":")
            direction = direction or "asc"
            keys = {"incident_number": lambda i: i["number"], "created_at": lambda i: (i["created_at"], i["number"]),
                    "resolved_at": lambda i: i["last_status_change_at"], "urgency": lambda i: i["urgency"]}
            if name not in keys or direction not in ("asc", "desc"):
                raise invalid("sort_by must be incident_number, created_at, resolved_at or urgency, with asc or desc")
            incidents.sort(key=keys[name], reverse=direction == "desc")
        if not fields:
            incidents.sort(key=lambda i: i["number"])
        page = paginate("incidents", incidents, query)
        page["incidents"] = [sim.incident_json(i) for i in page["incidents"]]
        return 200, page

    def create_incident(self, document):
        sim = self.sim
        fields = require_object(document.get("incident"), "incident")
        if fields.get("type") != "incident":
            raise invalid("incident.type must be incident")
        title = fields.get("title")
        if not isinstance(title, str) or not title.strip():
            raise invalid("Title cannot be empty")
        service_id = require_reference(fields.get("service"), "incident.service", "service_reference")
        service = sim.services.get(service_id)
        if service is None:
            raise invalid("Service not found")
        urgency = fields.get("urgency", "high")
        if urgency not in ("high", "low"):
            raise invalid("Urgency must be high or low")
        details = None
        if "body" in fields:
            body = require_object(fields["body"], "incident.body")
            if body.get("type") != "incident_body":
                raise invalid("incident.body.type must be incident_body")
            details = body.get("details")
        key = fields.get("incident_key")
        if key and any(i["incident_key"] == key and i["status"] != "resolved" for i in sim.incidents.values()):
            raise APIError(400, "Incident could not be created", 2001,
                           ["Open incident with key %r already exists" % key])
        incident = sim.create_incident(title.strip(), service, urgency=urgency, incident_key=key, details=details,
                                       agent=self.agent)
        return 201, {"incident": sim.incident_json(incident)}

    def bulk_update(self, document):
        sim = self.sim
        entries = document.get("incidents")
        if not isinstance(entries, list) or not entries:
            raise invalid("incidents must be a non-empty array")
        if len(entries) > BULK_LIMIT:
            raise APIError(413, "Request Entity Too Large", 2001,
                           ["A maximum of %d incidents may be updated at a time" % BULK_LIMIT])
        # Nothing is applied when one entry is refused. The answer is the first refusal's own
        # status, message and code (1001 "Incident Already Resolved", 1002 "Incident Already
        # Acknowledged", ...: shared/reference/pagerduty.md), listing every entry's problem.
        plan = []
        errors = []
        first = None
        for index, entry in enumerate(entries):
            entry = require_object(entry, "incidents[%d]" % index)
            if not isinstance(entry.get("id"), str):
                raise invalid("incidents[%d].id is required" % index)
            incident = sim.incidents.get(entry["id"])
            if incident is None:
                first = first or invalid()
                errors.append("Incident %s not found" % entry["id"])
                continue
            try:
                self.validate_update(incident, entry, "incidents[%d]" % index)
            except APIError as error:
                first = first or error
                errors.extend(error.body["error"].get("errors") or [error.body["error"]["message"]])
                continue
            plan.append((incident, entry))
        if errors:
            raise APIError(first.status, first.body["error"]["message"], first.body["error"]["code"], errors)
        updated = [self.update(incident, entry, None) for incident, entry in plan]
        return 200, {"incidents": [sim.incident_json(i) for i in updated], "limit": len(updated), "offset": 0,
                     "more": False, "total": None}

    def validate_update(self, incident, fields, path):
        sim = self.sim
        if fields.get("type") not in ("incident", "incident_reference"):
            raise invalid("%s.type must be incident_reference" % path)
        known = {"id", "type", "status", "assignments", "escalation_level", "title", "urgency", "resolution",
                 "escalation_policy", "priority", "conference_bridge"}
        unknown = sorted(set(fields) - known)
        if unknown:
            raise invalid("%s has unknown fields: %s" % (path, ", ".join(unknown)))
        changes = set(fields) - {"id", "type"}
        if not changes:
            raise invalid("%s changes nothing" % path)
        status = fields.get("status")
        if status is not None:
            if status not in ("acknowledged", "resolved"):
                raise APIError(400, "Invalid Status Provided", 1003, ["%s.status must be acknowledged or resolved" % path])
            if incident["status"] == "resolved":
                raise APIError(400, "Incident Already Resolved", 1001, ["Incident %s is already resolved" % incident["id"]])
            if status == "acknowledged" and incident["status"] == "acknowledged":
                raise APIError(400, "Incident Already Acknowledged", 1002,
                               ["Incident %s is already acknowledged" % incident["id"]])
        if "assignments" in fields:
            assignments = fields["assignments"]
            if not isinstance(assignments, list) or not assignments:
                raise invalid("%s.assignments must be a non-empty array" % path)
            for position, assignment in enumerate(assignments):
                assignment = require_object(assignment, "%s.assignments[%d]" % (path, position))
                user_id = require_reference(assignment.get("assignee"), "%s.assignments[%d].assignee" % (path, position),
                                            "user_reference")
                if user_id not in sim.users:
                    raise APIError(400, "Assigned To User Not Found", 1007, ["User %s not found" % user_id])
            if incident["status"] == "resolved":
                raise APIError(400, "Cannot process reassign action", 1011, ["Incident is resolved"])
        if "escalation_level" in fields:
            level = fields["escalation_level"]
            levels = len(sim.policies[incident["policy"]]["levels"])
            if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= levels:
                raise APIError(400, "Cannot Escalate", 1006,
                               ["escalation_level must be between 1 and %d for this escalation policy" % levels])
            if incident["status"] == "resolved":
                raise APIError(400, "Cannot Escalate", 1006, ["Incident is resolved"])
        if "urgency" in fields and fields["urgency"] not in ("high", "low"):
            raise invalid("%s.urgency must be high or low" % path)

    def update(self, incident, fields, path):
        sim = self.sim
        if path is not None:
            self.validate_update(incident, fields, path)
        agent = self.agent
        if "title" in fields:
            incident["title"] = str(fields["title"])
            sim.touch(incident, agent)
        if "urgency" in fields:
            incident["urgency"] = fields["urgency"]
            sim.touch(incident, agent)
        if "assignments" in fields:
            incident["assignees"] = [a["assignee"]["id"] for a in fields["assignments"]]
            incident["assigned_at"] = sim.touch(incident, agent)
            if incident["status"] == "acknowledged":
                incident["status"] = "triggered"
                incident["acknowledgements"] = []
            sim.log(incident, "assign_log_entry", "Assigned to %s by %s" % (
                ", ".join(sim.name(u) for u in incident["assignees"]), sim.name(agent)), agent)
            sim.emit("incident.reassigned", incident, agent)
        if "escalation_level" in fields:
            level = fields["escalation_level"]
            incident["escalation_level"] = level
            incident["assignees"] = sim.level_users(incident["policy"], level)
            incident["assigned_at"] = sim.touch(incident, agent)
            incident["status"] = "triggered"
            incident["acknowledgements"] = []
            incident["pending_actions"] = []
            sim.log(incident, "escalate_log_entry", "Escalated to level %d by %s" % (level, sim.name(agent)), agent)
            sim.emit("incident.escalated", incident, agent)
        status = fields.get("status")
        if status == "acknowledged":
            sim.set_status(incident, "acknowledged", agent)
        elif status == "resolved" and incident["status"] != "resolved":
            sim.set_status(incident, "resolved", agent)
        return incident

    def add_note(self, incident, document):
        sim = self.sim
        note = require_object(document.get("note"), "note")
        content = note.get("content")
        if not isinstance(content, str) or not content.strip():
            raise invalid("Note content cannot be empty")
        if len(content) > 25000:
            raise invalid("Note content is too long (maximum is 25000 characters)")
        record = {"id": sim.new_id("N"), "user": sim.ref("user", self.agent), "content": content,
                  "created_at": iso(now()), "channel": {"summary": "The PagerDuty website or APIs"}}
        incident["notes"].append(record)
        sim.log(incident, "annotate_log_entry", "Note added by %s" % sim.name(self.agent), self.agent)
        sim.emit("incident.annotated", incident, self.agent, note=record)
        return 201, {"note": record}

    def snooze(self, incident, document):
        sim = self.sim
        duration = document.get("duration")
        if set(document) != {"duration"}:
            raise invalid("body must be {\"duration\": <seconds>}")
        if not isinstance(duration, int) or isinstance(duration, bool) or duration < 1 or duration > 7 * 24 * 3600:
            raise APIError(400, "Snooze Duration is Invalid", 1013, ["duration must be a number of seconds"])
        if incident["status"] != "acknowledged":
            raise APIError(400, "Incident is not Acknowledged", 1012)
        until = now() + timedelta(seconds=duration)
        incident["pending_actions"] = [{"type": "unacknowledge", "at": iso(until)}]
        sim.touch(incident, self.agent)
        sim.log(incident, "snooze_log_entry", "Snoozed for %d seconds by %s" % (duration, sim.name(self.agent)), self.agent)
        return 201, {"incident": sim.incident_json(incident)}

    def oncalls(self, query):
        sim = self.sim
        schedule_ids = query.get("schedule_ids[]", [])
        policy_ids = query.get("escalation_policy_ids[]", [])
        user_ids = query.get("user_ids[]", [])
        include_users = "users" in query.get("include[]", [])
        earliest = query.get("earliest", ["false"])[0] == "true"
        start = now().replace(hour=0, minute=0, second=0, microsecond=0)
        entries = []
        for policy_id, policy in sorted(sim.policies.items()):
            if policy_ids and policy_id not in policy_ids:
                continue
            for level, targets in enumerate(policy["levels"], start=1):
                for kind, target in targets:
                    if kind == "schedule":
                        if schedule_ids and target not in schedule_ids:
                            continue
                        rotation = sim.schedules[target]["users"]
                        if not rotation:
                            continue
                        users = [(rotation[0], sim.ref("schedule", target), iso(start), iso(start + timedelta(days=7)))]
                        if not earliest and len(rotation) > 1:
                            users.append((rotation[1], sim.ref("schedule", target), iso(start + timedelta(days=7)),
                                          iso(start + timedelta(days=14))))
                    else:
                        if schedule_ids:
                            continue
                        users = [(target, None, None, None)]
                    for user_id, schedule, begins, ends in users:
                        if user_ids and user_id not in user_ids:
                            continue
                        entries.append({
                            "escalation_policy": sim.ref("escalation_policy", policy_id),
                            "escalation_level": level,
                            "schedule": schedule,
                            "user": sim.full_user(user_id) if include_users else sim.ref("user", user_id),
                            "start": begins, "end": ends,
                        })
        return 200, paginate("oncalls", entries, query)

    # ---- control API

    def control(self, method, path, query, body):
        sim = self.sim
        try:
            document = json.loads(body.decode("utf-8")) if body else {}
        except ValueError:
            return self.send_json(400, {"error": "body is not JSON"})
        with sim.lock:
            if path == "/_sim/health":
                return self.send_json(200, {"ok": True, "port": sim.port})
            if path == "/_sim/reset" and method == "POST":
                sim.reset()
                return self.send_json(200, {"ok": True})
            if path == "/_sim/seed" and method == "POST":
                return self.send_json(200, self.seed(document))
            if path == "/_sim/fail" and method == "POST":
                failure = {"status": int(document.get("status", 500)), "count": int(document.get("count", 1))}
                for key in ("retry_after", "ratelimit_reset", "method", "path", "apply"):
                    if key in document:
                        failure[key] = document[key]
                sim.failures.append(failure)
                return self.send_json(200, {"ok": True, "pending": sim.failures})
            if path == "/_sim/down" and method == "POST":
                mode = document.get("mode", "reset")
                if mode not in ("reset", "503"):
                    return self.send_json(400, {"error": "mode must be reset or 503"})
                sim.down = mode
                return self.send_json(200, {"ok": True, "down": mode})
            if path == "/_sim/up" and method == "POST":
                sim.down = None
                return self.send_json(200, {"ok": True})
            if path == "/_sim/requests" and method == "GET":
                return self.send_json(200, {"requests": sim.requests})
            if path == "/_sim/requests/clear" and method == "POST":
                sim.requests = []
                return self.send_json(200, {"ok": True})
            if path == "/_sim/incidents" and method == "GET":
                listing = []
                for incident in sorted(sim.incidents.values(), key=lambda i: i["number"]):
                    item = sim.incident_json(incident)
                    item["_escalation_level"] = incident["escalation_level"]
                    item["_notes"] = incident["notes"]
                    listing.append(item)
                return self.send_json(200, {"incidents": listing})
            if path == "/_sim/webhooks" and method == "GET":
                return self.send_json(200, {"deliveries": sim.deliveries})
            if path == "/_sim/emit" and method == "POST":
                try:
                    incident = sim.lookup_incident(str(document.get("incident", "")), True)
                except APIError:
                    return self.send_json(404, {"error": "no such incident"})
                agent = None
                if document.get("agent"):
                    user = sim.user_by_email(document["agent"])
                    agent = user["id"] if user else None
                sim.emit(document.get("event_type", "incident.triggered"), incident, agent)
                return self.send_json(200, {"ok": True, "delivery": sim.deliveries[-1] if sim.deliveries else None})
        return self.send_json(404, {"error": "unknown control endpoint %s %s" % (method, path)})

    def seed(self, document):
        sim = self.sim
        created = {"users": [], "services": [], "incidents": []}
        for user in document.get("users", []):
            created["users"].append(sim.add_user(user["email"], user.get("name"), user.get("id")))
        for team in document.get("teams", []):
            sim.teams[team["id"]] = {"id": team["id"], "name": team["name"]}
        for schedule in document.get("schedules", []):
            users = [sim.user_by_email(e)["id"] for e in schedule.get("users", [])]
            sim.schedules[schedule["id"]] = {"id": schedule["id"], "name": schedule["name"], "users": users}
        for policy in document.get("escalation_policies", []):
            levels = []
            for level in policy["levels"]:
                targets = []
                for target in level:
                    if target.startswith("schedule:"):
                        targets.append(("schedule", target.split(":", 1)[1]))
                    else:
                        targets.append(("user", sim.user_by_email(target)["id"]))
                levels.append(targets)
            sim.policies[policy["id"]] = {"id": policy["id"], "name": policy["name"], "levels": levels}
        for service in document.get("services", []):
            policy = service.get("escalation_policy") or next(iter(sim.policies))
            sim.services[service["id"]] = {"id": service["id"], "name": service["name"], "policy": policy,
                                           "teams": service.get("teams", [])}
            created["services"].append(service["id"])
        for spec in document.get("incidents", []):
            service = sim.find_service(spec.get("service", next(iter(sim.services))))
            if service is None:
                raise ValueError("unknown service %r" % spec.get("service"))
            created_at = None
            if "created_at" in spec:
                created_at = parse_time(spec["created_at"])
            elif "age_days" in spec:
                created_at = now() - timedelta(days=float(spec["age_days"]))
            assignee = sim.user_by_email(spec["assignee"])["id"] if spec.get("assignee") else None
            incident = sim.create_incident(
                spec.get("title", "Seeded incident"), service, urgency=spec.get("urgency", "high"),
                created_at=created_at, incident_key=spec.get("incident_key"), status=spec.get("status", "triggered"),
                assignee=assignee, notify=bool(spec.get("notify", False)))
            created["incidents"].append({"id": incident["id"], "number": incident["number"]})
        return created


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True, help="0 picks a free port (printed on stdout)")
    parser.add_argument("--token", required=True, help="the only accepted API key")
    parser.add_argument("--webhook-url", help="where incident changes are POSTed (Webhooks v3)")
    parser.add_argument("--webhook-secret", action="append",
                        help="signing secret; repeat to sign with several (secret rotation)")
    parser.add_argument("--webhook-retry-delay", type=float, default=1.0,
                        help="seconds before the first redelivery; doubles each time (PagerDuty: minutes)")
    parser.add_argument("--users", default="alice@example.org,bob@example.org,carol@example.org",
                        help="comma-separated emails, optionally Name=email")
    parser.add_argument("--services", default="api:PSERVIC1,db:PSERVIC2", help="comma-separated name:id")
    parser.add_argument("--schedule", default="Primary:PSCHED1", help="name:id of the schedule (first user on call)")
    parser.add_argument("--escalation-policy", default="Default:PESCAL1",
                        help="name:id; level 1 is the schedule, levels 2-3 the second and third users")
    parser.add_argument("--html-base", default="https://simulated.pagerduty.com")
    parser.add_argument("--seed", type=int, default=1, help="random seed for ids")
    parser.add_argument("--pid-file")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    simulator = Simulator(args)
    Handler.sim = simulator
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.verbose = args.verbose
    simulator.port = server.server_address[1]
    if args.pid_file:
        with open(args.pid_file, "w") as handle:
            handle.write("%d\n" % os.getpid())
    # A parent may have blocked signals (test runners' threads do); stopping by PID must still work.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    print("pagerduty-simulator listening on http://%s:%d" % (args.host, simulator.port), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if args.pid_file:
            try:
                os.unlink(args.pid_file)
            except OSError:
                pass


if __name__ == "__main__":
    main()
