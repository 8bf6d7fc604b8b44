"""What the scripted IRC and XMPP test clients share: errors that carry the CLI's exit code,
printing of captured messages (plain or JSON lines), and the ready file that sequences tests.

Exit codes: 0 ok, 1 expectation not met (timeout), 2 usage, 3 connect/TLS failure,
4 authentication/registration failure, 5 connection closed by the server.
"""
from __future__ import annotations

import json
import os
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
