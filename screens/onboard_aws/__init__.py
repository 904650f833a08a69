"""The pages of onboarding with AWS KMS, in order, each tied to the journey step it serves."""

from __future__ import annotations

from cmkwizard.journeys.aws_inputs import JOURNEY_NAME
from screens.flow import Page
from screens.journey_pages import register_pages
from screens.onboard_aws.authorize import AuthorizeScreen
from screens.onboard_aws.clusters import ClustersScreen
from screens.onboard_aws.enable import EnableScreen
from screens.onboard_aws.endpoints import EndpointsScreen
from screens.onboard_aws.key import KeyScreen
from screens.onboard_aws.role import RoleScreen
from screens.onboard_aws.summary import SummaryScreen
from screens.onboard_aws.trust import TrustPolicyScreen

PAGES = (
    Page("role", "role", "Atlas role", RoleScreen),
    Page("trust", "authorize", "Trust policy", TrustPolicyScreen),
    Page("authorize", "authorize", "Role ARN and authorization", AuthorizeScreen),
    Page("key", "key", "Key and region", KeyScreen),
    Page("enable", "enable", "Enable the project", EnableScreen),
    Page("clusters", "clusters", "Clusters", ClustersScreen),
    Page("private_endpoints", "private_endpoints", "Private endpoints", EndpointsScreen),
    Page("summary", "summary", "Summary", SummaryScreen),
)

register_pages(JOURNEY_NAME, PAGES)
