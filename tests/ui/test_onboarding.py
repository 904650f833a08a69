"""Onboarding with AWS KMS on screen, against the sandbox: every page, its checks and its navigation."""

from __future__ import annotations

import json

import pytest
from textual.widgets import Checkbox, OptionList

from screens.help import HelpScreen
from screens.home import HomeScreen
from screens.onboard_aws.authorize import AuthorizeScreen
from screens.onboard_aws.key import KeyScreen
from screens.onboard_aws.role import RoleScreen
from screens.onboard_aws.trust import TrustPolicyScreen
from screens.pages.clusters import ClustersScreen
from screens.pages.enable import EnableScreen
from screens.pages.endpoints import EndpointsScreen
from screens.pages.summary import SummaryScreen
from screens.widgets.confirm import ConfirmModal
from screens.widgets.error_panel import ErrorPanel
from screens.widgets.status_pane import PollPolicy
from tests.ui.support import choose_journey, click, settle, shown

SIZE = (120, 40)
BUTTON_REST = 0.3  # a button ignores presses while it still shows the previous one


async def open_home(app, pilot) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    app.screen.start()
    await settle(pilot)
    assert isinstance(app.screen, HomeScreen)


async def start_onboarding(app, pilot) -> None:
    await open_home(app, pilot)
    await choose_journey(pilot, "onboard_aws")


async def apply(app, pilot) -> None:
    app.screen.action_apply()
    await settle(pilot)


async def until(pilot, condition, *, attempts: int = 200) -> None:
    """Let the app run until `condition` holds (or give up, and let the test's assertion say what is wrong)."""
    for _ in range(attempts):
        if condition():
            await pilot.pause(0.2)  # the screen it shows finishes mounting
            return
        await pilot.pause(0.05)


async def apply_confirmed(app, pilot) -> str:
    """Apply a project-wide change: the confirmation says what it does, then the operator confirms."""
    app.screen.action_apply()
    await pilot.pause()
    assert isinstance(app.screen, ConfirmModal), "a project-wide change needs a confirmation"
    title = shown(app, ".dialog-title")
    await click(pilot, "#confirm")
    await settle(pilot)
    return title


def error_text(app) -> str:
    panel = app.screen.query_one("#step-error", ErrorPanel)
    return shown(app, "#step-error") if panel.has_class("-visible") else ""


async def test_the_whole_onboarding_with_aws_credentials(wizard):
    info = wizard.sandbox.info
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await start_onboarding(app, pilot)
        assert isinstance(app.screen, RoleScreen)
        await apply(app, pilot)

        assert isinstance(app.screen, TrustPolicyScreen), error_text(app)
        await click(pilot, "#use-aws")
        await settle(pilot)
        assert f"Acting in AWS as arn:aws:iam::{info.aws_account_id}" in shown(app, "#aws-status")
        app.screen.query_one("#manage-trust", Checkbox).value = True
        await apply(app, pilot)

        assert isinstance(app.screen, AuthorizeScreen)
        await pilot.press(*"atlas-kms")
        expected = f"Atlas will assume arn:aws:iam::{info.aws_account_id}:role/atlas-kms"
        assert expected in shown(app, "#role-arn .field-note")
        await apply(app, pilot)

        assert isinstance(app.screen, KeyScreen), error_text(app)
        await click(pilot, "#list-keys")
        await settle(pilot)
        keys = app.screen.query_one("#keys", OptionList)
        labels = [str(keys.get_option_at_index(i).prompt) for i in range(keys.option_count)]
        index = next(i for i, label in enumerate(labels) if label.startswith("alias/atlas-cmk ("))
        keys.highlighted = index
        keys.action_select()
        await pilot.pause()
        app.screen.query_one("#attach-policy", Checkbox).value = True
        await apply(app, pilot)

        assert isinstance(app.screen, EnableScreen), error_text(app)
        assert "customerMasterKeyID" in shown(app, "#before-after")
        assert await apply_confirmed(app, pilot) == "Enable encryption at rest with your key?"

        assert isinstance(app.screen, ClustersScreen), error_text(app)
        await pilot.press("space")
        await apply(app, pilot)

        assert isinstance(app.screen, EndpointsScreen), error_text(app)
        await apply(app, pilot)

        assert isinstance(app.screen, SummaryScreen), error_text(app)
        assert "orders: AWS, IDLE" in shown(app, "#summary-report")


