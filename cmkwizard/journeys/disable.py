"""Turning customer key management off, in the only order Atlas accepts, one confirmed step at a time.

First the private endpoints to the key service go (followed until Atlas has removed them; it refuses
while it is still provisioning one, so removal waits), then every cluster goes back to Atlas-managed
keys (``encryptionAtRestProvider: NONE``, followed to IDLE), then the project's provider configuration
is disabled (``{"<provider>": {"enabled": false}}``). Each step refuses to run before the one above it
is done, whether it is started from a page or headless. The key itself stays in the key service: the
closing report says which snapshots still need it, and until when.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cmkwizard.atlas.errors import AtlasError
from cmkwizard.atlas.models import (
    ENDPOINT_DELETING,
    PROVIDER_AWS,
    PROVIDER_NONE,
    AwsKmsPatch,
    AzureKeyVaultPatch,
    Cluster,
)
from cmkwizard.journeys import calls
from cmkwizard.journeys.base import (
    Consequence,
    Journey,
    JourneyRun,
    PlannedCall,
    Progress,
    ProgressEvent,
    Step,
    StepState,
    StepView,
)
from cmkwizard.journeys.clusters import cluster_line, set_cluster_providers
from cmkwizard.journeys.inputs import from_record, to_record
from cmkwizard.journeys.old_key_report import OldKey, old_key_report
from cmkwizard.journeys.private_endpoints import explain_endpoint, remove_private_endpoint
from cmkwizard.journeys.providers import CONFIG_FIELDS, key_config, provider_label, timing_for
from cmkwizard.journeys.registry import Offer
from cmkwizard.state import endpoints_part

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cmkwizard.atlas.models import PrivateEndpoint
    from cmkwizard.state import ProjectState

TYPED_WORD = "DISABLE"


@dataclass
class DisableInputs:
    provider: str
    key: str | None = None
    """The key being retired, remembered before Atlas forgets it (for the closing report)."""

    @classmethod
    def from_record(cls, provider: str, record: Mapping[str, Any]) -> DisableInputs:
        return from_record(cls, {**record, "provider": provider})

    def to_record(self) -> dict[str, Any]:
        return to_record(self)


def journey_name(provider: str) -> str:
    return f"disable_{provider.lower()}"


def _remember_key(run: JourneyRun[DisableInputs], state: ProjectState) -> None:
    """Keep the key's reference in the inputs (and so the journal): once disabled, Atlas no longer reports it."""
    key = key_config(state.encryption, run.inputs.provider).key
    if key and run.inputs.key != key:
        run.inputs.key = key
        run.save_inputs()


def _endpoints_left(state: ProjectState, provider: str) -> str | None:
    """Why the private endpoints stand in the way (None when there are none left)."""
    if not state.endpoints_known(provider):
        reason = next(u.reason for u in state.unavailable if u.part == endpoints_part(provider))
        return f"The private endpoints cannot be read ({reason}); Atlas refuses to disable while any exist."
    left = state.endpoints_for(provider)
    if left:
        regions = ", ".join(sorted({e.region_name for e in left}))
        return f"Remove the private endpoints first (step 1): {len(left)} left ({regions})."
    return None


def _clusters_pending(state: ProjectState, provider: str) -> list[Cluster]:
    """Clusters still using the key, or on their way back to Atlas-managed keys (NONE, not IDLE yet)."""
    return [
        c
        for c in state.clusters
        if c.encryption_at_rest_provider == provider
        or (c.encryption_at_rest_provider == PROVIDER_NONE and c.in_transition)
    ]


