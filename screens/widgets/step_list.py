"""The journey's steps with where each stands: done, next, to do, blocked (and why) or skipped.

The step on screen stands out (bold, reversed, with `◀`), whatever the journey's next step is; when
its step spans several pages, the page on screen is named under it. Notes wrap to the list's width.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from cmkwizard.journeys.base import StepState, StepView

MARKS = {
    StepState.DONE: ("✔", "$success"),
    StepState.NEXT: ("▶", "$accent"),
    StepState.TODO: ("○", "$text-muted"),
    StepState.BLOCKED: ("✖", "$error"),
    StepState.SKIPPED: ("–", "$text-muted"),
}
HERE = "◀"


def step_prompt(number: int, view: StepView, *, current: bool = False, page: str | None = None) -> Content:
    """The step's title; a blocked step also says why; the current step is marked, with its page if given."""
    mark, style = MARKS[view.state]
    text = f"[b reverse]$number. $title {HERE}[/]" if current else "$number. $title"
    title = Content.from_markup(f"[{style}]$mark[/] {text}", mark=mark, number=number, title=view.title)
    lines = [title]
    if current and page:
        lines.append(Content.from_markup("  ↳ [b]$page[/]", page=page))
    if view.state is StepState.BLOCKED and view.reason:
        lines.append(Content.from_markup("   [$text-muted]$note[/]", note=view.reason))
    return Content("\n").join(lines)


def step_header(number: int, total: int, title: str) -> str:
    """The one line that stands in for the step list where it does not fit."""
    return f"Step {number} of {total} · {title}"


class StepList(OptionList):
    """Selecting a step asks the screen to show it."""

    class Chosen(Message):
        def __init__(self, step_list: StepList, step_key: str) -> None:
            super().__init__()
            self.step_list = step_list
            self.step_key = step_key

        @property
        def control(self) -> StepList:
            return self.step_list

    def __init__(self, *, id: str = "steps") -> None:
        super().__init__(id=id)
        self.border_title = "Steps"
        self.views: tuple[StepView, ...] = ()
        self.current: str | None = None

    def show(self, views: Sequence[StepView], current: str | None, page: str | None = None) -> None:
        """Replace the steps; `current` is the key of the step on screen, `page` names its page when the step
        has more than one."""
        self.views = tuple(views)
        self.current = current
        self.set_options(
            Option(step_prompt(number, view, current=view.key == current, page=page), id=view.key)
            for number, view in enumerate(views, start=1)
        )
        keys = [view.key for view in views]
        if current in keys:
            self.highlighted = keys.index(current)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Chosen(self, event.option.id))
