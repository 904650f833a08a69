"""F1: what the current screen does and what the operator should know before acting."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
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


def keys_markdown(screen: Screen) -> str:
    """The keys that work on `screen` right now (those the footer shows), as a Markdown table for its help."""
    rows = []
    seen = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if not (binding.show and binding.description and active.enabled) or binding.action in seen:
            continue
        seen.add(binding.action)
        rows.append(f"| {screen.app.get_key_display(binding)} | {binding.tooltip or binding.description} |")
    keys = "\n".join(["| Key | What it does |", "|---|---|", *rows])
    return (
        f"## Keys on this page\n\n{keys}\n\n"
        "**Tab** and **shift+tab** move between the fields, lists and buttons; **enter** presses a button; "
        "**space** ticks a box. **ctrl+p** lists everything this page can do."
    )
