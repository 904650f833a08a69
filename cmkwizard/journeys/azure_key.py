"""The Key Vault key Atlas encrypts with: identifier, vault, subscription and resource group, checked.

With the operator's Azure credentials the key is read through Key Vault (RSA or RSA-HSM, enabled, active,
not expiring within 48 hours: each refusal carries the code Atlas would answer with) and the vault
through Resource Manager (it is in the subscription and resource group Atlas is given). Without them the
values are accepted as typed and the operator is told what to check by hand; Atlas checks the key when the
project is enabled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cmkwizard.azure.errors import AzureError
from cmkwizard.journeys import azure_calls
from cmkwizard.journeys.azure_access import chosen_principal
from cmkwizard.journeys.azure_inputs import OnboardAzureInputs
from cmkwizard.journeys.base import (
    JourneyRun,
    PlannedCall,
    Progress,
    ProgressEvent,
    Step,
    StepError,
    StepState,
    StepView,
)

if TYPE_CHECKING:
    from datetime import datetime

    from cmkwizard.azure.adapters import AzureKeyVault
    from cmkwizard.azure.keys import VaultKey
    from cmkwizard.state import ProjectState


def azure_client(run: JourneyRun[Any]) -> AzureKeyVault | None:
    """The operator's Azure credentials, when the run has them."""
    return run.cloud.client_for("AZURE") if run.cloud is not None else None


def configured(state: ProjectState, inputs: OnboardAzureInputs) -> bool:
    """Whether the project already uses exactly this key, vault, subscription and resource group."""
    akv = state.encryption.azure_key_vault
    return (
        akv.enabled
        and not akv.uses_legacy_credentials
        and (akv.key_identifier or "").lower() == (inputs.key_identifier or "").lower()
        and akv.subscription_id == inputs.subscription_id
        and akv.resource_group_name == inputs.resource_group
    )


class AzureKeyStep(Step[OnboardAzureInputs]):
    key = "key"
    title = "Key and vault"
    help = """\
**The key.** Atlas needs the *versioned* key identifier,
`https://<vault>.vault.azure.net/keys/<key-name>/<key-version>` (Azure China: `vault.azure.cn`, Azure
Government: `vault.usgovcloudapi.net`). A versionless identifier is refused: Atlas pins one version, and
rotating the key later means giving Atlas the new version. The vault name comes from the identifier.

The key must be **RSA** or **RSA-HSM**, enabled, past its activation date, and not expire within
48 hours (Atlas refuses such keys with `AZURE_KEY_VAULT_KEY_*` codes). Atlas is also given the vault's
subscription ID and resource group: `az keyvault show --name <vault> --query "{id: id, resourceGroup: resourceGroup}"`.
With Azure credentials the wizard reads the key and the vault and says exactly what is wrong.
"""

    def assess(self, state: ProjectState, inputs: OnboardAzureInputs) -> StepView:
        missing = inputs.missing_key_settings()
        if missing:
            akv = state.encryption.azure_key_vault
            if not inputs.key_identifier and akv.enabled and not akv.uses_legacy_credentials and akv.key_identifier:
                return self.view(StepState.DONE, f"The project uses key {akv.key_identifier}")
            return self.view(
                StepState.TODO, "Choose the Key Vault key Atlas encrypts with", f"Needs {', '.join(missing)}."
            )
        where = f"in vault {inputs.key_vault_name} ({inputs.azure_environment}), resource group {inputs.resource_group}"
        if configured(state, inputs) or inputs.checked_key == inputs.key_identifier:
            return self.view(StepState.DONE, f"Key {inputs.key_identifier} {where}")
        return self.view(StepState.TODO, f"Check key {inputs.key_identifier} {where}")

    def plan(self, state: ProjectState, inputs: OnboardAzureInputs) -> list[PlannedCall]:
        key = inputs.key
        if key is None or inputs.missing_key_settings():
            return []
        return [
            azure_calls.get_key(key.url, key.vault_name, key.key_name),
            azure_calls.get_vault(inputs.subscription_id or "", inputs.resource_group or "", key.vault_name),
        ]

    async def apply(self, run: JourneyRun[OnboardAzureInputs], progress: Progress) -> None:
        inputs = run.inputs
        missing = inputs.missing_key_settings()
        if missing:
            raise StepError(self.key, "The key is not chosen yet", f"Atlas needs {', '.join(missing)}.", "Give them.")
        azure = azure_client(run)
        if azure is None:
            progress(
                ProgressEvent(
                    self.key,
                    f"Key {inputs.key_identifier}: without Azure credentials the wizard cannot read it. Check by hand "
                    "that it is RSA, enabled and not expiring soon "
                    f"(az keyvault key show --id {inputs.key_identifier}); "
                    "Atlas checks it when the project is enabled.",
                    1.0,
                )
            )
        else:
            state = await run.read_state()
            key = await check_key(run, azure, self.key, progress)
            await self._check_vault(run, azure, progress, state)
            progress(ProgressEvent(self.key, f"Key {key.name}: {key.key_type}, enabled, usable by Atlas", 1.0))
        inputs.checked_key = inputs.key_identifier
        run.record_decision(
            "Key Vault key",
            {
                "keyIdentifier": inputs.key_identifier,
                "subscriptionID": inputs.subscription_id,
                "resourceGroupName": inputs.resource_group,
            },
        )
        run.save_inputs()

    async def _check_vault(
        self, run: JourneyRun[OnboardAzureInputs], azure: AzureKeyVault, progress: Progress, state: ProjectState
    ) -> None:
        inputs = run.inputs
        vault_name = inputs.key_vault_name or ""
        progress(ProgressEvent(self.key, f"Reading key vault {vault_name} in resource group {inputs.resource_group}"))
        try:
            vault = await azure.get_vault(inputs.subscription_id or "", inputs.resource_group or "", vault_name)
        except AzureError as err:
            if err.status != 403:
                raise
            progress(ProgressEvent(self.key, f"These Azure credentials may not read the vault resource: {err.what}"))
            return
        principal = chosen_principal(state, inputs)
        tenant = principal.tenant_id if principal else inputs.tenant_id
        if vault.tenant_id and tenant and vault.tenant_id.lower() != tenant.lower():
            raise StepError(
                self.key,
                f"Key vault {vault_name} is in tenant {vault.tenant_id}",
                f"Atlas signs in to tenant {tenant}, so it cannot use keys in this vault.",
                "Use a vault in that tenant, or set up Atlas' service principal in the vault's tenant.",
                "NO_PERMISSION_TO_ENCRYPT_DECRYPT",
            )


async def check_key(
    run: JourneyRun[OnboardAzureInputs], azure: AzureKeyVault, step_key: str, progress: Progress
) -> VaultKey:
    """Read the key version; StepError, with the Atlas code, unless Atlas could use it now and for 48 hours."""
    return await check_key_identifier(azure, run.inputs.key_identifier or "", run.clock.now(), step_key, progress)


async def check_key_identifier(
    azure: AzureKeyVault, identifier: str, now: datetime, step_key: str, progress: Progress
) -> VaultKey:
    """``check_key`` for any key identifier, judged at ``now``."""
    progress(ProgressEvent(step_key, f"Reading key {identifier}"))
    key = await azure.get_key(identifier)
    problems = key.problems(now)
    if problems:
        raise StepError(
            step_key,
            f"Atlas cannot use key {key.name}",
            " ".join(p.what for p in problems),
            " ".join(p.next_step for p in problems),
            problems[0].code,
        )
    return key
