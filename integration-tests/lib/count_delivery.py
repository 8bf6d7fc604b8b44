#!/usr/bin/env python3
"""Counts what a watcher saw: for each expected item, how many times it arrived.

Reads the JSON lines written by `ircclient.py watch --json` or `xmppclient.py watch --json`, takes
the text (`text` for IRC, `body` for XMPP; XMPP history replays count as delivered but never as
duplicates), extracts an item key with REGEX (its first group), and
prints one line:  NAME: expected E, delivered D, missing M, duplicates K
(with the repeated keys and how many times each arrived). The line is also appended to SUMMARY
when given. Exits 1 when anything is missing, when FILE is missing or empty, or when more than
MAX_DUPLICATES repeats arrived (default 1: a crash may repeat at most the one message the server
had accepted when the gateway died; the fault suite counts one room per fault).

usage: count_delivery.py NAME FILE REGEX EXPECTED_KEYS... [--summary FILE] [--max-duplicates N]
EXPECTED_KEYS may be given as a range `1..200`.
"""
import os
import json
import re
import sys
from collections import Counter


def main(argv):
    summary = None
    if "--summary" in argv:
        i = argv.index("--summary")
        summary = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    max_duplicates = 1
    if "--max-duplicates" in argv:
        i = argv.index("--max-duplicates")
        max_duplicates = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    name, path, pattern = argv[0], argv[1], re.compile(argv[2])
    expected = []
    for key in argv[3:]:
        if ".." in key:
            lo, hi = key.split("..")
            expected += [str(n) for n in range(int(lo), int(hi) + 1)]
        else:
            expected.append(key)
    if not os.path.isfile(path) or os.path.getsize(path) == 0:
        result = f"{name}: no watcher output in {path} (missing or empty): nothing can be counted"
        print(result)
        if summary:
            with open(summary, "a", encoding="utf-8") as f:
                f.write(result + "\n")
        return 1
    seen = Counter()        # live deliveries (duplicates are counted among these)
    from_history = set()    # XMPP room history replayed to a watcher that rejoined: delivered, not counted twice
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            text = record.get("text") or record.get("body") or ""
            for m in pattern.finditer(text):
                if record.get("delayed"):
                    from_history.add(m.group(1))
                else:
                    seen[m.group(1)] += 1
    delivered = sum(1 for k in expected if seen[k] > 0 or k in from_history)
    duplicates = sum(seen[k] - 1 for k in expected if seen[k] > 1)
    missing = [k for k in expected if seen[k] == 0 and k not in from_history]
    result = f"{name}: expected {len(expected)}, delivered {delivered}, missing {len(missing)}, duplicates {duplicates}"
    if missing:
        result += f" (first missing: {', '.join(missing[:10])})"
    repeated = sorted((k for k in expected if seen[k] > 1), key=lambda k: (len(k), k))
    if repeated:
        result += " (repeated: " + ", ".join(f"{k}×{seen[k]}" for k in repeated[:20]) + ")"
    too_many = duplicates > max_duplicates
    if too_many:
        result += f" — more than {max_duplicates} repeat(s) allowed"
    print(result)
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(result + "\n")
    return 1 if missing or too_many else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
