"""Turning encryption with the project's key on for chosen clusters and following each to IDLE."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from cmkwizard.atlas.errors import AtlasApiError, AtlasError
from cmkwizard.atlas.models import CLUSTER_IDLE, PROVIDER_NONE, Cluster
from cmkwizard.errors import InputError
from cmkwizard.journeys import calls
from cmkwizard.journeys.base import (
    JourneyRun,
    PlannedCall,
    Progress,
    ProgressEvent,
    Step,
    StepError,
    StepState,
    StepView,
)
from cmkwizard.journeys.eligibility import Eligibility, cluster_eligibility
from cmkwizard.journeys.waiting import PollStatus, poll_until

if TYPE_CHECKING:
    from cmkwizard.state import ProjectState


class ClusterChoice(Protocol):
    clusters: tuple[str, ...] | None

    def to_record(self) -> dict[str, Any]: ...


def eligibility_table(state: ProjectState, provider: str) -> list[Eligibility]:
    """Every cluster with whether it can use ``provider``'s key and, if not, why."""
    return [cluster_eligibility(c, provider) for c in state.clusters]


def choose_clusters(names: Iterable[str], state: ProjectState, provider: str) -> tuple[str, ...]:
    """The clusters to encrypt with ``provider``'s key; InputError unless every one exists and is eligible."""
    chosen = tuple(dict.fromkeys(n.strip() for n in names if n.strip()))
    problems = []
    for name in chosen:
        cluster = state.cluster(name)
        if cluster is None:
            known = ", ".join(c.name for c in state.clusters) or "none"
            problems.append(f"there is no cluster named '{name}' in this project (clusters: {known})")
            continue
        eligibility = cluster_eligibility(cluster, provider)
        if not eligibility.eligible:
            problems.append(f"{name}: " + "; ".join(eligibility.reasons))
    if problems:
        raise InputError("Cannot encrypt the chosen clusters: " + " | ".join(problems))
    return chosen


def project_ready(state: ProjectState, provider: str) -> bool:
    """The project uses ``provider``'s key and Atlas reports it valid: clusters and endpoints may follow."""
    return state.encryption.active_provider == provider and bool(state.encryption.valid)


def cluster_done(cluster: Cluster | None, provider: str) -> bool:
    if cluster is None:
        return False
    return cluster.encryption_at_rest_provider == provider and cluster.state_name == CLUSTER_IDLE


def cluster_line(cluster: Cluster) -> str:
    paused = ", paused" if cluster.paused else ""
    return f"{cluster.name}: {cluster.encryption_at_rest_provider}, {cluster.state_name}{paused}"


class ClustersStep(Step[Any]):
    key = "clusters"
    title = "Clusters"
    help = """\
**Clusters.** Each cluster is encrypted with the project's key once its `encryptionAtRestProvider`
is set. Eligible: dedicated clusters (M10 or larger, not shared-tier or Flex), not paused, with
Cloud Backup, not already using another provider's key. Atlas then rolls the change through the
nodes (`UPDATING`) without downtime; the wizard follows every chosen cluster to `IDLE` and shows
each one's progress. A cluster Atlas refuses does not stop the others: its error code and the next
step are reported at the end.
"""

    def __init__(self, provider: str) -> None:
        self.provider = provider

    def precondition(self, state: ProjectState, inputs: ClusterChoice) -> str | None:
        if inputs.clusters and not project_ready(state, self.provider):
            return f"Enable {self.provider} encryption for the project first (Atlas must report the key valid)."
        return None

    def assess(self, state: ProjectState, inputs: ClusterChoice) -> StepView:
        if not project_ready(state, self.provider):
            return self.view(
                StepState.TODO,
                "Waiting for the project",
                f"Enable {self.provider} encryption for the project first.",
            )
        if inputs.clusters is None:
            table = eligibility_table(state, self.provider)
            eligible = [e.name for e in table if e.eligible and not e.already_enabled]
            done = [e.name for e in table if e.already_enabled]
            summary = f"Eligible: {', '.join(eligible) or 'none'}"
            if done:
                summary += f"; already encrypted: {', '.join(done)}"
            return self.view(StepState.TODO, summary, "Choose the clusters to encrypt (or none).")
        if not inputs.clusters:
            return self.view(StepState.SKIPPED, "No cluster chosen")
        blocked = []
        for name in inputs.clusters:
            cluster = state.cluster(name)
            if cluster is None:
                blocked.append(f"{name}: no such cluster in this project")
            elif not cluster_done(cluster, self.provider):
                eligibility = cluster_eligibility(cluster, self.provider)
                if not eligibility.eligible:
                    blocked.append(f"{name}: " + "; ".join(eligibility.reasons))
        lines = "; ".join(cluster_line(c) for n in inputs.clusters if (c := state.cluster(n)))
        if blocked:
            return self.view(StepState.BLOCKED, lines, " | ".join(blocked))
        if all(cluster_done(state.cluster(n), self.provider) for n in inputs.clusters):
            return self.view(StepState.DONE, lines)
        return self.view(StepState.TODO, lines)

    def plan(self, state: ProjectState, inputs: ClusterChoice) -> list[PlannedCall]:
        return [
            calls.set_cluster_provider(state.project_id, name, self.provider)
            for name in self._to_change(state, inputs.clusters or ())
        ]

    def _to_change(self, state: ProjectState, names: Sequence[str]) -> list[str]:
        return [n for n in names if (c := state.cluster(n)) is None or c.encryption_at_rest_provider != self.provider]

    async def apply(self, run: JourneyRun[Any], progress: Progress) -> None:
        chosen = tuple(run.inputs.clusters or ())
        if not chosen:
            return
        state = await run.read_state()
        to_change = self._to_change(state, chosen)
        if to_change:
            run.record_decision(f"clusters to encrypt with {self.provider} keys", list(chosen))
        await set_cluster_providers(run, progress, self.key, chosen, to_change, self.provider)


