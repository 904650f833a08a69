"""On screen: when someone else changes the project after the operator reviewed or confirmed a page, the wizard
sends nothing over it, asks again with the difference, and applies once the operator confirms again."""

from __future__ import annotations

import json

import pytest
from textual.widgets import DataTable

from cmkwizard.sandbox.atlas_sim.store import AwsKms, AzureKeyVault
from cmkwizard.sandbox.cloud_seed import MULTI_REGION_KEY_ALIAS
from screens.onboard_aws.enable import EnableScreen
from screens.onboard_azure.enable import AzureEnableScreen
from screens.pages.clusters import ClustersScreen
from screens.widgets.confirm import ConfirmModal
from tests.ui.support import choose_journey, click, settle, shown
from tests.ui.test_onboarding import (
    SIZE,
    apply,
    ask_to_enable,
    ask_to_require_private_networking,
    open_home,
    until,
)
from tests.ui.test_onboarding_azure import azure_env, sandbox_azure, type_into  # noqa: F401  (azure_env)
from tests.ui.test_onboarding_azure import walk_to_key_page as walk_to_azure_key_page


def switch_key_behind_the_wizard(wizard) -> str:
    """Someone else lets the project's role use another key and points the project at it (as in the Atlas UI),
    enabling AWS KMS with it if it was not."""
    project = wizard.sandbox.store.projects[wizard.sandbox.info.project_id]
    [role] = project.aws_roles.values()
    key_arn = wizard.sandbox.moto.client("kms", "us-east-1").describe_key(KeyId=MULTI_REGION_KEY_ALIAS)["KeyMetadata"][
        "Arn"
    ]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], "Resource": key_arn}
        ],
    }
    wizard.sandbox.moto.client("iam", "us-east-1").put_role_policy(
        RoleName=role.iam_role_arn.rsplit("/", 1)[-1], PolicyName="another-key", PolicyDocument=json.dumps(policy)
    )
    if project.encryption.aws is None:
        project.encryption.aws = AwsKms(key_arn, "US_EAST_1", role_id=role.role_id)
    project.encryption.aws.customer_master_key_id = key_arn
    return key_arn


@pytest.mark.parametrize("wizard", ["encrypted-aws"], indirect=True)
async def test_a_key_switched_while_the_confirmation_is_open_is_shown_and_confirmed_again(wizard):
    project = wizard.sandbox.store.projects[wizard.sandbox.info.project_id]
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await ask_to_require_private_networking(app, pilot)
        assert not app.screen.query("#changed")

        theirs = switch_key_behind_the_wizard(wizard)
        await click(pilot, "#confirm")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal) and bool(app.screen.query("#changed")))

        assert isinstance(app.screen, ConfirmModal)
        assert shown(app, ".dialog-title") == "Require private networking to the key service?"
        changed = shown(app, "#changed")
        assert "AWS KMS configuration: customerMasterKeyID" in changed and theirs in changed
        assert not project.encryption.aws.require_private_networking, "nothing was sent over the change"
        assert not project.endpoints_for("AWS")

        await click(pilot, "#confirm")
        await settle(pilot)

        assert project.encryption.aws.require_private_networking
        assert project.encryption.aws.customer_master_key_id == theirs
        assert [e.region for e in project.endpoints_for("AWS")] == ["US_EAST_1"]


@pytest.mark.parametrize("wizard", ["encrypted-aws"], indirect=True)
async def test_a_page_without_confirmation_asks_when_the_project_changed_since_it_was_read(wizard):
    project = wizard.sandbox.store.projects[wizard.sandbox.info.project_id]
    project.clusters["orders"].encryption_provider = "NONE"
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_home(app, pilot)
        await choose_journey(pilot, "clusters_aws")
        assert isinstance(app.screen, ClustersScreen)
        table = app.screen.query_one("#clusters-table", DataTable)
        table.move_cursor(row=table.get_row_index("orders"))
        await pilot.press("space")

        theirs = switch_key_behind_the_wizard(wizard)  # after the page was read: the operator did not see it
        app.screen.action_apply()
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))

        assert isinstance(app.screen, ConfirmModal)
        assert shown(app, ".dialog-title") == "The project changed since you reviewed it"
        assert theirs in shown(app, "#changed")
        assert "Set cluster orders's encryption provider to AWS" in app.screen.query_one("Markdown").source
        assert project.clusters["orders"].encryption_provider == "NONE", "nothing was sent over the change"

        await click(pilot, "#confirm")
        await settle(pilot)

        assert project.clusters["orders"].encryption_provider == "AWS"


async def test_enabling_confirmed_after_someone_else_enabled_another_key_asks_again_with_it(wizard):
    project = wizard.sandbox.store.projects[wizard.sandbox.info.project_id]
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await ask_to_enable(app, pilot, wizard)
        assert shown(app, ".dialog-title") == "Enable encryption at rest with your key?"

        theirs = switch_key_behind_the_wizard(wizard)
        await click(pilot, "#confirm")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal) and bool(app.screen.query("#changed")))

        assert isinstance(app.screen, ConfirmModal)
        assert shown(app, ".dialog-title") == "Change the project's key?"
        changed = shown(app, "#changed")
        assert changed == f"• AWS KMS configuration: customerMasterKeyID - → {theirs}", (
            "enabled as confirmed: no conflict"
        )
        assert project.encryption.aws.customer_master_key_id == theirs, "nothing was sent over the change"

        await click(pilot, "#confirm")
        await settle(pilot)

        assert not isinstance(app.screen, EnableScreen | ConfirmModal)
        assert project.encryption.aws.customer_master_key_id != theirs


@pytest.mark.usefixtures("azure_env")
async def test_azure_enabling_confirmed_after_someone_else_set_another_key_asks_again_with_it(wizard):
    values = sandbox_azure(wizard)
    project = wizard.sandbox.store.projects[wizard.sandbox.info.project_id]
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await walk_to_azure_key_page(app, pilot, values)
        for name in ("key", "subscription", "resource-group"):
            await type_into(app, pilot, name, values[name])
        await apply(app, pilot)
        assert isinstance(app.screen, AzureEnableScreen)
        app.screen.action_apply()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)

        vault = "cmk-sandbox-kv"
        version = wizard.sandbox.azure.state.create_key(vault, "another-key")
        theirs = f"https://{vault}.vault.azure.net/keys/another-key/{version.version}"
        [principal] = project.azure_principals.values()
        project.encryption.azure = AzureKeyVault(
            "AZURE", values["subscription"], values["resource-group"], vault, theirs, role_id=principal.role_id
        )
        await click(pilot, "#confirm")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal) and bool(app.screen.query("#changed")))

        assert isinstance(app.screen, ConfirmModal)
        assert shown(app, "#changed") == f"• Azure Key Vault configuration: keyIdentifier - → {theirs}"
        assert project.encryption.azure.key_identifier == theirs, "nothing was sent over the change"

        await click(pilot, "#confirm")
        await settle(pilot)

        assert project.encryption.azure.key_identifier == values["key"]
