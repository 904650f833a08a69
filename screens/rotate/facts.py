"""Reading what a rotation observes (events, the alert, the key service) for a page, in a worker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cmkwizard.journeys.observe import SourcesOf, observe

if TYPE_CHECKING:
    from cmkwizard.state import ProjectState
    from screens.flow import JourneyFlow


async def observed_state(flow: JourneyFlow[Any]) -> ProjectState:
    """The flow's state with the journey's observations read now (with the flow's cloud credentials)."""
    sources = SourcesOf(flow.client, flow.project.id, flow.cloud, flow.clock)
    state = await observe(flow.journey.observers, sources, flow.state)
    flow.state = state
    return state
