"""Pages of the journeys built from onboarding's steps: more clusters, private endpoint changes."""

from __future__ import annotations

from cmkwizard.journeys import endpoints_change, more_clusters
from cmkwizard.journeys.providers import PROVIDERS
from screens.journey_pages import register_pages
from screens.pages import CLUSTERS, ENDPOINTS, SUMMARY

for provider in PROVIDERS:
    register_pages(more_clusters.journey_name(provider), (CLUSTERS, SUMMARY))
    register_pages(endpoints_change.journey_name(provider), (ENDPOINTS, SUMMARY))
