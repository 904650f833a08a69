"""Waiting in the clock's time: a sandbox clock running faster makes every wait shorter."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cmkwizard.state import Clock

Sleep = Callable[[float], Awaitable[None]]


def clock_sleep(clock: Clock) -> Sleep:
    """Sleep for `seconds` of the clock's time."""

    async def sleep(seconds: float) -> None:
        speed = getattr(clock, "speed", 1.0) or 1.0
        await asyncio.sleep(seconds / speed)

    return sleep
