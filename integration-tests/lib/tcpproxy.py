#!/usr/bin/env python3
"""A TCP relay that can drop every connection abruptly, for fault-injection tests.

usage: tcpproxy.py LISTEN_PORT TARGET_PORT [--pid-file F]
Listens on 127.0.0.1:LISTEN_PORT and relays bytes to 127.0.0.1:TARGET_PORT (TLS passes through
untouched). On SIGUSR1 every open connection is reset on both sides (SO_LINGER 0 → RST), as a
broken NAT or a pulled cable would; new connections are accepted again at once.
"""
import os
import select
import signal
import socket
import struct
import sys
import threading

connections = set()
lock = threading.Lock()


def reset(sock):
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except OSError:
        pass


def drop_all(*_):
    with lock:
        victims = list(connections)
        connections.clear()
    for a, b in victims:
        reset(a)
        reset(b)
    print(f"tcpproxy: reset {len(victims)} connection(s)", file=sys.stderr, flush=True)


def relay(client, target_port):
    try:
        upstream = socket.create_connection(("127.0.0.1", target_port), timeout=10)
    except OSError:
        reset(client)
        return
    upstream.settimeout(None)
    pair = (client, upstream)
    with lock:
        connections.add(pair)
    try:
        while True:
            readable, _, _ = select.select([client, upstream], [], [], 600)
            if not readable:
                break
            for s in readable:
                data = s.recv(65536)
                if not data:
                    raise ConnectionError
                (upstream if s is client else client).sendall(data)
    except (OSError, ConnectionError, ValueError):
        pass
    finally:
        with lock:
            connections.discard(pair)
        for s in pair:
            try:
                s.close()
            except OSError:
                pass


def main():
    args = sys.argv[1:]
    pid_file = None
    if "--pid-file" in args:
        i = args.index("--pid-file")
        pid_file = args[i + 1]
        del args[i:i + 2]
    listen_port, target_port = int(args[0]), int(args[1])
    if pid_file:
        with open(pid_file, "w") as f:
            f.write(str(os.getpid()))
    signal.signal(signal.SIGUSR1, drop_all)
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", listen_port))
    server.listen(64)
    while True:
        try:
            client, _ = server.accept()
        except InterruptedError:
            continue
        threading.Thread(target=relay, args=(client, target_port), daemon=True).start()


if __name__ == "__main__":
    main()
