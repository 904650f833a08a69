"""Key rotation on screen, against the encrypted sandbox projects: the whole rotation from the home, the
operator's mistakes explained on the page before anything is sent."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox

from cmkwizard.journeys.aws_key import same_key
from screens.home import HomeScreen
from screens.pages.summary import SummaryScreen
from screens.rotate.alert import AlertScreen
from screens.rotate.clusters import ReencryptScreen
from screens.rotate.new_key_aws import AwsNewKeyScreen
from screens.rotate.standing import StandingScreen
from screens.rotate.switch import SwitchScreen
from screens.widgets.confirm import ConfirmModal
from tests.ui.support import choose_journey, click, settle, shown
from tests.ui.test_onboarding import apply, error_text, open_home, until

SIZE = (120, 40)
aws_project = pytest.mark.parametrize("wizard", ["encrypted-aws"], indirect=True)


def field_error(app, field: str) -> str:
    return shown(app, f"#{field} .field-error")


async def type_into(pilot, selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector)
    field.value = ""
    field.focus()
    await pilot.press(*text)


def encryption_writes(wizard) -> list:
    project = wizard.sandbox.store.projects[wizard.sandbox.info.project_id]
    return [e for e in project.events if e.event_type == "ENCRYPTION_AT_REST_CONFIGURATION_UPDATED"]


@aws_project
async def test_an_aws_rotation_on_screen_with_the_operators_mistakes(wizard):
    new_key = wizard.sandbox.moto.client("kms", "us-east-1").create_key(Description="next")["KeyMetadata"]["Arn"]
    configured_before = len(encryption_writes(wizard))
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_home(app, pilot)
        await choose_journey(pilot, "rotate_aws")

        assert isinstance(app.screen, StandingScreen)
        assert "Rotation alert: fires 90 days after the last rotation" in shown(app, "#standing")
        assert "AWS automatic rotation: unknown (no AWS credentials" in shown(app, "#standing")
        await click(pilot, "#use-aws")
        await settle(pilot)
        assert "AWS automatic rotation: off" in shown(app, "#standing")
        await apply(app, pilot)

        assert isinstance(app.screen, AwsNewKeyScreen), error_text(app)
        await apply(app, pilot)  # nothing given
        assert isinstance(app.screen, AwsNewKeyScreen)
        assert "Give the new key" in field_error(app, "key")
        current = wizard.sandbox.store.projects[wizard.sandbox.info.project_id].encryption.aws.customer_master_key_id
        await type_into(pilot, "#key-input", current)
        await apply(app, pilot)
        assert "the key the project uses now" in field_error(app, "key")
        await type_into(pilot, "#region-input", "eu-west-1")
        await pilot.pause()
        assert app.screen.query_one("#confirm-region").display, "a region change is confirmed"
        await type_into(pilot, "#region-input", "us-east-1")
        await pilot.pause()
        assert not app.screen.query_one("#confirm-region").display
        await type_into(pilot, "#key-input", new_key)
        assert app.screen.query_one("#extend-policy", Checkbox).value
        await apply(app, pilot)

        assert isinstance(app.screen, SwitchScreen), error_text(app)
        assert "customerMasterKeyID" in shown(app, "#switch-change")
        app.screen.action_apply()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert shown(app, ".dialog-title") == "Switch the project to the new key?"
        await click(pilot, "#cancel")  # the operator steps back: nothing is sent
        await settle(pilot)
        assert isinstance(app.screen, SwitchScreen)
        assert len(encryption_writes(wizard)) == configured_before
        app.screen.action_apply()
        await pilot.pause()
        await click(pilot, "#confirm")
        await settle(pilot)

        assert isinstance(app.screen, ReencryptScreen), error_text(app)
        await apply(app, pilot)

        assert isinstance(app.screen, AlertScreen), error_text(app)
        await type_into(pilot, "#alert-days-input", "ninety")
        await apply(app, pilot)
        assert "is not a number of days" in field_error(app, "alert-days")
        await type_into(pilot, "#alert-days-input", "90")
        await apply(app, pilot)

        assert isinstance(app.screen, SummaryScreen), error_text(app)
        await until(pilot, lambda: "orders: AWS, IDLE" in shown(app, "#summary-report"))
        assert "orders: AWS, IDLE" in shown(app, "#summary-report")
        assert "do not disable or delete the previous key" in shown(app, "#summary-report")
        await apply(app, pilot)
        assert isinstance(app.screen, HomeScreen)

    kms = wizard.sandbox.store.projects[wizard.sandbox.info.project_id].encryption.aws
    assert same_key(kms.customer_master_key_id, new_key)
