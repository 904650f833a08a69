"""The journey's steps with where each stands: done, next, to do, blocked (and why) or skipped."""

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


NOTE_LENGTH = 48  # about two lines of the sidebar; the page shows the whole text


def step_prompt(number: int, view: StepView) -> Content:
    """The step's title; a blocked step also says why (shortened)."""
    mark, style = MARKS[view.state]
    title = Content.from_markup(f"[{style}]$mark[/] $number. $title", mark=mark, number=number, title=view.title)
    if view.state is not StepState.BLOCKED or not view.reason:
        return title
    note = view.reason if len(view.reason) <= NOTE_LENGTH else view.reason[: NOTE_LENGTH - 1].rstrip() + "…"
    return Content("\n").join([title, Content.from_markup("   [$text-muted]$note[/]", note=note)])


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

    def show(self, views: Sequence[StepView], current: str | None) -> None:
        """Replace the steps; `current` is the key of the step on screen."""
        self.views = tuple(views)
        self.set_options(Option(step_prompt(number, view), id=view.key) for number, view in enumerate(views, start=1))
        keys = [view.key for view in views]
        if current in keys:
            self.highlighted = keys.index(current)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Chosen(self, event.option.id))
