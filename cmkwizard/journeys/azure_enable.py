"""Enabling the project with Azure Key Vault: the ``azureKeyVault`` PATCH, confirmed first, then ``valid``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cmkwizard.atlas.errors import AtlasApiError
from cmkwizard.atlas.models import ENDPOINT_DELETING, PROVIDER_AZURE, AzureKeyVaultPatch
from cmkwizard.journeys import calls
from cmkwizard.journeys.aws_enable import wait_for_valid
from cmkwizard.journeys.azure_access import chosen_principal
from cmkwizard.journeys.azure_inputs import OnboardAzureInputs
from cmkwizard.journeys.azure_key import azure_client, check_key
from cmkwizard.journeys.base import (
    Consequence,
    JourneyRun,
    PlannedCall,
    Progress,
    ProgressEvent,
    Step,
    StepError,
    StepState,
    StepView,
)
from cmkwizard.journeys.providers import (
    key_change_consequence,
    other_provider,
    provider_switch_refusal,
)

if TYPE_CHECKING:
    from cmkwizard.state import ProjectState

ROLE_PLACEHOLDER = "<_id of the Atlas Azure role>"


@dataclass(frozen=True)
class AzureKeyVaultChange:
    """What the PATCH sends: every field the first time (Atlas requires them all), later only what changed."""

    before: dict[str, Any]
    patch: AzureKeyVaultPatch
    first: bool
    forgotten: tuple[str, ...] = ()
    """What Atlas drops with the change: an app registration's client ID and tenant ID, once a role replaces it."""

    @property
    def body(self) -> dict[str, Any]:
        return {"azureKeyVault": self.patch.to_api()}

    @property
    def changed(self) -> bool:
        return bool(self.patch.to_api())

    @property
    def after(self) -> dict[str, Any]:
        return {**self.before, **self.patch.to_api(), **dict.fromkeys(self.forgotten)}


def planned_change(
    state: ProjectState, inputs: OnboardAzureInputs, *, placeholders: bool = False
) -> AzureKeyVaultChange | None:
    """What enabling would change; None while the key or (outside a dry run) the Atlas role is not known."""
    if inputs.missing_key_settings():
        return None
    principal = chosen_principal(state, inputs)
    if principal is None and not placeholders:
        return None
    akv = state.encryption.azure_key_vault
    wanted = {
        "azureEnvironment": inputs.azure_environment,
        "subscriptionID": inputs.subscription_id,
        "resourceGroupName": inputs.resource_group,
        "keyVaultName": inputs.key_vault_name,
        "keyIdentifier": inputs.key_identifier,
        "roleId": principal.role_id if principal else ROLE_PLACEHOLDER,
    }
    before = {
        "enabled": akv.enabled,
        "azureEnvironment": akv.azure_environment,
        "subscriptionID": akv.subscription_id,
        "resourceGroupName": akv.resource_group_name,
        "keyVaultName": akv.key_vault_name,
        "keyIdentifier": akv.key_identifier,
        "roleId": akv.role_id,
        "requirePrivateNetworking": bool(akv.require_private_networking),
    }
    if not akv.enabled:
        sent = {**wanted, "enabled": True, "requirePrivateNetworking": before["requirePrivateNetworking"]}
        return AzureKeyVaultChange(before, _patch(sent), first=True)
    changed = {name: value for name, value in wanted.items() if _differs(before[name], value)}
    if not akv.uses_legacy_credentials:
        return AzureKeyVaultChange(before, _patch(changed), first=False)
    legacy = {"clientID": akv.client_id, "tenantID": akv.tenant_id}
    return AzureKeyVaultChange({**before, **legacy}, _patch(changed), first=False, forgotten=tuple(legacy))


def _differs(current: Any, wanted: Any) -> bool:
    if isinstance(current, str) and isinstance(wanted, str):
        return current.lower() != wanted.lower()
    return current != wanted


