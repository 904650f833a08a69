"""Atlas' access to the tenant: the Atlas Azure service principal role.

The operator creates, once per tenant, the service principal of Atlas' application and lets it use the
vault's keys; the wizard shows the exact ``az`` commands. Then Atlas is given the tenant and the
principal's object ID, and checks it can sign in as that principal (refusing a wrong tenant or principal
with ``CLOUD_PROVIDER_ACCESS_AZURE_SERVICE_PRINCIPAL_INVALID`` or ``CANNOT_AUTHENTICATE_SERVICE_PRINCIPAL``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmkwizard.atlas.errors import AtlasApiError
from cmkwizard.atlas.models import AzureServicePrincipal
from cmkwizard.azure import guidance
from cmkwizard.errors import InputError
from cmkwizard.journeys import azure_calls
from cmkwizard.journeys.azure_inputs import OnboardAzureInputs
from cmkwizard.journeys.base import JourneyRun, PlannedCall, Progress, ProgressEvent, Step, StepState, StepView

if TYPE_CHECKING:
    from cmkwizard.state import ProjectState


def chosen_principal(state: ProjectState, inputs: OnboardAzureInputs) -> AzureServicePrincipal | None:
    """The role the journey uses: the one named in the inputs, else the one encryption uses, else one for the
    same tenant and service principal (never a second role for the same principal)."""
    if inputs.role_id:
        return state.azure_principal(inputs.role_id)
    principals = state.access.azure_principals
    in_use = state.azure_principal(state.encryption.azure_key_vault.role_id)
    if in_use is not None and _matches(in_use, inputs):
        return in_use
    return next((p for p in principals if _matches(p, inputs) and inputs.service_principal_id), None)


def _matches(principal: AzureServicePrincipal, inputs: OnboardAzureInputs) -> bool:
    wanted = (inputs.tenant_id, inputs.service_principal_id)
    if wanted == (None, None):
        return True
    return (principal.tenant_id, principal.service_principal_id) == wanted


def describe_principal(principal: AzureServicePrincipal) -> str:
    return (
        f"Atlas role {principal.role_id}: service principal {principal.service_principal_id} in tenant "
        f"{principal.tenant_id}"
    )


def access_commands(inputs: OnboardAzureInputs) -> list[str]:
    """What the operator runs so Atlas can sign in to the tenant and use the vault's keys, in order."""
    commands = guidance.service_principal_steps(inputs.atlas_azure_app_id, inputs.cloud)
    principal = inputs.service_principal_id or "<servicePrincipalId>"
    vault = inputs.key_vault_name or "<vault-name>"
    commands.append(
        f"{guidance.access_policy_command(vault, principal)}    # a vault using access policies "
        "(Atlas needs get, encrypt/wrapKey and decrypt/unwrapKey)"
    )
    resource = guidance.vault_resource_id(
        inputs.subscription_id or "<subscription-id>", inputs.resource_group or "<resource-group>", vault
    )
    commands.append(f"{guidance.role_assignment_command(resource, principal)}    # or: a vault using Azure RBAC")
    return commands


class AzureAccessStep(Step[OnboardAzureInputs]):
    key = "access"
    title = "Atlas service principal"
    help = (
        """\
**Atlas' access to your tenant.** Atlas reaches Key Vault as the service principal of its own Entra ID
application (`atlasAzureAppId`), created once in your tenant with `az ad sp create --id <atlasAzureAppId>`.
Atlas is then given your `tenantId` and the principal's **object ID** (`servicePrincipalId`, from
`az ad sp show --id <atlasAzureAppId> --query id -o tsv`; not the application ID).

The principal needs the key permissions **get**, **wrapKey/encrypt** and **unwrapKey/decrypt** on the
vault: `az keyvault set-policy --key-permissions get encrypt decrypt` (access policies), or the
*Key Vault Crypto User* role (Azure RBAC). Atlas checks it can sign in when the role is created: a wrong
tenant or principal is refused with `CLOUD_PROVIDER_ACCESS_AZURE_SERVICE_PRINCIPAL_INVALID`.

"""
        + guidance.REVOKED_ACCESS
    )

    def assess(self, state: ProjectState, inputs: OnboardAzureInputs) -> StepView:
        principal = chosen_principal(state, inputs)
        if inputs.role_id and principal is None:
            known = ", ".join(p.role_id for p in state.access.azure_principals) or "none"
            return self.view(
                StepState.BLOCKED,
                f"Atlas role {inputs.role_id} is not in this project",
                f"It was removed or belongs to another project. Choose an existing role ({known}) or create one.",
            )
        if principal is not None:
            return self.view(StepState.DONE, describe_principal(principal))
        if not inputs.tenant_id or not inputs.service_principal_id:
            return self.view(
                StepState.TODO,
                "Create Atlas' service principal in your tenant and let it use the vault's keys",
                "Needs the tenant ID and the service principal's object ID.",
            )
        return self.view(
            StepState.TODO,
            f"Atlas will sign in to tenant {inputs.tenant_id} as service principal {inputs.service_principal_id}",
        )

    def plan(self, state: ProjectState, inputs: OnboardAzureInputs) -> list[PlannedCall]:
        if chosen_principal(state, inputs) is not None:
            return []
        return [
            azure_calls.create_azure_principal(
                state.project_id,
                inputs.atlas_azure_app_id,
                inputs.service_principal_id or "<servicePrincipalId>",
                inputs.tenant_id or "<tenantId>",
            )
        ]

    async def apply(self, run: JourneyRun[OnboardAzureInputs], progress: Progress) -> None:
        inputs = run.inputs
        state = await run.read_state()
        principal = chosen_principal(state, inputs)
        if inputs.role_id and principal is None:
            raise InputError(self.assess(state, inputs).reason or "")
        if principal is not None:
            if inputs.role_id != principal.role_id:
                inputs.role_id = principal.role_id
                run.record_decision("reuse Atlas Azure role", principal.role_id)
                run.save_inputs()
            progress(ProgressEvent(self.key, f"Using {describe_principal(principal)}", 1.0))
            return
        if not inputs.tenant_id or not inputs.service_principal_id:
            raise InputError(
                "Give the tenant ID and the object ID of Atlas' service principal; create it first with: "
                + " ; ".join(c.split("    #")[0] for c in guidance.service_principal_steps(inputs.atlas_azure_app_id))
            )
        body = {
            "atlasAzureAppId": inputs.atlas_azure_app_id,
            "servicePrincipalId": inputs.service_principal_id,
            "tenantId": inputs.tenant_id,
        }
        progress(ProgressEvent(self.key, f"Creating the Atlas role for tenant {inputs.tenant_id}"))
        try:
            principal = await run.client.create_azure_principal(
                run.project_id,
                atlas_azure_app_id=inputs.atlas_azure_app_id,
                service_principal_id=inputs.service_principal_id,
                tenant_id=inputs.tenant_id,
            )
        except AtlasApiError as err:
            run.record_change("ATLAS", "create Azure service principal role", inputs=body, error=err)
            raise
        run.record_change(
            "ATLAS", "create Azure service principal role", inputs=body, result={"_id": principal.role_id}
        )
        inputs.role_id = principal.role_id
        run.save_inputs()
        progress(ProgressEvent(self.key, f"Created {describe_principal(principal)}", 1.0))
