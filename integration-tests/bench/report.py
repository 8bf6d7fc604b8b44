#!/usr/bin/python3
"""Assembles the benchmark's parts (JSON files in one directory, written by bench.sh and the
drivers) into the result table (stdout) and one JSON document:
  report.py RESULTS_DIR OUT.json
Every figure comes from the same run; a part that is missing or failed shows as "n/a"."""
from __future__ import annotations

import json
import math
import os
import sys

TLS13_RECORD_OVERHEAD = 22  # bytes per TLS 1.3 AES-GCM record: 5 header + 1 content type + 16 tag


def load(directory: str, name: str) -> dict:
    try:
        with open(os.path.join(directory, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def num(value, digits=1):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:,.{digits}f}"


def ratio(a, b):
    try:
        return a / b if a is not None and b else None
    except TypeError:
        return None


def verdict(ok):
    return "n/a" if ok is None else ("met" if ok else "MISSED")


def holds(value, predicate):
    """None (no verdict) when the figure is missing, else whether it meets the target."""
    return None if value is None else bool(predicate(value))


def main() -> int:
    directory, out = sys.argv[1], sys.argv[2]
    machine = load(directory, "machine.json")
    params = load(directory, "params.json")
    inproc = load(directory, "inproc.json")
    rss = load(directory, "rss.json")
    fan = load(directory, "fanout.json")
    rtt = {name: load(directory, f"rtt-{name}.json") for name in
           ("tocsin-irc", "tocsin-xmpp", "tocsinpd-irc", "tocsinpd-xmpp", "errbot-irc", "errbot-xmpp")}
    intake = {name: load(directory, f"intake-{name}.json") for name in ("enqueue", "webhook")}
    crowd = load(directory, "crowd.json")
    rows = []  # (section, figure, value, target, verdict)

    def add(section, figure, value, target="", ok=None):
        rows.append((section, figure, value, target, verdict(ok) if target else ""))

    # 1. Round trip, embedded store
    for proto in ("irc", "xmpp"):
        r = rtt[f"tocsin-{proto}"]
        value = (f"p50 {num(r.get('p50_ms'), 2)} ms, p99 {num(r.get('p99_ms'), 2)} ms "
                 f"(n={r.get('count', 0)}, lost {r.get('timeouts', 'n/a')})") if r.get("count") else f"n/a {r.get('error', '')}"
        add("1 round trip", f"Tocsin {proto.upper()} !ack, embedded store", value)
    share = inproc.get("share", {})
    direct, via = share.get("direct", {}).get("total", {}), share.get("dispatcher", {}).get("total", {})
    add("1 round trip", "Tocsin's own share, in-process (direct calls)",
        f"p50 {num(direct.get('p50_us'))} µs, p99 {num(direct.get('p99_us'))} µs (n={direct.get('count', 0)})",
        "p99 ≤ 300 µs", holds(direct.get("p99_us"), lambda v: v <= 300))
    add("1 round trip", "Tocsin's own share, in-process (via OutboxDispatcher)",
        f"p50 {num(via.get('p50_us'))} µs, p99 {num(via.get('p99_us'))} µs (n={via.get('count', 0)})",
        "p99 ≤ 300 µs", holds(via.get("p99_us"), lambda v: v <= 300))

    # 2. Fan-out
    fanout_result = {}
    irc_f, xmpp_f = fan.get("irc", {}), fan.get("xmpp", {})
    if irc_f:
        lines = irc_f.get("received", 0)
        rate = params.get("irc_commandrate", 10000) / 1000
        allowance = max(0, lines - params.get("irc_threshold", 20)) / rate
        took = irc_f.get("last_room_last_message_s")
        share_of = ratio(allowance, took)
        fanout_result["irc"] = {"lines": lines, "allowance_s": allowance, "took_s": took, "ratio": share_of}
        add("2 fan-out", f"InspIRCd: {fan.get('incidents')} incidents × {irc_f.get('rooms')} channels",
            f"last line after {num(took)} s; allowance {num(allowance)} s "
            f"({params.get('irc_threshold')} lines, then {rate:g}/s); {lines} lines",
            "≥ 90 % of allowance", holds(share_of, lambda v: v >= 0.9 and irc_f.get("complete")))
        add("2 fan-out", "InspIRCd: share of the flood allowance", f"{num(100 * share_of if share_of else None)} %")
    if xmpp_f:
        sock = fan.get("xmpp_bot_socket", {})
        tls_bytes = sock.get("bytes_sent", 0)
        plain = max(0, tls_bytes - TLS13_RECORD_OVERHEAD * sock.get("data_segs_out", 0))
        rate = params.get("xmpp_rate_bytes", 10000)
        burst = rate * params.get("xmpp_burst_seconds", 2)
        allowance = max(0, plain - burst) / rate
        took = xmpp_f.get("last_room_last_message_s")
        share_of = ratio(allowance, took)
        fanout_result["xmpp"] = {"messages": xmpp_f.get("received"), "tls_bytes": tls_bytes,
                                 "plaintext_bytes_estimate": plain, "allowance_s": allowance,
                                 "took_s": took, "ratio": share_of}
        add("2 fan-out", f"Prosody: {fan.get('incidents')} incidents × {xmpp_f.get('rooms')} rooms",
            f"last message after {num(took)} s; allowance {num(allowance)} s "
            f"(~{plain // 1000} kB at {rate // 1000} kB/s after a {burst // 1000} kB burst); "
            f"{xmpp_f.get('received')} messages",
            "≥ 90 % of allowance", holds(share_of, lambda v: v >= 0.9 and xmpp_f.get("complete")))
        add("2 fan-out", "Prosody: share of the flood allowance", f"{num(100 * share_of if share_of else None)} %")
    disconnects = params.get("fanout_disconnects")
    add("2 fan-out", "disconnects (bot and watchers)", "n/a" if disconnects is None else str(disconnects),
        "0", holds(disconnects, lambda v: v == 0))

    # 3. Intake
    for name, label in (("enqueue", "POST /v2/enqueue (embedded)"), ("webhook", "POST /webhooks/pagerduty (signed)")):
        w = intake[name]
        if not w.get("requests"):
            add("3 intake", label, f"n/a {w.get('error', '')}")
            continue
        seconds = w["duration_us"] / 1e6
        stored = w.get("outbox_rows")
        add("3 intake", label,
            f"{num(w['requests'] / seconds, 0)} events/s, p50 {num(w['latency_us']['p50'] / 1000, 2)} ms, "
            f"p99 {num(w['latency_us']['p99'] / 1000, 2)} ms ({w['requests']} in {num(seconds)} s, "
            f"{w.get('connections')} connections; non-202 {w['non_202']}; outbox rows {stored})",
            # A rate of refusals is no intake rate: every request must have been answered 202.
            "every request 202", w["non_202"] == 0)

    # 4. Codec
    codec = inproc.get("codec", {})
    irc_parse = codec.get("irc_parse", {}).get("lines_per_second_median")
    add("4 codec", "IRC lines parsed/s, one core (IRCMessage(parsing:))",
        f"{num(irc_parse, 0)} (best {num(codec.get('irc_parse', {}).get('lines_per_second_best'), 0)}; "
        f"avg line {num(codec.get('irc_corpus_avg_line_bytes'), 0)} B)",
        "≥ 2,000,000", holds(irc_parse, lambda v: v >= 2e6))
    add("4 codec", "IRC lines framed+parsed/s (IRCLineFramer, 4 KiB reads)",
        num(codec.get("irc_frame_parse", {}).get("lines_per_second_median"), 0))
    add("4 codec", "XMPP stanzas parsed/s (XMPPStreamParser, 4 KiB reads)",
        f"{num(codec.get('xmpp_stream_parse', {}).get('stanzas_per_second_median'), 0)} "
        f"({num(codec.get('xmpp_stream_parse', {}).get('mb_per_second_median'))} MB/s)")

    # 5. Memory
    idle, after = rss.get("tocsin_idle_kb"), rss.get("tocsin_after_fanout_kb")
    add("5 memory", "Tocsin RSS idle, 2 networks, 50 rooms", f"{num(idle / 1024 if idle else None)} MB",
        "≤ 25 MB", holds(idle, lambda v: v <= 25 * 1024))
    add("5 memory", "Tocsin RSS after the fan-out", f"{num(after / 1024 if after else None)} MB")

    # 6. Peer
    comparison = {}
    for proto in ("irc", "xmpp"):
        t, e = rtt[f"tocsinpd-{proto}"], rtt[f"errbot-{proto}"]
        for who, r in (("Tocsin (PagerDuty backend)", t), ("Errbot 6.1.7", e)):
            value = (f"p50 {num(r.get('p50_ms'), 2)} ms, p99 {num(r.get('p99_ms'), 2)} ms "
                     f"(n={r.get('count', 0)}, lost {r.get('timeouts', 'n/a')})") if r.get("count") else f"n/a {r.get('error', '')}"
            add("6 peer", f"{who} {proto.upper()} !ack, instant HTTP API", value)
        p50, p99 = ratio(t.get("p50_ms"), e.get("p50_ms")), ratio(t.get("p99_ms"), e.get("p99_ms"))
        comparison[proto] = {"p50_ratio": p50, "p99_ratio": p99}
        add("6 peer", f"ratio Tocsin/Errbot {proto.upper()} round trip", f"p50 {num(p50, 2)}, p99 {num(p99, 2)}",
            "p99 ≤ 0.5", holds(p99, lambda v: v <= 0.5))
    add("6 peer", "CPU per !ack (process user+system time over the round-trip runs)",
        f"Tocsin embedded {num(params.get('tocsin_cpu_ms_per_command'), 2)} ms, Tocsin PagerDuty "
        f"{num(params.get('tocsinpd_cpu_ms_per_command'), 2)} ms, Errbot {num(params.get('errbot_cpu_ms_per_command'), 2)} ms")
    e_idle, pd_idle = rss.get("errbot_idle_kb"), rss.get("tocsinpd_idle_kb")
    add("6 peer", "Errbot RSS idle (IRC bot 20 channels + XMPP bot 30 rooms)",
        f"{num(e_idle / 1024 if e_idle else None)} MB ({num(rss.get('errbot_irc_idle_kb', 0) / 1024)} + "
        f"{num(rss.get('errbot_xmpp_idle_kb', 0) / 1024)})")
    add("6 peer", "Tocsin RSS idle (PagerDuty backend, same 50 rooms)", f"{num(pd_idle / 1024 if pd_idle else None)} MB")
    # Per process, never summed (issue 11): one Tocsin process serves both networks; Errbot needs one
    # process per network, and the ratio divides by the larger of its two.
    e_one = max(rss.get("errbot_irc_idle_kb") or 0, rss.get("errbot_xmpp_idle_kb") or 0) or None
    per_process = ratio(idle, e_one)
    add("6 peer", "ratio Tocsin/one Errbot process RSS idle (embedded; PagerDuty backend)",
        f"{num(per_process, 2)}; {num(ratio(pd_idle, e_one), 2)} (one Errbot process {num(e_one / 1024 if e_one else None)} MB)",
        "≤ 0.5", holds(per_process, lambda v: v <= 0.5))

    # 7. Twenty people at once against a slow API
    if crowd or params.get("part7"):
        p7 = params.get("part7", {})
        rep, api, split = crowd.get("replies", {}), crowd.get("api", {}), crowd.get("split", {})
        who = f"{crowd.get('people', p7.get('people'))} people × {crowd.get('rounds', p7.get('rounds'))} rounds"
        delay = crowd.get("api_delay_ms", p7.get("api_delay_ms"))
        if rep.get("count"):
            add("7 crowd", f"!ack replies, {who}, API answering in {num(delay, 0)} ms",
                f"p50 {num(rep.get('p50_ms'), 0)} ms, max {num(rep.get('max_ms'), 0)} ms "
                f"(n={rep.get('count')}, lost {rep.get('lost')}, {rep.get('within_600_ms')} within 600 ms)",
                "every reply ≤ 600 ms", rep.get("lost") == 0 and rep.get("max_ms", 1e9) <= 600)
        else:
            add("7 crowd", f"!ack replies, {who}", f"n/a {crowd.get('error', '')}", "every reply ≤ 600 ms", None)
        if api:
            add("7 crowd", "API requests per !ack; most at once; connections used",
                f"{api.get('requests_per_command')}; {api.get('most_at_once')}; {api.get('connections')} "
                f"(in-flight bound per network: {p7.get('max_in_flight_per_network') or 'default'})")
        if split:
            part = lambda k: f"{num(split.get(k, {}).get('p50_ms'), 0)}/{num(split.get(k, {}).get('max_ms'), 0)}"
            add("7 crowd", "split p50/max ms: to GET | GET | GET→PUT | PUT | PUT→server | server→person",
                " | ".join(part(k) for k in ("to_first_request", "api_get", "between_requests", "api_put",
                                             "put_to_server", "server_to_person")))
            add("7 crowd", "gateway's share (all but the API's answers and the last hop), p50/max",
                f"{part('gateway_total')} ms")
        ann = crowd.get("announcement", {})
        base, during = ann.get("baseline", {}), ann.get("during", {})
        if base.get("count") or during.get("count"):
            not_delayed = None
            if base.get("max_ms") is not None and during.get("max_ms") is not None:
                # "Not delayed": no announcement during the commands slower than the slowest alone
                # plus 50 ms of measurement noise (one scheduler slice on a busy 2-core machine).
                not_delayed = during.get("lost") == 0 and during["max_ms"] <= base["max_ms"] + 50
            add("7 crowd", "announcement latency (webhook → room), alone vs during the commands",
                f"alone p50 {num(base.get('p50_ms'), 1)} ms, max {num(base.get('max_ms'), 1)} ms; during "
                f"p50 {num(during.get('p50_ms'), 1)} ms, max {num(during.get('max_ms'), 1)} ms "
                f"(n={base.get('count')}/{during.get('count')}, lost {base.get('lost')}/{during.get('lost')})",
                "not delayed (≤ alone max + 50 ms)", not_delayed)

    if params.get("only_part7"):
        rows = [r for r in rows if r[0].startswith("7 ")]
    width = [max(len(str(r[i])) for r in rows + [("part", "figure", "value", "target", "verdict")]) for i in range(5)]
    header = ("part", "figure", "value", "target", "verdict")
    lines = [" | ".join(str(c).ljust(width[i]) for i, c in enumerate(header)),
             "-|-".join("-" * w for w in width)]
    lines += [" | ".join(str(c).ljust(width[i]) for i, c in enumerate(r)) for r in rows]
    print(f"machine: {machine.get('nproc')} cores ({machine.get('cpu_model')}), {machine.get('ram_gib')} GiB RAM, "
          f"{machine.get('swift')}, kernel {machine.get('kernel')}, commit {machine.get('commit')}, {machine.get('date')}; "
          f"load average {machine.get('loadavg_at_start')} at start, {params.get('loadavg_at_end')} at end; "
          f"run took {params.get('total_seconds')} s")
    print("\n".join("| " + line + " |" for line in lines))
    document = {"machine": machine, "params": params, "inprocess": inproc, "rss_kb": rss, "fanout": fan,
                "fanout_allowance": fanout_result, "round_trip": rtt, "intake": intake,
                "comparison": comparison, "crowd": crowd,
                "table": [dict(zip(header, r)) for r in rows]}
    with open(out, "w") as f:
        json.dump(document, f, indent=1, sort_keys=True)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
