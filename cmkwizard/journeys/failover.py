"""Region failover with AWS KMS: move the project to a replica of its multi-Region key during an outage,
and later back, each time as a drill record of what was done and how long it took.

The journey observes KMS in every region of the key (``kms_facts``) and Atlas' key events, so its first
page can say what is wrong (``diagnosis``) before anything changes. Moving back once the primary region
recovers is a second run of the same journey with the primary region as the target.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cmkwizard.atlas.models import PROVIDER_AWS
from cmkwizard.journal import ATLAS_CHANGE, AWS_CHANGE, OPERATOR_DECISION, RUN_STARTED
from cmkwizard.journeys.base import Journey, JourneyRun, PlannedCall, Progress, ProgressEvent, Step, StepState, StepView
from cmkwizard.journeys.diagnosis import DIAGNOSIS_OBSERVERS
from cmkwizard.journeys.failover_steps import (
    MoveRegionStep,
    RecoveryStep,
    ReplicaAccessStep,
    ReplicaStep,
    TargetEndpointStep,
)
from cmkwizard.journeys.inputs import from_record, to_record
from cmkwizard.journeys.registry import Offer
from cmkwizard.journeys.summary import describe_setup

if TYPE_CHECKING:
    from cmkwizard.state import ProjectState

JOURNEY_NAME = "failover_aws"
REHEARSAL = "REHEARSAL"


@dataclass
class FailoverInputs:
    target_region: str | None = None
    """The region to move the key to, in AWS form (us-west-2)."""
    from_region: str | None = None
    """Where the project's key was when this run started: where to move back to."""
    replica_access_by_hand: bool = False
    """Without AWS credentials: the operator attached the replica's policy to the role."""
    rehearsal: bool = False
    """A drill in the sandbox: every page and the record say so."""

    def to_record(self) -> dict[str, Any]:
        return to_record(self)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> FailoverInputs:
        return from_record(cls, record)


@dataclass(frozen=True)
class DrillRecord:
    """What a failover run did, in order, with the time each thing happened and the time taken."""

    rehearsal: bool
    started: datetime | None
    finished: datetime | None
    entries: tuple[str, ...]

    @property
    def seconds(self) -> float | None:
        if self.started is None or self.finished is None:
            return None
        return (self.finished - self.started).total_seconds()

    def lines(self) -> list[str]:
        kind = f"{REHEARSAL} drill record" if self.rehearsal else "Failover record"
        taken = self.seconds
        took = f"took {_duration(taken)}" if taken is not None else "duration unknown"
        return [f"{kind}: {took}", *(f"  {entry}" for entry in self.entries)]


def drill_record(run: JourneyRun[FailoverInputs], steps: list[StepView]) -> DrillRecord:
    """The run's timeline from the journal (wall-clock times), then where each step ended."""
    entries = run.journal.run_entries(run.run_id) if run.run_id else []
    started = next((_at(e) for e in entries if e.get("kind") == RUN_STARTED), None)
    finished = _at(entries[-1]) if entries else None
    lines = []
    for entry in entries:
        kind = entry.get("kind")
        at = _at(entry)
        offset = f"+{_duration((at - started).total_seconds())}" if at and started else "?"
        if kind == OPERATOR_DECISION:
            lines.append(f"{offset} {entry.get('what')}: {entry.get('choice')}")
        elif kind in (ATLAS_CHANGE, AWS_CHANGE):
            provider = str(kind).removesuffix("_change").upper()
            lines.append(f"{offset} {provider}: {entry.get('what')}: {entry.get('outcome')}")
    lines += [f"{view.state.value}: {view.title}: {view.summary}" for view in steps if view.key != "summary"]
    return DrillRecord(run.inputs.rehearsal, started, finished, tuple(lines))


def _at(entry: Mapping[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(entry.get("at")))
    except ValueError:
        return None


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


@dataclass(frozen=True)
class FailoverReport:
    record: DrillRecord
    configuration: tuple[str, ...]
    move_back: str

    def lines(self) -> list[str]:
        return [*self.configuration, self.move_back, *self.record.lines()]


class FailoverSummaryStep(Step[FailoverInputs]):
    key = "summary"
    title = "Summary"
    final = True
    help = """\
**Summary.** Where the project stands now, how to move back once the original region recovers (run
this journey again and choose that region), and the record of this failover: each decision and
change with the time it happened, and the time taken.
"""

    def assess(self, state: ProjectState, inputs: FailoverInputs) -> StepView:
        return self.view(StepState.TODO, "; ".join(describe_setup(PROVIDER_AWS)(state)))

    def plan(self, state: ProjectState, inputs: FailoverInputs) -> list[PlannedCall]:
        return []

    def __init__(self, journey: Callable[[], Journey[FailoverInputs]]) -> None:
        self._journey = journey

    async def apply(self, run: JourneyRun[FailoverInputs], progress: Progress) -> None:
        state = await run.read_state()
        run.record_decision("failover finished", state.encryption.aws_kms.region)
        back = run.inputs.from_region
        move_back = (
            f"When {back} recovers, move back: run Region failover again and choose {back}."
            if back
            else "Run Region failover again to move to another region of the key."
        )
        steps = self._journey().assess(state, run.inputs)
        report = FailoverReport(drill_record(run, steps), tuple(describe_setup(PROVIDER_AWS)(state)), move_back)
        run.report = report
        for line in report.lines():
            progress(ProgressEvent(self.key, line))
        progress(ProgressEvent(self.key, "Done", 1.0))


FAILOVER_AWS: Journey[FailoverInputs] = Journey(
    JOURNEY_NAME,
    [
        ReplicaStep(),
        TargetEndpointStep(),
        ReplicaAccessStep(),
        MoveRegionStep(),
        RecoveryStep(),
        FailoverSummaryStep(lambda: FAILOVER_AWS),
    ],
    title="Region failover (AWS KMS)",
    observers=DIAGNOSIS_OBSERVERS,
)


def offer_failover(state: ProjectState) -> Offer | None:
    """Offered while Atlas cannot use an AWS key, and for a multi-Region key (to move back after an outage)."""
    kms = state.encryption.aws_kms
    if state.encryption.active_provider != PROVIDER_AWS or not kms.enabled or kms.uses_legacy_credentials:
        return None
    if kms.valid is False and not state.key_being_checked:
        return Offer(
            f"Atlas cannot use the key in {kms.region} (valid: false): see why, and in a regional outage move "
            "to a replica region"
        )
    if "mrk-" in (kms.customer_master_key_id or ""):
        return Offer(f"The key is multi-Region, used in {kms.region}: move to another of its regions (or back)")
    return None
