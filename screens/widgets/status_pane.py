"""The live status pane: what Atlas says about the project right now, refreshed on its own.

Each poll is one `read_project_state` (one list call per resource kind). The next poll is scheduled
only after the previous one has finished, so polls never overlap: soon while something is moving,
rarely when all is steady, and further apart after failures (at least as long as Atlas' Retry-After).
A failed poll marks the data stale and keeps the last good read on screen.

Times on the pane are wall-clock times, and "next in N s" counts down every second. In the sandbox, whose
clock runs faster, the simulated time of the read shows beside it, marked as such.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from textual import work
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from cmkwizard.atlas.errors import AtlasApiError
from cmkwizard.state import SYSTEM_CLOCK, Change, Clock, ProjectState, read_project_state
from screens.widgets.error_panel import headline
from screens.widgets.status_render import (
    changed_items,
    changes_block,
    clusters_block,
    encryption_block,
    endpoints_block,
    read_line,
    roles_block,
    simulated_line,
    stale_block,
)

if TYPE_CHECKING:
    from cmkwizard.atlas import AtlasClient

THROTTLED_STATUSES = frozenset({429, 503})
RATE_LIMITED = "RATE_LIMITED_TOKEN_BUCKET"
TEXT_WIDTH = 38  # StatusPane's width in widgets.tcss, less its border, padding and scrollbar gutter


@dataclass(frozen=True)
class PollPolicy:
    """Seconds between polls."""

    active: float = 2.0  # a cluster or endpoint is in transition
    steady: float = 15.0
    backoff_cap: float = 300.0

    def after_success(self, state: ProjectState) -> float:
        return self.active if state.in_transition else self.steady

    def after_failure(self, failures: int, error: BaseException) -> float:
        """Exponential backoff from the active interval; when throttled, at least the steady interval and
        never sooner than Atlas asks."""
        delay = min(self.backoff_cap, self.active * 2**failures)
        if isinstance(error, AtlasApiError) and error.status in THROTTLED_STATUSES:
            delay = max(delay, self.steady, retry_after(error) or 0.0)
        return delay


def retry_after(error: AtlasApiError) -> float | None:
    """The wait Atlas names: its Retry-After header, else the seconds in a rate-limit error's parameters
    ([path, seconds, capacity, refill, period])."""
    if error.retry_after is not None:
        return error.retry_after
    if error.error_code == RATE_LIMITED and len(error.parameters) > 1:
        seconds = error.parameters[1]
        if isinstance(seconds, (int, float)) and not isinstance(seconds, bool):
            return float(seconds)
    return None


DEFAULT_POLL_POLICY = PollPolicy()


class StatusPane(VerticalScroll):
    """Polls the project and shows encryption, roles, clusters and private endpoints."""

    class Stale(Message):
        """A poll failed: the pane keeps the last good read, marked stale."""

    class Updated(Message):
        """A poll succeeded; `changes` are the differences from the previous read."""

        def __init__(self, state: ProjectState, changes: list[Change]) -> None:
            super().__init__()
            self.state = state
            self.changes = changes

    def __init__(
        self,
        client: AtlasClient,
        project_id: str,
        *,
        clock: Clock,
        wall_clock: Clock = SYSTEM_CLOCK,
        policy: PollPolicy = DEFAULT_POLL_POLICY,
        initial: ProjectState | None = None,
        id: str | None = "status-pane",
    ) -> None:
        """`clock` is the one Atlas' times are in (simulated in the sandbox); `wall_clock` the one shown."""
        super().__init__(id=id)
        self.border_title = "Live status"
        self.can_focus = False
        self._client = client
        self._project_id = project_id
        self._clock = clock
        self._wall_clock = wall_clock
        self._policy = policy
        self.state: ProjectState | None = initial
        self.failures = 0
        self.next_poll_in: float | None = None
        """Seconds from the latest read (or failure) to the next poll."""
        self.last_error: BaseException | None = None
        self._last_changes: tuple[list[Change], datetime] | None = None
        self._read_at: datetime | None = None  # wall-clock time of the state shown
        self._failed_at: datetime | None = None
        self._next_poll_at: datetime | None = None
        self._timer: Timer | None = None
        self._paused = False

    def compose(self):
        for part in ("stale", "encryption", "roles", "clusters", "endpoints", "changes", "simulated"):
            yield Static(id=f"status-{part}", classes="status-block")

    @property
    def seconds_to_next_poll(self) -> int | None:
        """Whole seconds until the next poll, counting down on the wall clock; None while none is due."""
        if self._next_poll_at is None or self._paused:
            return None
        return max(0, math.ceil((self._next_poll_at - self._wall_clock.now()).total_seconds()))

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick, name="status-countdown")
        if self.state is None:
            self._show_loading()
            self.poll_now()
        else:
            self._read_at = self._wall_clock.now()
            self._schedule(self._policy.after_success(self.state))
            self._render_state()

    @property
    def stale(self) -> bool:
        return self.last_error is not None

    def pause(self) -> None:
        """Stop polling (the pane's screen is hidden); a poll already running may finish."""
        self._paused = True
        self._cancel_timer()
        self._show_read_line()

    def resume(self) -> None:
        """After a pause, poll at once (things may have moved while hidden) and carry on."""
        if self._paused:
            self._paused = False
            self.poll_now()

    def poll_now(self) -> None:
        self._cancel_timer()
        self._next_poll_at = None
        self._show_read_line()
        self._poll()

    @work(exclusive=True, group="status-poll", exit_on_error=False)
    async def _poll(self) -> None:
        try:
            state = await read_project_state(self._client, self._project_id, clock=self._clock)
        except Exception as err:  # any failure only makes the pane stale
            self.log.warning("status poll failed", repr(err))
            self._failed(err)
        else:
            self._succeeded(state)

    def show(self, state: ProjectState) -> None:
        """A state read elsewhere (after a step ran) counts as a poll: shown, compared, next poll rescheduled."""
        self._succeeded(state)

    def _succeeded(self, state: ProjectState) -> None:
        changes = state.diff(self.state)
        self.state = state
        self.failures = 0
        self.last_error = None
        self._read_at = self._wall_clock.now()
        if changes:
            self._last_changes = (changes, self._read_at)
        self._schedule(self._policy.after_success(state))
        self._render_state()
        self.post_message(self.Updated(state, changes))

    def _failed(self, error: BaseException) -> None:
        self.failures += 1
        self.last_error = error
        self._failed_at = self._wall_clock.now()
        self._schedule(self._policy.after_failure(self.failures, error))
        self.add_class("-stale")
        self._render_stale()
        self._show_read_line()
        self.post_message(self.Stale())

    def _render_stale(self) -> None:
        assert self.last_error is not None and self._failed_at is not None
        due = self.seconds_to_next_poll
        self._update("stale", stale_block(self._failed_at, headline(self.last_error), due, self.text_width))

    @property
    def text_width(self) -> int:
        """Columns for text: the pane's own, once it is laid out (wider alone on a narrow screen, narrower on a
        narrow home)."""
        return self.scrollable_content_region.width or TEXT_WIDTH

    def on_resize(self) -> None:
        if self.state is not None:
            self._render_state()
        if self.last_error is not None:
            self._render_stale()

    def _tick(self) -> None:
        """Once a second: the countdown to the next poll."""
        if self.last_error is not None:
            self._render_stale()
        self._show_read_line()

    def _show_read_line(self) -> None:
        if self._read_at is not None:
            self.border_subtitle = read_line(self._read_at, self.seconds_to_next_poll, paused=self._paused)

    def _schedule(self, delay: float) -> None:
        self.next_poll_in = delay
        self._next_poll_at = self._wall_clock.now() + timedelta(seconds=delay)
        if not self._paused:
            self._cancel_timer()
            self._timer = self.set_timer(delay, self.poll_now, name="status-poll")

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _show_loading(self) -> None:
        self._update("encryption", "Reading the project…")

    def _render_state(self) -> None:
        """Show the state; the items of the latest change stay marked until something else changes."""
        assert self.state is not None
        state = self.state
        changed = changed_items(self._last_changes[0]) if self._last_changes else set()
        self.remove_class("-stale")
        self._update("stale", None)
        width = self.text_width
        self._update("encryption", encryption_block(state, changed, width))
        self._update("roles", roles_block(state, changed, width))
        self._update("clusters", clusters_block(state, changed, width))
        self._update("endpoints", endpoints_block(state, changed, width))
        self._update("changes", changes_block(*self._last_changes, width) if self._last_changes else None)
        simulated = self._clock is not self._wall_clock
        self._update("simulated", simulated_line(state.read_at, width) if simulated else None)
        self._show_read_line()

    def _update(self, part: str, content: Content | str | None) -> None:
        block = self.query_one(f"#status-{part}", Static)
        block.display = content is not None
        block.update(content or "")
