"""Rotating the project's customer key: where things stand, the new key, the switch, the clusters back to
IDLE, the rotation alert, the summary. One journey per provider; each run is one rotation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmkwizard.atlas.models import PROVIDER_AWS
from cmkwizard.journeys.base import Journey, Step
from cmkwizard.journeys.providers import key_config, provider_label
from cmkwizard.journeys.registry import Offer
from cmkwizard.journeys.rotate_aws import AwsNewKeyStep, AwsSwitchStep
from cmkwizard.journeys.rotate_azure import AzureNewKeyStep, AzureSwitchStep
from cmkwizard.journeys.rotate_inputs import RotateInputs
from cmkwizard.journeys.rotate_steps import OLD_KEY_WARNING, ReencryptStep, RotationAlertStep, StandingStep
from cmkwizard.journeys.rotation_facts import rotation_observers
from cmkwizard.journeys.summary import SummaryStep, describe_setup

if TYPE_CHECKING:
    from cmkwizard.state import ProjectState


def journey_name(provider: str) -> str:
    return f"rotate_{provider.lower()}"


def _describe(provider: str):
    setup = describe_setup(provider)

    def describe(state: ProjectState) -> list[str]:
        return [*setup(state), OLD_KEY_WARNING]

    return describe


def rotation_journey(provider: str) -> Journey[RotateInputs]:
    key_steps: list[Step[RotateInputs]] = (
        [AwsNewKeyStep(), AwsSwitchStep()] if provider == PROVIDER_AWS else [AzureNewKeyStep(), AzureSwitchStep()]
    )
    return Journey(
        journey_name(provider),
        [
            StandingStep(),
            *key_steps,
            ReencryptStep(),
            RotationAlertStep(),
            SummaryStep(provider, _describe(provider)),
        ],
        title=f"Rotate the {provider_label(provider)} key",
        observers=rotation_observers(provider),
    )


def offer_rotation(provider: str, state: ProjectState) -> Offer | None:
    """Offered while the project uses ``provider``'s key through a role and Atlas reports it valid."""
    config = key_config(state.encryption, provider)
    if not config.enabled or config.legacy_credentials or config.valid is not True:
        return None
    return Offer(f"Move Atlas to a new key, or review the rotation alert (key {config.key})")
