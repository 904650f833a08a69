"""Rotating the project's customer key: where things stand, the new key, the switch, the clusters back to
IDLE, the rotation alert, the summary. One journey per provider; each run is one rotation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmkwizard.atlas.models import PROVIDER_AWS
from cmkwizard.journeys.base import Journey, Step
from cmkwizard.journeys.providers import key_config, provider_label, timing_for
from cmkwizard.journeys.registry import Offer
from cmkwizard.journeys.rotate_aws import AwsNewKeyStep, AwsSwitchStep
from cmkwizard.journeys.rotate_azure import AzureNewKeyStep, AzureSwitchStep
from cmkwizard.journeys.rotate_inputs import RotateInputs, rotating
from cmkwizard.journeys.rotate_steps import OLD_KEY_WARNING, ReencryptStep, RotationAlertStep, StandingStep
from cmkwizard.journeys.rotation_facts import rotation_observers
from cmkwizard.journeys.summary import SummaryStep, describe_setup

if TYPE_CHECKING:
    from cmkwizard.state import ProjectState


def journey_name(provider: str) -> str:
    return f"rotate_{provider.lower()}"


class RotationSummaryStep(SummaryStep):
    """The summary, with Atlas' warning about the previous key when this run moved to a new one."""

    def describe(self, state: ProjectState, inputs: RotateInputs) -> list[str]:
        lines = super().describe(state, inputs)
        return [*lines, OLD_KEY_WARNING] if rotating(inputs) else lines


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
            RotationSummaryStep(provider, describe_setup(provider)),
        ],
        title=f"Rotate the {provider_label(provider)} key",
        observers=rotation_observers(provider),
        timing=timing_for(provider),
    )


def offer_rotation(provider: str, state: ProjectState) -> Offer | None:
    """Offered while the project uses ``provider``'s key through a role and Atlas reports it valid."""
    config = key_config(state.encryption, provider)
    if not config.enabled or config.legacy_credentials or config.valid is not True:
        return None
    return Offer("Move Atlas to a new key, or review the rotation alert")
