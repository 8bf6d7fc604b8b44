#!/usr/bin/python3
"""Announcement fan-out: INCIDENTS incidents announced into every watched room on an IRC server
and an XMPP server at once; reports when the last room got the last announcement, how many lines
each room saw, whether any watcher was disconnected, and what the bot's XMPP socket carried
(bytes, from `ss`, for the byte-rate allowance of Prosody's mod_limits).

  fanout.py --enqueue-url URL --routing-key K --incidents 100 [--tag fanout]
            --irc-port P --cafile CA --irc-channels '#room01,...' --irc-bot tocsin
            --xmpp-port P --jid watcher@localhost --password pw --xmpp-rooms 'room01@conference.localhost,...'
            --xmpp-bot tocsin --bot-pid PID --timeout 600 --out fanout.json
"""
from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import threading
import time

import benchlib  # noqa: F401
from benchlib import log, write_json
from events import Enqueuer


class Tally:
    def __init__(self, rooms):
        self.counts = {r: 0 for r in rooms}
        self.last = {r: None for r in rooms}
        self.first = None
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.done = threading.Event()
        self.error = None
        self.disconnected = False

    def hit(self, room: str, expected: int) -> None:
        now = time.time()
        with self.lock:
            self.counts[room] += 1
            self.last[room] = now
            self.first = self.first or now
            if all(c >= expected for c in self.counts.values()):
                self.done.set()


def irc_watch(args, tally: Tally, stop: threading.Event) -> None:
    import ircclient
    try:
        c = ircclient.IRCClient(args.host, args.irc_port, args.irc_nick, tls=True, cafile=args.cafile,
                                servername="localhost")
        deadline = time.time() + 120
        c.connect(deadline)
        channels = {ircclient.irc_lower(ch): ch for ch in args.irc_channels}
        for ch in args.irc_channels:
            c.join(ch, deadline)
        for ch in args.irc_channels:
            c.wait_for_member(ch, args.irc_bot, deadline)
        tally.ready.set()
        pattern = re.compile(re.escape(args.tag) + r" \d+ disk full")
        bot = ircclient.irc_lower(args.irc_bot)
        while not stop.is_set() and not tally.done.is_set():
            m = c.read(time.time() + 0.5)
            if m is None or m.command != "PRIVMSG" or ircclient.irc_lower(m.nick) != bot:
                continue
            room = channels.get(ircclient.irc_lower(m.target))
            if room and pattern.search(ircclient.strip_formatting(m.text)):
                tally.hit(room, args.incidents)
        c.quit("fan-out done")
    except ircclient.ClosedError as e:
        tally.disconnected, tally.error = True, f"irc watcher disconnected: {e}"
    except Exception as e:  # noqa: BLE001
        tally.error = f"irc watcher: {e!r}"
    finally:
        tally.ready.set()


def xmpp_watch(args, tally: Tally, stop: threading.Event) -> None:
    import xmppclient

    async def run():
        c = xmppclient.TestClient(args.jid, args.password, cafile=args.cafile)
        await c.start(args.host, args.xmpp_port, 60)
        deadline = time.time() + 120
        nick = args.jid.split("@")[0]
        for room in args.xmpp_rooms:
            await c.join(room, nick, max(1, deadline - time.time()))
        for room in args.xmpp_rooms:
            await c.wait_for_occupant(room, deadline, nick=args.xmpp_bot)
        tally.ready.set()
        pattern = re.compile(re.escape(args.tag) + r" \d+ disk full")
        rooms = {r.lower(): r for r in args.xmpp_rooms}
        while not stop.is_set() and not tally.done.is_set():
            try:
                m = await c.next_message(lambda m: m.type == "groupchat" and m.nick == args.xmpp_bot
                                         and not m.delayed, time.time() + 0.5)
            except xmppclient.Timeout:
                continue
            room = rooms.get(m.room)
            if room and pattern.search(m.body):
                tally.hit(room, args.incidents)
        await c.stop()

    try:
        asyncio.run(run())
    except xmppclient.ClosedError as e:
        tally.disconnected, tally.error = True, f"xmpp watcher disconnected: {e}"
    except Exception as e:  # noqa: BLE001
        tally.error = f"xmpp watcher: {e!r}"
    finally:
        tally.ready.set()


