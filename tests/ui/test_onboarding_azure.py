"""Onboarding with Azure Key Vault on screen, against the sandbox: every page, each wrong input refused
where it is typed, and a private endpoint approved on the vault."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, Input

from screens.onboard_azure.access import AccessScreen
from screens.onboard_azure.enable import AzureEnableScreen
from screens.onboard_azure.endpoints import AzureEndpointsScreen
from screens.onboard_azure.key import KeyScreen
from screens.pages.clusters import ClustersScreen
from screens.pages.summary import SummaryScreen
from tests.support.vault_challenges import forget_vault_challenges
from tests.ui.support import choose_journey, click, settle, shown
from tests.ui.test_onboarding import apply, apply_confirmed, error_text, open_home

SIZE = (120, 40)


@pytest.fixture
def azure_env(wizard, monkeypatch: pytest.MonkeyPatch):
    """The wizard's Azure settings for the sandbox (identity, proxy, CA), as `cmkwizard --sandbox` sets them."""
    for name, value in wizard.sandbox.info.env().items():
        if name.startswith("CMKWIZARD_AZURE_"):
            monkeypatch.setenv(name, value)
    forget_vault_challenges()
    return wizard


def sandbox_azure(wizard) -> dict[str, str]:
    fake = wizard.sandbox.azure.state
    tenant = wizard.sandbox.info.azure_tenant_id
    principal = fake.find_service_principal(tenant, wizard.sandbox.store.atlas_azure_app_id)
    vault = fake.vault("cmk-sandbox-kv")
    version = fake.key_version(vault.name, "atlas-cmk").version
    return {
        "tenant": tenant,
        "principal": principal.object_id,
        "key": f"https://{vault.name}.vault.azure.net/keys/atlas-cmk/{version}",
        "subscription": vault.subscription_id,
        "resource-group": vault.resource_group,
    }


async def type_into(app, pilot, field: str, text: str) -> None:
    app.screen.query_one(f"#{field}-input", Input).value = text
    await pilot.pause()


async def start(app, pilot) -> None:
    await open_home(app, pilot)
    await choose_journey(pilot, "onboard_azure")
    assert isinstance(app.screen, AccessScreen), error_text(app)


async def walk_to_key_page(app, pilot, values: dict[str, str]) -> None:
    """The access page filled with the sandbox's tenant and Atlas' service principal, and applied."""
    await start(app, pilot)
    await type_into(app, pilot, "tenant", values["tenant"])
    await type_into(app, pilot, "principal", values["principal"])
    await apply(app, pilot)
    assert isinstance(app.screen, KeyScreen), error_text(app)


async def test_the_whole_azure_onboarding_approving_the_endpoint(azure_env):
    wizard = azure_env
    values = sandbox_azure(wizard)
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        assert "az ad sp create --id" in shown(app, "#access-commands .policy-json")
        await type_into(app, pilot, "tenant", values["tenant"])
        await type_into(app, pilot, "principal", values["principal"])
        assert f"--object-id {values['principal']}" in shown(app, "#access-commands .policy-json")
        await apply(app, pilot)

        assert isinstance(app.screen, KeyScreen), error_text(app)
        for name in ("key", "subscription", "resource-group"):
            await type_into(app, pilot, name, values[name])
        assert "→ vault cmk-sandbox-kv" in shown(app, "#key .field-note")
        await click(pilot, "#use-azure")
        await settle(pilot)
        assert "Acting in Azure" in shown(app, "#azure-status"), shown(app, "#azure-error")
        await apply(app, pilot)

        assert isinstance(app.screen, AzureEnableScreen), error_text(app)
        assert "keyIdentifier" in shown(app, "#before-after")
        assert await apply_confirmed(app, pilot) == "Enable encryption at rest with your key?"

        assert isinstance(app.screen, ClustersScreen), error_text(app)
        await pilot.press("space")
        await apply(app, pilot)

        assert isinstance(app.screen, AzureEndpointsScreen), error_text(app)
        await type_into(app, pilot, "extra-region", "eastus2")
        app.screen.query_one("#extra-region-input", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        approve = app.screen.query_one("#approve-endpoints", Checkbox)
        assert not approve.disabled, "the Azure credentials from the key page are still in use"
        approve.value = True
        title = await apply_confirmed(app, pilot)
        assert title == "Require private networking to the key service?"

        assert isinstance(app.screen, SummaryScreen), error_text(app)
        await settle(pilot)
        report = shown(app, "#summary-report")
        assert "US_EAST_2: ACTIVE" in report and ": AZURE, IDLE" in report
        assert "approve private endpoint connection" in report

    fake = wizard.sandbox.azure.state
    assert [c.status for c in fake.endpoint_connections("cmk-sandbox-kv")] == ["Approved"]


WRONG = [
    ("tenant", "contoso.onmicrosoft.com", "is not a tenant ID"),
    ("principal", "42", "is not a service principal object ID"),
]


@pytest.mark.parametrize(("field", "text", "message"), WRONG)
async def test_a_wrong_id_is_refused_on_the_access_page_before_anything_is_sent(azure_env, field, text, message):
    wizard = azure_env
    values = sandbox_azure(wizard)
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await type_into(app, pilot, "tenant", values["tenant"])
        await type_into(app, pilot, "principal", values["principal"])
        await type_into(app, pilot, field, text)
        await apply(app, pilot)

        assert isinstance(app.screen, AccessScreen)
        assert message in shown(app, f"#{field} .field-error")
    project = wizard.sandbox.store.projects[wizard.sandbox.info.project_id]
    assert not project.azure_principals


KEY_WRONG = [
    ("https://cmk-sandbox-kv.vault.azure.net/keys/atlas-cmk", "has no key version"),
    (f"https://cmk-sandbox-kv.vault.azure.cn/keys/atlas-cmk/{'c' * 32}", "choose AZURE_CHINA"),
]


@pytest.mark.parametrize(("text", "message"), KEY_WRONG)
async def test_a_key_identifier_atlas_cannot_use_is_explained_where_it_is_typed(azure_env, text, message):
    wizard = azure_env
    values = sandbox_azure(wizard)
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await walk_to_key_page(app, pilot, values)
        for name in ("subscription", "resource-group"):
            await type_into(app, pilot, name, values[name])
        await type_into(app, pilot, "key", text)
        await apply(app, pilot)

        assert isinstance(app.screen, KeyScreen)
        assert message in shown(app, "#key .field-error")