async def set_cluster_providers(
    run: JourneyRun[Any],
    progress: Progress,
    step_key: str,
    chosen: Sequence[str],
    to_change: Sequence[str],
    provider: str,
) -> None:
    """Set ``to_change``'s encryption provider to ``provider`` (``NONE`` turns customer keys off), then follow
    every chosen cluster to IDLE. A cluster Atlas refuses does not stop the others: its refusal is raised at
    the end."""
    refused: dict[str, AtlasApiError] = {}
    for name in to_change:
        what = f"set encryption provider of cluster {name} to {provider}"
        progress(ProgressEvent(step_key, f"{name}: setting the encryption provider to {provider}"))
        try:
            await run.client.set_cluster_encryption_provider(run.project_id, name, provider)
        except AtlasApiError as err:
            refused[name] = err
            run.record_change("ATLAS", what, error=err)
            progress(ProgressEvent(step_key, f"{name}: Atlas refused ({err.error_code}): {err.next_step}"))
            continue
        except AtlasError as err:  # the answer was lost: Atlas may have started the change
            run.record_change("ATLAS", what, error=err)
            raise
        run.record_change("ATLAS", what)
    following = [n for n in chosen if n not in refused]
    if following:
        await follow_clusters(run, progress, step_key, following, provider)
    if refused:
        raise _refusal_error(step_key, refused, len(chosen), provider)


async def follow_clusters(
    run: JourneyRun[Any], progress: Progress, step_key: str, names: Sequence[str], provider: str
) -> None:
    """Poll the clusters (one list per cycle) until each named one uses ``provider``'s key and is IDLE."""

    def check(clusters: list[Cluster]) -> PollStatus:
        by_name = {c.name: c for c in clusters}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise StepError(
                step_key,
                f"Cluster {', '.join(missing)} disappeared",
                "It was deleted while its encryption was being changed.",
                "Choose the clusters again.",
            )
        done = [n for n in names if cluster_done(by_name[n], provider)]
        lines = "; ".join(cluster_line(by_name[n]) for n in names)
        return PollStatus(len(done) == len(names), lines, len(done) / len(names))

    await poll_until(
        run,
        progress,
        step_key,
        lambda: run.client.list_clusters(run.project_id),
        check,
        budget=run.timing.cluster_budget,
        what="Clusters reaching IDLE",
        next_step="Atlas is still applying the change; come back later, the wizard resumes here",
    )


def _refusal_error(step_key: str, refused: dict[str, AtlasApiError], chosen: int, provider: str) -> StepError:
    first = next(iter(refused.values()))
    meaning = " | ".join(
        f"{name}: {err.error_code} ({err.meaning}). {err.detail or ''}".strip() for name, err in refused.items()
    )
    next_step = " | ".join(f"{name}: {err.next_step}" for name, err in refused.items())
    done = chosen - len(refused)
    outcome = "encrypted" if provider != PROVIDER_NONE else "back to Atlas-managed keys"
    return StepError(
        step_key,
        f"Atlas refused {len(refused)} of {chosen} clusters ({done} {outcome})",
        meaning,
        next_step,
        first.error_code,
    )
