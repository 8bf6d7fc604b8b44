#!/usr/bin/python3
"""A tiny webhook receiver for the simulator's self-test: records every POST (headers and raw body)
as one JSON line in --out and answers 202, or --status for the first --fail-first deliveries."""

import argparse
import json
import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--fail-first", type=int, default=0, help="answer --status to this many deliveries first")
    parser.add_argument("--status", type=int, default=500)
    parser.add_argument("--pid-file")
    args = parser.parse_args()
    lock = threading.Lock()
    state = {"seen": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                state["seen"] += 1
                status = args.status if state["seen"] <= args.fail_first else 202
                with open(args.out, "a") as handle:
                    handle.write(json.dumps({"path": self.path, "headers": dict(self.headers.items()),
                                             "body": body.decode("utf-8"), "answered": status}) + "\n")
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    if args.pid_file:
        with open(args.pid_file, "w") as handle:
            handle.write("%d\n" % os.getpid())
    # A parent may have blocked signals (test runners' threads do); stopping by PID must still work.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    print("webhook-receiver listening on http://127.0.0.1:%d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
