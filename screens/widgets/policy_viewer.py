"""A JSON policy document, highlighted, that the operator can copy or save to a file."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.syntax import Syntax
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from screens.widgets.field import Field, ParsedBy


def policy_text(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2) + "\n"


def parse_save_path(value: str) -> Path:
    """Where to save: a file path whose folder exists. Raises ValueError saying what to type instead."""
    text = value.strip()
    if not text:
        raise ValueError("Enter a file path, for example ./atlas-trust-policy.json.")
    path = Path(text).expanduser()
    if path.is_dir():
        raise ValueError(f"{path} is a folder; add a file name, for example {path / 'policy.json'}.")
    if not path.parent.is_dir():
        raise ValueError(f"The folder {path.parent} does not exist; create it or choose another path.")
    return path


class SavePathModal(ModalScreen[Path | None]):
    """Asks where to save a document; dismisses with the path or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, suggested: Path) -> None:
        super().__init__(classes="dialog-screen")
        self._suggested = suggested

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Save to file", classes="dialog-title")
            yield Field(
                "File path",
                id="save-path",
                value=str(self._suggested),
                hint="An existing file is replaced.",
                validators=[ParsedBy(parse_save_path)],
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#save")
    @on(Input.Submitted, "#save-path-input")
    def save(self) -> None:
        field = self.query_one("#save-path", Field)
        if field.check():
            self.dismiss(parse_save_path(field.value))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class PolicyViewer(Vertical):
    """Shows a policy document with copy (c) and save (s)."""

    BINDINGS = [
        Binding("c", "copy", "Copy JSON"),
        Binding("s", "save", "Save JSON"),
    ]

    def __init__(
        self,
        document: Mapping[str, Any],
        *,
        title: str,
        filename: str,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="policy-viewer")
        self.border_title = title
        self._document = document
        self._filename = filename

    @property
    def text(self) -> str:
        return policy_text(self._document)

    def compose(self) -> ComposeResult:
        with ScrollableContainer(classes="policy-scroll", can_focus=False):
            yield Static(self._highlighted(), classes="policy-json")
        with Horizontal(classes="policy-buttons"):
            yield Button("Copy", id="copy-policy", compact=True)
            yield Button("Save…", id="save-policy", compact=True)

    def show(self, document: Mapping[str, Any], *, title: str | None = None) -> None:
        self._document = document
        if title is not None:
            self.border_title = title
        self.query_one(".policy-json", Static).update(self._highlighted())

    def _highlighted(self) -> Text:
        # Highlighted text without a background of its own, so it sits on the viewer's background.
        highlighted = Syntax(self.text, "json", theme="ansi_dark").highlight(self.text)
        highlighted.rstrip()
        return highlighted

    @on(Button.Pressed, "#copy-policy")
    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.notify(f"{self.border_title} copied to the clipboard.", title="Copied")

    @on(Button.Pressed, "#save-policy")
    def action_save(self) -> None:
        self.app.push_screen(SavePathModal(Path.cwd() / self._filename), self._write)

    def _write(self, path: Path | None) -> None:
        if path is not None:
            self._write_file(path, self.text)

    @work(exit_on_error=False, group="save-policy")
    async def _write_file(self, path: Path, text: str) -> None:
        try:
            await asyncio.to_thread(path.write_text, text, encoding="utf-8")
        except OSError as err:
            self.notify(
                f"{err.strerror or err}: {path}. Choose another folder or file name.",
                title="Not saved",
                severity="error",
            )
        else:
            self.notify(f"Saved to {path}", title="Saved")
