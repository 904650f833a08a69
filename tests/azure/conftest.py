"""A running Azure fake shared by the Azure tests, and per-test vaults in it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from cmkwizard.sandbox.azure_fake import AzureFake, Vault

TENANT_ID = "7d1a3b52-6c44-4f0e-9a43-2b9f1d7e8c10"
CLIENT_ID = "0c9e3c54-58f1-4f6a-8d3a-6a1f2b3c4d5e"
CLIENT_SECRET = "fake-operator-secret-value"
SUBSCRIPTION_ID = "5b3f0e9c-1d2a-4c6b-8e7f-9a0b1c2d3e4f"
RESOURCE_GROUP = "rg-atlas-cmk"


@pytest.fixture(scope="session")
def fake() -> Iterator[AzureFake]:
    with AzureFake(tenant_id=TENANT_ID, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as running:
        yield running


@pytest.fixture
def vault(fake: AzureFake) -> Vault:
    """A new vault the operator fully controls; requests to the fake's own address go to it too."""
    created = fake.state.add_vault(
        f"kv-{uuid.uuid4().hex[:10]}", subscription_id=SUBSCRIPTION_ID, resource_group=RESOURCE_GROUP
    )
    fake.state.loopback_vault = created.name
    return created


@pytest.fixture
def proxied(fake: AzureFake, monkeypatch: pytest.MonkeyPatch) -> AzureFake:
    """This process's Azure SDK calls go through the fake's proxy, as a child process given env() would."""
    for name, value in fake.env().items():
        monkeypatch.setenv(name, value)
    return fake
