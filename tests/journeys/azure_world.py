"""Azure runs on the journeys' sandbox projects: the operator's Azure credentials reach the sandbox's
Key Vault and Resource Manager fake with the wizard's own CMKWIZARD_AZURE_* settings (identity, proxy, CA)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from cmkwizard.azure.adapters import AzureKeyVault
from cmkwizard.azure.connection import AzureConnection
from cmkwizard.journeys.azure_inputs import OnboardAzureInputs
from cmkwizard.journeys.base import CloudSession, JourneyRun
from cmkwizard.journeys.onboard_azure import ONBOARD_AZURE
from cmkwizard.sandbox.azure_fake import AzureFakeState
from cmkwizard.sandbox.cloud_seed import AZURE_KEY_NAME, KEY_VAULT_NAME, RESOURCE_GROUP
from tests.support.vault_challenges import forget_vault_challenges


@dataclass
class AzureWorld:
    world: Any
    adapters: list[AzureKeyVault] = field(default_factory=list)

    @property
    def fake(self) -> AzureFakeState:
        return self.world.sandbox.azure.state

    @property
    def tenant_id(self) -> str:
        return self.world.sandbox.info.azure_tenant_id

    @property
    def atlas_app_id(self) -> str:
        return self.world.sandbox.store.atlas_azure_app_id

    @property
    def service_principal_id(self) -> str:
        principal = self.fake.find_service_principal(self.tenant_id, self.atlas_app_id)
        assert principal is not None
        return principal.object_id

    @property
    def subscription_id(self) -> str:
        return self.fake.vault(KEY_VAULT_NAME).subscription_id

    def key_identifier(self, key_name: str = AZURE_KEY_NAME) -> str:
        version = self.fake.key_version(KEY_VAULT_NAME, key_name).version
        return f"https://{KEY_VAULT_NAME}.vault.azure.net/keys/{key_name}/{version}"

    def new_key(self, name: str, **options: Any) -> str:
        """A key of its own in the sandbox vault (the vault is shared by every test's project)."""
        suffix = self.world.project_id[-8:]
        version = self.fake.create_key(KEY_VAULT_NAME, f"{name}-{suffix}", **options)
        return f"https://{KEY_VAULT_NAME}.vault.azure.net/keys/{name}-{suffix}/{version.version}"

    def expiring_in(self, hours: float) -> Any:
        return self.fake.now() + timedelta(hours=hours)

    def inputs(self, *, key_identifier: str | None = None) -> OnboardAzureInputs:
        """What an operator types for the access and key steps, through the validated setters."""
        inputs = OnboardAzureInputs()
        inputs.set_tenant_id(self.tenant_id)
        inputs.set_service_principal_id(self.service_principal_id)
        inputs.set_key_identifier(key_identifier or self.key_identifier())
        inputs.set_subscription_id(self.subscription_id)
        inputs.set_resource_group(RESOURCE_GROUP)
        return inputs

    def adapter(self) -> AzureKeyVault:
        """The wizard's Azure clients with the sandbox's identity, proxy and CA (its CMKWIZARD_AZURE_* settings)."""
        adapter = AzureKeyVault(connection=AzureConnection.from_env(self.world.sandbox.info.env()))
        self.adapters.append(adapter)
        return adapter

    def run(self, inputs: OnboardAzureInputs, *, with_azure: bool = True) -> JourneyRun[OnboardAzureInputs]:
        run = self.world.start(ONBOARD_AZURE, inputs, with_aws=False)
        run.cloud = CloudSession("AZURE", self.adapter()) if with_azure else None
        return run


@pytest.fixture(name="azure")
async def azure_world_fixture(world) -> AsyncIterator[AzureWorld]:
    forget_vault_challenges()
    azure_world = AzureWorld(world)
    yield azure_world
    for adapter in azure_world.adapters:
        await adapter.aclose()
