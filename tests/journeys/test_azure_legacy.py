"""A project that reaches Key Vault with an app registration's secret (the sandbox's `legacy-credentials`
staging project): offered the move, refused without the operator's choice, moved after it; the secret checked by
signing in as the application, kept in the keyring only, and its expiry warned about."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from cmkwizard.azure.adapters import AzureKeyVault
from cmkwizard.azure.errors import AzureError, InputError
from cmkwizard.journeys.azure_enable import planned_change
from cmkwizard.journeys.azure_legacy import (
    check_app_secret,
    keyring_name,
    recall_secret,
    remember_secret,
    secret_expiry,
)
from cmkwizard.journeys.base import StepError, StepState
from cmkwizard.journeys.catalog import JOURNEYS, project_needs
from cmkwizard.journeys.onboard_aws import preflight
from cmkwizard.journeys.onboard_azure import ONBOARD_AZURE
from cmkwizard.sandbox import Sandbox
from cmkwizard.sandbox.atlas_sim.scenarios import SeededLegacyAzureApp
from cmkwizard.secrets import Secret, SecretStore
from tests.journeys.azure_world import AzureWorld
from tests.journeys.conftest import World
from tests.platform.memory_keyring import MemoryKeyring
from tests.support.vault_challenges import forget_vault_challenges

CLIENT_ID = "8a0c0f8e-54a1-4c6c-9a51-2f7d1d3a7b11"


@pytest.fixture(scope="module")
def legacy_sandbox() -> Iterator[Sandbox]:
    with Sandbox(scenario="legacy-credentials", speed=0.0) as sandbox:
        yield sandbox


@pytest.fixture
async def legacy(legacy_sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[tuple[AzureWorld, SeededLegacyAzureApp]]:
    forget_vault_challenges()
    app = legacy_sandbox.seed.legacy_azure_app
    assert app is not None
    world = World(legacy_sandbox, app.project_id, "unused", tmp_path / "journal")
    azure = AzureWorld(world)
    yield azure, app
    for client in world.clients:
        await client.aclose()
    for adapter in azure.adapters:
        await adapter.aclose()


def offered(state):
    return next(offer for entry, offer in JOURNEYS.offers(state) if entry.name == ONBOARD_AZURE.name)


def app_vault(azure: AzureWorld, app: SeededLegacyAzureApp, secret: str) -> AzureKeyVault:
    """The wizard's Azure clients signed in as the app registration Atlas uses."""
    base = azure.adapter().connection
    vault = AzureKeyVault(
        connection=replace(base, tenant_id=app.tenant_id, client_id=app.client_id, client_secret=secret)
    )
    azure.adapters.append(vault)
    return vault


async def test_the_project_is_offered_the_move_and_moves_only_after_the_operator_chooses_it(legacy):
    azure, app = legacy
    world = azure.world
    state = await world.state()
    assert state.encryption.azure_key_vault.uses_legacy_credentials
    offer = offered(state)
    assert app.client_id in offer.reason and "move it to Atlas' service principal" in offer.reason
    assert any("Move it to Atlas' service principal" in need for need in project_needs(state))
    assert any(app.client_id in warning for warning in preflight(state, None).warnings())

    inputs = azure.inputs()
    await ONBOARD_AZURE.run(azure.run(inputs), world.events.append, stop_after="key")
    state = await world.state()
    view = ONBOARD_AZURE.step("enable").assess(state, inputs)
    assert view.state is StepState.BLOCKED and app.client_id in view.summary
    world.exchanges.clear()
    with pytest.raises(StepError):
        await ONBOARD_AZURE.apply_step(azure.run(inputs), "enable", world.events.append)
    assert world.writes() == [], "nothing changes until the operator chooses the move"

    change = planned_change(state, inputs)
    assert change is not None and change.before["clientID"] == app.client_id
    assert (change.after["clientID"], change.after["tenantID"]) == (None, None), "the move shows what Atlas drops"

    inputs.confirm_legacy_migration = True
    consequence = ONBOARD_AZURE.step("enable").consequence(state, inputs)
    assert consequence is not None and consequence.title == "Move to Atlas' service principal?"
    assert app.client_id in consequence.text and "forgets the application's client ID" in consequence.text
    await ONBOARD_AZURE.apply_step(azure.run(inputs), "enable", world.events.append)

    akv = (await world.state()).encryption.azure_key_vault
    assert akv.role_id == inputs.role_id and akv.client_id is None and akv.valid is True
    assert not akv.uses_legacy_credentials
    assert (await world.state()).cluster("ledger-azure").encryption_at_rest_provider == "AZURE"
    with pytest.raises(StopIteration):
        offered(await world.state())
    journal = world.journal().path.read_text()
    assert "move from the app registration's secret to Atlas' service principal" in journal
    assert app.secret not in journal


