"""Shell commands the operator runs by hand, shown as they are and copied with one key."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static


class CommandBlock(Vertical):
    BINDINGS = [Binding("c", "copy", "Copy commands")]

    def __init__(self, commands: Sequence[str], *, title: str, id: str | None = None) -> None:
        super().__init__(id=id, classes="policy-viewer")
        self.border_title = title
        self._commands = tuple(commands)

    @property
    def text(self) -> str:
        return "\n".join(self._commands) + "\n"

    def compose(self) -> ComposeResult:
        yield Static(self.text.rstrip("\n"), classes="policy-json", markup=False)
        with Horizontal(classes="policy-buttons"):
            yield Button("Copy", id="copy-commands", compact=True)

    def show(self, commands: Sequence[str]) -> None:
        self._commands = tuple(commands)
        self.query_one(".policy-json", Static).update(self.text.rstrip("\n"))

    @on(Button.Pressed, "#copy-commands")
    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.notify("Commands copied to the clipboard.", timeout=3)
