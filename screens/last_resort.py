"""The wizard's last line of defence: an error no page handled is explained, journalled, and the wizard carries on.

Pages do their I/O in workers and explain every failure they expect. Should anything else escape a
worker, Textual would either exit (``exit_on_error=True``) or drop it silently (``exit_on_error=False``).
Both become a dialog that says what happened, and an entry in the project's journal saying where; the
page underneath stays as it was. A worker's failure leaves every message queue running, which is why
carrying on is safe; an error raised by a message handler has stopped its widget's queue, so Textual's
own handling (exit with the traceback) is kept for those.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static
from textual.worker import Worker, WorkerFailed, WorkerState, get_current_worker
from textual.worker_manager import WorkerManager

from screens.widgets.error_panel import ErrorPanel

if TYPE_CHECKING:
    from pathlib import Path

    from cmkwizard.journal import Journal


class UnexpectedErrorModal(ModalScreen[None]):
    """What went wrong, that the wizard is still running, and where the error was recorded."""

    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(self, error: BaseException, journal_path: Path | None) -> None:
        super().__init__(classes="dialog-screen")
        self.error = error
        self._journal_path = journal_path

    def compose(self) -> ComposeResult:
        recorded = (
            f"It is recorded, with where it happened, in the journal {self._journal_path}."
            if self._journal_path
            else "No project is open yet, so it is not recorded in a journal."
        )
        with Vertical(classes="dialog"):
            yield Static("Something went wrong", classes="dialog-title")
            yield ErrorPanel(id="unexpected-error")
            yield Static(
                f"The wizard is still running: close this to return to the page and try again. {recorded}",
                markup=False,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one(ErrorPanel).show(self.error)
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)


class _ReportingWorkers(WorkerManager):
    """Textual's worker manager, telling the app about a worker that failed with ``exit_on_error=False``."""

    def _remove_worker(self, worker: Worker[Any]) -> None:
        super()._remove_worker(worker)
        if worker.state is WorkerState.ERROR and not worker.exit_on_error and isinstance(worker.error, Exception):
            self._app.report_unexpected_error(worker.error, _describe(worker))  # type: ignore[attr-defined]


class LastLineOfDefence:
    """Mixed into the wizard's App (before ``App``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._workers = _ReportingWorkers(self)  # type: ignore[arg-type]

    def unexpected_error_journal(self) -> Journal | None:
        """The journal that records unexpected errors: the open project's, once there is one."""
        return None

    def _handle_exception(self, error: Exception) -> None:
        if isinstance(error, WorkerFailed) and isinstance(error.error, Exception) and self.is_running:  # type: ignore[attr-defined]
            try:
                worker = get_current_worker()
            except RuntimeError:
                worker = None
            self.report_unexpected_error(error.error, _describe(worker) if worker else "a background task")
            return
        super()._handle_exception(error)  # type: ignore[misc]

    def report_unexpected_error(self, error: Exception, during: str) -> None:
        app: Any = self
        app.log.error(f"unexpected error in {during}", repr(error))
        journal = self.unexpected_error_journal()
        if journal is not None:
            try:
                journal.record_unexpected_error(during, error)
            except OSError:
                journal = None
        if isinstance(app.screen, UnexpectedErrorModal):
            return  # one dialog at a time; the journal has every error
        app.call_later(app.push_screen, UnexpectedErrorModal(error, journal.path if journal else None))


def _describe(worker: Worker[Any]) -> str:
    return f"the task {worker.name!r} ({worker.group})" if worker.name else f"a task ({worker.group})"
