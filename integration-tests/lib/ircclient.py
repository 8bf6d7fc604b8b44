#!/usr/bin/python3
"""Scripted real IRC client for Tocsin's integration tests (and the benchmark).

Plain sockets + ssl, standard library only, so it runs under any Python 3.9+. It speaks the
registration a modern client does: CAP LS 302 (multi-line), CAP REQ of the wanted capabilities the
server offers, SASL PLAIN (IRCv3 sasl-3.1), CAP END, 001; answers PING; parses IRCv3 message tags.

CLI (every subcommand is bounded by --timeout; exit 0 = success):
  ircclient.py [conn options] caps [--require CAP ...]
  ircclient.py [conn options] register --password P [--email E]
  ircclient.py [conn options] say --channel '#ops' --text '!ack 1' [--expect REGEX] [--wait-for-nick N]
  ircclient.py [conn options] watch --channel '#ops' [--match REGEX] [--expect-count N | --until-quiet S] [--json]
  ircclient.py [conn options] invite --channel '#x' --target tocsin [--expect-join]
  ircclient.py [conn options] script --step 'join #x' --step 'invite tocsin #x' --step 'expect-join tocsin #x 30' ...
    (one connection through many steps; see cmd_script for the step words)
Exit codes: 0 ok, 1 expectation not met (timeout), 2 usage, 3 connect/TLS failure,
4 registration/SASL failure, 5 connection closed by the server.

As a module: IRCClient, Message, parse_message, IRCError (and subclasses).
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import re
import socket
import ssl
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

DEFAULT_CAPS = ("message-tags", "account-tag", "server-time", "echo-message")
FORMATTING = re.compile(r"\x03(\d{1,2}(,\d{1,2})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]")


from clientcli import AuthError as RegistrationError, ClientError as IRCError, ClosedError, ConnectError, Timeout  # noqa: E402
from clientcli import Output as _Output, Watch, add_say_options, add_watch_options, expect_failed  # noqa: E402
from clientcli import write_ready_file as _ready  # noqa: E402


# --------------------------------------------------------------------------------------------
# Wire format

_TAG_UNESCAPE = {":": ";", "s": " ", "\\": "\\", "r": "\r", "n": "\n"}


def _unescape_tag(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\":
            if i + 1 < len(value):
                out.append(_TAG_UNESCAPE.get(value[i + 1], value[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


@dataclass
class Message:
    raw: str
    tags: dict = field(default_factory=dict)
    prefix: str = ""
    command: str = ""
    params: list = field(default_factory=list)
    received: float = 0.0  # time.time() when read

    @property
    def nick(self) -> str:
        return self.prefix.split("!", 1)[0]

    @property
    def target(self) -> str:
        return self.params[0] if self.params else ""

    @property
    def text(self) -> str:
        return self.params[-1] if self.params else ""

    def to_json(self) -> dict:
        return {"t": round(self.received, 6), "server_time": self.tags.get("time"),
                "account": self.tags.get("account"), "nick": self.nick, "command": self.command,
                "target": self.target, "text": self.text, "tags": self.tags, "line": self.raw}


def parse_message(line: str, received: float = 0.0) -> Message:
    msg = Message(raw=line, received=received or time.time())
    rest = line
    if rest.startswith("@"):
        tagpart, _, rest = rest[1:].partition(" ")
        for item in tagpart.split(";"):
            if item:
                k, _, v = item.partition("=")
                msg.tags[k] = _unescape_tag(v)
        rest = rest.lstrip(" ")
    if rest.startswith(":"):
        msg.prefix, _, rest = rest[1:].partition(" ")
        rest = rest.lstrip(" ")
    while rest:
        if rest.startswith(":"):
            msg.params.append(rest[1:])
            break
        p, _, rest = rest.partition(" ")
        if p:
            msg.params.append(p)
        rest = rest.lstrip(" ")
    if msg.params:
        msg.command = msg.params.pop(0).upper()
    return msg


def irc_lower(s: str) -> str:
    """rfc1459 case folding ([]\\~ are the upper case of {}|^)."""
    return s.lower().translate(str.maketrans("[]\\~", "{}|^"))


def strip_formatting(s: str) -> str:
    return FORMATTING.sub("", s)


# --------------------------------------------------------------------------------------------
# Client


class IRCClient:
    """A blocking IRC client driven by deadlines (no threads)."""

    def __init__(self, host: str, port: int, nick: str, *, tls: bool = False,
                 cafile: Optional[str] = None, insecure: bool = False,
                 servername: Optional[str] = None, sasl: Optional[str] = None,
                 username: str = "tester", realname: str = "Tocsin integration test",
                 password: Optional[str] = None, want_caps: Iterable[str] = DEFAULT_CAPS,
                 verbose: bool = False, certfile: Optional[str] = None, keyfile: Optional[str] = None):
        self.host, self.port, self.nick = host, port, nick
        self.tls, self.cafile, self.insecure, self.servername = tls, cafile, insecure, servername
        self.sasl, self.username, self.realname, self.password = sasl, username, realname, password
        self.want_caps = list(want_caps)
        self.verbose = verbose
        self.certfile, self.keyfile = certfile, keyfile  # TLS client certificate (CertFP)
        self.sock: Optional[socket.socket] = None
        self._buf = b""
        self.offered_caps: dict = {}
        self.enabled_caps: set = set()
        self.isupport: dict = {}
        self.account: Optional[str] = None
        self.members: dict = {}  # irc_lower(channel) -> set of irc_lower(nick)
        self.pending: list = []  # messages read while waiting for something else
        self.registered = False

    # -- transport ---------------------------------------------------------------------------
    def open(self, deadline: float) -> None:
        timeout = max(0.1, deadline - time.time())
        try:
            raw = socket.create_connection((self.host, self.port), timeout=timeout)
        except OSError as e:
            raise ConnectError(f"cannot connect to {self.host}:{self.port}: {e}") from e
        if self.tls:
            ctx = ssl.create_default_context(cafile=self.cafile) if self.cafile else \
                ssl.create_default_context()
            if self.insecure:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            if self.certfile:
                ctx.load_cert_chain(self.certfile, self.keyfile)
            try:
                raw.settimeout(timeout)
                raw = ctx.wrap_socket(raw, server_hostname=self.servername or self.host)
            except (ssl.SSLError, ssl.CertificateError, OSError) as e:
                raw.close()
                raise ConnectError(f"TLS handshake with {self.host}:{self.port} failed: {e}") from e
        self.sock = raw

    def close(self) -> None:
        if self.sock:
            try:
                self.sock.close()
            finally:
                self.sock = None

    def send(self, line: str) -> None:
        if "\r" in line or "\n" in line:
            raise ValueError("CR/LF inside an IRC line")
        if self.verbose:
            shown = line if not line.startswith("AUTHENTICATE ") or line.endswith("PLAIN") \
                else "AUTHENTICATE <hidden>"
            print(f">> {shown}", file=sys.stderr)
        assert self.sock is not None
        self.sock.sendall(line.encode("utf-8") + b"\r\n")

    def _read_line(self, deadline: float) -> Optional[Message]:
        while b"\n" not in self._buf:
            remaining = deadline - time.time()
            if remaining <= 0:
                return None
            assert self.sock is not None
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(65536)
            except (socket.timeout, TimeoutError):
                return None
            except ssl.SSLError as e:
                raise ClosedError(f"TLS error: {e}") from e
            except OSError as e:
                raise ClosedError(f"connection error: {e}") from e
            if not data:
                raise ClosedError("connection closed by the server")
            self._buf += data
        raw, _, self._buf = self._buf.partition(b"\n")
        try:
            line = raw.rstrip(b"\r").decode("utf-8")
        except UnicodeDecodeError:
            line = raw.rstrip(b"\r").decode("latin-1")
        if self.verbose:
            print(f"<< {line}", file=sys.stderr)
        msg = parse_message(line)
        self._track(msg)
        return msg

    def read(self, deadline: float) -> Optional[Message]:
        """Next message (answering PING and tracking channel members), or None at the deadline."""
        if self.pending:
            return self.pending.pop(0)
        while True:
            msg = self._read_line(deadline)
            if msg is None:
                return None
            if msg.command == "PING":
                self.send("PONG :" + msg.text)
                continue
            if msg.command == "ERROR":
                raise ClosedError(f"server closed the link: {msg.text}")
            return msg

    # -- state tracking ----------------------------------------------------------------------
    def _track(self, m: Message) -> None:
        me = irc_lower(self.nick)
        if m.command == "353" and len(m.params) >= 4:
            chan = irc_lower(m.params[2])
            for entry in m.text.split():
                n = entry.lstrip("~&@%+").split("!", 1)[0]
                self.members.setdefault(chan, set()).add(irc_lower(n))
        elif m.command == "JOIN" and m.params:
            for chan in m.params[0].split(","):
                self.members.setdefault(irc_lower(chan), set()).add(irc_lower(m.nick))
        elif m.command == "PART" and m.params:
            for chan in m.params[0].split(","):
                if irc_lower(m.nick) == me:
                    self.members.pop(irc_lower(chan), None)
                else:
                    self.members.get(irc_lower(chan), set()).discard(irc_lower(m.nick))
        elif m.command == "KICK" and len(m.params) >= 2:
            self.members.get(irc_lower(m.params[0]), set()).discard(irc_lower(m.params[1]))
        elif m.command == "QUIT":
            for s in self.members.values():
                s.discard(irc_lower(m.nick))
        elif m.command == "NICK" and m.params:
            old, new = irc_lower(m.nick), irc_lower(m.params[0])
            if old == me:
                self.nick = m.params[0]
            for s in self.members.values():
                if old in s:
                    s.discard(old)
                    s.add(new)

    def wait_for(self, pred: Callable[[Message], bool], deadline: float, what: str,
                 keep_others: bool = True) -> Message:
        skipped = []
        try:
            while True:
                m = self.read(deadline)
                if m is None:
                    raise Timeout(f"timed out waiting for {what}")
                if pred(m):
                    return m
                if keep_others:
                    skipped.append(m)
        finally:
            self.pending = skipped + self.pending

    # -- registration ------------------------------------------------------------------------
    def connect(self, deadline: float, register: bool = True) -> None:
        """Opens the connection and registers (CAP LS 302, SASL, 001). With register=False,
        stops after the CAP LS reply (enough to read the offered capabilities)."""
        self.open(deadline)
        if self.password:
            self.send(f"PASS :{self.password}")
        self.send("CAP LS 302")
        self.send(f"NICK {self.nick}")
        self.send(f"USER {self.username} 0 * :{self.realname}")
        ls_done = False
        while not ls_done:
            m = self.read(deadline)
            if m is None:
                raise RegistrationError("timed out waiting for CAP LS / welcome")
            if m.command == "CAP" and len(m.params) >= 3 and m.params[1] == "LS":
                more = len(m.params) >= 4 and m.params[2] == "*"
                for item in m.text.split():
                    k, _, v = item.partition("=")
                    self.offered_caps[k] = v
                ls_done = not more
            elif m.command == "001":  # server without CAP
                self._welcome(m)
                return
            elif m.command in ("432", "433", "436"):
                self._alt_nick()
            elif m.command == "421" and m.params[1:2] == ["CAP"]:
                ls_done = True
        if not register:
            return
        req = [c for c in self.want_caps if c in self.offered_caps]
        if self.sasl:
            if "sasl" not in self.offered_caps:
                raise RegistrationError("SASL requested but the server does not offer the sasl "
                                        f"capability (offered: {' '.join(sorted(self.offered_caps))})")
            req.append("sasl")
        if req:
            self.send("CAP REQ :" + " ".join(req))
            m = self.wait_for(lambda m: m.command == "CAP" and len(m.params) >= 3
                              and m.params[1] in ("ACK", "NAK"), deadline, "CAP ACK")
            if m.params[1] == "NAK":
                raise RegistrationError(f"server refused CAP REQ {' '.join(req)}")
            self.enabled_caps = set(m.text.split())
        if self.sasl:
            self._sasl_plain(deadline)
        self.send("CAP END")
        while True:
            m = self.read(deadline)
            if m is None:
                raise RegistrationError("timed out waiting for 001 welcome")
            if m.command == "001":
                self._welcome(m)
                break
            if m.command in ("432", "433", "436"):
                self._alt_nick()
            elif m.command == "900" and len(m.params) >= 3:
                self.account = m.params[2]
            elif m.command in ("465", "463", "464"):
                raise RegistrationError(f"registration refused: {m.raw}")
        # Collect ISUPPORT until end of MOTD (376/422) without losing other messages.
        end = min(deadline, time.time() + 5)
        skipped = []
        while True:
            m = self.read(end)
            if m is None or m.command in ("376", "422"):
                break
            if m.command == "005":
                for tok in m.params[1:-1]:
                    k, _, v = tok.partition("=")
                    self.isupport[k] = v
            elif m.command not in ("002", "003", "004", "251", "252", "253", "254", "255",
                                   "265", "266", "250", "375", "372"):
                skipped.append(m)
        self.pending = skipped + self.pending

    def _welcome(self, m: Message) -> None:
        self.registered = True
        if m.params:
            self.nick = m.params[0]

    def _alt_nick(self) -> None:
        self.nick = self.nick + "_"
        self.send(f"NICK {self.nick}")

    def _sasl_plain(self, deadline: float) -> None:
        account, _, pw = self.sasl.partition(":")
        self.send("AUTHENTICATE PLAIN")
        self.wait_for(lambda m: m.command == "AUTHENTICATE", deadline, "AUTHENTICATE +")
        payload = base64.b64encode(f"{account}\0{account}\0{pw}".encode()).decode()
        chunks = [payload[i:i + 400] for i in range(0, len(payload), 400)] or ["+"]
        if len(chunks[-1]) == 400:
            chunks.append("+")
        for c in chunks:
            self.send(f"AUTHENTICATE {c}")
        while True:
            m = self.read(deadline)
            if m is None:
                raise RegistrationError("timed out waiting for the SASL result")
            if m.command == "900" and len(m.params) >= 3:
                self.account = m.params[2]
            elif m.command == "903":
                return
            elif m.command in ("902", "904", "905", "906", "907", "908"):
                raise RegistrationError(f"SASL PLAIN failed for {account}: {m.command} {m.text}")

    # -- channel operations --------------------------------------------------------------------
    def join(self, channel: str, deadline: float) -> None:
        self.send(f"JOIN {channel}")
        chan = irc_lower(channel)

        def done(m: Message) -> bool:
            if m.command == "366" and len(m.params) >= 2 and irc_lower(m.params[1]) == chan:
                return True
            if m.command in ("403", "405", "471", "473", "474", "475", "476", "477", "489") \
                    and irc_lower(m.params[1] if len(m.params) > 1 else "") == chan:
                raise IRCError(f"cannot join {channel}: {m.command} {m.text}")
            return False
        self.wait_for(done, deadline, f"JOIN {channel} (end of NAMES)")

    def has_member(self, channel: str, nick: str) -> bool:
        return irc_lower(nick) in self.members.get(irc_lower(channel), set())

    def wait_for_member(self, channel: str, nick: str, deadline: float) -> None:
        if self.has_member(channel, nick):
            return
        self.wait_for(lambda m: self.has_member(channel, nick), deadline,
                      f"{nick} to be in {channel}")

    def privmsg(self, target: str, text: str, notice: bool = False) -> None:
        self.send(f"{'NOTICE' if notice else 'PRIVMSG'} {target} :{text}")

    def quit(self, reason: str = "bye") -> None:
        try:
            if self.sock:
                self.send(f"QUIT :{reason}")
                # Give the server a moment to flush what we sent before the socket closes.
                end = time.time() + 1
                try:
                    while self._read_line(end) is not None:
                        pass
                except IRCError:
                    pass
        except OSError:
            pass
        finally:
            self.close()

    def is_chat_for(self, m: Message, channel: Optional[str]) -> bool:
        """A PRIVMSG/NOTICE in CHANNEL or addressed to this client (not server notices)."""
        if m.command not in ("PRIVMSG", "NOTICE") or "!" not in m.prefix:
            return False
        tgt = irc_lower(m.target)
        return tgt == irc_lower(self.nick) or (channel is not None and tgt == irc_lower(channel))


# --------------------------------------------------------------------------------------------
# CLI


def Output(as_json: bool, start: float) -> _Output:
    return _Output(as_json, start, lambda m: m.raw)


def _client(args) -> IRCClient:
    caps = DEFAULT_CAPS if args.caps is None else [c for c in args.caps.split(",") if c]
    return IRCClient(args.host, args.port, args.nick, tls=args.tls, cafile=args.cafile,
                     insecure=args.insecure, servername=args.servername, sasl=args.sasl,
                     username=args.username, realname=args.realname, password=args.password,
                     want_caps=caps, verbose=args.verbose, certfile=args.certfile, keyfile=args.keyfile)


def _matcher(args, c: IRCClient, channel: Optional[str], regex: Optional[str]):
    rx = re.compile(regex) if regex else None
    frm = irc_lower(args.sender) if getattr(args, "sender", None) else None

    def match(m: Message) -> bool:
        if not c.is_chat_for(m, channel):
            return False
        if irc_lower(m.nick) == irc_lower(c.nick) and not getattr(args, "include_self", False):
            return False
        if frm and irc_lower(m.nick) != frm:
            return False
        if args.require_account and not m.tags.get("account"):
            return False
        return rx is None or bool(rx.search(strip_formatting(m.text)))
    return match


def cmd_caps(args, c: IRCClient, deadline: float) -> int:
    c.connect(deadline, register=bool(args.sasl))
    print("caps=" + " ".join(f"{k}={v}" if v else k for k, v in sorted(c.offered_caps.items())))
    if c.registered:
        print("enabled=" + " ".join(sorted(c.enabled_caps)))
        print(f"nick={c.nick} account={c.account or ''}")
        print("isupport=" + " ".join(f"{k}={v}" if v else k for k, v in sorted(c.isupport.items())))
    missing = [r for r in args.require if r not in c.offered_caps]
    if missing:
        print(f"error: capability not offered: {' '.join(missing)}", file=sys.stderr)
        return 1
    return 0


def cmd_register(args, c: IRCClient, deadline: float) -> int:
    c.connect(deadline)
    email = args.email or f"{c.nick}@example.com"
    c.privmsg("NickServ", f"REGISTER {args.reg_password} {email}")
    # Anope: "Nickname alice registered." (and "... registered and protected" is only the
    # notice a registered nick gets on connect, not an answer).
    ok = re.compile(r"\bregistered\.\s*$|account .* (has been )?created", re.I)
    bad = re.compile(r"already|must|cannot|can't|denied|invalid|too |isn't|forbidden"
                     r"|unknown|disabled|passcode|confirm", re.I)
    while True:
        m = c.wait_for(lambda m: m.command == "NOTICE" and irc_lower(m.nick) == "nickserv",
                       deadline, "NickServ's reply to REGISTER", keep_others=False)
        text = strip_formatting(m.text)
        print(f"NickServ: {text}")
        if re.search(r"registered and protected|please choose a different nick|If it is your",
                     text, re.I):
            continue  # the connect-time warning for a registered nick, not our answer
        if bad.search(text):
            print(f"error: NickServ refused REGISTER for {c.nick}: {text}", file=sys.stderr)
            return 1
        if ok.search(text):
            return 0


def cmd_say(args, c: IRCClient, deadline: float) -> int:
    c.connect(deadline)
    if args.channel:
        c.join(args.channel, deadline)
    for n in args.wait_for_nick or []:
        c.wait_for_member(args.channel, n, deadline)
    _ready(args)
    if args.delay:
        time.sleep(args.delay)
    target = args.to or args.channel
    if not target:
        print("error: say needs --channel or --to", file=sys.stderr)
        return 2
    out = Output(args.json, time.time())
    # Only what arrives after our text can be a reply to it.
    c.pending = [m for m in c.pending if m.command not in ("PRIVMSG", "NOTICE")]
    for t in args.text:
        c.privmsg(target, t, notice=args.notice)
    if not args.expect:
        return 0
    match = _matcher(args, c, args.channel, args.expect)
    got = 0
    try:
        while got < args.expect_count:
            out.message(c.wait_for(match, deadline, f"a message matching {args.expect!r}",
                                   keep_others=False))
            got += 1
    except Timeout:
        return expect_failed(args, got, args.expect)
    return 0


def cmd_watch(args, c: IRCClient, deadline: float) -> int:
    c.connect(deadline)
    for ch in args.channel:
        c.join(ch, deadline)
    for n in args.wait_for_nick or []:
        c.wait_for_member(args.channel[0], n, deadline)
    _ready(args)
    w = Watch(args, Output(args.json, time.time()), deadline, "channel")
    matchers = [_matcher(args, c, ch, args.match) for ch in args.channel]
    while w.more():
        m = c.read(w.until())
        if m is None:
            if w.quiet():
                break
            return w.gave_up()
        if any(f(m) for f in matchers):
            w.matched(m)
    return w.verdict()


def cmd_invite(args, c: IRCClient, deadline: float) -> int:
    c.connect(deadline)
    c.join(args.channel, deadline)
    _ready(args)
    c.send(f"INVITE {args.target} {args.channel}")

    def answered(m: Message) -> bool:
        if m.command == "341":
            return True
        if m.command in ("401", "443", "482", "442", "518", "519"):
            raise IRCError(f"INVITE {args.target} {args.channel} refused: {m.command} {m.text}")
        return False
    c.wait_for(answered, deadline, "RPL_INVITING (341)")
    print(f"invited {args.target} to {args.channel}")
    if args.expect_join:
        c.wait_for_member(args.channel, args.target, deadline)
        print(f"{args.target} joined {args.channel}")
    return 0


def cmd_script(args, c: IRCClient, deadline: float) -> int:
    """One connection through a list of steps, so a test can act and watch across gateway
    restarts (the channel lives as long as this client sits in it). Steps (shell words):
      join CHAN | part CHAN | invite NICK CHAN | say TARGET TEXT | mode CHAN MODES [ARG...]
      kick CHAN NICK [REASON] | mark (later expect-msg/expect-count look only at what follows)
      expect-join NICK CHAN [S] | expect-part NICK CHAN [S] | expect-absent NICK CHAN S
      expect-msg FROM TARGET REGEX [S]   (TARGET: a channel, or "me" for a private message)
      expect-count FROM TARGET REGEX S N (exactly N matching lines within S seconds)
      expect-mode FROM CHAN REGEX [S]    (a MODE line from FROM whose modes+args match REGEX)
      signal FILE | wait-file FILE [S] | sleep S
    Every wait is bounded by its S (default 30) and by --timeout; the first failing step fails
    the command, naming the step."""
    import shlex
    c.connect(deadline)
    history: list = []      # every PRIVMSG/NOTICE/MODE seen, in order
    cursor = [0]

    def pump(until: float) -> bool:
        """Reads one message (or times out at UNTIL); False when nothing came."""
        m = c.read(min(until, deadline))
        if m is None:
            return False
        if m.command in ("PRIVMSG", "NOTICE", "MODE"):
            history.append(m)
        return True

    def wait(pred, seconds: float, what: str) -> None:
        until = min(deadline, time.time() + seconds)
        while not pred():
            if time.time() >= until:
                raise Timeout(f"timed out after {seconds:.0f}s waiting for {what}")
            pump(min(until, time.time() + 0.5))  # a quiet channel must not hide a file appearing

    def msg_matches(m: Message, frm: str, target: str, rx) -> bool:
        if m.command not in ("PRIVMSG", "NOTICE") or irc_lower(m.nick) != irc_lower(frm):
            return False
        want = irc_lower(c.nick) if target == "me" else irc_lower(target)
        return irc_lower(m.target) == want and bool(rx.search(strip_formatting(m.text)))

    for step in args.step:
        words = shlex.split(step)
        op, rest = words[0], words[1:]
        secs = lambda i, d=30.0: float(rest[i]) if len(rest) > i else d  # noqa: E731
        print(f"step: {step}", flush=True)
        if op == "join":
            c.join(rest[0], deadline)
        elif op == "part":
            c.send(f"PART {rest[0]} :bye")
        elif op == "invite":
            c.send(f"INVITE {rest[0]} {rest[1]}")
        elif op == "say":
            c.privmsg(rest[0], " ".join(rest[1:]))
        elif op == "mode":
            c.send(f"MODE {' '.join(rest)}")
        elif op == "kick":
            c.send(f"KICK {rest[0]} {rest[1]} :{' '.join(rest[2:]) or 'test kick'}")
        elif op == "mark":
            cursor[0] = len(history)
        elif op == "expect-join":
            wait(lambda: c.has_member(rest[1], rest[0]), secs(2), f"{rest[0]} to join {rest[1]}")
        elif op == "expect-part":
            wait(lambda: not c.has_member(rest[1], rest[0]), secs(2), f"{rest[0]} to leave {rest[1]}")
        elif op == "expect-absent":
            until = min(deadline, time.time() + secs(2))
            while time.time() < until:
                if c.has_member(rest[1], rest[0]):
                    raise IRCError(f"{rest[0]} is in {rest[1]} (it must stay out)")
                pump(until)
            if c.has_member(rest[1], rest[0]):
                raise IRCError(f"{rest[0]} is in {rest[1]} (it must stay out)")
        elif op == "expect-msg":
            rx = re.compile(rest[2])
            found = []

            def seen() -> bool:
                for m in history[cursor[0]:]:
                    if msg_matches(m, rest[0], rest[1], rx):
                        found.append(m)
                        return True
                return False
            wait(seen, secs(3), f"a line from {rest[0]} to {rest[1]} matching {rest[2]!r}")
            print(f"  got: {strip_formatting(found[0].text)}", flush=True)
        elif op == "expect-count":
            rx = re.compile(rest[2])
            until = min(deadline, time.time() + secs(3))
            while time.time() < until:
                pump(until)
            got = [m for m in history[cursor[0]:] if msg_matches(m, rest[0], rest[1], rx)]
            for m in got:
                print(f"  got: {strip_formatting(m.text)}", flush=True)
            if len(got) != int(rest[4]):
                raise IRCError(f"{len(got)} lines from {rest[0]} to {rest[1]} matching {rest[2]!r}, expected {rest[4]}")
        elif op == "expect-mode":
            rx = re.compile(rest[2])
            wait(lambda: any(m.command == "MODE" and irc_lower(m.nick) == irc_lower(rest[0])
                             and irc_lower(m.target) == irc_lower(rest[1])
                             and rx.search(" ".join(m.params[1:])) for m in history[cursor[0]:]),
                 secs(3), f"MODE {rest[1]} matching {rest[2]!r} from {rest[0]}")
        elif op == "signal":
            with open(rest[0], "w") as f:
                f.write("ok\n")
        elif op == "wait-file":
            wait(lambda: os.path.exists(rest[0]), secs(1, 120), f"the file {rest[0]}")
        elif op == "sleep":
            until = min(deadline, time.time() + float(rest[0]))
            while time.time() < until:
                pump(until)
        else:
            print(f"error: unknown step {op!r}", file=sys.stderr)
            return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--tls", action="store_true", help="implicit TLS (verify against --cafile)")
    p.add_argument("--cafile", help="CA certificate(s) to trust (PEM)")
    p.add_argument("--insecure", action="store_true", help="TLS without certificate verification")
    p.add_argument("--servername", help="TLS server name to verify (default: --host)")
    p.add_argument("--nick", default=f"t{os.getpid()}")
    p.add_argument("--username", default="tester")
    p.add_argument("--realname", default="Tocsin integration test")
    p.add_argument("--password", help="server password (PASS)")
    p.add_argument("--sasl", metavar="ACCOUNT:PASSWORD", help="authenticate with SASL PLAIN")
    p.add_argument("--certfile", help="TLS client certificate (PEM), e.g. for NickServ CERT ADD")
    p.add_argument("--keyfile", help="key of --certfile (default: in the same file)")
    p.add_argument("--caps", help="comma-separated capabilities to request if offered "
                   f"(default: {','.join(DEFAULT_CAPS)})")
    p.add_argument("--timeout", type=float, default=20, help="bound for the whole command (s)")
    p.add_argument("--verbose", "-v", action="store_true", help="log raw traffic to stderr")
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("caps", help="print offered capabilities (registers only with --sasl)")
    s.add_argument("--require", action="append", default=[], metavar="CAP")

    s = sub.add_parser("register", help="register the nick with NickServ")
    s.add_argument("--password", dest="reg_password", required=True)
    s.add_argument("--email")

    def common(s, multi_channel=False):
        if multi_channel:
            s.add_argument("--channel", action="append", required=True)
        else:
            s.add_argument("--channel")
        s.add_argument("--wait-for-nick", action="append", metavar="NICK",
                       help="wait until NICK is in the (first) channel")
        s.add_argument("--from", dest="sender", metavar="NICK", help="only messages from NICK")
        s.add_argument("--require-account", action="store_true",
                       help="only messages carrying an account tag")
        s.add_argument("--include-self", action="store_true", help="also match own (echoed) messages")
        s.add_argument("--json", action="store_true", help="JSON lines with timestamps")
        s.add_argument("--ready-file", help="written once joined (to sequence shell tests)")

    s = sub.add_parser("say", help="join, send text, optionally wait for a matching reply")
    common(s)
    add_say_options(s)
    s.add_argument("--to", metavar="NICK", help="send to NICK instead of the channel")
    s.add_argument("--notice", action="store_true")

    s = sub.add_parser("watch", help="join and count messages matching --match")
    common(s, multi_channel=True)
    add_watch_options(s)

    s = sub.add_parser("script", help="run --step words in order on one connection (see cmd_script)")
    s.add_argument("--step", action="append", required=True)

    s = sub.add_parser("invite", help="join (create) a channel and invite --target")
    s.add_argument("--channel", required=True)
    s.add_argument("--target", required=True)
    s.add_argument("--expect-join", action="store_true")
    s.add_argument("--ready-file")
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    c = _client(args)
    deadline = time.time() + args.timeout
    handlers = {"caps": cmd_caps, "register": cmd_register, "say": cmd_say,
                "watch": cmd_watch, "invite": cmd_invite, "script": cmd_script}
    try:
        return handlers[args.cmd](args, c, deadline)
    except IRCError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130
    finally:
        c.quit()


if __name__ == "__main__":
    sys.exit(main())
