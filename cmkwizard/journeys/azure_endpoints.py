"""Private endpoints to the key vault over Azure Private Link, approved on the vault.

Atlas creates one endpoint per region; each waits in ``PENDING_ACCEPTANCE`` until its connection
(``privateEndpointConnectionName``) is approved on the key vault. With Azure credentials that may write the
vault's private endpoint connections, and the operator's consent, the wizard approves it through Resource
Manager; otherwise it stops with the exact ``az`` command and portal path for someone who may. Once
endpoints exist, the vault name, resource group and subscription can no longer be changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cmkwizard.atlas.models import (
    ENDPOINT_ACTIVE,
    ENDPOINT_FAILED,
    ENDPOINT_PENDING_ACCEPTANCE,
    PROVIDER_AZURE,
    PrivateEndpoint,
)
from cmkwizard.azure import guidance
from cmkwizard.azure.errors import AzureError
from cmkwizard.journeys import azure_calls
from cmkwizard.journeys.azure_inputs import OnboardAzureInputs
from cmkwizard.journeys.azure_key import azure_client
from cmkwizard.journeys.base import Consequence, JourneyRun, PlannedCall, Progress, ProgressEvent, StepError
from cmkwizard.journeys.private_endpoints import (
    PrivateEndpointsStep,
    endpoints_by_region,
    explain_endpoint,
    wanted_regions,
)
from cmkwizard.journeys.waiting import PollStatus, poll_until

if TYPE_CHECKING:
    from cmkwizard.state import ProjectState

CONNECTION_PLACEHOLDER = "<privateEndpointConnectionName>"
IMMUTABLE_NOTE = (
    "Once endpoints exist, the key vault name, resource group and subscription **cannot be changed**: a later "
    "key must live in the same vault."
)


def vault_location(state: ProjectState, inputs: OnboardAzureInputs) -> tuple[str, str, str]:
    """Subscription, resource group and vault of the project's configuration (the inputs before it is set)."""
    akv = state.encryption.azure_key_vault
    return (
        akv.subscription_id or inputs.subscription_id or "<subscription-id>",
        akv.resource_group_name or inputs.resource_group or "<resource-group>",
        akv.key_vault_name or inputs.key_vault_name or "<vault-name>",
    )


