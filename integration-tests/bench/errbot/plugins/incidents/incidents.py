"""`!ack N` for Errbot, equivalent to Tocsin's on its PagerDuty backend: look the incident up by
number (GET /incidents/N), then acknowledge it as the user who typed the command (bulk
PUT /incidents with `From: <email>`), and answer "Acknowledged #N title" in the room.

Keep-alive HTTP connections, one per worker thread (Errbot runs commands in a thread pool), so the
comparison with Tocsin (async-http-client with a connection pool) is not about connection setup.
"""
import http.client
import json
import os
import threading
from urllib.parse import urlsplit

from errbot import BotPlugin, botcmd

ACCEPT = "application/vnd.pagerduty+json;version=2"


class Incidents(BotPlugin):
    def activate(self):
        super().activate()
        url = urlsplit(os.environ["INCIDENT_API_URL"])
        self._host, self._port = url.hostname, url.port or 80
        self._token = os.environ["INCIDENT_API_TOKEN"]
        self._users = dict(pair.split("=", 1) for pair in os.environ.get("INCIDENT_USERS", "").split(",") if "=" in pair)
        self._local = threading.local()

    def _request(self, method, path, body=None, sender=None):
        headers = {"Authorization": f"Token token={self._token}", "Accept": ACCEPT}
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        if sender:
            headers["From"] = sender
        for attempt in range(2):
            conn = getattr(self._local, "conn", None)
            if conn is None:
                conn = self._local.conn = http.client.HTTPConnection(self._host, self._port, timeout=15)
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                return response.status, json.loads(data) if data else {}
            except (http.client.HTTPException, OSError):
                conn.close()
                self._local.conn = None
                if attempt:
                    raise

    def _email(self, msg):
        nick = getattr(msg.frm, "nick", None) or str(msg.frm)
        return self._users.get(nick) or self._users.get(getattr(msg.frm, "person", ""))

    @botcmd
    def ack(self, msg, args):
        """Acknowledge an incident: !ack N"""
        text = args.strip().lstrip("#")
        if not text.isdigit():
            return "Usage: !ack N"
        email = self._email(msg)
        if email is None:
            return f"Refused: {msg.frm} is not mapped to an incident-platform user"
        status, found = self._request("GET", f"/incidents/{text}")
        if status != 200:
            return f"Failed: !ack: {found.get('error', {}).get('message', status)}"
        incident = found["incident"]
        if incident["status"] == "acknowledged":
            return f"#{text} already acknowledged"
        status, changed = self._request(
            "PUT", "/incidents",
            {"incidents": [{"id": incident["id"], "type": "incident_reference", "status": "acknowledged"}]},
            sender=email)
        if status != 200:
            return f"Failed: !ack: {changed.get('error', {}).get('message', status)}"
        return f"Acknowledged #{incident['incident_number']} {incident['title']}"
