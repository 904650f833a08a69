"""The Azure clouds Atlas supports (``azureEnvironment``) and their endpoints."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cmkwizard.azure.errors import InputError
from cmkwizard.text_input import unquote, visible


@dataclass(frozen=True)
class AzureCloud:
    environment: str  # Atlas' azureEnvironment value
    title: str
    cli_name: str  # `az cloud set --name ...`
    vault_suffix: str
    managed_hsm_suffix: str
    authority_host: str
    resource_manager: str
    portal: str

    @property
    def management_scope(self) -> str:
        return f"{self.resource_manager}/.default"

    def vault_url(self, vault_name: str) -> str:
        return f"https://{vault_name.lower()}.{self.vault_suffix}"


AZURE = AzureCloud(
    environment="AZURE",
    title="Azure (public cloud)",
    cli_name="AzureCloud",
    vault_suffix="vault.azure.net",
    managed_hsm_suffix="managedhsm.azure.net",
    authority_host="login.microsoftonline.com",
    resource_manager="https://management.azure.com",
    portal="https://portal.azure.com",
)
AZURE_CHINA = AzureCloud(
    environment="AZURE_CHINA",
    title="Azure operated by 21Vianet (China)",
    cli_name="AzureChinaCloud",
    vault_suffix="vault.azure.cn",
    managed_hsm_suffix="managedhsm.azure.cn",
    authority_host="login.chinacloudapi.cn",
    resource_manager="https://management.chinacloudapi.cn",
    portal="https://portal.azure.cn",
)
AZURE_US_GOVERNMENT = AzureCloud(
    environment="AZURE_US_GOVERNMENT",
    title="Azure Government (US)",
    cli_name="AzureUSGovernment",
    vault_suffix="vault.usgovcloudapi.net",
    managed_hsm_suffix="managedhsm.usgovcloudapi.net",
    authority_host="login.microsoftonline.us",
    resource_manager="https://management.usgovcloudapi.net",
    portal="https://portal.azure.us",
)
CLOUDS: tuple[AzureCloud, ...] = (AZURE, AZURE_CHINA, AZURE_US_GOVERNMENT)

# Every spelling operators meet: Atlas' enum, the az CLI cloud name, and plain words.
_ALIASES = {
    "azure": AZURE, "azurecloud": AZURE, "public": AZURE, "azurepublic": AZURE, "azurepubliccloud": AZURE,
    "azurechina": AZURE_CHINA, "azurechinacloud": AZURE_CHINA, "china": AZURE_CHINA,
    "azureusgovernment": AZURE_US_GOVERNMENT, "azureusgovernmentcloud": AZURE_US_GOVERNMENT,
    "usgovernment": AZURE_US_GOVERNMENT, "usgov": AZURE_US_GOVERNMENT, "azureusgov": AZURE_US_GOVERNMENT,
}  # fmt: skip


def cloud_for_environment(text: str) -> AzureCloud:
    """``AZURE`` / ``AzureChinaCloud`` / ``us-gov`` ... -> the cloud; InputError for anything else."""
    given = unquote(text)
    spelled = re.fullmatch(r"[A-Za-z]+(?:[ _-][A-Za-z]+)*", given)
    cloud = _ALIASES.get(re.sub(r"[^a-z]", "", given.lower())) if spelled else None
    if cloud is None:
        raise InputError(
            f"'{visible(given)}' is not an Azure cloud Atlas supports. Expected AZURE, AZURE_CHINA or "
            "AZURE_US_GOVERNMENT (the az CLI names AzureCloud, AzureChinaCloud and AzureUSGovernment are accepted too)."
        )
    return cloud
