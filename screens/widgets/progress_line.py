"""What a running step is doing, with a live countdown while it waits before trying again."""

from __future__ import annotations

from datetime import datetime

from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from cmkwizard.journeys.base import ProgressEvent
from cmkwizard.state import Clock


def progress_text(event: ProgressEvent, now: datetime) -> Content:
    parts = [Content.from_markup("[$text-primary]●[/] $message", message=event.message)]
    if event.waiting_until is not None:
        seconds = max(0, round((event.waiting_until - now).total_seconds()))
        parts.append(Content.from_markup(" [b]next try in $s s[/b]", s=seconds))
    if event.fraction is not None:
        parts.append(Content.from_markup(" [$text-muted]($p%)[/]", p=round(event.fraction * 100)))
    return Content("").join(parts)


class ProgressLine(Static):
    """Shows the latest progress event; ticks the countdown every second on the injected clock."""

    def __init__(self, clock: Clock, *, id: str | None = None) -> None:
        super().__init__("", id=id, classes="progress-line")
        self._clock = clock
        self.event: ProgressEvent | None = None
        self._ticker: Timer | None = None

    def show(self, event: ProgressEvent) -> None:
        self.event = event
        self._render_event()
        if event.waiting_until is not None and self._ticker is None:
            self._ticker = self.set_interval(1.0, self._render_event, name="countdown")

    def clear(self) -> None:
        self.event = None
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        self.update("")

    def _render_event(self) -> None:
        if self.event is not None:
            self.update(progress_text(self.event, self._clock.now()))
