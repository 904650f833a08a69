"""Turning customer key management off, and the report on which snapshots still need the key."""

from __future__ import annotations

from cmkwizard.atlas.models import PROVIDER_AWS, PROVIDER_AZURE
from cmkwizard.journeys.disable import journey_name
from screens.disable.pages import ClustersOffScreen, DisableProjectScreen, RemoveEndpointsScreen, RetiredKeyScreen
from screens.flow import Page
from screens.journey_pages import register_pages

PAGES = (
    Page("remove_endpoints", "remove_endpoints", "Remove private endpoints", RemoveEndpointsScreen),
    Page("clusters_off", "clusters_off", "Clusters to Atlas-managed keys", ClustersOffScreen),
    Page("disable_project", "disable_project", "Turn off the project's key", DisableProjectScreen),
    Page("old_key_report", "old_key_report", "Old-key report", RetiredKeyScreen),
)

for provider in (PROVIDER_AWS, PROVIDER_AZURE):
    register_pages(journey_name(provider), PAGES)
