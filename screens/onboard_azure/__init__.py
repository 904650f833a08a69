"""The pages of onboarding with Azure Key Vault: its own access, key, enable and endpoint pages, and the
provider-neutral clusters and summary pages."""

from __future__ import annotations

from cmkwizard.journeys.azure_inputs import JOURNEY_NAME
from screens.flow import Page
from screens.journey_pages import register_pages
from screens.onboard_azure.access import AccessScreen
from screens.onboard_azure.enable import AzureEnableScreen
from screens.onboard_azure.endpoints import AzureEndpointsScreen
from screens.onboard_azure.key import KeyScreen
from screens.pages import CLUSTERS, SUMMARY

PAGES = (
    Page("access", "access", "Atlas service principal", AccessScreen),
    Page("key", "key", "Key and vault", KeyScreen),
    Page("enable", "enable", "Enable the project", AzureEnableScreen),
    CLUSTERS,
    Page("private_endpoints", "private_endpoints", "Private endpoints", AzureEndpointsScreen),
    SUMMARY,
)

register_pages(JOURNEY_NAME, PAGES)
