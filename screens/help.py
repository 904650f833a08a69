"""F1: what the current screen does and what the operator should know before acting."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown, Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("f1", "dismiss", "Close", show=False),
    ]

    def __init__(self, title: str, markdown: str) -> None:
        super().__init__(classes="dialog-screen")
        self._title = title
        self._markdown = markdown

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help-dialog"):
            yield Static(f"Help: {self._title}", classes="dialog-title", markup=False)
            with VerticalScroll():
                yield Markdown(self._markdown)
        yield Footer()
