"""Atlas' rate limits: a token bucket per endpoint set and scope, reported in every successful answer.

Each request takes one token; a bucket refills ``refill`` tokens every ``REFILL_SECONDS`` (simulated) up
to its capacity. An empty bucket refuses the request with 429 ``RATE_LIMITED_TOKEN_BUCKET`` and
``Retry-After``. Capacities are the ones seen in Atlas' answers: 10000 for reading clusters, 2000 elsewhere.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import datetime

from cmkwizard.sandbox.atlas_sim.errors import ApiError

REFILL_SECONDS = 60
CLUSTER_READ_CAPACITY = 10_000
DEFAULT_CAPACITY = 2_000


@dataclass
class _Bucket:
    capacity: int
    refill: int
    tokens: float
    updated: datetime

    def top_up(self, now: datetime) -> None:
        elapsed = max(0.0, (now - self.updated).total_seconds())
        self.tokens = min(self.capacity, self.tokens + elapsed * self.refill / REFILL_SECONDS)
        self.updated = now


class RateLimits:
    """The buckets of one simulated Atlas; thread-safe."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, endpoint_set: str, scope: str, capacity: int, now: datetime) -> dict[str, str]:
        """Take a token for one request: the headers to send with its answer, or ApiError 429."""
        with self._lock:
            bucket = self._buckets.get((endpoint_set, scope))
            if bucket is None:
                bucket = _Bucket(capacity, max(1, capacity // 10), float(capacity), now)
                self._buckets[(endpoint_set, scope)] = bucket
            bucket.top_up(now)
            if bucket.tokens < 1:
                wait = math.ceil((1 - bucket.tokens) * REFILL_SECONDS / bucket.refill)
                raise rate_limited(endpoint_set, wait, bucket.capacity, bucket.refill)
            bucket.tokens -= 1
            return {"RateLimit-Limit": str(bucket.capacity), "RateLimit-Remaining": str(int(bucket.tokens))}


def rate_limited(path: str, retry_after: int, capacity: int, refill: int) -> ApiError:
    """Atlas' 429 for an empty bucket, worded as Atlas words it."""
    path = path.lstrip("/")
    return ApiError(
        429,
        "RATE_LIMITED_TOKEN_BUCKET",
        f"Rate limit exceeded for {path}. Please retry after {retry_after} seconds. Request capacity: {capacity}. "
        f"Refill rate: {refill} per {REFILL_SECONDS} seconds.",
        [path, retry_after, capacity, refill, REFILL_SECONDS],
        headers={"Retry-After": str(retry_after), "RateLimit-Limit": str(capacity), "RateLimit-Remaining": "0"},
    )
