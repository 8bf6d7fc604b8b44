#!/usr/bin/python3
"""Part 7 of the benchmark: twenty people at once against a slow incident API (issue 11's target
"API answering in 500 ms, 20 people each sending `!ack` at once: every reply ≤ 600 ms; an
announcement enqueued meanwhile is not delayed by the commands").

Each person is a distinct IRC client with its own services account (SASL), mapped to its own
PagerDuty user under the gateway's `identities`, all in one channel with the bot. A watcher (no
account) sits in the announcement channel.

1. Baseline: --baseline signed `incident.triggered` webhooks, one at a time with no command
   running; each timed from just before its POST to the watcher seeing the announcement.
2. --rounds rounds: every person waits at one barrier, then all send `!ack N` (a different,
   triggered incident each) at the same moment; each times its own reply (the line from the bot
   naming #N that is not a "working on it" line). In each round one webhook is posted
   --announce-offsets seconds after the barrier (one offset per round), timed the same way.

With --api-log (instant_api.py --request-log), each command's time is split by the API's own
timestamps: sent → GET arrived (the gateway, including any wait for a free HTTP connection or a
command slot), GET at the API, GET answered → PUT arrived (the gateway), PUT at the API, PUT
answered → reply stamped by the IRC server (server-time: the gateway and its flood pacing), and
stamped → seen by the person. Clocks: time.time() everywhere, one machine.

  crowd.py --port P --cafile CA --people nick:pw,... --channel '#p7' --bot tocsin
           --watch-channel '#p7news' --webhook-url URL --secret S --service-id PSERVIC1
           --first 1 --rounds 3 --announce-offsets 0.25,1.0,1.5 --baseline 3 --api-log F --out F
Exit 0 when every command and announcement got its line, 1 otherwise.
"""
from __future__ import annotations

import argparse
import datetime
import http.client
import json
import re
import sys
import threading
import time
import urllib.parse

import benchlib  # noqa: F401  (puts ../lib on sys.path)
from benchlib import log, percentile, summarize_ms, write_json
import ircclient
import webhook_bodies

WORKING = re.compile(r"working on", re.IGNORECASE)


def number_pattern(number: int) -> re.Pattern:
    return re.compile(r"(?<![0-9])#%d(?![0-9])" % number)


def server_time(m) -> float | None:
    stamp = m.tags.get("time") if m is not None else None
    if not stamp:
        return None
    try:
        return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
    except ValueError:
        return None


class Person(threading.Thread):
    """One chat user: connects, joins, then per round waits at the barrier and sends `!ack N`."""

    def __init__(self, args, index: int, nick: str, password: str, barrier: threading.Barrier,
                 ready: threading.Barrier):
        super().__init__(name=f"person-{nick}", daemon=True)
        self.args, self.index, self.nick, self.password = args, index, nick, password
        self.barrier, self.ready = barrier, ready
        self.results: list[dict] = []
        self.error: str | None = None

    def run(self) -> None:
        a = self.args
        c = ircclient.IRCClient(a.host, a.port, self.nick, tls=True, cafile=a.cafile, servername="localhost",
                                sasl=f"{self.nick}:{self.password}",
                                want_caps=("message-tags", "account-tag", "server-time"))
        try:
            deadline = time.time() + a.setup_timeout
            c.connect(deadline)
            if ircclient.irc_lower(c.nick) != ircclient.irc_lower(self.nick):
                raise RuntimeError(f"registered as {c.nick}, not {self.nick}")
            c.join(a.channel, deadline)
            c.wait_for_member(a.channel, a.bot, deadline)
        except Exception as e:  # noqa: BLE001 - reported, the run fails
            self.error = f"setup: {e!r}"
            self.ready.abort()
            return
        try:
            self.ready.wait(a.setup_timeout)
        except threading.BrokenBarrierError:
            self.error = self.error or "another client failed to set up"
            return
        bot, chan = ircclient.irc_lower(a.bot), ircclient.irc_lower(a.channel)

        def from_bot(m) -> bool:
            return (m.command in ("PRIVMSG", "NOTICE") and ircclient.irc_lower(m.nick) == bot
                    and ircclient.irc_lower(m.target) in (chan, ircclient.irc_lower(c.nick)))

        for r in range(a.rounds):
            number = a.first + r * len(a.people) + self.index
            pattern = number_pattern(number)
            try:
                self.barrier.wait(a.round_timeout)
            except threading.BrokenBarrierError:
                self.error = self.error or f"round {r + 1}: barrier broken"
                return
            c.pending.clear()
            sent = time.time()
            c.privmsg(a.channel, f"!ack {number}")
            result = {"round": r + 1, "person": self.nick, "number": number, "sent": sent,
                      "seen": None, "server_time": None, "working_seen": None, "reply": None}
            end = time.time() + a.reply_timeout
            try:
                while True:
                    m = c.wait_for(from_bot, end, f"reply to !ack {number}", keep_others=False)
                    text = ircclient.strip_formatting(m.text)
                    if not pattern.search(text):
                        continue
                    if WORKING.search(text):
                        result["working_seen"] = m.received
                        continue
                    result.update(seen=m.received, server_time=server_time(m), reply=text)
                    break
            except ircclient.Timeout:
                log(f"crowd: {self.nick} got no reply to !ack {number} within {a.reply_timeout} s")
            except ircclient.ClosedError as e:
                self.error = f"round {r + 1}: {e}"
                self.results.append(result)
                return
            self.results.append(result)
        try:
            c.quit("benchmark done")
        except Exception:  # noqa: BLE001
            pass


