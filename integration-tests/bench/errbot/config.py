"""Errbot configuration for Tocsin's benchmark (integration-tests/bench.sh), one bot per backend.

Everything comes from the environment so one file serves the IRC and the XMPP bot:
  ERRBOT_BACKEND      IRC or XMPP
  ERRBOT_DATA_DIR     a fresh directory per run
  ERRBOT_NICK         IRC nick / MUC nick
  ERRBOT_SERVER       127.0.0.1
  ERRBOT_PORT         the server's TLS port (IRC) or c2s port (XMPP, STARTTLS)
  ERRBOT_JID, ERRBOT_PASSWORD     XMPP account
  ERRBOT_CA_FILE      test CA (XMPP certificate verification)
  ERRBOT_ROOMS        comma-separated channels / room JIDs to sit in
  ERRBOT_IRC_RATE     seconds between two lines to a channel (Errbot's own flood control)
  ERRBOT_ASYNC        1 (Errbot's default: commands in a thread pool) or 0 (in the backend's thread)
  INCIDENT_API_URL, INCIDENT_API_TOKEN, INCIDENT_USERS (nick=email,...): for the !ack plugin
"""
import logging
import os

_env = os.environ
BACKEND = _env["ERRBOT_BACKEND"]
BOT_DATA_DIR = _env["ERRBOT_DATA_DIR"]
BOT_EXTRA_PLUGIN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "plugins")
BOT_LOG_FILE = os.path.join(BOT_DATA_DIR, "errbot.log")
BOT_LOG_LEVEL = logging.WARNING  # as Tocsin's `logging: {level: warning}` in the same run
BOT_ADMINS = ("admin@localhost",)
BOT_PREFIX = "!"
# Errbot's default runs commands in a thread pool. Its XMPP backend then sends the reply from that
# thread into slixmpp 1.8's asyncio queue without waking the event loop, so a reply waits for the
# next stanza to arrive (seconds in a quiet room): bench.sh runs the XMPP bot with ERRBOT_ASYNC=0.
BOT_ASYNC = _env.get("ERRBOT_ASYNC", "1") == "1"
BOT_ASYNC_POOLSIZE = 10
SUPPRESS_CMD_NOT_FOUND = True
# Only what a deployment needs: no version check (it calls errbot.io), no web server.
CORE_PLUGINS = ("ACLs", "Help", "Health", "ChatRoom", "Plugins", "Utils", "CommandNotFoundFilter")
CHATROOM_PRESENCE = tuple(r for r in _env.get("ERRBOT_ROOMS", "").split(",") if r)
CHATROOM_FN = _env.get("ERRBOT_NICK", "errbot")
COMPACT_OUTPUT = True

if BACKEND == "IRC":
    BOT_IDENTITY = {
        "nickname": _env.get("ERRBOT_NICK", "errbot"),
        "username": "errbot",
        "server": _env.get("ERRBOT_SERVER", "127.0.0.1"),
        "port": int(_env["ERRBOT_PORT"]),
        # Errbot 6.1's IRC backend wraps the socket with ssl.wrap_socket: TLS without
        # certificate verification (it has no CA option).
        "ssl": True,
    }
    IRC_CHANNEL_RATE = float(_env.get("ERRBOT_IRC_RATE", "0.1"))
    IRC_PRIVATE_RATE = IRC_CHANNEL_RATE
    IRC_RECONNECT_ON_KICK = 5
    IRC_RECONNECT_ON_DISCONNECT = 5
else:
    BOT_IDENTITY = {
        "username": _env["ERRBOT_JID"],
        "password": _env["ERRBOT_PASSWORD"],
        "server": (_env.get("ERRBOT_SERVER", "127.0.0.1"), int(_env["ERRBOT_PORT"])),
    }
    XMPP_CA_CERT_FILE = _env.get("ERRBOT_CA_FILE")
    XMPP_KEEPALIVE_INTERVAL = 60
