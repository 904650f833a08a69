"""The pages of onboarding with AWS KMS, in order, each tied to the journey step it serves: its own role,
trust, authorization, key and enable pages, and the provider-neutral clusters, endpoints and summary pages."""

from __future__ import annotations

from cmkwizard.journeys.aws_inputs import JOURNEY_NAME
from screens.flow import Page
from screens.journey_pages import register_pages
from screens.onboard_aws.authorize import AuthorizeScreen
from screens.onboard_aws.enable import AwsEnableScreen
from screens.onboard_aws.key import KeyScreen
from screens.onboard_aws.role import RoleScreen
from screens.onboard_aws.trust import TrustPolicyScreen
from screens.pages import CLUSTERS, ENDPOINTS, SUMMARY

PAGES = (
    Page("role", "role", "Atlas role", RoleScreen),
    Page("trust", "authorize", "Trust policy", TrustPolicyScreen),
    Page("authorize", "authorize", "Role ARN and authorization", AuthorizeScreen),
    Page("key", "key", "Key and region", KeyScreen),
    Page("enable", "enable", "Enable the project", AwsEnableScreen),
    CLUSTERS,
    ENDPOINTS,
    SUMMARY,
)

register_pages(JOURNEY_NAME, PAGES)
