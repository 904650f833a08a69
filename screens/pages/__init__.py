"""Provider-neutral journey pages: clusters, private endpoints, enabling and the summary.

Every provider's journeys use them; a provider's own folder holds only what differs. The clusters,
endpoints and summary pages serve the journey steps of the same keys as they are.
"""

from __future__ import annotations

from screens.flow import Page
from screens.pages.clusters import ClustersScreen
from screens.pages.endpoints import EndpointsScreen
from screens.pages.summary import SummaryScreen

CLUSTERS = Page("clusters", "clusters", "Clusters", ClustersScreen)
ENDPOINTS = Page("private_endpoints", "private_endpoints", "Private endpoints", EndpointsScreen)
SUMMARY = Page("summary", "summary", "Summary", SummaryScreen)
