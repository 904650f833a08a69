"""A local stand-in for the Azure services the wizard and Atlas use: Entra ID client credentials,
Key Vault keys and Resource Manager private endpoint connections, over TLS with a CONNECT proxy.

- ``state``: what the fake knows, with the seeding API scenarios and the verifier use.
- ``server``: ``AzureFake``, which serves that state (certificates, TLS server, proxy, lifecycle).
- ``entra``, ``keyvault``, ``arm``: the three services' endpoints; ``proxy``: the CONNECT tunnel;
  ``crypto``: real key material.
"""

from cmkwizard.sandbox.azure_fake.server import AzureFake, create_app
from cmkwizard.sandbox.azure_fake.state import (
    APPROVED,
    DISCONNECTED,
    KEY_PERMISSIONS,
    PENDING,
    REJECTED,
    AzureFakeState,
    EndpointConnection,
    KeyVersion,
    ServiceError,
    ServicePrincipal,
    Vault,
)

__all__ = [
    "APPROVED",
    "DISCONNECTED",
    "KEY_PERMISSIONS",
    "PENDING",
    "REJECTED",
    "AzureFake",
    "AzureFakeState",
    "EndpointConnection",
    "KeyVersion",
    "ServiceError",
    "ServicePrincipal",
    "Vault",
    "create_app",
]
