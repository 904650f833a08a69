"""Simulated time for the sandbox: runs `speed` times faster than real time and can be advanced by hand."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class SandboxClock:
    """A thread-safe clock: now() = start + speed * (real time elapsed) + manual advances."""

    def __init__(self, speed: float = 1.0, start: datetime | None = None) -> None:
        if speed < 0:
            raise ValueError(f"clock speed must be zero or positive, got {speed}")
        self._lock = threading.Lock()
        self._speed = speed
        self._anchor_sim = (start or datetime.now(UTC)).astimezone(UTC)
        self._anchor_real = time.monotonic()

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        if value < 0:
            raise ValueError(f"clock speed must be zero or positive, got {value}")
        with self._lock:
            self._rebase()
            self._speed = value

    def now(self) -> datetime:
        with self._lock:
            return self._now()

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"the clock only moves forward, got {seconds} seconds")
        with self._lock:
            self._anchor_sim += timedelta(seconds=seconds)

    def _now(self) -> datetime:
        elapsed = time.monotonic() - self._anchor_real
        return self._anchor_sim + timedelta(seconds=elapsed * self._speed)

    def _rebase(self) -> None:
        # Changing speed must not make time jump: fold the elapsed simulated time into the anchor.
        self._anchor_sim = self._now()
        self._anchor_real = time.monotonic()
