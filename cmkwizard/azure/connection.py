"""How the wizard's own Azure clients reach Azure: settings for the wizard alone, never for the shell.

``HTTPS_PROXY`` and ``REQUESTS_CA_BUNDLE`` would send every program in a shell (pip, git, curl)
through a proxy and make them trust one CA only. The wizard reads its own variables instead and
hands them to its Key Vault, Entra ID and Resource Manager clients as connection settings; the
sandbox's ``cmkwizard sandbox serve`` prints these, so its lines are safe to paste anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ENV_PROXY = "CMKWIZARD_AZURE_PROXY"
ENV_CA_BUNDLE = "CMKWIZARD_AZURE_CA_BUNDLE"
ENV_TENANT_ID = "CMKWIZARD_AZURE_TENANT_ID"
ENV_CLIENT_ID = "CMKWIZARD_AZURE_CLIENT_ID"
ENV_CLIENT_SECRET = "CMKWIZARD_AZURE_CLIENT_SECRET"


@dataclass(frozen=True)
class AzureConnection:
    """A proxy, an extra trusted CA and an application identity for the wizard's Azure calls only.

    Unset fields leave the Azure SDK's usual behaviour (the environment's proxy and CA settings,
    DefaultAzureCredential).
    """

    proxy: str | None = None
    ca_bundle: str | None = None
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AzureConnection:
        values = os.environ if env is None else env
        return cls(
            proxy=values.get(ENV_PROXY) or None,
            ca_bundle=values.get(ENV_CA_BUNDLE) or None,
            tenant_id=values.get(ENV_TENANT_ID) or None,
            client_id=values.get(ENV_CLIENT_ID) or None,
            client_secret=values.get(ENV_CLIENT_SECRET) or None,
        )

    @property
    def has_identity(self) -> bool:
        return bool(self.tenant_id and self.client_id and self.client_secret)

    def sdk_options(self) -> dict[str, Any]:
        """Keyword arguments for azure-core clients and azure-identity credentials."""
        options: dict[str, Any] = {}
        if self.proxy:
            options["proxies"] = {"https": self.proxy, "http": self.proxy}
        if self.ca_bundle:
            options["connection_verify"] = self.ca_bundle
        return options

    def httpx_options(self) -> dict[str, Any]:
        """Keyword arguments for the httpx client that calls Resource Manager, trusting what the SDK trusts."""
        import ssl

        bundle = self.ca_bundle or os.environ.get("REQUESTS_CA_BUNDLE")
        options: dict[str, Any] = {"verify": ssl.create_default_context(cafile=bundle) if bundle else True}
        if self.proxy:
            options["proxy"] = self.proxy
        return options
