#!/usr/bin/python3
"""A misbehaving IRC server for Tocsin's STARTTLS and STS tests (standard library only).

It plays the attacker on the path (or a broken server) around the TLS upgrade, and records every
line the client sent, with the phase it arrived in, as JSON lines in --record:

  {"listener": "plain"|"tls", "conn": N, "phase": "plaintext"|"tls", "line": "..."}

Modes (--mode):
  inject-before-670  on STARTTLS, first send a forged `:alice!a@h PRIVMSG tocsin :!whoami` and a
                     fake 001 in plaintext, then (1 s later) 670 and a TLS handshake.
  inject-after-670   on STARTTLS, send 670 followed in the same write (one TCP segment) by a forged
                     PRIVMSG, 001 and JOIN; then a real TLS handshake and registration. Once the
                     client joined #ops, a genuine `:carol!c@h PRIVMSG tocsin :!whoami` arrives over
                     TLS (the control: the client does answer commands that arrive over TLS).
  sts                the plain listener offers `sts=port=<--tls-port>,duration=300` in CAP LS and
                     registers nobody; the TLS listener (--tls-port, --cert/--key) registers the
                     client and offers `sts=duration=<--sts-duration>`.

Binds 127.0.0.1 only; writes its PID to --pid-file and exits on SIGTERM. Usage:
  fake_starttls_ircd.py --mode inject-after-670 --port 18090 --cert server.pem --key server.key \
      --record rec.jsonl --pid-file fake.pid
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time

SERVER = "fake.ircd"
lock = threading.Lock()
counter = [0]


def record(path: str, listener: str, conn: int, phase: str, line: str) -> None:
    with lock:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"listener": listener, "conn": conn, "phase": phase, "line": line}) + "\n")


class Conn:
    def __init__(self, sock, args, listener: str, conn: int, phase: str):
        self.sock, self.args, self.listener, self.conn, self.phase = sock, args, listener, conn, phase
        self.buf = b""
        self.nick = "tocsin"

    def send(self, text: str) -> None:
        self.sock.sendall(text.encode())

    def lines(self):
        """Yields received lines until EOF (or a 60 s silence)."""
        self.sock.settimeout(60)
        while True:
            while b"\n" in self.buf:
                raw, self.buf = self.buf.split(b"\n", 1)
                line = raw.rstrip(b"\r").decode("utf-8", "replace")
                record(self.args.record, self.listener, self.conn, self.phase, line)
                yield line
            try:
                data = self.sock.recv(4096)
            except (OSError, ssl.SSLError):
                return
            if not data:
                return
            self.buf += data

    def wrap_tls(self) -> bool:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.args.cert, self.args.key)
        try:
            self.sock.settimeout(15)
            self.sock = ctx.wrap_socket(self.sock, server_side=True)
        except (OSError, ssl.SSLError) as e:
            record(self.args.record, self.listener, self.conn, "event", f"TLS handshake failed: {e}")
            return False
        self.phase = "tls"
        self.buf = b""
        record(self.args.record, self.listener, self.conn, "event", "TLS handshake completed")
        return True

    def register(self, lines, caps: str) -> None:
        """A minimal modern server: CAP LS, NICK/USER, CAP END → 001/005/376; JOIN; PING."""
        got_nick = got_user = cap_end = False
        in_cap = False
        welcomed = False
        for line in lines:
            words = line.split(" ")
            cmd = words[0].upper()
            if cmd == "CAP" and len(words) > 1 and words[1].upper() == "LS":
                in_cap = True
                self.send(f":{SERVER} CAP * LS :{caps}\r\n")
            elif cmd == "CAP" and len(words) > 1 and words[1].upper() == "REQ":
                self.send(f":{SERVER} CAP {self.nick} NAK :{line.split(' ', 2)[2].lstrip(':')}\r\n")
            elif cmd == "CAP" and len(words) > 1 and words[1].upper() == "END":
                cap_end = True
            elif cmd == "NICK" and len(words) > 1:
                self.nick = words[1].lstrip(":")
                got_nick = True
            elif cmd == "USER":
                got_user = True
            elif cmd == "PING":
                self.send(f":{SERVER} PONG {SERVER} :{line.split(' ', 1)[1].lstrip(':')}\r\n")
            elif cmd == "JOIN" and len(words) > 1:
                for channel in words[1].split(","):
                    self.send(f":{self.nick}!bot@127.0.0.1 JOIN {channel}\r\n"
                              f":{SERVER} 366 {self.nick} {channel} :End of /NAMES list.\r\n")
                    if self.args.mode == "inject-after-670":
                        time.sleep(0.5)
                        self.send(":carol!c@127.0.0.1 PRIVMSG tocsin :!whoami\r\n")
            elif cmd == "QUIT":
                self.send(f"ERROR :Closing link\r\n")
                return
            if not welcomed and got_nick and got_user and (cap_end or not in_cap):
                welcomed = True
                self.send(f":{SERVER} 001 {self.nick} :Welcome to the fake network\r\n"
                          f":{SERVER} 005 {self.nick} CHANTYPES=# CASEMAPPING=ascii :are supported\r\n"
                          f":{SERVER} 376 {self.nick} :End of MOTD\r\n")


def serve_plain(sock, args, conn_id: int) -> None:
    c = Conn(sock, args, "plain", conn_id, "plaintext")
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c.send(f":{SERVER} NOTICE * :*** Looking up your hostname...\r\n")
    lines = c.lines()
    if args.mode == "sts":
        for line in lines:
            if line.upper().startswith("CAP LS"):
                c.send(f":{SERVER} CAP * LS :sts=port={args.tls_port},duration=300 server-time\r\n")
        return
    for line in lines:
        if line.upper() != "STARTTLS":
            continue
        if args.mode == "inject-before-670":
            c.send(":alice!a@127.0.0.1 PRIVMSG tocsin :!whoami\r\n"
                   f":{SERVER} 001 tocsin :Welcome (forged, before 670)\r\n")
            time.sleep(1)
            try:
                c.send(f":{SERVER} 670 tocsin :STARTTLS successful, go ahead with TLS handshake\r\n")
            except OSError:
                return
        else:
            # One write, one segment: the reply and the injected lines arrive in the same read.
            c.send(f":{SERVER} 670 tocsin :STARTTLS successful, go ahead with TLS handshake\r\n"
                   ":alice!a@127.0.0.1 PRIVMSG tocsin :!whoami\r\n"
                   f":{SERVER} 001 tocsin :Welcome (forged, after 670)\r\n"
                   ":tocsin!bot@127.0.0.1 JOIN #injected\r\n")
        if c.buf:
            record(args.record, c.listener, c.conn, "plaintext", "<unread bytes> " + c.buf.decode("utf-8", "replace"))
        if not c.wrap_tls():
            return
        c.register(c.lines(), "")
        return


def serve_tls(sock, args, conn_id: int) -> None:
    c = Conn(sock, args, "tls", conn_id, "tls")
    if not c.wrap_tls():
        return
    c.register(c.lines(), f"sts=duration={args.sts_duration}")


def listen(port: int, handler, args) -> None:
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(16)

    def loop():
        while True:
            sock, _ = srv.accept()
            with lock:
                counter[0] += 1
                conn_id = counter[0]

            def run(sock=sock, conn_id=conn_id):
                try:
                    handler(sock, args, conn_id)
                except Exception as e:  # noqa: BLE001 — record, never crash the fake
                    record(args.record, "?", conn_id, "event", f"handler error: {e!r}")
                finally:
                    try:
                        sock.close()
                    except OSError:
                        pass
            threading.Thread(target=run, daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mode", required=True, choices=["inject-before-670", "inject-after-670", "sts"])
    p.add_argument("--port", type=int, required=True, help="plaintext listener")
    p.add_argument("--tls-port", type=int, help="implicit-TLS listener (mode sts)")
    p.add_argument("--sts-duration", type=int, default=3600)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--record", required=True)
    p.add_argument("--pid-file", required=True)
    args = p.parse_args()
    if args.mode == "sts" and not args.tls_port:
        p.error("--mode sts needs --tls-port")
    listen(args.port, serve_plain, args)
    if args.tls_port:
        listen(args.tls_port, serve_tls, args)
    with open(args.pid_file, "w") as f:
        f.write(f"{os.getpid()}\n")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
