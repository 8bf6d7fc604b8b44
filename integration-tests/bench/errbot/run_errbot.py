#!/usr/bin/python3
"""Starts Errbot (Debian's errbot 6.1.7) for Tocsin's benchmark: run_errbot.py CONFIG.

Two Debian packaging mismatches are worked around here, without touching the installed package:
- /usr/bin/errbot refuses to start: its entry point requires deepmerge >= 0.1.0 while Debian 12
  ships 0.0.5 (python3-deepmerge). errbot.cli.main itself runs fine, so it is called directly.
- Errbot's XMPP backend joins rooms with `join_muc(..., wait=True)`, a keyword slixmpp 1.8
  (python3-slixmpp 1.8.3) no longer accepts; the shim drops it (the join is then asynchronous,
  which is how slixmpp 1.8's join_muc works anyway).
"""
import sys


def _slixmpp_join_muc_compat() -> None:
    try:
        from slixmpp.plugins.xep_0045 import XEP_0045
    except ImportError:
        return
    original = XEP_0045.join_muc

    def join_muc(self, room, nick, *args, wait=None, **kwargs):  # noqa: ARG001 - `wait` is dropped
        return original(self, room, nick, *args, **kwargs)

    XEP_0045.join_muc = join_muc


if __name__ == "__main__":
    _slixmpp_join_muc_compat()
    from errbot.cli import main
    sys.argv = ["errbot", "--config", sys.argv[1]]
    sys.exit(main())
