"""What the scripted IRC and XMPP test clients share: errors that carry the CLI's exit code,
printing of captured messages (plain or JSON lines), the ready file that sequences tests, the
options of `say --expect` and `watch`, and the counting and verdict of `watch` (each client only
reads: IRC from a socket, XMPP from slixmpp's event loop).

Exit codes: 0 ok, 1 expectation not met (timeout), 2 usage, 3 connect/TLS failure,
4 authentication/registration failure, 5 connection closed by the server.
"""
from __future__ import annotations

import json
import os
import sys
import time
from typing import Any, Callable


class ClientError(Exception):
    exit_code = 1


class ConnectError(ClientError):
    exit_code = 3


class AuthError(ClientError):
    exit_code = 4


class ClosedError(ClientError):
    exit_code = 5


class Timeout(ClientError):
    exit_code = 1


class Output:
    """Prints captured messages: `describe(m)` as text, or `m.to_json()` plus the time since start."""

    def __init__(self, as_json: bool, start: float, describe: Callable[[Any], str]):
        self.as_json, self.start, self.describe = as_json, start, describe

    def message(self, m) -> None:
        if self.as_json:
            d = m.to_json()
            d["elapsed"] = round(m.received - self.start, 6)
            print(json.dumps(d, ensure_ascii=False), flush=True)
        else:
            print(self.describe(m), flush=True)

    def summary(self, **kw) -> None:
        if self.as_json:
            print(json.dumps({"summary": kw}), flush=True)
        else:
            print(" ".join(f"{k}={v}" for k, v in kw.items()), flush=True)


def write_ready_file(args) -> None:
    """Signals a waiting shell test that the client has joined (`--ready-file`)."""
    if getattr(args, "ready_file", None):
        with open(args.ready_file, "w") as f:
            f.write(f"{os.getpid()}\n")


def add_say_options(s) -> None:
    """`say`: the text to send, and the replies to wait for (`expect_failed` says what was missing)."""
    s.add_argument("--text", action="append", required=True)
    s.add_argument("--delay", type=float, default=0, help="seconds to wait before sending")
    s.add_argument("--expect", metavar="REGEX")
    s.add_argument("--expect-count", type=int, default=1)


def add_watch_options(s) -> None:
    """`watch`: which messages count and when to stop (see `Watch`)."""
    s.add_argument("--match", metavar="REGEX")
    s.add_argument("--expect-count", type=int)
    s.add_argument("--until-quiet", type=float, metavar="SECONDS",
                   help="exit once no matching message arrived for SECONDS")


def expect_failed(args, got: int, regex) -> int:
    """Says that fewer than --expect-count messages matching REGEX came within --timeout; exit 1."""
    print(f"error: received={got} of {args.expect_count} messages matching "
          f"{regex!r} within {args.timeout}s", file=sys.stderr)
    return 1


class Watch:
    """The counting of `watch`: prints each match, knows when to stop and what to exit with.
    Without --expect-count and --until-quiet it captures until --timeout (exit 0); with
    --expect-count N it stops at N matches (exit 1 if --timeout comes first); with --until-quiet S
    it stops once S seconds pass without a match (exit 1 if that never happens within --timeout,
    or if fewer than N came by then). The client's loop:
        while w.more(): read until w.until(); on a match w.matched(m); on nothing:
            if w.quiet(): break, else return w.gave_up()
        return w.verdict()
    PLACE ("channel", "room") names what went quiet in the error."""

    def __init__(self, args, out: Output, deadline: float, place: str):
        self.args, self.out, self.deadline, self.place = args, out, deadline, place
        self.got, self.last = 0, out.start

    def more(self) -> bool:
        a = self.args
        return not (a.expect_count is not None and self.got >= a.expect_count and not a.until_quiet)

    def until(self) -> float:
        """When the next read ends: the overall deadline, or the end of the quiet period."""
        q = self.args.until_quiet
        return min(self.deadline, self.last + q) if q else self.deadline

    def matched(self, m) -> None:
        self.got += 1
        self.last = time.time()
        self.out.message(m)

    def quiet(self) -> bool:
        """A read that ended with no match before the overall deadline ended at the quiet period."""
        return bool(self.args.until_quiet) and time.time() < self.deadline

    def gave_up(self) -> int:
        a = self.args
        self.out.summary(received=self.got, timeout=a.timeout)
        if a.until_quiet:
            print(f"error: never quiet for {a.until_quiet}s within {a.timeout}s "
                  f"(received={self.got})", file=sys.stderr)
            return 1
        if a.expect_count is None:
            return 0  # plain capture for --timeout seconds
        return expect_failed(a, self.got, a.match)

    def verdict(self) -> int:
        a = self.args
        self.out.summary(received=self.got, elapsed=round(time.time() - self.out.start, 3))
        if a.expect_count is not None and self.got < a.expect_count:
            print(f"error: received={self.got} of {a.expect_count} before the {self.place} went quiet",
                  file=sys.stderr)
            return 1
        return 0