class RemoveEndpointsStep(Step[DisableInputs]):
    key = "remove_endpoints"
    title = "Remove private endpoints"
    help = """\
**Remove the private endpoints to the key service.** Atlas refuses to turn customer key management
off while encryption-at-rest private endpoints exist (`CANNOT_DISABLE_ENCRYPTION_AT_REST_DUE_TO_PRIVATE_ENDPOINTS`).
Each endpoint is deleted and followed until Atlas no longer lists it (`DELETING`, then gone). Atlas
refuses to delete an endpoint it is still provisioning
(`ENCRYPTION_AT_REST_PRIVATE_ENDPOINT_DELETE_BLOCKED_DURING_PROVISIONING`): the wizard waits and retries.
"""

    def __init__(self, provider: str) -> None:
        self.provider = provider

    def assess(self, state: ProjectState, inputs: DisableInputs) -> StepView:
        if not state.endpoints_known(self.provider):
            reason = next(u.reason for u in state.unavailable if u.part == endpoints_part(self.provider))
            return self.view(StepState.BLOCKED, "Cannot read the private endpoints", reason)
        endpoints = state.endpoints_for(self.provider)
        if not endpoints:
            return self.view(StepState.DONE, "No private endpoint to the key service")
        return self.view(StepState.TODO, "; ".join(explain_endpoint(e) for e in endpoints))

    def consequence(self, state: ProjectState, inputs: DisableInputs) -> Consequence | None:
        endpoints = state.endpoints_for(self.provider)
        if not endpoints:
            return None
        regions = ", ".join(sorted({e.region_name for e in endpoints}))
        return Consequence(
            "Remove the private endpoints to the key service?",
            f"Atlas deletes **{len(endpoints)} private endpoint(s)** to {provider_label(self.provider)} "
            f"({regions}). This is the first of three steps that turn customer key management off; to keep "
            "private networking afterwards, the endpoints would have to be created again.",
            "Remove the endpoints",
        )

    def plan(self, state: ProjectState, inputs: DisableInputs) -> list[PlannedCall]:
        return [
            calls.delete_private_endpoint(state.project_id, self.provider, e.id, e.region_name)
            for e in state.endpoints_for(self.provider)
            if e.status != ENDPOINT_DELETING
        ]

    async def apply(self, run: JourneyRun[DisableInputs], progress: Progress) -> None:
        state = await run.read_state()
        _remember_key(run, state)
        endpoints: list[PrivateEndpoint] = list(state.endpoints_for(self.provider))
        if endpoints:
            run.record_decision(f"remove {self.provider} private endpoints", [e.id for e in endpoints])
        for endpoint in endpoints:
            await remove_private_endpoint(run, progress, self.provider, endpoint, step_key=self.key)


class ClustersOffStep(Step[DisableInputs]):
    key = "clusters_off"
    title = "Clusters to Atlas-managed keys"
    help = """\
**Every cluster back to Atlas-managed keys.** Each cluster that uses the project's key gets
`encryptionAtRestProvider: NONE`; Atlas rolls the change through its nodes (`UPDATING`, no downtime)
and the wizard follows every one to `IDLE`. Atlas refuses to turn the project's key off while any
cluster still uses it (`CANNOT_DISABLE_ENCRYPTION_AT_REST`). Snapshots taken so far stay encrypted with
your key: restoring one needs it.
"""

    def __init__(self, provider: str) -> None:
        self.provider = provider

    def assess(self, state: ProjectState, inputs: DisableInputs) -> StepView:
        pending = _clusters_pending(state, self.provider)
        if not pending:
            return self.view(StepState.DONE, f"No cluster uses the {provider_label(self.provider)} key")
        return self.view(StepState.TODO, "; ".join(cluster_line(c) for c in pending))

    def precondition(self, state: ProjectState, inputs: DisableInputs) -> str | None:
        return _endpoints_left(state, self.provider)

    def consequence(self, state: ProjectState, inputs: DisableInputs) -> Consequence | None:
        using = [c.name for c in state.clusters if c.encryption_at_rest_provider == self.provider]
        if not using:
            return None
        return Consequence(
            "Stop encrypting the clusters with your key?",
            f"Atlas re-encrypts **{', '.join(using)}** with Atlas-managed keys, node by node (no downtime), and "
            "the wizard follows each one to IDLE. Snapshots taken until now stay encrypted with your key: "
            "keep the key while they exist (the report at the end says until when). Using your key again "
            "later means encrypting each cluster again.",
            f"Set {len(using)} cluster(s) to NONE",
        )

    def plan(self, state: ProjectState, inputs: DisableInputs) -> list[PlannedCall]:
        return [
            calls.set_cluster_provider(state.project_id, c.name, PROVIDER_NONE)
            for c in state.clusters
            if c.encryption_at_rest_provider == self.provider
        ]

    async def apply(self, run: JourneyRun[DisableInputs], progress: Progress) -> None:
        state = await run.read_state()
        _remember_key(run, state)
        pending = [c.name for c in _clusters_pending(state, self.provider)]
        to_change = [c.name for c in state.clusters if c.encryption_at_rest_provider == self.provider]
        if to_change:
            run.record_decision(f"clusters to take off {self.provider} keys", to_change)
        await set_cluster_providers(run, progress, self.key, pending, to_change, PROVIDER_NONE)


