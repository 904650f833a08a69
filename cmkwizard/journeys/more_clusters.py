"""Enabling more clusters: a project whose key is configured encrypts clusters it left out so far."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cmkwizard.journeys.base import Journey
from cmkwizard.journeys.clusters import ClustersStep, choose_clusters, eligibility_table
from cmkwizard.journeys.inputs import to_record
from cmkwizard.journeys.providers import key_config, provider_label, timing_for
from cmkwizard.journeys.registry import Offer
from cmkwizard.journeys.summary import SummaryStep, describe_setup

if TYPE_CHECKING:
    from cmkwizard.state import ProjectState


@dataclass
class ClusterInputs:
    provider: str
    clusters: tuple[str, ...] | None = None
    """Clusters to encrypt; None until the operator chooses (an empty choice skips the step)."""

    def set_clusters(self, names: Iterable[str], state: ProjectState) -> tuple[str, ...]:
        self.clusters = choose_clusters(names, state, self.provider)
        return self.clusters

    def to_record(self) -> dict[str, Any]:
        return to_record(self)


def journey_name(provider: str) -> str:
    return f"clusters_{provider.lower()}"


def more_clusters_journey(provider: str) -> Journey[ClusterInputs]:
    return Journey(
        journey_name(provider),
        [ClustersStep(provider), SummaryStep(provider, describe_setup(provider))],
        title=f"Encrypt more clusters with the {provider_label(provider)} key",
        timing=timing_for(provider),
    )


def offer_more_clusters(provider: str, state: ProjectState, warning: str | None) -> Offer | None:
    config = key_config(state.encryption, provider)
    if not config.enabled or config.legacy_credentials:
        return None
    table = eligibility_table(state, provider)
    waiting = [e.name for e in table if e.eligible and not e.already_enabled]
    if not waiting:
        return None
    done = sum(1 for e in table if e.already_enabled)
    return Offer(
        f"{len(waiting)} eligible cluster(s) not encrypted yet ({', '.join(waiting)}); {done} encrypted", warning
    )
