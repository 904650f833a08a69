"""Confirmation before a destructive or irreversible change."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.validation import Function
from textual.widgets import Button, Input, Static

from screens.widgets.field import Field


class ConfirmModal(ModalScreen[bool]):
    """Asks before a change; dismisses with True only when the operator confirms.

    With `typed_confirmation` (irreversible changes) the operator must type that exact text first. With
    `changes` it asks again: what someone else changed since the operator last confirmed comes first.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        explanation: str,
        *,
        action_label: str,
        typed_confirmation: str | None = None,
        changes: Sequence[str] = (),
    ) -> None:
        super().__init__(classes="dialog-screen")
        self._title = title
        self._explanation = explanation
        self._action_label = action_label
        self._typed = typed_confirmation
        self._changes = tuple(changes)

    def compose(self) -> ComposeResult:
        from textual.widgets import Markdown  # Markdown rendering loads with the first dialog, not at start-up

        with Vertical(classes="dialog"):
            yield Static(self._title, classes="dialog-title", markup=False)
            if self._changes:
                changed = Static("\n".join(f"• {change}" for change in self._changes), id="changed", markup=False)
                changed.border_title = "Changed meanwhile by someone else"
                yield changed
            yield Markdown(self._explanation)
            if self._typed:
                yield Field(
                    f"This cannot be undone. Type {self._typed} to confirm.",
                    id="typed",
                    placeholder=self._typed,
                    validators=[
                        Function(
                            lambda value: value.strip() == self._typed,
                            f"Type exactly {self._typed} (case matters) to confirm, or press escape.",
                        )
                    ],
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button(self._action_label, variant="error", id="confirm")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        if self._typed:
            self.query_one("#typed-input", Input).focus()
        else:
            self.query_one("#cancel", Button).focus()

    @on(Button.Pressed, "#confirm")
    @on(Input.Submitted, "#typed-input")
    def confirm(self) -> None:
        if self._typed and not self.query_one("#typed", Field).check():
            return
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
