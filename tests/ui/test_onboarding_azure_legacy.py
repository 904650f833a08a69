"""A project on an app registration's secret, on screen against the sandbox's `legacy-credentials` staging
project: the expiry warned about, the secret masked, checked and kept in the keyring only, and the move to
Atlas' service principal made only after it is chosen and confirmed."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, Input

from cmkwizard.settings import Overrides
from screens.onboard_azure.access import AccessScreen
from screens.onboard_azure.enable import AzureEnableScreen
from screens.onboard_azure.key import KeyScreen
from tests.platform.memory_keyring import MemoryKeyring
from tests.ui.support import choose_journey, click, settle, shown
from tests.ui.test_onboarding import apply, apply_confirmed, error_text, open_home
from tests.ui.test_onboarding_azure import sandbox_azure, type_into

SIZE = (120, 40)


@pytest.fixture
def keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    memory = MemoryKeyring()
    monkeypatch.setattr("keyring.get_keyring", lambda: memory)
    return memory


@pytest.fixture
def azure_env(tmp_path, monkeypatch):
    from cmkwizard.sandbox import Sandbox
    from tests.support.vault_challenges import forget_vault_challenges
    from tests.ui.conftest import Wizard

    with Sandbox(scenario="legacy-credentials", speed=0.0) as sandbox:
        for name, value in sandbox.info.env().items():
            if name.startswith("CMKWIZARD_AZURE_"):
                monkeypatch.setenv(name, value)
        forget_vault_challenges()
        yield Wizard(sandbox, tmp_path / "journal")


def staging_app(wizard):
    """The wizard on the staging project, whose Key Vault access is an app registration's secret."""
    legacy = wizard.sandbox.seed.legacy_azure_app
    app = wizard.app()
    app.context.reload_settings(Overrides(project_id=legacy.project_id))
    return app, legacy


async def test_the_secret_is_masked_checked_and_kept_in_the_keyring_and_the_expiry_warned(azure_env, keyring):
    wizard = azure_env
    app, legacy = staging_app(wizard)
    async with app.run_test(size=SIZE) as pilot:
        await open_home(app, pilot)
        await choose_journey(pilot, "onboard_azure")
        assert isinstance(app.screen, AccessScreen), error_text(app)
        assert legacy.client_id in shown(app, "#legacy-about")
        assert app.screen.query_one("#tenant-input", Input).value == legacy.tenant_id
        assert "pause the clusters" in shown(app, "#revoked-access")

        await type_into(app, pilot, "secret-expiry", legacy.secret_expires.date().isoformat())
        assert "expires in 20 days" in shown(app, "#secret-expiry-note")

        wrong = "Wq8~not-the-secret-value"
        await type_into(app, pilot, "app-secret", wrong)
        assert app.screen.query_one("#app-secret-input", Input).password
        await click(pilot, "#check-secret")
        await settle(pilot)
        assert "AADSTS7000215" in shown(app, "#secret-error")
        assert app.screen.query_one("#app-secret-input", Input).value == ""

        await type_into(app, pilot, "app-secret", legacy.secret)
        await click(pilot, "#check-secret")
        await settle(pilot)
        assert "Entra ID accepts this secret" in shown(app, "#secret-status"), shown(app, "#secret-error")
        assert "Kept in the keyring only" in shown(app, "#secret-status")
    assert list(keyring.entries.values()) == [legacy.secret]
    journals = "".join(p.read_text() for p in wizard.journal_dir.rglob("*") if p.is_file())
    assert legacy.secret not in journals and wrong not in journals


async def test_the_project_moves_to_the_service_principal_only_when_chosen_and_confirmed(azure_env, keyring):
    wizard = azure_env
    values = sandbox_azure(wizard)
    app, legacy = staging_app(wizard)
    async with app.run_test(size=SIZE) as pilot:
        await open_home(app, pilot)
        await choose_journey(pilot, "onboard_azure")
        await type_into(app, pilot, "principal", values["principal"])
        await apply(app, pilot)
        assert isinstance(app.screen, KeyScreen), error_text(app)
        assert app.screen.query_one("#key-input", Input).value == values["key"], "the project's key is offered"
        await apply(app, pilot)

        assert isinstance(app.screen, AzureEnableScreen), error_text(app)
        await apply(app, pilot)
        assert "choose the move first" in error_text(app)
        assert wizard.sandbox.store.projects[legacy.project_id].encryption.azure.client_id == legacy.client_id

        app.screen.query_one("#legacy-migration", Checkbox).value = True
        assert await apply_confirmed(app, pilot) == "Move to Atlas' service principal?"
        await settle(pilot)
    azure = wizard.sandbox.store.projects[legacy.project_id].encryption.azure
    assert azure.role_id is not None and azure.client_id is None and azure.secret is None
