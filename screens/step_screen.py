"""The frame of every journey page: steps on the left, the live status on the right, the page between.

Where three columns do not fit, the steps become a one-line header ("Step 3 of 7 · Key and region")
and the live status moves behind a key (F2), which the footer shows. Apply and Back stay at the foot
of the page, however long it is.

A page validates what the operator typed (`collect_inputs`), may ask for confirmation, then runs its
step's idempotent `apply` in a worker while progress and countdowns show under the page. Escape
cancels a running step; otherwise it goes back a page.

Everything a page needs comes with its flow (the client, the polling policy, the clocks, the journal);
it moves to another page by posting `ShowPage` or `GoBack`, which the application (or a test host) handles.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Collapsible, Footer, Header, Static

from cmkwizard.journeys.base import JourneyRun, ProgressEvent, Step, StepError, StepState, StepView
from cmkwizard.journeys.confirmed import ChangedSinceConfirmed, Confirmation, confirmation, describe_change
from screens.base import WizardScreen
from screens.messages import GoBack, ShowPage
from screens.widgets.confirm import ConfirmModal
from screens.widgets.error_panel import ErrorPanel
from screens.widgets.field import Field
from screens.widgets.progress_line import ProgressLine
from screens.widgets.status_pane import StatusPane
from screens.widgets.step_list import StepList, step_header

if TYPE_CHECKING:
    from cmkwizard.state import Change, ProjectState
    from screens.flow import JourneyFlow, Page


def planned_calls(confirmed: Confirmation) -> str:
    """What applying sends now, as Markdown, for a confirmation asked again without a consequence."""
    if not confirmed.calls:
        return "Nothing to send now: the project already matches; the step only follows it."
    return "Applying now sends:\n\n" + "\n".join(f"- {call.description}" for call in confirmed.calls)


THREE_COLUMNS = 112
"""The narrowest screen that shows the steps, the page and the live status side by side."""
NARROW, WIDE, STATUS_SHOWN = "-narrow", "-wide", "-status-shown"


class StepScreen(WizardScreen):
    PAGE_KEY: ClassVar[str]
    APPLY_LABEL: ClassVar[str] = "Apply"
    RUNS_STEP: ClassVar[bool] = True
    """False for pages that only gather inputs for a step a later page runs."""

    JOURNEY_PAGE = True
    AUTO_FOCUS = "#step-page"  # the page, whatever the width (a page may focus one of its fields instead)
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, NARROW), (THREE_COLUMNS, WIDE)]
    BINDINGS = [
        Binding("ctrl+n", "apply", "Apply", tooltip="Apply this page, then go to the next", id="apply"),
        # Enter where nothing else takes it (the page itself has the focus) does the page's one action too.
        Binding("enter", "apply", "Apply", show=False),
        Binding("ctrl+r", "refresh_status", "Refresh", tooltip="Read the live status now", id="refresh-status"),
        Binding("f2", "toggle_status", "Status", tooltip="Show the live status, or the page again", id="toggle-status"),
    ]

    def __init__(self, flow: JourneyFlow[Any]) -> None:
        super().__init__()
        self.flow = flow
        self.page: Page = flow.page(self.PAGE_KEY)
        self.running = False
        self._restart = False

    # --- what subclasses provide --------------------------------------------------------------

    def compose_page(self) -> ComposeResult:
        """The page's own widgets, between the step summary and the progress line."""
        yield from ()

    def describe(self, view: StepView) -> str:
        """The text under the page title: where the step stands and what it still needs."""
        return view.summary if not view.reason else f"{view.summary}\n{view.reason}"

    def update_page(self, view: StepView) -> None:
        """Show a new assessment of the step (after every status poll)."""

    def collect_inputs(self) -> bool:
        """Validate the page's inputs into `flow.inputs`; False (with messages shown) when something is wrong."""
        return True

    def confirmation(self, confirmed: Confirmation, changes: Sequence[Change] = ()) -> ConfirmModal | None:
        """The confirmation to ask before applying: the project-wide change the step would make, if any. After
        someone else changed the project since the operator confirmed (or reviewed this page), it asks again
        with the difference first, even for a step that needs no confirmation otherwise."""
        consequence = confirmed.consequence
        described = [describe_change(change) for change in changes]
        if consequence is not None:
            return ConfirmModal(
                consequence.title,
                consequence.text,
                action_label=consequence.action,
                typed_confirmation=consequence.typed,
                changes=described,
            )
        if not changes:
            return None
        return ConfirmModal(
            "The project changed since you reviewed it",
            planned_calls(confirmed),
            action_label=str(self.query_one("#apply", Button).label),
            changes=described,
        )

    # --- frame ----------------------------------------------------------------------------------

    @property
    def step(self) -> Step[Any]:
        return self.flow.journey.step(self.page.step_key)

    @property
    def help_title(self) -> str:
        return self.page.title

    @property
    def page_help(self) -> str:
        number, total = self.flow.position(self.page)
        return f"**{step_header(number, total, self.page.title)}**\n\n{self.step.help}"

    def compose(self) -> ComposeResult:
        flow = self.flow
        yield Header()
        with Horizontal(id="step-header"):
            yield Static("", id="step-header-title")
            yield Static("", id="step-header-status")
        with Horizontal(id="journey-frame"):
            yield StepList()
            with Vertical(id="step-column"):
                with VerticalScroll(classes="page", id="step-page"):
                    yield Static("", id="step-title", classes="page-title")
                    yield Static("", id="step-summary", classes="section")
                    yield from self.compose_page()
                    if self.RUNS_STEP:
                        with Collapsible(title="Dry run: the API calls", id="dry-run"):
                            yield Static("", id="dry-run-calls")
                    yield ProgressLine(self.flow.clock, id="step-progress")
                    yield ErrorPanel(id="step-error")
                # Under the page rather than in it: always in view, and last in the Tab order.
                with Horizontal(classes="actions", id="step-actions"):
                    yield Button(self.APPLY_LABEL, id="apply", variant="primary")
                    yield Button("Back", id="back")
            yield StatusPane(
                flow.client,
                flow.project.id,
                clock=flow.clock,
                wall_clock=flow.wall_clock,
                policy=flow.poll_policy,
                initial=flow.state,
            )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        number, total = self.flow.position(self.page)
        title = step_header(number, total, self.page.title)
        self.query_one("#step-title", Static).update(title)
        self.query_one("#step-header-title", Static).update(title)
        self._show_state()

    # --- where the steps and the live status go -----------------------------------------------

    @property
    def narrow(self) -> bool:
        """Too narrow for three columns: the steps are one line, the live status is behind F2."""
        return self.has_class(NARROW)

    def on_resize(self) -> None:
        if not self.narrow:
            self.set_class(False, STATUS_SHOWN)
        self._show_status_hint()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_status":
            return self.narrow
        return True

    def action_toggle_status(self) -> None:
        """Show the live status in place of the page, or the page again."""
        if not self.narrow:
            return
        shown = not self.has_class(STATUS_SHOWN)
        self.set_class(shown, STATUS_SHOWN)
        pane = self.query_one(StatusPane)
        pane.can_focus = shown
        if shown:
            self._page_focus = self.focused
            pane.focus()
        else:
            previous = getattr(self, "_page_focus", None)
            if previous is not None and previous.is_attached:
                previous.focus()
            else:
                self.focus_next()
        self._show_status_hint()

    def _show_status_hint(self) -> None:
        """The header says where the live status is, and whether its data is stale."""
        pane = self.query_one(StatusPane)
        if self.has_class(STATUS_SHOWN):
            hint = "F2 or escape: back to the page"
        else:
            hint = "F2: live status" + (" (STALE)" if pane.stale else "")
        self.query_one("#step-header-status", Static).update(hint)

    def _show_state(self) -> None:
        view = self.flow.view(self.page.step_key)
        self.query_one(StepList).show(self.flow.views(), current=self.page.step_key, page=self._page_name())
        self.query_one("#step-summary", Static).update(self.describe(view))
        self.update_page(view)
        if self.RUNS_STEP:
            self.query_one("#dry-run-calls", Static).update(self._dry_run())

    def _page_name(self) -> str | None:
        """The page's title when the step on screen spans several pages, else None."""
        siblings = [p for p in self.flow.pages if p.step_key == self.page.step_key]
        return self.page.title if len(siblings) > 1 else None

    def _dry_run(self) -> str:
        planned = self.step.plan(self.flow.state, self.flow.inputs)
        if not planned:
            return "Nothing to send: the live state already matches."
        return "\n\n".join(f"# {call.description}\n{call.http}\n$ {call.command}" for call in planned)

    def on_screen_suspend(self) -> None:
        self.query_one(StatusPane).pause()

    def on_screen_resume(self) -> None:
        self.query_one(StatusPane).resume()

    @on(StatusPane.Updated)
    def _state_read(self, event: StatusPane.Updated) -> None:
        # The status pane reads the cheap state; what the journey observed beyond it stays until read again.
        self.flow.state = replace(event.state, observed=event.state.observed or self.flow.state.observed)
        self._show_state()
        self._show_status_hint()

    @on(StatusPane.Stale)
    def _state_stale(self) -> None:
        self._show_status_hint()

    def action_refresh_status(self) -> None:
        self.query_one(StatusPane).poll_now()

    @on(StepList.Chosen)
    def _step_chosen(self, event: StepList.Chosen) -> None:
        if not self.running:
            self.post_message(ShowPage(self.flow.first_page_of(event.step_key)))

    # --- back and apply ---------------------------------------------------------------------------

    def back(self) -> bool:
        if self.has_class(STATUS_SHOWN):
            self.action_toggle_status()
            return True
        if self.running:
            self.workers.cancel_group(self, "apply")
            return True
        previous = self.flow.neighbour(self.page.key, -1)
        if previous is None:
            return False
        self.post_message(ShowPage(previous))
        return True

    @on(Button.Pressed, "#back")
    def _back_pressed(self) -> None:
        self.post_message(GoBack())

    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        if self.running:
            return
        if not self.collect_inputs():
            self.call_after_refresh(self.reveal_problem)
            return
        self.flow.save_inputs()
        if self.RUNS_STEP:
            self.apply_step()
        else:
            self.applied(self.flow.state)

    def reveal_problem(self) -> None:
        """After inputs were refused: focus the first field that needs another value, else bring the first
        message into view, so the operator sees what to change without looking for it."""
        for field in self.query(".field.-invalid").results(Field):
            field.input.focus(scroll_visible=False)
            field.scroll_visible(animate=False)
            return
        for message in self.query(".field-error"):
            if message.display:
                message.scroll_visible(animate=False)
                return

    @work(exclusive=True, exit_on_error=False, group="apply")
    async def apply_step(self) -> None:
        step_key = self.page.step_key
        confirmed = confirmation(self.step, self.flow.state, self.flow.inputs)
        changes: Sequence[Change] = ()
        while True:
            modal = self.confirmation(confirmed, changes)
            if modal is not None and not await self.app.push_screen_wait(modal):
                return
            try:
                state = await self.perform(partial(self._apply_confirmed, step_key, confirmed), asking_again=True)
            except ChangedSinceConfirmed as changed:  # nothing was sent over it: show it, and ask again
                assert changed.confirmation is not None
                confirmed, changes = changed.confirmation, changed.changes
                self.flow.state = confirmed.state
                self.query_one(StatusPane).show(confirmed.state)
                self._show_state()
                continue
            if state is not None:
                self.applied(state)
            return

    async def _apply_confirmed(self, step_key: str, confirmed: Confirmation, run: JourneyRun[Any]) -> None:
        await self.flow.journey.apply_step(run, step_key, self._progress, confirmed=confirmed)

    async def perform(
        self, action: Callable[[JourneyRun[Any]], Awaitable[None]], *, asking_again: bool = False
    ) -> ProjectState | None:
        """Run `action` with its progress on the page (call from an "apply" worker, so escape cancels it).

        Returns the project state read afterwards, or None when the action failed (the error is shown).
        With ``asking_again``, ChangedSinceConfirmed carrying a new confirmation is raised for the caller to
        ask it.
        """
        run = self.flow.run()
        self.query_one("#step-error", ErrorPanel).clear()
        self._set_running(True)
        try:
            await action(run)
            state = await run.read_state()
        except asyncio.CancelledError:
            self._stopped()
            raise
        except ChangedSinceConfirmed as err:
            if not (asking_again and err.confirmation is not None):
                self.query_one("#step-error", ErrorPanel).show(err)
                return None
            raise
        except Exception as err:  # every failure is explained on the page
            self.query_one("#step-error", ErrorPanel).show(err)
            self.query_one(StatusPane).poll_now()
            # Once Apply is enabled again: enter tries again, and the error stays in sight.
            self.call_after_refresh(self._focus_apply)
            return None
        finally:
            self._set_running(False)
        self.flow.state = state
        self.query_one(StatusPane).show(state)
        return state

    def restart_step(self) -> None:
        """The operator changed the input of the running step: stop it and apply again with the new input."""
        if self.running:
            self._restart = True
            self.workers.cancel_group(self, "apply")

    def _stopped(self) -> None:
        if self._restart:
            self._restart = False
            self.call_later(self.action_apply)
        else:
            self.run_worker(self._report_stop(), group="stop-report", exit_on_error=False)

    async def _report_stop(self) -> None:
        """Say where the stopped step left the project, from a fresh read."""
        panel = self.query_one("#step-error", ErrorPanel)
        try:
            state = await self.flow.run().read_state()
        except Exception as err:  # the read itself failed: that is what the operator needs to know
            panel.show(err)
            return
        self.flow.state = state
        self.query_one(StatusPane).show(state)
        view = self.flow.view(self.page.step_key)
        panel.show(
            StepError(
                self.page.step_key,
                f"Stopped: {self.page.title}",
                f"Left as: {view.summary}",
                "Nothing more is sent. Apply again to continue from here; what is done is not repeated.",
            )
        )

    def applied(self, state: ProjectState) -> None:
        """The page is done: on to the next page once its step is finished (optional steps are offered in
        order), else to wherever the live state says work remains."""
        self.flow.state = state
        following = self.flow.neighbour(self.page.key, 1)
        step_finished = self.flow.view(self.page.step_key).finished
        if following is not None and self.flow.view(following.step_key).state is StepState.SKIPPED:
            following = None  # the operator's choice left that step out: on to where work remains
        if following is not None and (following.step_key == self.page.step_key or step_finished):
            self.post_message(ShowPage(following))
        else:
            self.post_message(ShowPage(self.flow.resume_page()))

    def _progress(self, event: ProgressEvent) -> None:
        self.query_one("#step-progress", ProgressLine).show(event)

    def _focus_apply(self) -> None:
        self.query_one("#apply", Button).focus(scroll_visible=False)

    def _set_running(self, running: bool) -> None:
        self.running = running
        apply, back = self.query_one("#apply", Button), self.query_one("#back", Button)
        # Disabling a focused Apply hands focus to its neighbour, Cancel; after a failure, enter must retry,
        # not go back a page.
        return_focus = not running and back.has_focus
        apply.disabled = running
        back.label = "Cancel" if running else "Back"
        if not running:
            self.query_one("#step-progress", ProgressLine).clear()
        if return_focus:
            apply.focus()
