"""Messages the screens send up to the app, which decides what comes next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from cmkwizard.atlas.models import Caller, Project
    from cmkwizard.state import ProjectState
    from screens.flow import Page


@dataclass
class Connected(Message):
    """The app's client works; `caller` is who its credentials belong to."""

    caller: Caller


@dataclass
class ProjectChosen(Message):
    """The operator picked a project after its preflight; `state` is the read the preflight used."""

    project: Project
    state: ProjectState


@dataclass
class JourneyChosen(Message):
    """The operator chose a journey on the project home: start it, or continue its unfinished run."""

    name: str


class JourneyDone(Message):
    """The operator closed a journey's summary: back to the project home."""


@dataclass
class ShowPage(Message):
    """A journey page is done, or the operator chose a step: show `page` of the same journey in its place."""

    page: Page


class GoBack(Message):
    """The operator pressed a page's Back button: the same as escape."""
