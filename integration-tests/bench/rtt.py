#!/usr/bin/python3
"""Command round trip as a chat user sees it: send `!ack N` (N fresh each time) in a room, time
until the bot's reply naming #N arrives. One command at a time, paced: the next command leaves
`--interval` seconds after the previous one was sent (or at once after a late reply), so neither
the server's flood control nor the bot's own pacing queues anything and the figure is latency.

  rtt.py irc  --port P --tls --cafile CA --nick alice --sasl alice:pw --channel '#rtt' --bot tocsin ...
  rtt.py xmpp --port P --cafile CA --jid alice@localhost --password pw --room rtt@conference.localhost --bot tocsin ...
Common: --first N --count C --interval S --reply-timeout S --out FILE.json
Run on Debian's /usr/bin/python3 (python3-irc, python3-slixmpp). Exit 0 when every command got
its reply, 1 otherwise (the JSON says how many timed out).
"""
from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time

import benchlib  # noqa: F401  (puts ../lib on sys.path)
from benchlib import log, summarize_ms, write_json


def reply_pattern(number: int) -> re.Pattern:
    return re.compile(r"(?<![0-9])#?%d(?![0-9])" % number)


def run_irc(args) -> dict:
    import ircclient
    # No echo-message: the server's echo of our own line would be a second small write to us right
    # before the bot's reply, which Nagle + delayed ACK can hold back by ~40 ms.
    c = ircclient.IRCClient(args.host, args.port, args.nick, tls=args.tls, cafile=args.cafile,
                            servername=args.servername, sasl=args.sasl,
                            want_caps=("message-tags", "account-tag", "server-time"))
    deadline = time.time() + args.setup_timeout
    c.connect(deadline)
    c.join(args.channel, deadline)
    c.wait_for_member(args.channel, args.bot, deadline)
    if args.ready_file:
        open(args.ready_file, "w").close()
    bot = ircclient.irc_lower(args.bot)
    chan = ircclient.irc_lower(args.channel)
    samples, timeouts, example = [], 0, None

    def from_bot(m) -> bool:
        return (m.command in ("PRIVMSG", "NOTICE") and ircclient.irc_lower(m.nick) == bot
                and ircclient.irc_lower(m.target) in (chan, ircclient.irc_lower(c.nick)))

    next_send = time.perf_counter()
    for i in range(args.count):
        number = args.first + i
        pattern = reply_pattern(number)
        now = time.perf_counter()
        if next_send > now:
            time.sleep(next_send - now)
        c.pending.clear()
        t0 = time.perf_counter()
        c.privmsg(args.channel, f"!ack {number}")
        next_send = t0 + args.interval
        end = time.time() + args.reply_timeout
        try:
            while True:
                m = c.wait_for(from_bot, end, f"reply to !ack {number}", keep_others=False)
                if pattern.search(ircclient.strip_formatting(m.text)):
                    samples.append(time.perf_counter() - t0)
                    example = example or ircclient.strip_formatting(m.text)
                    break
        except ircclient.Timeout:
            timeouts += 1
            log(f"irc: no reply to !ack {number} within {args.reply_timeout}s")
    c.quit("benchmark done")
    return {"samples": samples, "timeouts": timeouts, "example_reply": example}


async def run_xmpp_async(args) -> dict:
    import xmppclient
    c = xmppclient.TestClient(args.jid, args.password, cafile=args.cafile)
    deadline = time.time() + args.setup_timeout
    await c.start(args.host, args.port, args.setup_timeout)
    nick = args.nick or args.jid.split("@")[0]
    await c.join(args.room, nick, max(1, deadline - time.time()))
    await c.wait_for_occupant(args.room, deadline, nick=args.bot)
    if args.ready_file:
        open(args.ready_file, "w").close()
    room = args.room.lower()
    samples, timeouts, example = [], 0, None
    next_send = time.perf_counter()
    for i in range(args.count):
        number = args.first + i
        pattern = reply_pattern(number)
        now = time.perf_counter()
        if next_send > now:
            await asyncio.sleep(next_send - now)
        while not c.messages.empty():
            c.messages.get_nowait()
        t0 = time.perf_counter()
        c.groupchat(args.room, f"!ack {number}")
        next_send = t0 + args.interval
        try:
            m = await c.next_message(
                lambda m: m.type == "groupchat" and m.room == room and m.nick == args.bot
                and not m.delayed and bool(pattern.search(m.body)),
                time.time() + args.reply_timeout)
            samples.append(time.perf_counter() - t0)
            example = example or m.body
        except xmppclient.Timeout:
            timeouts += 1
            log(f"xmpp: no reply to !ack {number} within {args.reply_timeout}s")
    await c.stop()
    return {"samples": samples, "timeouts": timeouts, "example_reply": example}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("protocol", choices=["irc", "xmpp"])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--tls", action="store_true")
    p.add_argument("--cafile")
    p.add_argument("--servername", default="localhost")
    p.add_argument("--nick")
    p.add_argument("--sasl", help="ACCOUNT:PASSWORD (IRC)")
    p.add_argument("--channel", help="IRC channel")
    p.add_argument("--jid")
    p.add_argument("--password")
    p.add_argument("--room", help="MUC room JID")
    p.add_argument("--bot", required=True, help="the bot's nick (IRC) or room nick (XMPP)")
    p.add_argument("--first", type=int, required=True, help="first incident number")
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--interval", type=float, default=0.12, help="seconds between two sends")
    p.add_argument("--reply-timeout", type=float, default=10)
    p.add_argument("--setup-timeout", type=float, default=60)
    p.add_argument("--ready-file")
    p.add_argument("--label", default="")
    p.add_argument("--out")
    args = p.parse_args()
    started = time.time()
    try:
        raw = run_irc(args) if args.protocol == "irc" else asyncio.run(run_xmpp_async(args))
    except Exception as e:  # noqa: BLE001 - reported in the JSON, the bench goes on
        log(f"{args.label or args.protocol}: failed: {e!r}")
        write_json(args.out, {"label": args.label, "protocol": args.protocol, "error": repr(e)})
        return 1
    result = {"label": args.label, "protocol": args.protocol, "commands": args.count,
              "interval_s": args.interval, "timeouts": raw["timeouts"],
              "example_reply": raw["example_reply"], "elapsed_s": round(time.time() - started, 1),
              **summarize_ms(raw["samples"]),
              "samples_ms": [round(x * 1000, 3) for x in raw["samples"]]}
    write_json(args.out, result)
    log(f"{args.label or args.protocol}: n={result.get('count')} p50={result.get('p50_ms')} ms "
        f"p99={result.get('p99_ms')} ms timeouts={raw['timeouts']}")
    return 0 if raw["timeouts"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
