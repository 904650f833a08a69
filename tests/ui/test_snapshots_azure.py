"""The Azure onboarding pages, pinned at 120x36 and 80x24: fixed project states, no Atlas or Azure call."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cmkwizard.atlas.models import CloudProviderAccess, EncryptionAtRest
from cmkwizard.journeys.azure_inputs import OnboardAzureInputs
from cmkwizard.journeys.onboard_azure import ONBOARD_AZURE
from screens.onboard_azure import PAGES
from tests.ui.page_host import PageHost
from tests.ui.states import AZURE_KEY_ID, cluster
from tests.ui.support import settle

SIZES = {"80x24": (80, 24), "120x36": (120, 36)}
TENANT_ID = "7d1a3b52-6c44-4f0e-9a43-2b9f1d7e8c10"
PRINCIPAL_ID = "3f2e1d0c-9b8a-4765-8432-10fedcba9876"
SUBSCRIPTION_ID = "5b3f0e9c-1d2a-4c6b-8e7f-9a0b1c2d3e4f"
AZURE_ROLE_ID = "6650f1c2a4b5c6d7e8f9aaaa"
LEGACY_CLIENT_ID = "2c6f8e1a-7b3d-4e59-a0c4-9d8e7f6a5b43"
LEGACY_AKV = {
    "enabled": True,
    "azureEnvironment": "AZURE",
    "subscriptionID": SUBSCRIPTION_ID,
    "resourceGroupName": "rg-payments",
    "keyVaultName": "payments-kv",
    "keyIdentifier": AZURE_KEY_ID,
    "clientID": LEGACY_CLIENT_ID,
    "tenantID": TENANT_ID,
    "valid": True,
}
"""A project Atlas reaches through an app registration's secret (Atlas never returns the secret)."""
FRESH = dict(enabled=False, authorized=False, clusters=[cluster("orders"), cluster("analytics")])


class AzurePageHost(PageHost):
    JOURNEY = ONBOARD_AZURE
    PAGES = PAGES

    def __init__(self, *args, principal: bool = False, legacy: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if legacy:
            self._state = replace(self._state, encryption=EncryptionAtRest.from_api({"azureKeyVault": LEGACY_AKV}))
        if principal:
            principals = [
                {
                    "providerName": "AZURE",
                    "_id": AZURE_ROLE_ID,
                    "atlasAzureAppId": "9f2deb0d-be22-4524-a403-df531868bac0",
                    "servicePrincipalId": PRINCIPAL_ID,
                    "tenantId": TENANT_ID,
                    "createdDate": "2026-11-25T09:00:00Z",
                }
            ]
            access = CloudProviderAccess.from_api({"awsIamRoles": [], "azureServicePrincipals": principals})
            self._state = replace(self._state, access=access)


def key_inputs(**extra) -> OnboardAzureInputs:
    return OnboardAzureInputs(
        tenant_id=TENANT_ID,
        service_principal_id=PRINCIPAL_ID,
        key_identifier=AZURE_KEY_ID,
        subscription_id=SUBSCRIPTION_ID,
        resource_group="rg-payments",
        **extra,
    )


@pytest.mark.parametrize("size", list(SIZES))
def test_azure_access_page(snap_compare, tmp_path, size):
    app = AzurePageHost(tmp_path, "access", OnboardAzureInputs(), **FRESH)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=settle)


@pytest.mark.parametrize("size", list(SIZES))
def test_azure_key_page_refuses_a_versionless_identifier(snap_compare, tmp_path, size):
    app = AzurePageHost(tmp_path, "key", OnboardAzureInputs(tenant_id=TENANT_ID), principal=True, **FRESH)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press(*AZURE_KEY_ID.rsplit("/", 1)[0])
        pilot.app.screen.action_apply()
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("size", list(SIZES))
def test_azure_enable_page_before_and_after(snap_compare, tmp_path, size):
    inputs = key_inputs(checked_key=AZURE_KEY_ID)
    app = AzurePageHost(tmp_path, "enable", inputs, principal=True, **FRESH)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=settle)


@pytest.mark.parametrize("size", list(SIZES))
def test_azure_endpoints_page_waiting_for_approval(snap_compare, tmp_path, size):
    from tests.ui.states import endpoint

    inputs = key_inputs(private_endpoint_regions=("US_EAST_2",), require_private_networking=True)
    pending = endpoint(1, "US_EAST_2", "PENDING_ACCEPTANCE")
    app = AzurePageHost(
        tmp_path,
        "private_endpoints",
        inputs,
        principal=True,
        provider="AZURE",
        private_networking=True,
        endpoints=[{**pending, "cloudProvider": "AZURE", "privateEndpointConnectionName": "atlas-kv-pe-us-east-2"}],
    )
    assert snap_compare(app, terminal_size=SIZES[size], run_before=settle)


@pytest.mark.parametrize("size", list(SIZES))
def test_azure_access_page_of_a_project_on_an_app_registration_secret(snap_compare, tmp_path, size):
    inputs = OnboardAzureInputs(legacy_secret_expires="2026-12-20")
    app = AzurePageHost(tmp_path, "access", inputs, legacy=True, **FRESH)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=settle)


@pytest.mark.parametrize("size", list(SIZES))
def test_azure_enable_page_offering_the_move_to_the_service_principal(snap_compare, tmp_path, size):
    inputs = key_inputs(checked_key=AZURE_KEY_ID)
    app = AzurePageHost(tmp_path, "enable", inputs, principal=True, legacy=True, **FRESH)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=settle)