async def test_the_status_pane_rests_while_help_covers_the_page(wizard):
    app = wizard.app(poll_policy=PollPolicy(active=0.05, steady=0.05, backoff_cap=1.0))
    async with app.run_test(size=SIZE) as pilot:
        await start_onboarding(app, pilot)
        await pilot.pause(0.2)
        assert app.client.request_count > 0
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert shown(app, ".dialog-title") == "Help: Atlas role"
        requests = app.client.request_count
        await pilot.pause(0.4)
        assert app.client.request_count == requests
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert app.client.request_count > requests


async def test_a_malformed_role_arn_is_refused_before_anything_is_sent(wizard):
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await start_onboarding(app, pilot)
        await apply(app, pilot)
        await apply(app, pilot)
        assert isinstance(app.screen, AuthorizeScreen)
        requests = app.client.request_count
        await pilot.press(*"arn:aws:s3:::my-bucket")
        await apply(app, pilot)
        assert isinstance(app.screen, AuthorizeScreen)
        message = shown(app, "#role-arn .field-error")
        assert "role" in message.lower() and "arn:aws:iam::" in message
        assert app.client.request_count == requests


async def test_authorization_counts_down_between_attempts_then_explains_the_trust_policy(wizard):
    """No AWS credentials, and no IAM role behind the ARN: Atlas keeps refusing, the page keeps counting."""
    countdowns: list[str] = []
    app = wizard.app()
    wizard.on_sleep.append(lambda seconds: countdowns.append(shown(app, "#step-progress")))
    async with app.run_test(size=SIZE) as pilot:
        await start_onboarding(app, pilot)
        await apply(app, pilot)
        await apply(app, pilot)
        await pilot.press(*f"arn:aws:iam::{wizard.sandbox.info.aws_account_id}:role/missing-role")
        await apply(app, pilot)
        assert isinstance(app.screen, AuthorizeScreen)
        assert countdowns and all("next try in" in line for line in countdowns)
        assert "IAM propagation" in countdowns[0]
        error = shown(app, "#step-error")
        assert "CANNOT_ASSUME_ROLE" in error
        assert "sts:ExternalId" in error
        assert "either the role" in error and "does not exist" in error
        assert "Cancel" not in str(app.screen.query_one("#back").label)


async def test_the_key_page_normalises_the_region_and_checks_the_key_against_it(wizard):
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await start_onboarding(app, pilot)
        await walk_to_key_page(app, pilot, wizard)
        region = app.screen.query_one("#region-input")
        region.value = "US-West-2"
        await pilot.pause()
        assert "US_WEST_2 for Atlas, us-west-2 in AWS" in shown(app, "#region .field-note")
        region.value = "mars-north-1"
        app.screen.query_one("#key-input").value = "1234abcd-12ab-34cd-56ef-1234567890ab"
        await apply(app, pilot)
        assert isinstance(app.screen, KeyScreen)
        assert "mars-north-1" in shown(app, "#region .field-error")

        requests = app.client.request_count
        region.value = "us-gov-west-1"  # GovCloud: Atlas for Government only
        await apply(app, pilot)
        assert isinstance(app.screen, KeyScreen)
        assert "commercial Atlas cannot use keys or endpoints there" in shown(app, "#region .field-error")
        assert app.client.request_count == requests

        region.value = "us-east-1"
        app.screen.query_one(
            "#key-input"
        ).value = f"arn:aws:kms:eu-west-1:{wizard.sandbox.info.aws_account_id}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        await apply(app, pilot)
        assert isinstance(app.screen, KeyScreen)
        assert "eu-west-1" in shown(app, "#key .field-error")


async def test_clusters_that_cannot_use_the_key_say_why_and_none_can_be_chosen(wizard):
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await start_onboarding(app, pilot)
        await walk_to_key_page(app, pilot, wizard)
        await choose_sandbox_key(app, pilot)
        await apply_confirmed(app, pilot)
        assert isinstance(app.screen, ClustersScreen), error_text(app)
        table = app.screen.query_one("#clusters-table")
        names = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        table.move_cursor(row=names.index("playground"))
        await pilot.pause()
        assert "playground cannot use your key" in shown(app, "#cluster-detail")
        await pilot.press("space")
        assert "shared-tier" in shown(app, "#clusters-error")
        assert str(app.screen.query_one("#apply").label) == "Continue without clusters"
        await apply(app, pilot)
        assert isinstance(app.screen, EndpointsScreen), error_text(app)
        assert "– 5. Clusters" in str(app.screen.query_one("#steps").get_option_at_index(4).prompt)


