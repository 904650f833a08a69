"""The closing report of a journey: what changed (from the journal), where things stand, the rotation alert."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cmkwizard.atlas.models import AlertConfig
from cmkwizard.journal import ATLAS_CHANGE, AWS_CHANGE, AZURE_CHANGE
from cmkwizard.journeys.base import JourneyRun, PlannedCall, Progress, ProgressEvent, Step, StepState, StepView
from cmkwizard.journeys.calls import list_alert_configs
from cmkwizard.journeys.clusters import cluster_line
from cmkwizard.journeys.private_endpoints import endpoints_by_region, explain_endpoint
from cmkwizard.journeys.providers import key_config

if TYPE_CHECKING:
    from cmkwizard.journal import Journal
    from cmkwizard.state import ProjectState

_CHANGE_KINDS = (ATLAS_CHANGE, AWS_CHANGE, AZURE_CHANGE)


@dataclass(frozen=True)
class JourneySummary:
    configuration: tuple[str, ...]
    changes: tuple[str, ...]
    rotation_alert: AlertConfig | None
    rotation_event: str

    @property
    def rotation_alert_line(self) -> str:
        alert = self.rotation_alert
        if alert is None:
            return (
                f"No {self.rotation_event} alert found: Atlas normally creates a 90-day one when a customer key "
                "is configured. Create it under Project > Alerts so you are reminded to rotate the key."
            )
        state = "enabled" if alert.enabled else "DISABLED (enable it, or rotation will be forgotten)"
        days = f"after {alert.threshold_days} days" if alert.threshold_days is not None else "(no threshold set)"
        return f"Key rotation alert {alert.id}: fires {days}, {state}"

    def lines(self) -> list[str]:
        return [
            *self.configuration,
            self.rotation_alert_line,
            f"{len(self.changes)} change(s) recorded in the journal:",
            *(f"  {c}" for c in self.changes),
        ]


def run_changes(journal: Journal, run: str | None) -> tuple[str, ...]:
    """The changes one run of a journey made (or attempted), in order."""
    if run is None:
        return ()
    return tuple(_change_line(e) for e in journal.run_entries(run) if e.get("kind") in _CHANGE_KINDS)


def _change_line(entry: Mapping[str, Any]) -> str:
    provider = str(entry.get("kind", "")).removesuffix("_change").upper()
    outcome = entry.get("outcome", "done")
    error = entry.get("error") or {}
    code = f" ({error.get('code')})" if isinstance(error, Mapping) and error.get("code") else ""
    return f"{entry.get('at', '')} {provider}: {entry.get('what', '')}: {outcome}{code}"


def describe_setup(provider: str) -> Callable[[ProjectState], list[str]]:
    """Where the project stands with ``provider``'s key: configuration, its clusters, its endpoints."""

    def describe(state: ProjectState) -> list[str]:
        lines = [key_config(state.encryption, provider).describe()]
        lines += [cluster_line(c) for c in state.clusters if c.encryption_at_rest_provider == provider]
        lines += [explain_endpoint(e) for e in endpoints_by_region(state.endpoints_for(provider)).values()]
        return lines

    return describe


class SummaryStep(Step[Any]):
    key = "summary"
    title = "Summary"
    final = True
    help = """\
**Summary.** What the wizard changed (every change is in the project's journal, with its time and
outcome), where the project stands now, and the key rotation alert Atlas created: Atlas never rotates
your key itself, so keep that alert on and rotate before it fires.
"""

    def __init__(self, provider: str, describe: Callable[[ProjectState], Sequence[str]]) -> None:
        self.provider = provider
        self._describe = describe

    def describe(self, state: ProjectState, inputs: Any) -> list[str]:
        """Where the project stands, as the summary reports it."""
        return list(self._describe(state))

    @property
    def rotation_event(self) -> str:
        return f"{self.provider}_ENCRYPTION_KEY_NEEDS_ROTATION"

    def assess(self, state: ProjectState, inputs: Any) -> StepView:
        return self.view(StepState.TODO, "; ".join(self.describe(state, inputs)))

    def plan(self, state: ProjectState, inputs: Any) -> list[PlannedCall]:
        return [list_alert_configs(state.project_id)]

    async def apply(self, run: JourneyRun[Any], progress: Progress) -> None:
        state = await run.read_state()
        alerts = await run.client.list_alert_configs(run.project_id)
        alert = next((a for a in alerts if a.event_type_name == self.rotation_event), None)
        summary = JourneySummary(
            tuple(self.describe(state, run.inputs)), run_changes(run.journal, run.run_id), alert, self.rotation_event
        )
        run.report = summary
        for line in summary.lines():
            progress(ProgressEvent(self.key, line))
        progress(ProgressEvent(self.key, "Done", 1.0))
