"""The sandbox clock: simulated time that runs faster than real time and can be pushed forward."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from cmkwizard.sandbox.clock import SandboxClock

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_stopped_clock_moves_only_when_advanced() -> None:
    clock = SandboxClock(speed=0, start=START)

    clock.advance(90)

    assert clock.now() == START + timedelta(seconds=90)
    assert clock.now().tzinfo is not None


def test_fast_clock_runs_speed_times_real_time() -> None:
    clock = SandboxClock(speed=200, start=START)
    time.sleep(0.05)

    assert clock.now() - START >= timedelta(seconds=10)


def test_changing_speed_does_not_make_time_jump() -> None:
    clock = SandboxClock(speed=0, start=START)
    clock.advance(30)

    clock.speed = 100

    assert clock.speed == 100
    assert timedelta(seconds=30) <= clock.now() - START < timedelta(seconds=35)


def test_time_never_runs_backwards() -> None:
    clock = SandboxClock(speed=0, start=START)

    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="speed"):
        SandboxClock(speed=-1)
