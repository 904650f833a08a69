"""A journey in progress on screen: its plan, the operator's inputs, the latest state and the pages.

A journey step may take more than one page (the trust policy, then the role ARN, both belong to
authorization). The flow keeps the pages in order and says which page shows the first unfinished
step, so a resumed wizard lands where the live state says it should.

The flow is all a page is given: with it come the Atlas client, how the live status polls, the clocks,
the journal and the context (settings, sandbox, the way to AWS and Azure). A page never reaches into
the application, so it can be hosted alone; it asks for another page with messages (`ShowPage`, `GoBack`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from cmkwizard.atlas.models import Project
from cmkwizard.journeys.base import CloudSession, Journey, JourneyRun, StepView
from cmkwizard.state import Clock, ProjectState
from screens.timing import Sleep

if TYPE_CHECKING:
    from cmkwizard.atlas import AtlasClient
    from cmkwizard.context import AppContext
    from cmkwizard.journal import Journal
    from screens.step_screen import StepScreen
    from screens.widgets.status_pane import PollPolicy


class RecordableInputs(Protocol):
    def to_record(self) -> dict[str, Any]: ...


InputsT = TypeVar("InputsT", bound=RecordableInputs)


@dataclass(frozen=True)
class Page:
    """One screen of a journey: `key` names the page, `step_key` the journey step it serves."""

    key: str
    step_key: str
    title: str
    make: Callable[[JourneyFlow[Any]], StepScreen]


@dataclass
class JourneyFlow(Generic[InputsT]):
    journey: Journey[InputsT]
    pages: Sequence[Page]
    project: Project
    inputs: InputsT
    journal: Journal
    state: ProjectState
    clock: Clock
    sleep: Sleep
    client: AtlasClient
    context: AppContext
    """Settings, the sandbox and the way to AWS and Azure (``aws_account``, ``azure_key_vault``)."""
    poll_policy: PollPolicy
    """How often the live status beside each page reads the project."""
    wall_clock: Clock
    """The time people read (the live status' "read at"), which differs from ``clock`` only in the sandbox."""
    run_id: str | None = None
    """The journal's run this flow continues (see `Journey.start`)."""
    cloud: CloudSession | None = None
    """The cloud credentials the operator chose to let the wizard act with, once their identity was read."""

    def views(self) -> list[StepView]:
        return self.journey.assess(self.state, self.inputs)

    def view(self, step_key: str) -> StepView:
        return next(v for v in self.views() if v.key == step_key)

    def page(self, key: str) -> Page:
        return next(p for p in self.pages if p.key == key)

    def first_page_of(self, step_key: str) -> Page:
        return next(p for p in self.pages if p.step_key == step_key)

    def resume_page(self) -> Page:
        """The first page of the first unfinished step (the closing report when all are finished)."""
        step = self.journey.current(self.state, self.inputs)
        return self.first_page_of(step.key) if step is not None else self.pages[-1]

    def neighbour(self, key: str, offset: int) -> Page | None:
        keys = [p.key for p in self.pages]
        index = keys.index(key) + offset
        return self.pages[index] if 0 <= index < len(self.pages) else None

    def position(self, page: Page) -> tuple[int, int]:
        """The page's step number and the number of steps, for "Step 3 of 7"."""
        keys = [s.key for s in self.journey.steps]
        return keys.index(page.step_key) + 1, len(keys)

    def run(self) -> JourneyRun[InputsT]:
        return self.journey.start(
            client=self.client,
            project_id=self.project.id,
            inputs=self.inputs,
            journal=self.journal,
            cloud=self.cloud,
            sleep=self.sleep,
            clock=self.clock,
            run_id=self.run_id,
        )

    def save_inputs(self) -> None:
        """Record what the operator typed, so a resumed wizard offers it again."""
        self.journal.record_inputs(self.journey.name, self.inputs.to_record(), run=self.run_id)
