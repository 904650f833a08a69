"""Summaries of repeated measurements, and how to print them with units."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    median: float
    minimum: float
    p95: float
    count: int


def summarize(samples: Sequence[float]) -> Summary:
    if not samples:
        raise ValueError("no samples to summarize")
    ordered = sorted(samples)
    # Nearest-rank percentile: with few samples it is the largest one, never an interpolated value.
    rank = max(1, -(-95 * len(ordered) // 100))
    return Summary(statistics.median(ordered), ordered[0], ordered[rank - 1], len(ordered))


def ms(seconds: float, decimals: int = 0) -> str:
    return f"{seconds * 1000:.{decimals}f} ms"


def sec(seconds: float) -> str:
    return f"{seconds:.2f} s"
