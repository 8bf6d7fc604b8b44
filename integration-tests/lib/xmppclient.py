#!/usr/bin/python3
"""Scripted real XMPP client for Tocsin's integration tests (and the benchmark), on slixmpp 1.8.

Connects with STARTTLS verified against --cafile (the server name checked is the JID's domain),
SASL (the strongest mechanism both sides offer), resource binding and XEP-0198 stream management,
then works in a MUC (XEP-0045). Everything is bounded by --timeout.

CLI (exit 0 = success):
  xmppclient.py [conn options] check
  xmppclient.py [conn options] say --room ops@conference.localhost --nick alice --text '!ack 1' [--expect REGEX]
  xmppclient.py [conn options] watch --room ROOM --nick N [--match REGEX] [--expect-count N | --until-quiet S] [--json]
  xmppclient.py [conn options] occupants --room ROOM --nick N [--wait-for-nick X] [--require-real-jids]
  xmppclient.py [conn options] invite --room ROOM --nick N --target bot@localhost [--mediated] [--expect-join]
  xmppclient.py [conn options] --resource BOTNICK forge --target bot@localhost --inviter alice@localhost
                --occupant-nick alice --occupant-jid alice@localhost --text '!resolve 3' [--expect-ignored]
  xmppclient.py [conn options] script --step 'join team@conference.localhost alice' --step 'invite tocsin@localhost team@conference.localhost' ...
    (one connection through many steps; see cmd_script for the step words)
Conn options: --jid user@localhost --password P --host 127.0.0.1 --port 15222 --cafile CA.pem
Exit codes: 0 ok, 1 expectation not met (timeout), 2 usage, 3 connect/TLS failure,
4 authentication failure, 5 disconnected by the server.

As a module: TestClient (a slixmpp.ClientXMPP), ChatMessage, XMPPError (and subclasses).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import sys
import time
from dataclasses import dataclass
from typing import Callable, Optional

# slixmpp warns about its pure-Python stringprep at import time; keep stderr for real errors.
logging.getLogger("slixmpp").setLevel(logging.ERROR)
import slixmpp  # noqa: E402
from slixmpp import JID  # noqa: E402


from clientcli import AuthError, ClientError as XMPPError, ClosedError, ConnectError, Timeout  # noqa: E402
from clientcli import Output as _Output, Watch, add_say_options, add_watch_options, expect_failed  # noqa: E402
from clientcli import write_ready_file as _ready  # noqa: E402


@dataclass
class ChatMessage:
    received: float          # time.time() on arrival
    type: str                # groupchat / chat / normal
    frm: str                 # full 'from' (room/nick for groupchat)
    room: str                # bare room JID for groupchat, '' otherwise
    nick: str                # occupant nick for groupchat, '' otherwise
    real_jid: str            # sender's real JID if the room shows it
    body: str
    delayed: bool            # carries XEP-0203 delay (history)
    stanza_id: str
    xml: str

    def to_json(self) -> dict:
        return {"t": round(self.received, 6), "type": self.type, "from": self.frm,
                "room": self.room, "nick": self.nick, "jid": self.real_jid, "body": self.body,
                "delayed": self.delayed, "id": self.stanza_id}


class TestClient(slixmpp.ClientXMPP):
    """A slixmpp client whose failures become exceptions instead of endless reconnects."""

    def __init__(self, jid: str, password: str, *, cafile: Optional[str] = None,
                 insecure: bool = False, resource: Optional[str] = None):
        full = jid if "/" in jid or not resource else f"{jid}/{resource}"
        super().__init__(full, password)
        for p in ("xep_0030", "xep_0045", "xep_0199", "xep_0198", "xep_0249", "xep_0203",
                  "xep_0092"):
            self.register_plugin(p)
        if cafile:
            self.ca_certs = cafile
        if insecure:
            import ssl
            self.ssl_context.check_hostname = False
            self.ssl_context.verify_mode = ssl.CERT_NONE
        self.messages: asyncio.Queue = asyncio.Queue()
        self.invites: asyncio.Queue = asyncio.Queue()
        self.occupants: dict = {}    # bare room -> {nick: presence info dict}
        self.self_codes: dict = {}   # bare room -> set of status codes on our self-presence
        self._session: asyncio.Future = asyncio.get_event_loop().create_future()
        self.sm_enabled = False
        self.stopping = False
        self.tls_ok = False
        self.mechanism = ""
        self._changed = asyncio.Event()
        self.add_event_handler("session_start", self._on_session_start)
        self.add_event_handler("failed_all_auth", lambda e: self._fail(AuthError(
            f"authentication failed for {self.boundjid.bare}")))
        self.add_event_handler("connection_failed", lambda e: self._fail(ConnectError(
            f"cannot connect: {e}")))
        self.add_event_handler("ssl_invalid_chain", lambda e: self._fail(ConnectError(
            f"TLS certificate verification failed: {e}")))
        self.add_event_handler("stream_error", lambda e: self._fail(ClosedError(
            f"stream error: {e['condition']} {e['text']}")))
        self.add_event_handler("disconnected", self._on_disconnected)
        self.add_event_handler("tls_success", self._on_tls)
        self.add_event_handler("auth_success", self._on_auth)
        self.add_event_handler("sm_enabled", self._on_sm)
        self.add_event_handler("message", self._on_message)
        self.add_event_handler("groupchat_direct_invite", self._on_invite)
        self.add_event_handler("groupchat_invite", self._on_invite)
        self.add_event_handler("presence", self._on_presence)

    # -- lifecycle ----------------------------------------------------------------------------
    def _fail(self, exc: XMPPError) -> None:
        if not self._session.done():
            self._session.set_exception(exc)
            self.cancel_connection_attempt()

    def _on_disconnected(self, _e) -> None:
        if not self._session.done():
            self._fail(ClosedError("disconnected before the session started"))
        elif not self.stopping:
            self.messages.put_nowait(None)  # wakes next_message: the server closed the stream

    def _on_tls(self, _e) -> None:
        self.tls_ok = True

    def _on_auth(self, _e) -> None:
        try:
            self.mechanism = self.plugin["feature_mechanisms"].mech.name
        except (KeyError, AttributeError):
            self.mechanism = "?"

    def _on_sm(self, _e) -> None:
        self.sm_enabled = True

    async def _on_session_start(self, _e) -> None:
        self.send_presence()
        if not self._session.done():
            self._session.set_result(True)

    async def start(self, host: str, port: int, timeout: float) -> None:
        self.connect((host, port), use_ssl=False, force_starttls=True)
        try:
            await asyncio.wait_for(asyncio.shield(self._session), timeout)
        except asyncio.TimeoutError:
            raise Timeout(f"no XMPP session within {timeout:.0f}s "
                          f"(tls={'ok' if self.tls_ok else 'not negotiated'})") from None
        # Give XEP-0198 <enabled/> a moment (it follows session start).
        for _ in range(20):
            if self.sm_enabled:
                break
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        self.stopping = True
        try:
            self.cancel_connection_attempt()
            if self.transport is not None:
                await asyncio.wait_for(self.disconnect(wait=1.0), 3)
        except Exception:  # noqa: BLE001 - best effort on the way out
            pass

    # -- events -------------------------------------------------------------------------------
    def _on_message(self, msg) -> None:
        if msg["type"] == "error" or not msg["body"]:
            return
        frm = msg["from"]
        room = nick = real = ""
        if msg["type"] == "groupchat":
            room, nick = frm.bare, frm.resource
            occ = self.occupants.get(room, {}).get(nick)
            real = occ["jid"] if occ else ""
        delayed = msg.xml.find("{urn:xmpp:delay}delay") is not None
        self.messages.put_nowait(ChatMessage(
            received=time.time(), type=msg["type"], frm=str(frm), room=room, nick=nick,
            real_jid=real, body=msg["body"], delayed=delayed, stanza_id=msg["id"] or "",
            xml=str(msg)))

    def _on_invite(self, msg) -> None:
        self.invites.put_nowait(msg)

    def _on_presence(self, pres) -> None:
        x = pres.xml.find("{http://jabber.org/protocol/muc#user}x")
        if x is None:
            return
        room, nick = pres["from"].bare, pres["from"].resource
        item = x.find("{http://jabber.org/protocol/muc#user}item")
        codes = {s.get("code") for s in x.findall("{http://jabber.org/protocol/muc#user}status")}
        occ = self.occupants.setdefault(room, {})
        if pres["type"] == "unavailable":
            occ.pop(nick, None)
        else:
            occ[nick] = {"nick": nick,
                         "jid": item.get("jid", "") if item is not None else "",
                         "role": item.get("role", "") if item is not None else "",
                         "affiliation": item.get("affiliation", "") if item is not None else ""}
        if "110" in codes:
            self.self_codes.setdefault(room, set()).update(codes)
        self._changed.set()

    async def _wait_change(self, until: float) -> None:
        self._changed.clear()
        try:
            await asyncio.wait_for(self._changed.wait(), max(0.01, until - time.time()))
        except asyncio.TimeoutError:
            pass

    # -- MUC ----------------------------------------------------------------------------------
    async def join(self, room: str, nick: str, timeout: float, history: int = 0) -> None:
        """Joins ROOM as NICK (history maxstanzas=HISTORY) and waits for the self-presence
        (status 110). A newly created room (201) is unlocked with an instant-room submit."""
        room = JID(room).bare
        got: asyncio.Future = asyncio.get_event_loop().create_future()

        def on_pres(pres) -> None:
            if pres["from"].bare != room or got.done():
                return
            if pres["type"] == "error":
                got.set_exception(XMPPError(
                    f"cannot join {room} as {nick}: {pres['error']['condition']} "
                    f"{pres['error']['text']}".strip()))
                return
            x = pres.xml.find("{http://jabber.org/protocol/muc#user}x")
            codes = set() if x is None else {
                s.get("code") for s in x.findall("{http://jabber.org/protocol/muc#user}status")}
            if "110" in codes or pres["from"].resource == nick:
                got.set_result(codes)

        self.add_event_handler("presence", on_pres)
        try:
            p = self.make_presence(pto=f"{room}/{nick}")
            p.enable("muc_join")
            p["muc_join"]["history"]["maxstanzas"] = str(history)
            p.send()
            try:
                codes = await asyncio.wait_for(got, timeout)
            except asyncio.TimeoutError:
                raise Timeout(f"no self-presence from {room} within {timeout:.0f}s") from None
        finally:
            self.del_event_handler("presence", on_pres)
        if "201" in codes:
            iq = self.make_iq_set(ito=room)
            q = iq.xml.makeelement("{http://jabber.org/protocol/muc#owner}query", {})
            q.append(q.makeelement("{jabber:x:data}x", {"type": "submit"}))
            iq.xml.append(q)
            try:
                await iq.send(timeout=timeout)
            except Exception as e:  # noqa: BLE001 - rooms created unlocked answer anyway
                logging.getLogger(__name__).debug("instant-room submit: %s", e)

    def room_nick(self, room: str) -> str:
        return self.plugin["xep_0045"].our_nicks.get(JID(room).bare, "")

    async def wait_for_occupant(self, room: str, deadline: float, nick: Optional[str] = None,
                                bare_jid: Optional[str] = None) -> dict:
        room = JID(room).bare
        while True:
            for occ in self.occupants.get(room, {}).values():
                if nick and occ["nick"] == nick:
                    return occ
                if bare_jid and occ["jid"] and JID(occ["jid"]).bare == JID(bare_jid).bare:
                    return occ
            if time.time() >= deadline:
                raise Timeout(f"{nick or bare_jid} did not join {room}")
            await self._wait_change(deadline)

    def groupchat(self, room: str, text: str) -> None:
        self.send_message(mto=JID(room).bare, mbody=text, mtype="groupchat")

    async def next_message(self, pred: Callable[[ChatMessage], bool], deadline: float) -> ChatMessage:
        while True:
            remaining = deadline - time.time()
            if remaining <= 0:
                raise Timeout("timed out")
            try:
                m = await asyncio.wait_for(self.messages.get(), remaining)
            except asyncio.TimeoutError:
                raise Timeout("timed out") from None
            if m is None:
                raise ClosedError("disconnected by the server")
            if pred(m):
                return m


# --------------------------------------------------------------------------------------------
# CLI


def _describe(m: ChatMessage) -> str:
    who = m.nick or m.frm
    jid = f" ({m.real_jid})" if m.real_jid else ""
    return f"{m.type} {m.room or m.frm} <{who}{jid}> {m.body}"


def Output(as_json: bool, start: float) -> _Output:
    return _Output(as_json, start, _describe)


STYLING = re.compile(r"(?:(?<=\s)|^)([*_`])(\S(?:[^\n]*?\S)?)\1(?=\s|$|[.,;:!?)])", re.M)


def strip_styling(text: str) -> str:
    """The text a reader sees: XEP-0393 span directives (*strong*, _emphasis_, `pre`) removed,
    so --expect/--match patterns are written against the visible words (as ircclient.py strips
    IRC formatting codes)."""
    previous = None
    while previous != text:
        previous, text = text, STYLING.sub(r"\2", text)
    return text


def _matcher(args, c: TestClient, regex: Optional[str]):
    rx = re.compile(regex) if regex else None
    room = JID(args.room).bare if getattr(args, "room", None) else None

    def match(m: ChatMessage) -> bool:
        if m.delayed and not args.include_history:
            return False
        if m.type == "groupchat":
            if room is None or m.room != room:
                return False
            if m.nick == c.room_nick(room) and not args.include_self:
                return False
            if m.nick == "":  # room subject / service messages
                return False
        if args.sender and args.sender not in (m.nick, JID(m.real_jid or m.frm).bare):
            return False
        return rx is None or bool(rx.search(strip_styling(m.body)))
    return match


async def _join_and_wait(args, c: TestClient, deadline: float) -> None:
    await c.join(args.room, args.nick, max(0.1, deadline - time.time()), history=args.history)
    for n in args.wait_for_nick or []:
        await c.wait_for_occupant(args.room, deadline, nick=n)
    for j in args.wait_for_jid or []:
        await c.wait_for_occupant(args.room, deadline, bare_jid=j)


async def cmd_check(args, c: TestClient, deadline: float) -> int:
    print(f"jid={c.boundjid.full} tls={'yes' if c.tls_ok else 'no'} sasl={c.mechanism} "
          f"sm={'yes' if c.sm_enabled else 'no'}")
    return 0


async def cmd_say(args, c: TestClient, deadline: float) -> int:
    await _join_and_wait(args, c, deadline)
    _ready(args)
    if args.delay:
        await asyncio.sleep(args.delay)
    while not c.messages.empty():  # only what arrives after our text can be a reply to it
        if c.messages.get_nowait() is None:
            raise ClosedError("disconnected by the server")
    for t in args.text:
        if args.to:
            c.send_message(mto=args.to, mbody=t, mtype="chat")
        else:
            c.groupchat(args.room, t)
    out = Output(args.json, time.time())
    if not args.expect:
        await asyncio.sleep(0.3)  # let the stanza leave before disconnecting
        return 0
    match = _matcher(args, c, args.expect)
    got = 0
    try:
        while got < args.expect_count:
            out.message(await c.next_message(match, deadline))
            got += 1
    except Timeout:
        return expect_failed(args, got, args.expect)
    return 0


async def cmd_watch(args, c: TestClient, deadline: float) -> int:
    await _join_and_wait(args, c, deadline)
    _ready(args)
    w = Watch(args, Output(args.json, time.time()), deadline, "room")
    match = _matcher(args, c, args.match)
    while w.more():
        try:
            m = await c.next_message(match, w.until())
        except Timeout:
            if w.quiet():
                break
            return w.gave_up()
        w.matched(m)
    return w.verdict()


async def cmd_occupants(args, c: TestClient, deadline: float) -> int:
    await _join_and_wait(args, c, deadline)
    room = JID(args.room).bare
    codes = sorted(c.self_codes.get(room, set()))
    print(f"room={room} self_status_codes={','.join(c for c in codes if c)}")
    missing = []
    for occ in sorted(c.occupants.get(room, {}).values(), key=lambda o: o["nick"]):
        print(f"occupant nick={occ['nick']} jid={occ['jid'] or '-'} role={occ['role']} "
              f"affiliation={occ['affiliation']}")
        if not occ["jid"]:
            missing.append(occ["nick"])
    if args.require_real_jids and missing:
        print(f"error: real JIDs not visible for: {' '.join(missing)} (room is semi-anonymous)",
              file=sys.stderr)
        return 1
    return 0


async def cmd_invite(args, c: TestClient, deadline: float) -> int:
    await _join_and_wait(args, c, deadline)
    _ready(args)
    room = JID(args.room).bare
    if args.mediated:
        # XEP-0045 §7.8.2: the invitation goes to the room, which relays it from its own bare JID.
        c.plugin["xep_0045"].invite(JID(room), JID(args.target), reason=args.reason)
        print(f"invited {args.target} to {room} (XEP-0045 mediated)")
    else:
        c.plugin["xep_0249"].send_invitation(JID(args.target), JID(room), reason=args.reason)
        print(f"invited {args.target} to {room} (XEP-0249)")
    if args.expect_join:
        occ = await c.wait_for_occupant(room, deadline, bare_jid=args.target)
        print(f"{args.target} joined {room} as {occ['nick']}")
    return 0


async def cmd_forge(args, c: TestClient, deadline: float) -> int:
    """The attack of issue 10: an ordinary account pretends to be a room. Logged in with
    --resource equal to the bot's room nick, it sends the bot a mediated invitation naming
    --inviter, then a self-presence (status 110) carrying --occupant-jid, as if the bot had joined
    the "room" (our own bare JID); a second connection with resource --occupant-nick announces an
    occupant whose real JID is --occupant-jid and types --text as groupchat. Counts what the bot
    sends back to either connection (its join presence, replies) while --observe seconds pass."""
    from xml.sax.saxutils import quoteattr, escape
    target = JID(args.target)
    bot = JID(f"{target.bare}/{args.target_resource}")
    fake_room = c.boundjid.bare
    seen: list = []

    def from_bot(stanza) -> None:
        if stanza["from"].bare == target.bare and stanza["type"] != "error":
            seen.append(f"{stanza.name} {stanza['type'] or 'available'} to {stanza['to']}")

    second = TestClient(args.jid, args.password, cafile=args.cafile, insecure=args.insecure,
                        resource=args.occupant_nick)
    try:
        for client in (c, second):
            client.add_event_handler("presence", from_bot)
            client.add_event_handler("message", from_bot)
        await second.start(args.host, args.port, max(0.1, deadline - time.time()))
        muc_user = "http://jabber.org/protocol/muc#user"
        c.send_raw(f"<message to={quoteattr(target.bare)} id='forge-invite'><x xmlns='{muc_user}'>"
                   f"<invite from={quoteattr(args.inviter)}><reason>join us</reason></invite></x></message>")
        await asyncio.sleep(args.settle)
        item = f"<item affiliation='owner' role='moderator' jid={quoteattr(args.occupant_jid)}/>"
        c.send_raw(f"<presence to={quoteattr(str(bot))}><x xmlns='{muc_user}'>{item}"
                   "<status code='100'/><status code='110'/></x></presence>")
        await asyncio.sleep(args.settle)
        second.send_raw(f"<presence to={quoteattr(str(bot))}><x xmlns='{muc_user}'>{item}</x></presence>")
        await asyncio.sleep(args.settle)
        for t in args.text:
            second.send_raw(f"<message to={quoteattr(str(bot))} type='groupchat' id='forge-cmd'>"
                            f"<body>{escape(t)}</body></message>")
        _ready(args)
        await asyncio.sleep(min(args.observe, max(0.0, deadline - time.time() - 1)))
    finally:
        await second.stop()
    print(f"forged as fake room {fake_room}: bot_stanzas={len(seen)}")
    for line in seen:
        print(f"  from bot: {line}")
    if args.expect_ignored and seen:
        print("error: the bot answered the fake room", file=sys.stderr)
        return 1
    return 0


async def cmd_script(args, c: TestClient, deadline: float) -> int:
    """One connection through a list of steps, so a test can act and watch across gateway
    restarts (a room lives as long as this client sits in it). Steps (shell words):
      join ROOM NICK | invite JID ROOM [mediated] | say ROOM TEXT | tell JID TEXT (chat message)
      kick ROOM NICK [REASON] | mark (later expect-msg/expect-count look only at what follows)
      expect-join NICK ROOM [S] | expect-part NICK ROOM [S] | expect-absent NICK ROOM S
      expect-msg FROM ROOM REGEX [S]   (ROOM "-": a chat message whose sender's bare JID is FROM)
      expect-count FROM ROOM REGEX S N (exactly N matching messages within S seconds)
      signal FILE | wait-file FILE [S] | sleep S
    Every wait is bounded by its S (default 30) and by --timeout; the first failing step fails
    the command, naming the step."""
    import shlex
    history: list = []
    cursor = [0]

    def drain() -> None:
        while not c.messages.empty():
            m = c.messages.get_nowait()
            if m is None:
                raise ClosedError("disconnected by the server")
            history.append(m)

    async def pump(until: float) -> None:
        drain()
        try:
            m = await asyncio.wait_for(c.messages.get(), max(0.01, min(until, deadline) - time.time()))
        except asyncio.TimeoutError:
            return
        if m is None:
            raise ClosedError("disconnected by the server")
        history.append(m)

    def present(room: str, nick: str) -> bool:
        return nick in c.occupants.get(JID(room).bare, {})

    async def wait(pred, seconds: float, what: str) -> None:
        until = min(deadline, time.time() + seconds)
        while not pred():
            if time.time() >= until:
                raise Timeout(f"timed out after {seconds:.0f}s waiting for {what}")
            await asyncio.sleep(0.05)
            drain()

    def matches(m: ChatMessage, frm: str, room: str, rx) -> bool:
        if m.delayed or not rx.search(strip_styling(m.body)):
            return False
        if room == "-":
            return m.type in ("chat", "normal") and JID(m.frm).bare == JID(frm).bare
        return m.type == "groupchat" and m.room == JID(room).bare and m.nick == frm

    for step in args.step:
        words = shlex.split(step)
        op, rest = words[0], words[1:]
        secs = lambda i, d=30.0: float(rest[i]) if len(rest) > i else d  # noqa: E731
        print(f"step: {step}", flush=True)
        if op == "join":
            await c.join(rest[0], rest[1], max(0.1, deadline - time.time()))
        elif op == "invite":
            if len(rest) > 2 and rest[2] == "mediated":
                c.plugin["xep_0045"].invite(JID(rest[1]), JID(rest[0]), reason="Tocsin integration test")
            else:
                c.plugin["xep_0249"].send_invitation(JID(rest[0]), JID(rest[1]), reason="Tocsin integration test")
        elif op == "say":
            c.groupchat(rest[0], " ".join(rest[1:]))
        elif op == "tell":
            c.send_message(mto=rest[0], mbody=" ".join(rest[1:]), mtype="chat")
        elif op == "kick":
            iq = c.make_iq_set(ito=JID(rest[0]).bare)
            q = iq.xml.makeelement("{http://jabber.org/protocol/muc#admin}query", {})
            item = q.makeelement("{http://jabber.org/protocol/muc#admin}item", {"nick": rest[1], "role": "none"})
            reason = item.makeelement("{http://jabber.org/protocol/muc#admin}reason", {})
            reason.text = " ".join(rest[2:]) or "test kick"
            item.append(reason)
            q.append(item)
            iq.xml.append(q)
            await iq.send(timeout=max(1.0, deadline - time.time()))
        elif op == "mark":
            drain()
            cursor[0] = len(history)
        elif op == "expect-join":
            await wait(lambda: present(rest[1], rest[0]), secs(2), f"{rest[0]} to join {rest[1]}")
        elif op == "expect-part":
            await wait(lambda: not present(rest[1], rest[0]), secs(2), f"{rest[0]} to leave {rest[1]}")
        elif op == "expect-absent":
            until = min(deadline, time.time() + secs(2))
            while time.time() < until:
                if present(rest[1], rest[0]):
                    raise XMPPError(f"{rest[0]} is in {rest[1]} (it must stay out)")
                await asyncio.sleep(0.1)
            if present(rest[1], rest[0]):
                raise XMPPError(f"{rest[0]} is in {rest[1]} (it must stay out)")
        elif op == "expect-msg":
            rx = re.compile(rest[2])
            until = min(deadline, time.time() + secs(3))
            found = None
            while found is None:
                found = next((m for m in history[cursor[0]:] if matches(m, rest[0], rest[1], rx)), None)
                if found is None:
                    if time.time() >= until:
                        raise Timeout(f"no message from {rest[0]} in {rest[1]} matching {rest[2]!r} within {secs(3):.0f}s")
                    await pump(until)
            print(f"  got: {strip_styling(found.body)}", flush=True)
        elif op == "expect-count":
            rx = re.compile(rest[2])
            until = min(deadline, time.time() + secs(3))
            while time.time() < until:
                await pump(until)
            got = [m for m in history[cursor[0]:] if matches(m, rest[0], rest[1], rx)]
            for m in got:
                print(f"  got: {strip_styling(m.body)}", flush=True)
            if len(got) != int(rest[4]):
                raise XMPPError(f"{len(got)} messages from {rest[0]} in {rest[1]} matching {rest[2]!r}, expected {rest[4]}")
        elif op == "signal":
            with open(rest[0], "w") as f:
                f.write("ok\n")
        elif op == "wait-file":
            await wait(lambda: os.path.exists(rest[0]), secs(1, 120), f"the file {rest[0]}")
        elif op == "sleep":
            until = min(deadline, time.time() + float(rest[0]))
            while time.time() < until:
                await pump(until)
        else:
            print(f"error: unknown step {op!r}", file=sys.stderr)
            return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jid", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5222)
    p.add_argument("--cafile", help="CA certificate(s) to trust (PEM)")
    p.add_argument("--insecure", action="store_true", help="no certificate verification")
    p.add_argument("--resource", default=None, help="resource (default: server-assigned)")
    p.add_argument("--timeout", type=float, default=20, help="bound for the whole command (s)")
    p.add_argument("--verbose", "-v", action="store_true", help="slixmpp debug log to stderr")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("check", help="log in and print TLS/SASL/stream-management status")

    def room_opts(s):
        s.add_argument("--room", required=True)
        s.add_argument("--nick", default=None, help="room nick (default: JID localpart)")
        s.add_argument("--history", type=int, default=0, help="history stanzas to request")
        s.add_argument("--wait-for-nick", action="append", metavar="NICK")
        s.add_argument("--wait-for-jid", action="append", metavar="BAREJID")
        s.add_argument("--ready-file", help="written once joined (to sequence shell tests)")

    def match_opts(s):
        s.add_argument("--from", dest="sender", help="only messages from this nick or bare JID")
        s.add_argument("--include-self", action="store_true")
        s.add_argument("--include-history", action="store_true", help="also delayed messages")
        s.add_argument("--json", action="store_true", help="JSON lines with timestamps")

    s = sub.add_parser("say")
    room_opts(s)
    match_opts(s)
    add_say_options(s)
    s.add_argument("--to", help="send a chat message to this JID instead of the room")

    s = sub.add_parser("watch")
    room_opts(s)
    match_opts(s)
    add_watch_options(s)

    s = sub.add_parser("occupants")
    room_opts(s)
    s.add_argument("--require-real-jids", action="store_true")

    s = sub.add_parser("invite")
    room_opts(s)
    s.add_argument("--target", required=True, help="bare JID to invite (XEP-0249)")
    s.add_argument("--reason", default="Tocsin integration test")
    s.add_argument("--expect-join", action="store_true")
    s.add_argument("--mediated", action="store_true", help="XEP-0045 invitation through the room")

    s = sub.add_parser("script", help="run --step words in order on one connection (see cmd_script)")
    s.add_argument("--step", action="append", required=True)

    s = sub.add_parser("forge", help="pretend to be a room (security regression test)")
    s.add_argument("--target", required=True, help="the bot's bare JID")
    s.add_argument("--target-resource", default="tocsin", help="the bot's resource")
    s.add_argument("--inviter", required=True, help="JID claimed in <invite from=…>")
    s.add_argument("--occupant-nick", required=True, help="nick (resource) of the fake occupant")
    s.add_argument("--occupant-jid", required=True, help="real JID claimed for the occupants")
    s.add_argument("--text", action="append", required=True, help="groupchat line(s) to send")
    s.add_argument("--settle", type=float, default=1.5, help="pause between steps (s)")
    s.add_argument("--observe", type=float, default=5, help="how long to watch for answers (s)")
    s.add_argument("--expect-ignored", action="store_true", help="fail if the bot sends anything")
    s.add_argument("--ready-file")
    return p


async def run(args) -> int:
    deadline = time.time() + args.timeout
    c = TestClient(args.jid, args.password, cafile=args.cafile, insecure=args.insecure,
                   resource=args.resource)
    if getattr(args, "nick", "x") is None:
        args.nick = JID(args.jid).user
    handlers = {"check": cmd_check, "say": cmd_say, "watch": cmd_watch,
                "occupants": cmd_occupants, "invite": cmd_invite, "forge": cmd_forge, "script": cmd_script}
    try:
        await c.start(args.host, args.port, max(0.1, deadline - time.time()))
        return await asyncio.wait_for(handlers[args.cmd](args, c, deadline),
                                      max(0.1, deadline - time.time()) + 0.5)
    except asyncio.TimeoutError:
        print(f"error: timed out after {args.timeout}s", file=sys.stderr)
        return 1
    except XMPPError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    finally:
        await c.stop()


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.CRITICAL,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if args.verbose:
        logging.getLogger("slixmpp").setLevel(logging.DEBUG)
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
