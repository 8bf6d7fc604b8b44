#!/usr/bin/env python3
"""Slow-loris peers for the fault and intake suites.

Server (faults.sh): accepts connections and trickles one byte per second, never a whole line or
element, so a client that waits for a complete greeting would wait forever.

    slowloris.py PORT irc|xmpp

Client (intake.sh): attacks an HTTP server the way slowloris does.

    slowloris.py hold HOST PORT COUNT SOURCE READY_FILE
        opens COUNT connections from the local address SOURCE (e.g. 127.0.0.2), sends each an
        unfinished request head, and keeps them open until killed (attempts stop after 20 s). Writes "opened N" to
        READY_FILE once every connection was attempted, then "open N" (connections the server
        has not closed) every second.
    slowloris.py trickle HOST PORT SECONDS
        sends a request head one byte per second from 127.0.0.1 and prints how many seconds
        passed before the server closed the connection ("closed after 10.0"), or "still open"
        after SECONDS. Exit status 0 when closed, 1 when still open.
"""
import os
import select
import socket
import sys
import threading
import time

GREETINGS = {
    "irc": b":slow.example NOTICE * :*** Looking up your hostname, very slowly" * 50,
    "xmpp": b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            b"xmlns:stream='http://etherx.jabber.org/streams' from='localhost' id='slow' version='1.0'>",
}

HALF_REQUEST = b"POST /v2/enqueue HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"


def trickle(conn, greeting):
    try:
        for byte in greeting:
            conn.sendall(bytes([byte]))
            time.sleep(1)
    except OSError:
        pass
    finally:
        conn.close()


def serve(port, kind):
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    greeting = GREETINGS[kind]
    server.listen(16)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=trickle, args=(conn, greeting), daemon=True).start()


def write_atomically(path, text):
    with open(path + ".tmp", "w") as handle:
        handle.write(text + "\n")
    os.replace(path + ".tmp", path)


def still_open(conn):
    """False once the server closed (EOF or reset); data the server sent is drained."""
    try:
        poller = select.poll()  # select() cannot watch descriptors above 1023
        poller.register(conn, select.POLLIN)
        if not poller.poll(0):
            return True
        return conn.recv(4096) != b""
    except OSError:
        return False


def hold(host, port, count, source, ready_file):
    conns = []
    give_up = time.monotonic() + 20  # a server that stopped accepting makes each connect time out
    for _ in range(count):
        if time.monotonic() > give_up:
            break
        conn = socket.socket()
        conn.settimeout(1)
        try:
            conn.bind((source, 0))
            conn.connect((host, port))
            conn.sendall(HALF_REQUEST)
            conns.append(conn)
        except OSError:
            conn.close()
    write_atomically(ready_file, f"opened {len(conns)}")
    while True:
        conns = [conn for conn in conns if still_open(conn) or conn.close()]
        write_atomically(ready_file, f"open {len(conns)}")
        time.sleep(1)


def trickle_request(host, port, seconds):
    conn = socket.create_connection((host, port), timeout=5)
    start = time.monotonic()
    request = HALF_REQUEST + b"X-Slow: " + b"a" * 1000
    for byte in request:
        if time.monotonic() - start > seconds:
            break
        try:
            conn.sendall(bytes([byte]))
        except OSError:
            print(f"closed after {time.monotonic() - start:.1f}")
            return 0
        if not still_open(conn):
            print(f"closed after {time.monotonic() - start:.1f}")
            return 0
        time.sleep(1)
    print("still open")
    return 1


def main():
    if sys.argv[1] == "hold":
        hold(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6])
    elif sys.argv[1] == "trickle":
        sys.exit(trickle_request(sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))
    else:
        serve(int(sys.argv[1]), sys.argv[2])


if __name__ == "__main__":
    main()
