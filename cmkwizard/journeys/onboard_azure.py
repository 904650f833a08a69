"""Onboarding with Azure Key Vault: Atlas' service principal, the key and its vault, the project, clusters,
private endpoints approved on the vault, summary. Each step is judged from the live project state, so the
journey resumes where the project is.
"""

from __future__ import annotations

from cmkwizard.atlas.models import PROVIDER_AZURE
from cmkwizard.journeys.azure_access import AzureAccessStep
from cmkwizard.journeys.azure_enable import AzureEnableStep
from cmkwizard.journeys.azure_endpoints import AzurePrivateEndpointsStep
from cmkwizard.journeys.azure_inputs import JOURNEY_NAME, OnboardAzureInputs
from cmkwizard.journeys.azure_key import AzureKeyStep
from cmkwizard.journeys.base import Journey
from cmkwizard.journeys.clusters import ClustersStep
from cmkwizard.journeys.providers import timing_for
from cmkwizard.journeys.summary import SummaryStep, describe_setup

__all__ = ["ONBOARD_AZURE", "OnboardAzureInputs"]

ONBOARD_AZURE: Journey[OnboardAzureInputs] = Journey(
    JOURNEY_NAME,
    [
        AzureAccessStep(),
        AzureKeyStep(),
        AzureEnableStep(),
        ClustersStep(PROVIDER_AZURE),
        AzurePrivateEndpointsStep(),
        SummaryStep(PROVIDER_AZURE, describe_setup(PROVIDER_AZURE)),
    ],
    title="Onboard with Azure Key Vault",
    timing=timing_for(PROVIDER_AZURE),
)
