"""Visible waiting: retries with backoff and polls of live state, each announced with a countdown.

Every wait goes through the run's injected ``sleep`` and ``clock``, so the sandbox and the tests can
run minutes of simulated waiting in milliseconds. Budgets are measured on that clock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from cmkwizard.journeys.base import JourneyRun, Progress, ProgressEvent, StepError

T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    """Delays that double from ``first`` up to ``maximum``."""

    first: float
    maximum: float
    factor: float = 2.0

    def delay(self, attempt: int) -> float:
        """The delay after failed attempt number ``attempt`` (1-based)."""
        return min(self.maximum, self.first * self.factor ** max(0, attempt - 1))


@dataclass(frozen=True)
class PollStatus:
    """One reading while waiting: finished or not, what to tell the operator, how far along."""

    done: bool
    message: str
    fraction: float | None = None


async def pause(
    run: JourneyRun[Any], progress: Progress, step_key: str, seconds: float, message: str, fraction: float | None = None
) -> None:
    """Announce the wait with the moment it ends, then sleep."""
    until = run.clock.now() + timedelta(seconds=seconds)
    progress(ProgressEvent(step_key, message, fraction, until))
    await run.sleep(seconds)


async def retry_while(
    run: JourneyRun[Any],
    progress: Progress,
    step_key: str,
    operation: Callable[[], Awaitable[T]],
    *,
    should_retry: Callable[[Exception], bool],
    explain: Callable[[Exception, int, float], str],
    budget: float,
    backoff: Backoff,
) -> T:
    """Call ``operation`` until it succeeds, retrying errors ``should_retry`` accepts for ``budget`` seconds.

    ``explain(error, attempt, elapsed)`` says what the operator is waiting for. Once the budget is
    spent the last error is raised unchanged, so its code reaches the operator.
    """
    started = run.clock.now()
    attempt = 0
    while True:
        attempt += 1
        try:
            return await operation()
        except Exception as err:
            elapsed = (run.clock.now() - started).total_seconds()
            delay = backoff.delay(attempt)
            if not should_retry(err) or elapsed + delay > budget:
                raise
            await pause(run, progress, step_key, delay, explain(err, attempt, elapsed))


async def poll_until(
    run: JourneyRun[Any],
    progress: Progress,
    step_key: str,
    read: Callable[[], Awaitable[T]],
    check: Callable[[T], PollStatus],
    *,
    budget: float,
    what: str,
    next_step: str,
) -> T:
    """Read (one call per cycle) until ``check`` says done; StepError when ``budget`` runs out.

    ``check`` may raise StepError itself for a state that will not get better by waiting.
    """
    started = run.clock.now()
    interval = run.timing.poll_interval
    while True:
        value = await read()
        status = check(value)
        if status.done:
            progress(ProgressEvent(step_key, status.message, 1.0))
            return value
        elapsed = (run.clock.now() - started).total_seconds()
        if elapsed + interval > budget:
            raise StepError(
                step_key,
                f"{what} did not finish within {_duration(budget)}",
                status.message,
                next_step,
            )
        await pause(run, progress, step_key, interval, status.message, status.fraction)
        interval = min(run.timing.max_poll_interval, interval * 1.5)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    if minutes and secs:
        return f"{minutes} min {secs} s"
    return f"{minutes} min" if minutes else f"{secs} s"