class Watcher(threading.Thread):
    """Reads the announcement channel and remembers when each bot line arrived."""

    def __init__(self, args, ready: threading.Barrier):
        super().__init__(name="watcher", daemon=True)
        self.args, self.ready = args, ready
        self.lines: list = []  # (received, server_time, text)
        self.lock = threading.Condition()
        self.error: str | None = None
        self.stop = False

    def run(self) -> None:
        a = self.args
        c = ircclient.IRCClient(a.host, a.port, a.watcher, tls=True, cafile=a.cafile, servername="localhost",
                                want_caps=("message-tags", "server-time"))
        try:
            deadline = time.time() + a.setup_timeout
            c.connect(deadline)
            c.join(a.watch_channel, deadline)
            c.wait_for_member(a.watch_channel, a.bot, deadline)
        except Exception as e:  # noqa: BLE001
            self.error = f"setup: {e!r}"
            self.ready.abort()
            return
        try:
            self.ready.wait(a.setup_timeout)
        except threading.BrokenBarrierError:
            return
        bot, chan = ircclient.irc_lower(a.bot), ircclient.irc_lower(a.watch_channel)
        while not self.stop:
            try:
                m = c.read(time.time() + 0.5)
            except ircclient.ClosedError as e:
                self.error = str(e)
                return
            if m is None:
                continue
            if (m.command in ("PRIVMSG", "NOTICE") and ircclient.irc_lower(m.nick) == bot
                    and ircclient.irc_lower(m.target) == chan):
                with self.lock:
                    self.lines.append((m.received, server_time(m), ircclient.strip_formatting(m.text)))
                    self.lock.notify_all()
        try:
            c.quit("benchmark done")
        except Exception:  # noqa: BLE001
            pass

    def wait_for(self, needle: str, timeout: float):
        end = time.time() + timeout
        with self.lock:
            while True:
                for line in self.lines:
                    if needle in line[2]:
                        return line
                remaining = end - time.time()
                if remaining <= 0 or self.error:
                    return None
                self.lock.wait(remaining)


