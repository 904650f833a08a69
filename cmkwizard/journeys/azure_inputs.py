"""What the operator tells the Azure Key Vault onboarding journey, validated as it is typed.

Every setter raises InputError saying what is wrong and what is expected, so nothing reaches Atlas or
Azure with a malformed tenant, principal or subscription id, a versionless key identifier or a key in
another Azure environment than the one chosen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from cmkwizard.atlas.models import PROVIDER_AZURE
from cmkwizard.azure.clouds import AzureCloud, cloud_for_environment
from cmkwizard.azure.errors import InputError
from cmkwizard.azure.guidance import ATLAS_AZURE_APP_ID
from cmkwizard.azure.identifiers import (
    KeyIdentifier,
    parse_key_identifier,
    parse_service_principal_id,
    parse_subscription_id,
    parse_tenant_id,
    parse_uuid,
    validate_resource_group,
)
from cmkwizard.azure.regions import to_atlas_region
from cmkwizard.journeys.azure_legacy import parse_expiry
from cmkwizard.journeys.clusters import choose_clusters
from cmkwizard.journeys.inputs import from_record, open_run_inputs, to_record

if TYPE_CHECKING:
    from cmkwizard.journal import Journal
    from cmkwizard.state import ProjectState

JOURNEY_NAME = "onboard_azure"


def check_key_in_environment(key: KeyIdentifier, environment: str) -> None:
    """InputError when the key's vault is in another Azure cloud than the environment Atlas is given."""
    cloud = cloud_for_environment(environment)
    if key.cloud is not cloud:
        raise InputError(
            f"Key vault {key.vault_name} is in {key.cloud.title} ({key.cloud.vault_suffix}), but the Azure "
            f"environment chosen is {cloud.environment} ({cloud.title}). Atlas looks for the vault in the chosen "
            f"environment: choose {key.cloud.environment}, or a key in a vault under {cloud.vault_suffix}."
        )


@dataclass
class OnboardAzureInputs:
    role_id: str | None = None
    """The Atlas Azure service principal role (its ``_id``), reused when it exists; never a second one."""
    atlas_azure_app_id: str = ATLAS_AZURE_APP_ID
    """Atlas' application in Entra ID, whose service principal the operator creates in the tenant."""
    tenant_id: str | None = None
    service_principal_id: str | None = None
    """The object ID of Atlas' service principal in the tenant (not the application ID)."""
    azure_environment: str = "AZURE"
    key_identifier: str | None = None
    """The versioned key identifier, https://<vault>.vault.azure.net/keys/<name>/<version>."""
    subscription_id: str | None = None
    resource_group: str | None = None
    checked_key: str | None = None
    """Set by the key step: the key identifier that passed its checks (or was accepted without credentials)."""
    clusters: tuple[str, ...] | None = None
    private_endpoint_regions: tuple[str, ...] | None = None
    """Atlas Azure regions (US_EAST_2) that get a private endpoint to the vault; None until chosen."""
    require_private_networking: bool = False
    replace_failed_endpoints: bool = False
    approve_endpoints: bool = False
    """With Azure credentials that may: approve Atlas' private endpoint connections on the vault."""
    legacy_secret_expires: str | None = None
    """When the project reaches the vault with an app registration's secret: its expiry (YYYY-MM-DD), as the
    operator read it in Entra ID. The secret itself is never an input: it lives in the keyring only."""
    confirm_legacy_migration: bool = False
    """The operator chose to move the project from the app registration's secret to Atlas' service principal."""

    @property
    def cloud(self) -> AzureCloud:
        return cloud_for_environment(self.azure_environment)

    @property
    def key(self) -> KeyIdentifier | None:
        return parse_key_identifier(self.key_identifier) if self.key_identifier else None

    @property
    def key_vault_name(self) -> str | None:
        """Derived from the key identifier: Atlas is given both and they must agree."""
        key = self.key
        return key.vault_name if key else None

    # --- validated setters --------------------------------------------------------------------

    def set_atlas_azure_app_id(self, text: str) -> str:
        self.atlas_azure_app_id = parse_uuid(text, "client")
        return self.atlas_azure_app_id

    def set_tenant_id(self, text: str) -> str:
        self.tenant_id = parse_tenant_id(text)
        return self.tenant_id

    def set_service_principal_id(self, text: str) -> str:
        value = parse_service_principal_id(text)
        if value == self.atlas_azure_app_id:
            raise InputError(
                f"{value} is Atlas' application ID, not its service principal. Atlas needs the service principal's "
                f"object ID: az ad sp show --id {self.atlas_azure_app_id} --query id -o tsv"
            )
        self.service_principal_id = value
        return value

    def set_environment(self, text: str) -> str:
        cloud = cloud_for_environment(text)
        if self.key is not None:
            check_key_in_environment(self.key, cloud.environment)
        self.azure_environment = cloud.environment
        self._forget_key_check()
        return cloud.environment

    def set_key_identifier(self, text: str) -> str:
        """A versioned key identifier in the chosen environment; a versionless one is explained and refused."""
        key = parse_key_identifier(text)
        check_key_in_environment(key, self.azure_environment)
        self.key_identifier = key.url
        self._forget_key_check()
        return key.url

    def set_subscription_id(self, text: str) -> str:
        self.subscription_id = parse_subscription_id(text)
        self._forget_key_check()
        return self.subscription_id

    def set_resource_group(self, text: str) -> str:
        self.resource_group = validate_resource_group(text)
        self._forget_key_check()
        return self.resource_group

    def set_legacy_secret_expiry(self, text: str) -> str | None:
        """The app registration secret's expiry; an empty text means not known."""
        self.legacy_secret_expires = parse_expiry(text).isoformat() if text.strip() else None
        return self.legacy_secret_expires

    @property
    def legacy_secret_expiry(self) -> date | None:
        return date.fromisoformat(self.legacy_secret_expires) if self.legacy_secret_expires else None

    def set_clusters(self, names: Iterable[str], state: ProjectState) -> tuple[str, ...]:
        self.clusters = choose_clusters(names, state, PROVIDER_AZURE)
        return self.clusters

    def set_private_endpoint_regions(self, texts: Iterable[str]) -> tuple[str, ...]:
        """Azure regions in any spelling (eastus2, US_EAST_2); an empty choice keeps the public endpoint."""
        regions = tuple(dict.fromkeys(to_atlas_region(t) for t in texts if t.strip()))
        self.private_endpoint_regions = regions
        self.require_private_networking = bool(regions)
        return regions

    def missing_key_settings(self) -> list[str]:
        """What the key step still needs, in the operator's words."""
        needed = {
            "the key identifier": self.key_identifier,
            "the subscription ID": self.subscription_id,
            "the resource group": self.resource_group,
        }
        return [label for label, value in needed.items() if not value]

    def _forget_key_check(self) -> None:
        self.checked_key = None

    # --- journal ------------------------------------------------------------------------------

    def to_record(self) -> dict[str, Any]:
        """The inputs as plain JSON values (none of them is a secret)."""
        return to_record(self)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> OnboardAzureInputs:
        return from_record(cls, record)

    @classmethod
    def from_journal(cls, journal: Journal) -> OnboardAzureInputs:
        return cls.from_record(open_run_inputs(journal, JOURNEY_NAME))
