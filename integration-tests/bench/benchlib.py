"""Shared helpers for Tocsin's benchmark drivers: percentiles and JSON output."""
from __future__ import annotations

import json
import math
import os
import sys

LIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib")
if LIB not in sys.path:
    sys.path.insert(0, LIB)


def percentile(sorted_values: list, p: float) -> float:
    """Nearest-rank percentile (the same definition as tocsin-bench)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarize_ms(samples_s: list) -> dict:
    values = sorted(s * 1000 for s in samples_s)
    if not values:
        return {"count": 0}
    return {"count": len(values), "p50_ms": round(percentile(values, 50), 3),
            "p90_ms": round(percentile(values, 90), 3), "p99_ms": round(percentile(values, 99), 3),
            "max_ms": round(values[-1], 3), "mean_ms": round(sum(values) / len(values), 3)}


def write_json(path: str | None, document: dict) -> None:
    text = json.dumps(document, indent=1, sort_keys=True)
    if path:
        with open(path, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


def log(*parts) -> None:
    print("[bench]", *parts, file=sys.stderr, flush=True)