async def walk_to_authorize_page(app, pilot) -> None:
    """Role created; the sandbox's AWS credentials in use, and the wizard may manage the trust policy."""
    await apply(app, pilot)
    await click(pilot, "#use-aws")
    await settle(pilot)
    app.screen.query_one("#manage-trust", Checkbox).value = True
    await apply(app, pilot)
    assert isinstance(app.screen, AuthorizeScreen), error_text(app)


async def walk_to_key_page(app, pilot, wizard) -> None:
    """Role created, trust policy applied with the sandbox's AWS credentials, role authorized."""
    await walk_to_key_page_or_enable(app, pilot)
    assert isinstance(app.screen, KeyScreen), error_text(app)


async def check_key(app, pilot, region: str, key: str) -> None:
    """Type the region and the key on the key page, then check it (apply)."""
    app.screen.query_one("#region-input").value = region
    app.screen.query_one("#key-input").value = key
    await apply(app, pilot)


async def choose_sandbox_key(app, pilot) -> None:
    app.screen.query_one("#region-input").value = "us-east-1"
    app.screen.query_one("#key-input").value = "alias/atlas-cmk"
    app.screen.query_one("#attach-policy", Checkbox).value = True
    await apply(app, pilot)
    assert isinstance(app.screen, EnableScreen), error_text(app)


async def test_a_pasted_trust_policy_gets_the_atlas_statement_and_keeps_the_rest(wizard):
    existing = (
        '{"Version": "2012-10-17", "Statement": [{"Sid": "Ec2", "Effect": "Allow", '
        '"Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
    )
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await start_onboarding(app, pilot)
        await apply(app, pilot)
        assert isinstance(app.screen, TrustPolicyScreen)
        area = app.screen.query_one("#existing-policy")
        area.text = '{"Version": "2012-10-17",\n "Statement": [}'
        await click(pilot, "#merge")
        assert "line 2" in shown(app, "#existing-policy-error")

        area.text = existing
        await pilot.pause(BUTTON_REST)
        await click(pilot, "#merge")
        viewer = app.screen.query_one("#trust-policy")
        merged = json.loads(viewer.text)
        assert merged["Statement"][0]["Sid"] == "Ec2"
        atlas = merged["Statement"][1]
        role = app.flow.state.access.aws_roles[0]
        assert atlas["Condition"]["StringEquals"]["sts:ExternalId"] == role.atlas_assumed_role_external_id
        assert "Added statement" in shown(app, "#merge-changes")
        assert viewer.border_title == "Merged trust policy"


async def test_resuming_lands_on_the_first_unfinished_step_with_what_was_typed(wizard):
    first = wizard.app()
    async with first.run_test(size=SIZE) as pilot:
        await start_onboarding(first, pilot)
        await walk_to_key_page(first, pilot, wizard)
        await check_key(first, pilot, "eu-west-1", "alias/atlas-cmk")
        assert isinstance(first.screen, KeyScreen)
        error = shown(first, "#step-error")
        assert "NotFoundException" in error and "was not found in eu-west-1" in error
        assert "choose that region" in error

    again = wizard.app()
    async with again.run_test(size=SIZE) as pilot:
        await start_onboarding(again, pilot)
        assert isinstance(again.screen, KeyScreen)
        assert again.screen.query_one("#region-input").value == "EU_WEST_1"
        assert again.screen.query_one("#key-input").value == "alias/atlas-cmk"
        assert "EU_WEST_1 for Atlas, eu-west-1 in AWS" in shown(again, "#region .field-note")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(again.screen, AuthorizeScreen)
        assert again.screen.query_one("#role-arn-input").value.endswith(":role/atlas-kms")


