"""Small helpers for the UI tests: a host app for single widgets, and the text a widget shows."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.content import Content
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Static

from screens.widgets.status_pane import PollPolicy

NO_POLLING = PollPolicy(active=10_000, steady=10_000, backoff_cap=10_000)
"""Polls far apart enough never to happen during a test."""

SCREENS_DIR = Path(__file__).resolve().parents[2] / "screens"
CSS_PATHS = [SCREENS_DIR / "app.tcss", SCREENS_DIR / "widgets.tcss"]


class Host(App[None]):
    """Shows the given widgets with the wizard's styles."""

    CSS_PATH = CSS_PATHS

    def __init__(self, *widgets: Widget) -> None:
        super().__init__()
        self._widgets = widgets

    def compose(self) -> ComposeResult:
        yield from self._widgets


def text_of(widget: Widget) -> str:
    """The plain text a Static or Input shows."""
    if isinstance(widget, Input):
        return widget.value
    assert isinstance(widget, Static), widget
    visual = widget.visual
    return visual.plain if isinstance(visual, Content) else str(visual)


async def settle(pilot: Pilot) -> None:
    """Let running workers finish and the screen catch up with the messages they sent."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def shown(app: App, selector: str) -> str:
    """The text of the widget matching `selector` on the active screen."""
    return text_of(app.screen.query_one(selector))


async def click(pilot: Pilot, selector: str) -> None:
    """Scroll the widget into view, as an operator would, then click it."""
    pilot.app.screen.query_one(selector).scroll_visible(animate=False, immediate=True)
    await pilot.pause()
    await pilot.click(selector)


async def choose_journey(pilot: Pilot, name: str) -> None:
    """On the project home, highlight the journey `name` and press enter, as an operator would."""
    journeys = pilot.app.screen.query_one("#journeys")
    ids = [journeys.get_option_at_index(i).id for i in range(journeys.option_count)]
    assert name in ids, f"the home does not offer {name}: {ids}"
    journeys.focus()
    journeys.highlighted = ids.index(name)
    await pilot.press("enter")
    await settle(pilot)
