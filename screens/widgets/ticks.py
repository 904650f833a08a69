"""Checkboxes, radio buttons and selection lists whose state shows in the glyph, not only in its colour.

Textual draws the same `X` (or `●`) for on and off and tells them apart by colour alone: here a ticked
box shows `✔` and an unticked one stays empty; a chosen radio button shows `●`, the others `○`.
"""

from __future__ import annotations

from typing import TypeVar

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, RadioButton, SelectionList
from textual.widgets._toggle_button import ToggleButton

TICKED, UNTICKED = "✔", " "
CHOSEN, NOT_CHOSEN = "●", "○"
ValueT = TypeVar("ValueT")


class TickBox(Checkbox):
    """A checkbox showing ✔ when ticked and an empty box when not."""

    @property
    def _button(self) -> Content:
        return _swap_inner(super()._button, TICKED if self.value else UNTICKED)


class Choice(RadioButton):
    """A radio button showing ● when chosen and ○ when not."""

    @property
    def _button(self) -> Content:
        return _swap_inner(super()._button, CHOSEN if self.value else NOT_CHOSEN)


def _swap_inner(button: Content, glyph: str) -> Content:
    """Replace the single inner character of a toggle's button, keeping every style."""
    plain = button.plain
    index = len(ToggleButton.BUTTON_LEFT)
    return Content.assemble(button[:index], (glyph, _style_at(button, index)), button[index + 1 :]) if plain else button


def _style_at(content: Content, index: int):
    styles = [span.style for span in content.spans if span.start <= index < span.end]
    return styles[-1] if styles else ""


class TickList(SelectionList[ValueT]):
    """A selection list whose chosen entries show ✔ and the others an empty box."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        _, scroll_y = self.scroll_offset
        try:
            selection = self.get_option_at_index(scroll_y + y)
        except Exception:  # past the last option: nothing to change
            return line
        segments = list(line)
        index = 1  # after the button's left side
        if len(segments) <= index or segments[index].text != ToggleButton.BUTTON_INNER:
            return line
        glyph = TICKED if selection.value in self._selected else UNTICKED
        segments[index] = Segment(glyph, segments[index].style)
        return Strip(segments, line.cell_length)