@pytest.mark.parametrize("wizard", ["legacy-credentials"], indirect=True)
async def test_moving_off_access_keys_needs_the_typed_confirmation(wizard):
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await start_onboarding(app, pilot)
        await walk_to_key_page_or_enable(app, pilot)
        assert isinstance(app.screen, KeyScreen), error_text(app)
        assert app.screen.query_one("#key-input").value, "the key the project uses is offered"
        app.screen.query_one("#attach-policy", Checkbox).value = True
        await apply(app, pilot)
        assert isinstance(app.screen, EnableScreen), error_text(app)
        assert "confirm the migration" in shown(app, "#step-summary")
        await click(pilot, "#legacy-migration")
        app.screen.action_apply()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press(*"yes", "enter")
        await pilot.pause()
        assert "Type exactly migrate" in shown(app, "#typed .field-error")
        app.screen.query_one("#typed-input").value = "migrate"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClustersScreen), error_text(app)
        kms = app.flow.state.encryption.aws_kms
        assert kms.valid and not kms.uses_legacy_credentials


async def walk_to_key_page_or_enable(app, pilot) -> None:
    await walk_to_authorize_page(app, pilot)
    await pilot.press(*"atlas-kms")
    await apply(app, pilot)


@pytest.mark.parametrize("wizard", ["encrypted-aws"], indirect=True)
async def test_a_failed_endpoint_is_explained_and_removed_after_confirmation(wizard):
    sandbox = wizard.sandbox
    endpoint = sandbox.store.add_endpoint(
        sandbox.info.project_id, "AWS", "EU_WEST_1", "FAILED", sandbox.clock.now(), "vpce-0a1b2c3d4e5f67890"
    )
    endpoint.error_message = "The endpoint service quota is exceeded in eu-west-1."
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_home(app, pilot)
        await choose_journey(pilot, "private_endpoints_aws")
        assert isinstance(app.screen, EndpointsScreen)
        table = app.screen.query_one("#endpoints-table")
        region, status = (str(cell) for cell in table.get_row_at(0))
        assert (region, status) == ("EU_WEST_1", "FAILED")
        meaning = shown(app, "#endpoint-detail")
        assert "quota is exceeded" in meaning and "remove it and create it again" in meaning

        await click(pilot, "#remove-endpoint")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")
        await settle(pilot)
        assert table.row_count == 1

        await pilot.pause(BUTTON_REST)
        await click(pilot, "#remove-endpoint")
        await pilot.pause()
        await click(pilot, "#confirm")
        await settle(pilot)
        assert isinstance(app.screen, EndpointsScreen), error_text(app)
        assert app.screen.query_one("#endpoints-table").row_count == 0
        assert not app.flow.state.endpoints_for("AWS")


async def test_ctrl_r_reads_the_project_again_at_once(wizard):
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await start_onboarding(app, pilot)
        sandbox = wizard.sandbox
        project = sandbox.store.projects[sandbox.info.project_id]
        project.clusters["orders"].paused = True
        requests = app.client.request_count
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.client.request_count > requests
        assert "◆ orders" in shown(app, "#status-clusters") and "PAUSED" in shown(app, "#status-clusters")


async def test_a_blocked_step_cannot_be_applied_from_its_page(wizard):
    """Clusters chosen before the project is enabled: the page says why and Atlas is never asked."""
    sandbox = wizard.sandbox
    project = sandbox.store.projects[sandbox.info.project_id]
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await start_onboarding(app, pilot)
        steps = app.screen.query_one("#steps")
        steps.post_message(type(steps).Chosen(steps, "clusters"))
        await settle(pilot)
        assert isinstance(app.screen, ClustersScreen)
        await pilot.press("space")  # orders, the first row, is eligible
        assert app.screen.selected == {"orders"}
        await apply(app, pilot)

        assert isinstance(app.screen, ClustersScreen)
        assert "Clusters: blocked" in error_text(app)
        assert "Enable AWS encryption for the project first" in error_text(app)
        assert {c.encryption_provider for c in project.clusters.values()} == {"NONE"}
        assert project.encryption.enabled_provider is None


async def ask_to_enable(app, pilot, wizard) -> None:
    """From a fresh project: through the pages to the enable page with the sandbox key, up to the confirmation."""
    await start_onboarding(app, pilot)
    await walk_to_key_page(app, pilot, wizard)
    await choose_sandbox_key(app, pilot)
    app.screen.action_apply()
    await pilot.pause()
    assert isinstance(app.screen, ConfirmModal)


async def test_enabling_is_confirmed_with_its_consequence_and_cancelling_sends_nothing(wizard):
    project = wizard.sandbox.store.projects[wizard.sandbox.info.project_id]
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await ask_to_enable(app, pilot, wizard)
        explanation = app.screen.query_one("Markdown").source
        assert "the project depends on this key" in explanation and "US_EAST_1" in explanation
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, EnableScreen)
        assert project.encryption.enabled_provider is None


