"""Adding or removing private endpoints to the key service of a project whose key is configured."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cmkwizard.atlas.models import PROVIDER_AWS, PROVIDER_AZURE
from cmkwizard.journeys.base import Journey
from cmkwizard.journeys.inputs import to_record
from cmkwizard.journeys.private_endpoints import PrivateEndpointsStep, endpoints_by_region
from cmkwizard.journeys.providers import key_config, key_provider, provider_label, timing_for
from cmkwizard.journeys.registry import Offer
from cmkwizard.journeys.summary import SummaryStep, describe_setup

if TYPE_CHECKING:
    from cmkwizard.state import ProjectState

REGION_EXAMPLES = {PROVIDER_AWS: "eu-west-1", PROVIDER_AZURE: "US_EAST_2 or eastus2"}
"""How an operator may write a region of each provider (each parser accepts both spellings)."""


@dataclass
class EndpointInputs:
    provider: str
    private_endpoint_regions: tuple[str, ...] | None = None
    """Regions (Atlas form) that get a private endpoint; None until the operator chooses."""
    require_private_networking: bool = False
    replace_failed_endpoints: bool = False
    region: str | None = None
    """The key's region, offered first on the page."""

    def set_private_endpoint_regions(self, texts: Iterable[str]) -> tuple[str, ...]:
        """Regions in any spelling the provider accepts; an empty choice asks for no endpoint."""
        parse = key_provider(self.provider).to_atlas_region
        regions = tuple(dict.fromkeys(parse(t) for t in texts if t.strip()))
        self.private_endpoint_regions = regions
        self.require_private_networking = bool(regions)
        return regions

    def to_record(self) -> dict[str, Any]:
        return to_record(self)


def journey_name(provider: str) -> str:
    return f"private_endpoints_{provider.lower()}"


def endpoints_journey(provider: str) -> Journey[EndpointInputs]:
    return Journey(
        journey_name(provider),
        [PrivateEndpointsStep(provider), SummaryStep(provider, describe_setup(provider))],
        title=f"Add or remove private endpoints to {provider_label(provider)}",
        timing=timing_for(provider),
    )


def offer_endpoints(provider: str, state: ProjectState, warning: str | None) -> Offer | None:
    config = key_config(state.encryption, provider)
    if not config.enabled or config.legacy_credentials:
        return None
    if not state.endpoints_known(provider):
        return None
    current = endpoints_by_region(state.endpoints_for(provider))
    if not current:
        return Offer(f"Atlas reaches {config.label} over its public endpoint: no private endpoint yet", warning)
    listed = ", ".join(f"{region} {e.status}" for region, e in sorted(current.items()))
    return Offer(f"Private endpoints: {listed}", warning)