class DisableProjectStep(Step[DisableInputs]):
    key = "disable_project"
    title = "Turn off the project's key"
    help = """\
**Turn off customer key management for the project.** Once no private endpoint is left and no cluster
uses the key, the wizard sends `{"<provider>": {"enabled": false}}`: Atlas removes the project's key
configuration. Atlas refuses while clusters use the key (`CANNOT_DISABLE_ENCRYPTION_AT_REST`) or
endpoints exist (`CANNOT_DISABLE_ENCRYPTION_AT_REST_DUE_TO_PRIVATE_ENDPOINTS`); a Backup Compliance
Policy can forbid it altogether. The key stays in your key service: the wizard never deletes it.
"""

    def __init__(self, provider: str) -> None:
        self.provider = provider

    def assess(self, state: ProjectState, inputs: DisableInputs) -> StepView:
        config = key_config(state.encryption, self.provider)
        if not config.enabled:
            return self.view(StepState.DONE, "Customer key management is off: Atlas manages the keys")
        return self.view(StepState.TODO, config.describe())

    def precondition(self, state: ProjectState, inputs: DisableInputs) -> str | None:
        if (endpoints := _endpoints_left(state, self.provider)) is not None:
            return endpoints
        pending = _clusters_pending(state, self.provider)
        if pending:
            names = ", ".join(c.name for c in pending)
            return f"Set every cluster to NONE first and wait for IDLE (step 2): {names}."
        return None

    def consequence(self, state: ProjectState, inputs: DisableInputs) -> Consequence | None:
        config = key_config(state.encryption, self.provider)
        if not config.enabled:
            return None
        return Consequence(
            "Turn off customer key management for the project?",
            f"Atlas **removes the project's {config.label} configuration** (key `{config.key}`, "
            f"{config.location or 'its location'}, the role it uses). No cluster can use your key until it is "
            f"configured again from the start. The key stays in {config.label}: the wizard never disables or "
            "deletes it, and snapshots taken with it still need it; the report that follows says until when.",
            "Turn off customer key management",
            typed=TYPED_WORD,
        )

    def plan(self, state: ProjectState, inputs: DisableInputs) -> list[PlannedCall]:
        if not key_config(state.encryption, self.provider).enabled:
            return []
        body = {CONFIG_FIELDS[self.provider]: {"enabled": False}}
        return [
            calls.update_encryption_at_rest(
                state.project_id, body, f"Turn off {provider_label(self.provider)} (removes the configuration)"
            )
        ]

    async def apply(self, run: JourneyRun[DisableInputs], progress: Progress) -> None:
        state = await run.read_state()
        if not key_config(state.encryption, self.provider).enabled:
            return
        _remember_key(run, state)
        run.record_decision(f"turn off {self.provider} customer key management", True)
        progress(ProgressEvent(self.key, f"Turning off {provider_label(self.provider)} for the project"))
        body = {CONFIG_FIELDS[self.provider]: {"enabled": False}}
        try:
            if self.provider == PROVIDER_AWS:
                await run.client.update_encryption_at_rest(run.project_id, aws_kms=AwsKmsPatch(enabled=False))
            else:
                vault = AzureKeyVaultPatch(enabled=False)
                await run.client.update_encryption_at_rest(run.project_id, azure_key_vault=vault)
        except AtlasError as err:
            run.record_change("ATLAS", "turn off customer key management", inputs=body, error=err)
            raise
        run.record_change("ATLAS", "turn off customer key management", inputs=body)


class RetiredKeyReportStep(Step[DisableInputs]):
    key = "old_key_report"
    title = "Old-key report"
    final = True
    help = """\
**Which snapshots still need the key.** Atlas does not re-encrypt existing snapshots: each one taken
while the key was in use needs it to be restored. The report reads every backed-up cluster's snapshots
once and says, per cluster, which may need the key and when the last one expires: the earliest date
the key can be retired in your key service. The wizard never disables or deletes a key.
"""

    def __init__(self, provider: str) -> None:
        self.provider = provider

    def assess(self, state: ProjectState, inputs: DisableInputs) -> StepView:
        return self.view(
            StepState.TODO, f"The key stays in {provider_label(self.provider)}: which snapshots still need it"
        )

    def plan(self, state: ProjectState, inputs: DisableInputs) -> list[PlannedCall]:
        return []

    async def apply(self, run: JourneyRun[DisableInputs], progress: Progress) -> None:
        progress(ProgressEvent(self.key, "Reading every backed-up cluster's snapshots"))
        key = OldKey(
            self.provider,
            run.inputs.key,
            run.clock.now(),
            "customer key management was turned off: every snapshot taken until then may need it",
        )
        run.report = await old_key_report(run.client, run.project_id, key, clock=run.clock)


def disable_journey(provider: str) -> Journey[DisableInputs]:
    return Journey(
        journey_name(provider),
        [
            RemoveEndpointsStep(provider),
            ClustersOffStep(provider),
            DisableProjectStep(provider),
            RetiredKeyReportStep(provider),
        ],
        title=f"Turn off customer key management ({provider_label(provider)})",
        timing=timing_for(provider),
    )


def offer_disable(provider: str, state: ProjectState, warning: str | None) -> Offer | None:
    config = key_config(state.encryption, provider)
    if not config.enabled:
        return None
    using = sum(1 for c in state.clusters if c.encryption_at_rest_provider == provider)
    endpoints = len(state.endpoints_for(provider))
    first = f"{endpoints} private endpoint(s) removed, " if endpoints else ""
    return Offer(
        f"Back to Atlas-managed keys: {first}{using} cluster(s) set to NONE, then the project; each step "
        "confirmed, your key kept",
        warning,
    )