async def ask_to_require_private_networking(app, pilot) -> None:
    """From the home of a project using AWS KMS: choose an endpoint in US_EAST_1 and apply, up to the confirmation."""
    await open_home(app, pilot)
    await choose_journey(pilot, "private_endpoints_aws")
    assert isinstance(app.screen, EndpointsScreen)
    app.screen.query_one("#regions").select("US_EAST_1")
    app.screen.action_apply()
    await pilot.pause()
    assert isinstance(app.screen, ConfirmModal)


@pytest.mark.parametrize("wizard", ["encrypted-aws"], indirect=True)
async def test_requiring_private_networking_is_confirmed_and_cancelling_sends_nothing(wizard):
    project = wizard.sandbox.store.projects[wizard.sandbox.info.project_id]
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await ask_to_require_private_networking(app, pilot)
        assert shown(app, ".dialog-title") == "Require private networking to the key service?"
        await click(pilot, "#cancel")
        await settle(pilot)
        assert isinstance(app.screen, EndpointsScreen)
        assert not project.encryption.aws.require_private_networking
        assert not project.endpoints_for("AWS")


async def test_a_role_atlas_or_the_wizard_cannot_use_is_refused_before_anything_is_sent(wizard):
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await start_onboarding(app, pilot)
        await walk_to_authorize_page(app, pilot)
        requests = app.client.request_count
        field = app.screen.query_one("#role-arn-input")
        for arn, message in (
            ("arn:aws-us-gov:iam::123456789012:role/atlas-kms", "can only assume roles in 'aws'"),
            ("arn:aws:iam::210987654321:role/atlas-kms", "the AWS credentials in use are for account"),
        ):
            field.value = arn
            await apply(app, pilot)
            assert isinstance(app.screen, AuthorizeScreen)
            assert message in shown(app, "#role-arn .field-error")
        assert app.client.request_count == requests


async def test_escape_stops_the_authorization_retries_and_says_where_they_left_the_role(wizard):
    app = wizard.app()
    stop_on_first_wait = True

    def escape_while_waiting(seconds: float) -> None:
        nonlocal stop_on_first_wait
        if stop_on_first_wait:
            stop_on_first_wait = False
            app.screen.back()  # what escape does while a step runs

    wizard.on_sleep.append(escape_while_waiting)
    async with app.run_test(size=SIZE) as pilot:
        await start_onboarding(app, pilot)
        await apply(app, pilot)
        await apply(app, pilot)
        await pilot.press(*f"arn:aws:iam::{wizard.sandbox.info.aws_account_id}:role/missing-role")
        app.screen.action_apply()  # not settle: it would wait on the worker escape cancels
        await until(pilot, lambda: "Stopped" in error_text(app))
        assert isinstance(app.screen, AuthorizeScreen)
        error = error_text(app)
        assert "Stopped: Role ARN and authorization" in error
        assert "Left as: Authorize Atlas to assume" in error and "Apply again to continue" in error
        role = app.flow.state.access.aws_roles[0]
        assert not role.authorized


async def test_editing_the_role_arn_while_authorizing_restarts_with_the_new_one(wizard):
    info = wizard.sandbox.info
    app = wizard.app()
    edited = False

    def edit_while_waiting(seconds: float) -> None:
        nonlocal edited
        if not edited:
            edited = True
            field = app.screen.query_one("#role-arn-input")
            field.value = f"arn:aws:iam::{info.aws_account_id}:role/atlas-kms"
            field.post_message(field.Submitted(field, field.value))

    wizard.on_sleep.append(edit_while_waiting)
    async with app.run_test(size=SIZE) as pilot:
        await start_onboarding(app, pilot)
        await walk_to_authorize_page(app, pilot)
        await pilot.press(*f"arn:aws:iam::{info.aws_account_id}:role/first-try")
        app.screen.action_apply()  # not settle: it would wait on the worker the edit cancels
        await until(pilot, lambda: isinstance(app.screen, KeyScreen))
        assert isinstance(app.screen, KeyScreen), error_text(app)
        role = app.flow.state.access.aws_roles[0]
        assert role.iam_assumed_role_arn.endswith(":role/atlas-kms")
