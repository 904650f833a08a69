"""Rotating an Azure Key Vault project: a new version of the key (or another key in the same vault), then
``keyIdentifier`` switched to it."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from cmkwizard.atlas.models import AzureKeyVaultPatch
from cmkwizard.azure.identifiers import parse_key_identifier
from cmkwizard.journeys import azure_calls
from cmkwizard.journeys.azure_enable import VAULT_ACCESS_CHECK, send_azure_key_vault_patch
from cmkwizard.journeys.azure_key import azure_client, check_key_identifier
from cmkwizard.journeys.base import (
    JourneyRun,
    PlannedCall,
    Progress,
    ProgressEvent,
    Step,
    StepError,
    StepState,
    StepView,
    azure_call,
)
from cmkwizard.journeys.rotate_inputs import KEEP_KEY, RotateInputs, rotating, uses_new_key
from cmkwizard.journeys.rotate_steps import WAITING_FOR_CHOICE, SwitchChange, SwitchStep

if TYPE_CHECKING:
    from cmkwizard.azure.adapters import AzureKeyVault
    from cmkwizard.azure.identifiers import KeyIdentifier
    from cmkwizard.state import ProjectState


def _old_key(inputs: RotateInputs) -> KeyIdentifier:
    return parse_key_identifier(inputs.old_key or "", require_version=False)


def rotate_key_call(key: KeyIdentifier) -> PlannedCall:
    return azure_call(
        "keys/rotate",
        f"{key.versionless_url}/rotate",
        f"Create a new version of key {key.key_name} (same type and size)",
        None,
        f"az keyvault key rotate --vault-name {shlex.quote(key.vault_name)} --name {shlex.quote(key.key_name)}",
    )


class AzureNewKeyStep(Step[RotateInputs]):
    key = "new_key"
    title = "New key version"
    help = """\
**The new key version.** Atlas pins one version of a Key Vault key (`keyIdentifier` ends with it).
Rotating means giving Atlas a new one: a new **version** of the same key (the wizard creates it with
your Azure credentials when they may rotate keys; otherwise `az keyvault key rotate`), or another key
in the **same vault** (Atlas cannot move to another vault this way). The version must be RSA or
RSA-HSM, enabled, active and not expire within 48 hours; the wizard reads it to check.
"""

    def assess(self, state: ProjectState, inputs: RotateInputs) -> StepView:
        if inputs.mode == KEEP_KEY:
            return self.view(StepState.SKIPPED, "Keeping the key")
        if uses_new_key(state, inputs):
            return self.view(StepState.DONE, f"The project uses {inputs.new_key}")
        if not rotating(inputs):
            return self.view(StepState.TODO, "Waiting for your choice", WAITING_FOR_CHOICE)
        if inputs.create_new:
            return self.view(StepState.TODO, f"Create a new version of key {_old_key(inputs).key_name}")
        if not inputs.new_key:
            return self.view(
                StepState.TODO, "Choose the new key version", "Give its identifier, or let the wizard create one."
            )
        if inputs.checked_key == inputs.new_key:
            return self.view(StepState.DONE, f"Key {inputs.new_key}, checked")
        return self.view(StepState.TODO, f"Check key {inputs.new_key}")

    def plan(self, state: ProjectState, inputs: RotateInputs) -> list[PlannedCall]:
        if not rotating(inputs) or uses_new_key(state, inputs) or not inputs.old_key:
            return []
        if inputs.create_new:
            return [rotate_key_call(_old_key(inputs))]
        if not inputs.new_key:
            return []
        key = parse_key_identifier(inputs.new_key)
        return [azure_calls.get_key(key.url, key.vault_name, key.key_name)]

    async def apply(self, run: JourneyRun[RotateInputs], progress: Progress) -> None:
        inputs = run.inputs
        if not (inputs.new_key or inputs.create_new):
            raise StepError(
                self.key, "No new key chosen", "The rotation needs the new key version.", "Give it, or create one."
            )
        azure = azure_client(run)
        if azure is None:
            if inputs.create_new:
                raise StepError(
                    self.key,
                    "Creating a key version needs Azure credentials",
                    "The wizard has no Azure credentials to act with.",
                    f"Create it yourself: {rotate_key_call(_old_key(inputs)).command}; then give the new version's "
                    "key identifier (its kid) here.",
                )
            progress(
                ProgressEvent(
                    self.key,
                    f"Key {inputs.new_key}: without Azure credentials the wizard cannot read it. Check by hand that it "
                    f"is RSA, enabled and not expiring soon (az keyvault key show --id {inputs.new_key}); Atlas "
                    "checks it at the switch.",
                    1.0,
                )
            )
        else:
            if inputs.create_new:
                await self._create_version(run, azure, progress)
            key = await check_key_identifier(azure, inputs.new_key or "", run.clock.now(), self.key, progress)
            progress(ProgressEvent(self.key, f"Key {key.name} version {key.version}: usable by Atlas", 1.0))
        inputs.checked_key = inputs.new_key
        run.record_decision("new Key Vault key version", {"keyIdentifier": inputs.new_key})
        run.save_inputs()

    async def _create_version(self, run: JourneyRun[RotateInputs], azure: AzureKeyVault, progress: Progress) -> None:
        inputs = run.inputs
        old = _old_key(inputs)
        what = f"create a new version of Key Vault key {old.key_name} in {old.vault_name}"
        progress(ProgressEvent(self.key, f"Creating a new version of key {old.key_name}"))
        try:
            created = await azure.create_key_version(old.vault_url, old.key_name)
        except Exception as err:
            run.record_change("AZURE", what, error=err)
            raise
        run.record_change("AZURE", what, result={"keyIdentifier": created.kid})
        inputs.new_key, inputs.create_new = created.kid, False
        run.save_inputs()  # a resumed run checks this version instead of creating another


class AzureSwitchStep(SwitchStep):
    access_check = VAULT_ACCESS_CHECK
    help = """\
**Switch to the new key version.** One PATCH of the project's `azureKeyVault` with only
`keyIdentifier`; the vault, the service principal and everything else stay. Just before, the wizard
reads the project again and, with Azure credentials, the key version. Atlas then validates the key
(`valid`) and re-wraps every encrypted cluster's data keys. You confirm first, told what changes.
"""

    def patch_fields(self, state: ProjectState, inputs: RotateInputs) -> dict[str, Any]:
        return {"keyIdentifier": inputs.new_key}

    def current_fields(self, state: ProjectState) -> dict[str, Any]:
        return {"keyIdentifier": state.encryption.azure_key_vault.key_identifier}

    async def recheck(self, run: JourneyRun[RotateInputs], state: ProjectState, progress: Progress) -> None:
        azure = azure_client(run)
        if azure is None:
            progress(ProgressEvent(self.key, "Without Azure credentials Atlas checks the new key version itself"))
            return
        await check_key_identifier(azure, run.inputs.new_key or "", run.clock.now(), self.key, progress)

    async def send(self, run: JourneyRun[RotateInputs], progress: Progress, change: SwitchChange) -> None:
        identifier = change.after["keyIdentifier"]
        patch = AzureKeyVaultPatch(key_identifier=identifier)
        await send_azure_key_vault_patch(
            run, progress, self.key, patch, change.before, f"Switch Azure Key Vault to key {identifier}"
        )
