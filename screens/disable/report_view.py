"""The old-key report on screen, with its Markdown and JSON exports saved next to the journal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

if TYPE_CHECKING:
    from cmkwizard.journeys.old_key_report import OldKeyReport


def export_path(directory: Path, report: OldKeyReport, suffix: str) -> Path:
    stamp = report.generated_at.strftime("%Y%m%dT%H%M%SZ")
    return directory / f"old-key-report-{report.project_id}-{stamp}.{suffix}"


class OldKeyReportView(Vertical):
    """Shows a report once it is read; the save buttons work from then on."""

    DEFAULT_CSS = """
    OldKeyReportView { height: auto; }
    OldKeyReportView #old-key-exports { height: auto; }
    """

    def __init__(self, save_dir: Path, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.save_dir = save_dir
        self.report: OldKeyReport | None = None

    def compose(self) -> ComposeResult:
        text = Static("Reading every backed-up cluster's snapshots…", id="old-key-text", classes="card")
        text.border_title = "Old-key report"
        yield text
        with Horizontal(classes="actions", id="old-key-exports"):
            yield Button("Save as Markdown", id="save-markdown", disabled=True)
            yield Button("Save as JSON", id="save-json", disabled=True)
        yield Static("", id="old-key-saved", classes="muted")

    def show(self, report: OldKeyReport) -> None:
        self.report = report
        self.query_one("#old-key-text", Static).update("\n".join(report.lines()))
        for button in self.query(Button):
            button.disabled = False

    @on(Button.Pressed, "#save-markdown")
    def _save_markdown(self) -> None:
        if self.report is not None:
            self._save(export_path(self.save_dir, self.report, "md"), self.report.to_markdown())

    @on(Button.Pressed, "#save-json")
    def _save_json(self) -> None:
        if self.report is not None:
            document = json.dumps(self.report.to_document(), indent=2, ensure_ascii=False) + "\n"
            self._save(export_path(self.save_dir, self.report, "json"), document)

    def _save(self, path: Path, text: str) -> None:
        saved = self.query_one("#old-key-saved", Static)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as err:
            saved.update(f"Could not save {path}: {err.strerror or err}. Check that the directory is writable.")
            return
        saved.update(f"Saved: {path}")
        saved.scroll_visible(animate=False)