async def test_the_app_secret_is_checked_by_signing_in_as_the_application(legacy):
    azure, app = legacy
    await check_app_secret(app_vault(azure, app, app.secret))

    wrong = "Wq8~not-the-secret-" + app.secret[:10]
    with pytest.raises(AzureError) as refused:
        await check_app_secret(app_vault(azure, app, wrong))
    assert refused.value.code == "AADSTS7000215"
    assert f"az ad app credential reset --id {app.client_id}" in refused.value.next_step
    shown = " ".join([str(refused.value), refused.value.meaning, refused.value.next_step])
    assert wrong not in shown and app.secret not in shown


async def test_an_expired_secret_is_refused_by_entra_id_and_explained(legacy):
    azure, app = legacy
    expired = azure.fake.add_service_principal(
        CLIENT_ID, tenant_id=app.tenant_id, secret=app.secret, secret_expires=azure.fake.now() - timedelta(days=1)
    )
    try:
        with pytest.raises(AzureError) as refused:
            await check_app_secret(app_vault(azure, replace(app, client_id=CLIENT_ID), app.secret))
    finally:
        azure.fake.remove_service_principal(expired.object_id)
    assert refused.value.code == "AADSTS7000222" and "expired" in refused.value.meaning


def test_the_secret_lives_in_the_keyring_under_the_application():
    keyring = MemoryKeyring()
    store = SecretStore(backend=keyring)
    remember_secret(store, "prod", CLIENT_ID, Secret("Wq8~a-client-secret-value"))
    assert keyring.entries == {("cmkwizard:prod", keyring_name(CLIENT_ID)): "Wq8~a-client-secret-value"}
    recalled = recall_secret(store, "prod", CLIENT_ID)
    assert recalled is not None and recalled.reveal() == "Wq8~a-client-secret-value"
    assert "Wq8" not in repr(recalled)


@pytest.mark.parametrize(
    ("days", "warning", "words"),
    [
        (None, False, "az ad app credential list --id"),
        (45, False, "expires on"),
        (20, True, "expires in 20 days"),
        (0, True, "expires today"),
        (-3, True, "expired on"),
    ],
)
def test_the_secret_expiry_is_warned_about_within_thirty_days(days, warning, words):
    today = date(2026, 12, 3)
    expiry = secret_expiry(CLIENT_ID, None if days is None else today + timedelta(days=days), today)
    assert expiry.warning is warning and words in expiry.text and CLIENT_ID in expiry.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-03-31", "2027-03-31"),
        ('"2027-03-31T10:00:00+00:00"', "2027-03-31"),
        ("2027-03-31T10:00:00Z", "2027-03-31"),
        ("", None),
    ],
)
def test_the_expiry_is_read_as_az_and_the_portal_print_it(azure_inputs, text, expected):
    assert azure_inputs.set_legacy_secret_expiry(text) == expected


def test_a_wrong_expiry_is_refused_with_the_expected_form(azure_inputs):
    with pytest.raises(InputError) as refused:
        azure_inputs.set_legacy_secret_expiry("next march")
    assert "YYYY-MM-DD" in str(refused.value) and azure_inputs.legacy_secret_expires is None


@pytest.fixture
def azure_inputs():
    from cmkwizard.journeys.azure_inputs import OnboardAzureInputs

    return OnboardAzureInputs()
