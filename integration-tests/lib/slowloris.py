#!/usr/bin/env python3
"""A slow-loris *server*: accepts connections and trickles one byte per second, never a whole
line or element, so a client that waits for a complete greeting would wait forever.

usage: slowloris.py PORT irc|xmpp
"""
import socket
import sys
import threading
import time

GREETINGS = {
    "irc": b":slow.example NOTICE * :*** Looking up your hostname, very slowly" * 50,
    "xmpp": b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            b"xmlns:stream='http://etherx.jabber.org/streams' from='localhost' id='slow' version='1.0'>",
}


def trickle(conn, greeting):
    try:
        for byte in greeting:
            conn.sendall(bytes([byte]))
            time.sleep(1)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", int(sys.argv[1])))
    greeting = GREETINGS[sys.argv[2]]
    server.listen(16)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=trickle, args=(conn, greeting), daemon=True).start()


if __name__ == "__main__":
    main()
