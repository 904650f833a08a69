"""The pages of a key rotation, in order, each tied to the journey step it serves."""

from __future__ import annotations

from cmkwizard.atlas.models import PROVIDER_AWS, PROVIDER_AZURE
from cmkwizard.journeys.rotate_journey import journey_name
from screens.flow import Page
from screens.journey_pages import register_pages
from screens.pages.summary import SummaryScreen
from screens.rotate.alert import AlertScreen
from screens.rotate.clusters import ReencryptScreen
from screens.rotate.new_key_aws import AwsNewKeyScreen
from screens.rotate.new_key_azure import AzureNewKeyScreen
from screens.rotate.standing import StandingScreen
from screens.rotate.switch import SwitchScreen

NEW_KEY_PAGES = {
    PROVIDER_AWS: Page("new_key", "new_key", "New key", AwsNewKeyScreen),
    PROVIDER_AZURE: Page("new_key", "new_key", "New key version", AzureNewKeyScreen),
}

for provider, new_key in NEW_KEY_PAGES.items():
    register_pages(
        journey_name(provider),
        (
            Page("standing", "standing", "Where things stand", StandingScreen),
            new_key,
            Page("switch", "switch", "Switch to the new key", SwitchScreen),
            Page("clusters", "clusters", "Clusters back to IDLE", ReencryptScreen),
            Page("alert", "alert", "Rotation alert", AlertScreen),
            Page("summary", "summary", "Summary", SummaryScreen),
        ),
    )
