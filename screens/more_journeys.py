"""Pages of the journeys built from onboarding's steps: more clusters, private endpoint changes."""

from __future__ import annotations

from cmkwizard.atlas.models import PROVIDER_AWS, PROVIDER_AZURE
from cmkwizard.journeys import endpoints_change, more_clusters
from screens.flow import Page
from screens.journey_pages import register_pages
from screens.onboard_aws.clusters import ClustersScreen
from screens.onboard_aws.endpoints import EndpointsScreen
from screens.onboard_aws.summary import SummaryScreen

SUMMARY = Page("summary", "summary", "Summary", SummaryScreen)

CLUSTERS = Page("clusters", "clusters", "Clusters", ClustersScreen)
ENDPOINTS = Page("private_endpoints", "private_endpoints", "Private endpoints", EndpointsScreen)

for provider in (PROVIDER_AWS, PROVIDER_AZURE):
    register_pages(more_clusters.journey_name(provider), (CLUSTERS, SUMMARY))
    register_pages(endpoints_change.journey_name(provider), (ENDPOINTS, SUMMARY))