def _patch(fields: dict[str, Any]) -> AzureKeyVaultPatch:
    return AzureKeyVaultPatch(
        enabled=fields.get("enabled"),
        azure_environment=fields.get("azureEnvironment"),
        subscription_id=fields.get("subscriptionID"),
        resource_group_name=fields.get("resourceGroupName"),
        key_vault_name=fields.get("keyVaultName"),
        key_identifier=fields.get("keyIdentifier"),
        role_id=fields.get("roleId"),
        require_private_networking=fields.get("requirePrivateNetworking"),
    )


def pinned_changes(state: ProjectState, change: AzureKeyVaultChange | None) -> list[str]:
    """The vault's location fields a change would move while private endpoints pin them (Atlas refuses)."""
    if change is None or change.first:
        return []
    if not [e for e in state.endpoints_for(PROVIDER_AZURE) if e.status != ENDPOINT_DELETING]:
        return []
    sent = change.patch.to_api()
    return [name for name in ("subscriptionID", "resourceGroupName", "keyVaultName") if name in sent]


class AzureEnableStep(Step[OnboardAzureInputs]):
    key = "enable"
    title = "Enable the project"
    help = """\
**Enable encryption at rest for the project.** One PATCH of the project's `encryptionAtRest` with the
`azureKeyVault` block: environment, subscription, resource group, vault, versioned key identifier and
the Atlas role's `_id`. The first time Atlas needs every field; later only what changes is sent. Then
the wizard waits until Atlas reports `valid: true` (it could wrap and unwrap with the key) before any
cluster is touched. With Azure credentials the key is read again just before the PATCH.

Atlas creates a 90-day key rotation alert when a customer key is configured.
"""

    def assess(self, state: ProjectState, inputs: OnboardAzureInputs) -> StepView:
        akv = state.encryption.azure_key_vault
        other = other_provider(state.encryption, PROVIDER_AZURE)
        if other:
            return self.view(StepState.BLOCKED, *provider_switch_refusal(other))
        if akv.uses_legacy_credentials and not inputs.confirm_legacy_migration:
            return self.view(
                StepState.BLOCKED,
                f"The project reaches Key Vault with the secret of application {akv.client_id}",
                "Moving it to Atlas' service principal changes how Atlas reaches the key: choose the move first.",
            )
        pinned = pinned_changes(state, planned_change(state, inputs))
        if pinned:
            return self.view(
                StepState.BLOCKED,
                f"{', '.join(pinned)} cannot change while the project has Azure private endpoints",
                f"Choose a key in key vault {akv.key_vault_name} (resource group {akv.resource_group_name}, "
                f"subscription {akv.subscription_id}), or remove the private endpoints first.",
            )
        change = planned_change(state, inputs)
        if change is None:
            if akv.enabled and akv.valid and not inputs.key_identifier:
                return self.view(StepState.DONE, _enabled(state))
            return self.view(StepState.TODO, "Waiting for the role and the key", "Set up access and the key first.")
        if inputs.checked_key != inputs.key_identifier and change.changed:
            return self.view(StepState.TODO, "Waiting for the key check", "Check the key first.")
        if not change.changed:
            if akv.valid:
                return self.view(StepState.DONE, _enabled(state))
            return self.view(StepState.TODO, "Enabled; waiting for Atlas to report the key valid")
        return self.view(StepState.TODO, _describe(change))

    def consequence(self, state: ProjectState, inputs: OnboardAzureInputs) -> Consequence | None:
        change = planned_change(state, inputs)
        if change is None or not change.changed:
            return None
        sent = change.patch.to_api()
        akv = state.encryption.azure_key_vault
        if akv.uses_legacy_credentials and not inputs.confirm_legacy_migration:
            return None  # blocked until the move is chosen: nothing to confirm yet
        if akv.uses_legacy_credentials:
            return Consequence(
                "Move to Atlas' service principal?",
                f"Atlas reaches key vault **{akv.key_vault_name}** as application `{akv.client_id}` (tenant "
                f"{akv.tenant_id}) with its client secret. After this change Atlas signs in as its own service "
                f"principal (Atlas role `{sent['roleId']}`) and **forgets the application's client ID, tenant ID and "
                "secret**: going back would mean giving Atlas a secret again. Atlas first checks that the service "
                "principal may use the key (get, wrapKey, unwrapKey); if it may not, the change is refused and "
                "nothing changes. Once Atlas reports the key valid, delete the application's secret in Entra ID. "
                f"Sent: {', '.join(sent)}.",
                "Move to the service principal",
            )
        if change.first:
            return Consequence(
                "Enable encryption at rest with your key?",
                f"Atlas will protect this project's data keys with key `{sent['keyIdentifier']}` in key vault "
                f"**{sent['keyVaultName']}** (resource group {sent['resourceGroupName']}, subscription "
                f"{sent['subscriptionID']}), signing in as Atlas role `{sent['roleId']}`. From then on the project "
                "depends on this key: if it is disabled, expires, or Atlas loses its permissions, Atlas pauses the "
                "clusters that use it. No cluster changes yet: you choose them next.",
                "Enable encryption at rest",
            )
        return key_change_consequence(change.before, sent, "key version")

    def plan(self, state: ProjectState, inputs: OnboardAzureInputs) -> list[PlannedCall]:
        change = planned_change(state, inputs, placeholders=True)
        if change is None or not change.changed:
            return []
        return [calls.update_encryption_at_rest(state.project_id, change.body, _describe(change))]

    async def apply(self, run: JourneyRun[OnboardAzureInputs], progress: Progress) -> None:
        state = await run.read_state()
        view = self.assess(state, run.inputs)
        if view.state is StepState.DONE:
            return
        if view.reason:
            raise StepError(self.key, view.summary, "The project cannot be enabled yet.", view.reason)
        change = planned_change(state, run.inputs)
        if change is not None and change.changed:
            azure = azure_client(run)
            if azure is not None:
                await check_key(run, azure, self.key, progress)  # still usable, just before Atlas is asked
            if state.encryption.azure_key_vault.uses_legacy_credentials:
                run.record_decision(
                    "move from the app registration's secret to Atlas' service principal",
                    state.encryption.azure_key_vault.client_id,
                )
            await self._patch(run, progress, change)
        await wait_for_valid(run, progress, self.key, VAULT_ACCESS_CHECK)

    async def _patch(
        self, run: JourneyRun[OnboardAzureInputs], progress: Progress, change: AzureKeyVaultChange
    ) -> None:
        await send_azure_key_vault_patch(run, progress, self.key, change.patch, change.before, _describe(change))