class AzurePrivateEndpointsStep(PrivateEndpointsStep):
    help = (
        PrivateEndpointsStep.help
        + """
**Approval.** Each Azure endpoint waits in `PENDING_ACCEPTANCE` until its connection is approved on the key
vault. With Azure credentials that may write the vault's private endpoint connections (Owner or
Contributor), the wizard approves it when you tick the option; otherwise it shows the `az keyvault
private-endpoint-connection approve` command and the portal path. Atlas notices an approval within a few
minutes. After that the **vault name, resource group and subscription become immutable**.
"""
    )

    def __init__(self) -> None:
        super().__init__(PROVIDER_AZURE)

    def consequence(self, state: ProjectState, inputs: Any) -> Consequence | None:
        consequence = super().consequence(state, inputs)
        if consequence is None:
            return None
        return Consequence(consequence.title, f"{consequence.text} {IMMUTABLE_NOTE}", consequence.action)

    def plan(self, state: ProjectState, inputs: Any) -> list[PlannedCall]:
        planned = super().plan(state, inputs)
        regions = wanted_regions(state, inputs, self.provider)
        if not regions or not inputs.approve_endpoints:
            return planned
        subscription, group, vault = vault_location(state, inputs)
        by_region = endpoints_by_region(state.endpoints_for(self.provider))
        for region in regions:
            endpoint = by_region.get(region)
            if endpoint is not None and endpoint.status == ENDPOINT_ACTIVE:
                continue
            name = (endpoint.private_endpoint_connection_name if endpoint else None) or CONNECTION_PLACEHOLDER
            planned.append(azure_calls.approve_connection(subscription, group, vault, name))
        return planned

    async def _follow(self, run: JourneyRun[Any], progress: Progress, regions: Sequence[str]) -> None:
        state = await run.read_state()
        subscription, group, vault = vault_location(state, run.inputs)
        approved: set[str] = set()
        by_hand: dict[str, str] = {}
        """Connections waiting for someone with rights on the vault: region -> how to approve."""

        async def read() -> list[PrivateEndpoint]:
            endpoints = await run.client.list_private_endpoints(run.project_id, self.provider)
            by_region = endpoints_by_region(endpoints)
            by_hand.clear()
            for region in regions:
                endpoint = by_region.get(region)
                name = endpoint.private_endpoint_connection_name if endpoint else None
                if endpoint is None or endpoint.status != ENDPOINT_PENDING_ACCEPTANCE or not name or name in approved:
                    continue
                if azure_client(run) is None or not run.inputs.approve_endpoints:
                    by_hand[region] = guidance.approval_instructions(subscription, group, vault, name, run.inputs.cloud)
                    continue
                await self._approve(run, progress, (subscription, group, vault), endpoint, name)
                approved.add(name)
            return endpoints

        def check(endpoints: list[PrivateEndpoint]) -> PollStatus:
            by_region = endpoints_by_region(endpoints)
            failed = [by_region[r] for r in regions if r in by_region and by_region[r].status == ENDPOINT_FAILED]
            if failed:
                endpoint = failed[0]
                raise StepError(
                    self.key,
                    f"The private endpoint in {endpoint.region_name} FAILED",
                    endpoint.error_message or "Atlas gave no error message.",
                    "Remove it and create it again (choose to replace failed endpoints), after fixing the cause.",
                )
            active = [r for r in regions if r in by_region and by_region[r].status == ENDPOINT_ACTIVE]
            lines = [explain_endpoint(by_region[r]) if r in by_region else f"{r}: not created" for r in regions]
            lines += [f"{region}: {how}" for region, how in by_hand.items()]
            return PollStatus(len(active) == len(regions), "; ".join(lines), len(active) / len(regions))

        try:
            await poll_until(
                run,
                progress,
                self.key,
                read,
                check,
                budget=run.timing.endpoint_budget,
                what="Private endpoints reaching ACTIVE",
                next_step="Atlas is still provisioning or has not noticed the approval yet; come back later, the "
                "wizard resumes here",
            )
        except StepError as err:
            if not by_hand:
                raise
            raise StepError(
                self.key,
                f"Private endpoint connections on key vault {vault} were not approved: {', '.join(by_hand)}",
                "Atlas' private endpoint reaches the vault only once the vault's owner approves its connection.",
                " ".join(by_hand.values()) + " Then run this step again: it follows the endpoints to ACTIVE.",
                ENDPOINT_PENDING_ACCEPTANCE,
            ) from err

    async def _approve(
        self,
        run: JourneyRun[OnboardAzureInputs],
        progress: Progress,
        where: tuple[str, str, str],
        endpoint: PrivateEndpoint,
        name: str,
    ) -> None:
        subscription, group, vault = where
        azure = azure_client(run)
        assert azure is not None
        what = f"approve private endpoint connection {name} on key vault {vault}"
        progress(ProgressEvent(self.key, f"{endpoint.region_name}: approving connection {name} on key vault {vault}"))
        try:
            connection = await azure.approve_private_endpoint_connection(subscription, group, vault, name)
        except AzureError as err:
            run.record_change("AZURE", what, error=err)
            instructions = guidance.approval_instructions(subscription, group, vault, name, run.inputs.cloud)
            raise StepError(self.key, err.what, err.meaning, f"{err.next_step} {instructions}", err.code) from err
        run.record_change("AZURE", what, result={"status": connection.status})
        progress(ProgressEvent(self.key, f"{endpoint.region_name}: connection {name} {connection.status}"))