def post_webhook(args, number: int, title: str) -> tuple[float, int]:
    """POSTs one signed delivery; returns (time just before the POST, HTTP status)."""
    signature, body = webhook_bodies.delivery(
        args.secret, args.service_id, number, webhook_bodies.now_stamp(), title=title,
        event_id="01BENCHP7%08d%010d" % (number, int(time.time() * 1000) % 10**10))
    url = urllib.parse.urlsplit(args.webhook_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    t0 = time.time()
    conn.request("POST", url.path, body=body.encode(),
                 headers={"Content-Type": "application/json", "X-PagerDuty-Signature": signature})
    status = conn.getresponse().status
    conn.close()
    return t0, status


def announce(args, watcher: Watcher, number: int, title: str) -> dict:
    t0, status = post_webhook(args, number, title)
    line = watcher.wait_for(title, args.reply_timeout) if status == 202 else None
    result = {"number": number, "posted": t0, "status": status, "seen": line[0] if line else None,
              "server_time": line[1] if line else None}
    result["latency_ms"] = round((line[0] - t0) * 1000, 3) if line else None
    if line is None:
        log(f"crowd: announcement {title!r} (HTTP {status}) not seen within {args.reply_timeout} s")
    return result


def split_by_api(commands: list[dict], api_log: str | None) -> dict:
    """Adds to each command its API requests' timestamps and the split of its time; returns the
    API's view (connections used, most requests at once)."""
    if not api_log:
        return {}
    requests = []
    try:
        with open(api_log) as f:
            requests = [json.loads(line) for line in f if line.strip()]
    except OSError:
        return {"error": f"no API log {api_log}"}
    by_number: dict = {}
    for q in requests:
        for n in q["numbers"]:
            by_number.setdefault(n, []).append(q)
    for c in commands:
        mine = sorted(by_number.get(c["number"], []), key=lambda q: q["arrived"])
        get = next((q for q in mine if q["method"] == "GET"), None)
        put = next((q for q in mine if q["method"] == "PUT"), None)
        c["api_requests"] = [q["method"] for q in mine]
        if get and put and c["seen"]:
            stamped = c["server_time"] if c["server_time"] else c["seen"]
            c["split_ms"] = {k: round(v * 1000, 3) for k, v in {
                "to_first_request": get["arrived"] - c["sent"],
                "api_get": get["answered"] - get["arrived"],
                "between_requests": put["arrived"] - get["answered"],
                "api_put": put["answered"] - put["arrived"],
                "put_to_server": stamped - put["answered"],
                "server_to_person": c["seen"] - stamped,
            }.items()}
    events = sorted([(q["arrived"], 1) for q in requests] + [(q["answered"], -1) for q in requests])
    level = peak = 0
    for _, step in events:
        level += step
        peak = max(peak, level)
    return {"requests": len(requests), "connections": len({q["peer_port"] for q in requests}),
            "most_at_once": peak,
            "requests_per_command": sorted({len(c.get("api_requests", [])) for c in commands})}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True, help="the IRC server's TLS port")
    p.add_argument("--cafile", required=True)
    p.add_argument("--people", required=True, help="nick:password,... (services accounts)")
    p.add_argument("--channel", required=True)
    p.add_argument("--bot", required=True)
    p.add_argument("--watcher", default="p7watch")
    p.add_argument("--watch-channel", required=True)
    p.add_argument("--webhook-url", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--service-id", required=True)
    p.add_argument("--first", type=int, default=1, help="first incident number commanded")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--announce-offsets", default="0.25,1.0,1.5",
                   help="seconds after each round's barrier at which its webhook is posted")
    p.add_argument("--baseline", type=int, default=3)
    p.add_argument("--pause", type=float, default=2.0, help="seconds of quiet between rounds")
    p.add_argument("--reply-timeout", type=float, default=30)
    p.add_argument("--round-timeout", type=float, default=120)
    p.add_argument("--setup-timeout", type=float, default=90)
    p.add_argument("--api-log")
    p.add_argument("--api-delay-ms", type=float)
    p.add_argument("--out")
    args = p.parse_args()
    args.people = [tuple(x.split(":", 1)) for x in args.people.split(",") if x]
    offsets = [float(x) for x in args.announce_offsets.split(",") if x]
    offsets = (offsets * args.rounds)[:args.rounds]

    ready = threading.Barrier(len(args.people) + 2)   # people, watcher, this thread
    barrier = threading.Barrier(len(args.people) + 1)  # people, this thread
    people = [Person(args, i, nick, pw, barrier, ready) for i, (nick, pw) in enumerate(args.people)]
    watcher = Watcher(args, ready)
    for t in people + [watcher]:
        t.start()
    failed = None
    try:
        ready.wait(args.setup_timeout + 10)
    except threading.BrokenBarrierError:
        failed = "; ".join(f"{t.name}: {t.error}" for t in people + [watcher] if t.error) or "setup timed out"
    if failed:
        log(f"crowd: {failed}")
        write_json(args.out, {"error": failed})
        return 1
    log(f"crowd: {len(people)} people in {args.channel}, watcher in {args.watch_channel}")
    time.sleep(1)

    announcements = {"baseline": [], "during": []}
    serial = 900000 + int(time.time()) % 10000 * 10
    for b in range(args.baseline):
        serial += 1
        announcements["baseline"].append(announce(args, watcher, serial, f"p7 baseline {serial}"))
        time.sleep(1)

    for r in range(args.rounds):
        serial += 1
        try:
            barrier.wait(args.round_timeout)
        except threading.BrokenBarrierError:
            failed = f"round {r + 1}: a person left the barrier"
            break
        t_barrier = time.time()
        time.sleep(max(0.0, t_barrier + offsets[r] - time.time()))
        a = announce(args, watcher, serial, f"p7 during round {r + 1} {serial}")
        a.update(round=r + 1, offset_s=offsets[r], posted_after_barrier_ms=round((a["posted"] - t_barrier) * 1000, 3))
        announcements["during"].append(a)
        # Every person's reply (or timeout) before the next round's quiet pause.
        end = time.time() + args.reply_timeout + 5
        while time.time() < end and any(len(t.results) <= r and t.is_alive() for t in people):
            time.sleep(0.05)
        time.sleep(args.pause)
    watcher.stop = True
    for t in people:
        t.join(5)
    watcher.join(2)

    commands = [res for t in people for res in t.results]
    for c in commands:
        c["latency_ms"] = round((c["seen"] - c["sent"]) * 1000, 3) if c["seen"] else None
        if c["working_seen"]:
            c["working_ms"] = round((c["working_seen"] - c["sent"]) * 1000, 3)
    api = split_by_api(commands, args.api_log)
    replied = [c["latency_ms"] / 1000 for c in commands if c["latency_ms"] is not None]
    lost = len(args.people) * args.rounds - len(replied)
    rounds = []
    for r in range(1, args.rounds + 1):
        mine = sorted(c["latency_ms"] for c in commands if c["round"] == r and c["latency_ms"] is not None)
        rounds.append({"round": r, "count": len(mine), "p50_ms": percentile(mine, 50) if mine else None,
                       "max_ms": mine[-1] if mine else None, "within_600_ms": sum(1 for v in mine if v <= 600)})
    splits = [c["split_ms"] for c in commands if c.get("split_ms")]
    split_summary = {}
    if splits:
        for key in splits[0]:
            values = sorted(s[key] for s in splits)
            split_summary[key] = {"p50_ms": percentile(values, 50), "max_ms": values[-1]}
        gateway = sorted(s["to_first_request"] + s["between_requests"] + s["put_to_server"] for s in splits)
        split_summary["gateway_total"] = {"p50_ms": round(percentile(gateway, 50), 3), "max_ms": round(gateway[-1], 3)}

    def ann_summary(items):
        values = sorted(a["latency_ms"] for a in items if a["latency_ms"] is not None)
        return {"count": len(values), "lost": len(items) - len(values),
                "p50_ms": percentile(values, 50) if values else None, "max_ms": values[-1] if values else None,
                "samples_ms": values}

    working = [c["working_ms"] for c in commands if c.get("working_ms")]
    document = {
        "people": len(args.people), "rounds": args.rounds, "api_delay_ms": args.api_delay_ms,
        "replies": {**summarize_ms(replied), "lost": lost,
                    "within_600_ms": sum(1 for v in replied if v <= 0.6)},
        "per_round": rounds, "working_notices": {"count": len(working), "first_ms": min(working) if working else None},
        "split": split_summary, "api": api,
        "announcement": {"baseline": ann_summary(announcements["baseline"]),
                         "during": ann_summary(announcements["during"]), "raw": announcements},
        "example_reply": next((c["reply"] for c in commands if c["reply"]), None),
        "commands": commands,
        "errors": [f"{t.name}: {t.error}" for t in people + [watcher] if t.error] + ([failed] if failed else []),
    }
    write_json(args.out, document)
    rep, ab, ad = document["replies"], document["announcement"]["baseline"], document["announcement"]["during"]
    log(f"crowd: {rep.get('count')} replies, p50 {rep.get('p50_ms')} ms, max {rep.get('max_ms')} ms, lost {lost}; "
        f"announcement p50 {ab['p50_ms']} ms alone vs {ad['p50_ms']} ms during (max {ab['max_ms']} / {ad['max_ms']}); "
        f"API {api}")
    ok = lost == 0 and ab["lost"] == 0 and ad["lost"] == 0 and not document["errors"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