async def send_azure_key_vault_patch(
    run: JourneyRun[Any],
    progress: Progress,
    step_key: str,
    patch: AzureKeyVaultPatch,
    before: dict[str, Any],
    description: str,
) -> None:
    """The encryption-at-rest PATCH of ``azureKeyVault``, recorded in the journal."""
    body = {"azureKeyVault": patch.to_api()}
    progress(ProgressEvent(step_key, description))
    try:
        await run.client.update_encryption_at_rest(run.project_id, azure_key_vault=patch)
    except AtlasApiError as err:
        run.record_change("ATLAS", "update encryption at rest (Azure Key Vault)", inputs=body, error=err)
        raise
    run.record_change("ATLAS", "update encryption at rest (Azure Key Vault)", inputs=body, result={"before": before})


VAULT_ACCESS_CHECK = (
    "Check the key is enabled and Atlas' service principal has get, wrapKey/encrypt and unwrapKey/decrypt on the "
    "vault; then run this step again"
)


def _describe(change: AzureKeyVaultChange) -> str:
    sent = change.patch.to_api()
    if change.first:
        return f"Enable Azure Key Vault encryption: key {sent['keyIdentifier']}, role {sent['roleId']}"
    return "Update Azure Key Vault encryption: " + ", ".join(f"{k} {change.before[k]} -> {v}" for k, v in sent.items())


def _enabled(state: ProjectState) -> str:
    akv = state.encryption.azure_key_vault
    return f"Enabled with key {akv.key_identifier} in vault {akv.key_vault_name}, valid"