def socket_bytes(pid: int, port: int) -> dict:
    """bytes_sent / data_segs_out of PID's established TCP connections to 127.0.0.1:PORT."""
    out = subprocess.run(["ss", "-tinpH", "state", "established", f"( dport = :{port} )"],
                         capture_output=True, text=True, timeout=10).stdout
    total = {"bytes_sent": 0, "data_segs_out": 0, "sockets": 0}
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if f"pid={pid}," not in line or i + 1 >= len(lines):
            continue
        info = lines[i + 1]
        for key in ("bytes_sent", "data_segs_out"):
            found = re.search(rf"\b{key}:(\d+)", info)
            if found:
                total[key] += int(found.group(1))
        total["sockets"] += 1
    return total


def summarize(tally: Tally, start: float, expected: int) -> dict:
    lasts = [t for t in tally.last.values() if t is not None]
    complete = all(c >= expected for c in tally.counts.values())
    return {"rooms": len(tally.counts), "expected_per_room": expected,
            "received": sum(tally.counts.values()), "complete": complete,
            "min_per_room": min(tally.counts.values()) if tally.counts else 0,
            "last_room_last_message_s": round(max(lasts) - start, 3) if complete and lasts else None,
            "first_message_s": round(tally.first - start, 3) if tally.first else None,
            "watcher_disconnected": tally.disconnected, "watcher_error": tally.error}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--enqueue-url", required=True)
    p.add_argument("--routing-key", required=True)
    p.add_argument("--incidents", type=int, default=100)
    p.add_argument("--tag", default="fanout", help="word that starts each incident title (and is matched)")
    p.add_argument("--cafile", required=True)
    p.add_argument("--irc-port", type=int, required=True)
    p.add_argument("--irc-nick", default="fanwatch")
    p.add_argument("--irc-channels", type=lambda s: [x for x in s.split(",") if x], required=True)
    p.add_argument("--irc-bot", default="tocsin")
    p.add_argument("--xmpp-port", type=int, required=True)
    p.add_argument("--jid", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--xmpp-rooms", type=lambda s: [x for x in s.split(",") if x], required=True)
    p.add_argument("--xmpp-bot", default="tocsin")
    p.add_argument("--bot-pid", type=int, required=True)
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--out")
    args = p.parse_args()

    irc, xmpp, stop = Tally(args.irc_channels), Tally(args.xmpp_rooms), threading.Event()
    threads = [threading.Thread(target=irc_watch, args=(args, irc, stop), daemon=True),
               threading.Thread(target=xmpp_watch, args=(args, xmpp, stop), daemon=True)]
    for t in threads:
        t.start()
    if not (irc.ready.wait(150) and xmpp.ready.wait(150)) or irc.error or xmpp.error:
        log(f"fan-out: watchers not ready: irc={irc.error} xmpp={xmpp.error}")
        stop.set()
        write_json(args.out, {"error": f"watchers not ready: irc={irc.error} xmpp={xmpp.error}"})
        return 1
    log(f"fan-out: watchers in {len(args.irc_channels)} channels and {len(args.xmpp_rooms)} rooms; "
        f"triggering {args.incidents} incidents")
    before = socket_bytes(args.bot_pid, args.xmpp_port)
    enqueuer = Enqueuer(args.enqueue_url, args.routing_key)
    start = time.time()
    statuses = [enqueuer.trigger(f"{args.tag} {i + 1} disk full on db-{i % 7}") for i in range(args.incidents)]
    enqueued_s = time.time() - start
    deadline = start + args.timeout
    while time.time() < deadline and not (irc.done.is_set() and xmpp.done.is_set()):
        if irc.error or xmpp.error:
            break
        time.sleep(0.2)
    after = socket_bytes(args.bot_pid, args.xmpp_port)
    stop.set()
    for t in threads:
        t.join(10)
    result = {"incidents": args.incidents, "accepted": statuses.count(202), "enqueue_s": round(enqueued_s, 3),
              "irc": summarize(irc, start, args.incidents), "xmpp": summarize(xmpp, start, args.incidents),
              "xmpp_bot_socket": {"bytes_sent": after["bytes_sent"] - before["bytes_sent"],
                                  "data_segs_out": after["data_segs_out"] - before["data_segs_out"],
                                  "sockets": after["sockets"]}}
    write_json(args.out, result)
    log(f"fan-out: irc last {result['irc']['last_room_last_message_s']} s ({result['irc']['received']} lines), "
        f"xmpp last {result['xmpp']['last_room_last_message_s']} s ({result['xmpp']['received']} messages)")
    return 0 if result["irc"]["complete"] and result["xmpp"]["complete"] else 1


if __name__ == "__main__":
    sys.exit(main())
