#!/usr/bin/python3
"""Waits until a bot sits in every given IRC channel and XMPP room (to read its idle memory only
once it has joined them all), by joining them as a watcher:
  wait_rooms.py --cafile CA [--irc-port P --irc-channels '#a,#b' --irc-bot NICK]
                [--xmpp-port P --jid J --password PW --xmpp-rooms 'a@conference.localhost,...' --xmpp-bot NICK]
                [--timeout 120]
Exit 0 when the bot was seen everywhere, 1 otherwise (naming where it was missing)."""
from __future__ import annotations

import argparse
import asyncio
import sys
import time

import benchlib  # noqa: F401
from benchlib import log


def irc(args, deadline: float) -> list:
    import ircclient
    c = ircclient.IRCClient(args.host, args.irc_port, args.irc_nick, tls=True, cafile=args.cafile,
                            servername="localhost")
    c.connect(deadline)
    missing = []
    for ch in args.irc_channels:
        c.join(ch, deadline)
    for ch in args.irc_channels:
        try:
            c.wait_for_member(ch, args.irc_bot, deadline)
        except ircclient.Timeout:
            missing.append(ch)
    c.quit("checked")
    return missing


async def xmpp(args, deadline: float) -> list:
    import xmppclient
    c = xmppclient.TestClient(args.jid, args.password, cafile=args.cafile)
    await c.start(args.host, args.xmpp_port, max(1, deadline - time.time()))
    nick = args.jid.split("@")[0] + "-check"
    missing = []
    try:
        for room in args.xmpp_rooms:
            await c.join(room, nick, max(1, deadline - time.time()))
        for room in args.xmpp_rooms:
            try:
                await c.wait_for_occupant(room, deadline, nick=args.xmpp_bot)
            except xmppclient.Timeout:
                missing.append(room)
    finally:
        await c.stop()
    return missing


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--cafile", required=True)
    p.add_argument("--irc-port", type=int)
    p.add_argument("--irc-nick", default="roomcheck")
    p.add_argument("--irc-channels", type=lambda s: [x for x in s.split(",") if x], default=[])
    p.add_argument("--irc-bot")
    p.add_argument("--xmpp-port", type=int)
    p.add_argument("--jid")
    p.add_argument("--password")
    p.add_argument("--xmpp-rooms", type=lambda s: [x for x in s.split(",") if x], default=[])
    p.add_argument("--xmpp-bot")
    p.add_argument("--timeout", type=float, default=120)
    args = p.parse_args()
    deadline = time.time() + args.timeout
    missing = []
    try:
        if args.irc_channels:
            missing += irc(args, deadline)
        if args.xmpp_rooms:
            missing += asyncio.run(xmpp(args, deadline))
    except Exception as e:  # noqa: BLE001
        log(f"wait_rooms: {e!r}")
        return 1
    if missing:
        log(f"wait_rooms: bot not seen in {len(missing)} room(s): {' '.join(missing[:5])}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
