"""The dry run of a journey for a project, as text or as a JSON-ready document (``cmkwizard plan``).

The project is read, the journey's unfinished run gives the inputs typed so far (a finished one gives
none), and every remaining step lists the calls it would make. Nothing is sent but reads, and nothing is
written, the journal included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cmkwizard.journeys.observe import SourcesOf, observe
from cmkwizard.state import SYSTEM_CLOCK, Clock, read_project_state

if TYPE_CHECKING:
    from cmkwizard.atlas import AtlasClient
    from cmkwizard.journal import Journal
    from cmkwizard.journeys.base import DryRun, PlannedCall
    from cmkwizard.journeys.registry import JourneyEntry


async def plan_journey(
    client: AtlasClient,
    entry: JourneyEntry[Any],
    project_id: str,
    journal: Callable[[str], Journal],
    *,
    base_url: str,
    clock: Clock = SYSTEM_CLOCK,
) -> DryRun:
    state = await read_project_state(client, project_id, clock=clock)
    state = await observe(entry.journey.observers, SourcesOf(client, project_id, clock=clock), state)
    inputs = entry.resumed_inputs(journal(project_id))
    return entry.journey.dry_run(state, inputs, base_url=base_url)


def plan_document(dry_run: DryRun, project_id: str) -> dict[str, Any]:
    return {
        "journey": dry_run.journey,
        "project": project_id,
        "sent": False,
        "observed": [
            {"name": f.name, "title": f.title, "value": f.line if f.known else None, "unavailable": f.unavailable}
            for f in dry_run.observed.facts
        ],
        "steps": [
            {
                "key": step.view.key,
                "title": step.view.title,
                "state": step.view.state.value,
                "summary": step.view.summary,
                "reason": step.view.reason,
                "calls": [_call(call) for call in step.calls],
            }
            for step in dry_run.steps
        ],
    }


def _call(call: PlannedCall) -> dict[str, Any]:
    return {
        "service": call.service,
        "description": call.description,
        "method": call.method,
        "path": call.path,
        "url": call.url if call.is_atlas else None,
        "body": call.body,
        "curl": call.curl or None,
        "atlas_cli": call.atlas_cli,
        "cli": {"tool": call.cli_name, "command": call.cli} if call.cli else None,
    }
