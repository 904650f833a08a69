"""Private endpoints from Atlas to the key service: one per region, followed to ACTIVE, removed patiently.

``requirePrivateNetworking`` is switched on while the provider stays enabled (never disabled in
between), then one endpoint is created per chosen region, never a second one where one exists.
Statuses are explained with the next action, including ``FAILED`` (Atlas' ``errorMessage``) and
``PENDING_RECREATION``. Atlas refuses to delete an endpoint it is still provisioning: removal waits
and retries instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from cmkwizard.atlas.errors import AtlasApiError, AtlasError
from cmkwizard.atlas.models import (
    ENDPOINT_ACTIVE,
    ENDPOINT_DELETING,
    ENDPOINT_FAILED,
    ENDPOINT_INITIATING,
    ENDPOINT_PENDING_ACCEPTANCE,
    ENDPOINT_PENDING_RECREATION,
    PrivateEndpoint,
)
from cmkwizard.journeys import calls
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
from cmkwizard.journeys.clusters import project_ready
from cmkwizard.journeys.providers import PENDING_ACCEPTANCE, PROVIDERS, key_config, key_provider, provider_label
from cmkwizard.journeys.waiting import Backoff, PollStatus, poll_until, retry_while
from cmkwizard.state import endpoints_part

if TYPE_CHECKING:
    from cmkwizard.state import ProjectState

# When several endpoints share a region (one being deleted, one new), the most useful one counts.
_PREFERENCE = (
    ENDPOINT_ACTIVE,
    ENDPOINT_PENDING_ACCEPTANCE,
    ENDPOINT_INITIATING,
    ENDPOINT_PENDING_RECREATION,
    ENDPOINT_FAILED,
    ENDPOINT_DELETING,
)
_PROVISIONING = frozenset({ENDPOINT_INITIATING, ENDPOINT_PENDING_RECREATION, ENDPOINT_PENDING_ACCEPTANCE})


class EndpointChoice(Protocol):
    private_endpoint_regions: tuple[str, ...] | None
    require_private_networking: bool
    replace_failed_endpoints: bool

    def to_record(self) -> dict[str, Any]: ...


def endpoints_by_region(endpoints: Iterable[PrivateEndpoint]) -> dict[str, PrivateEndpoint]:
    """The endpoint that counts in each region (an ACTIVE one over one being deleted, and so on)."""
    best: dict[str, PrivateEndpoint] = {}
    for endpoint in endpoints:
        current = best.get(endpoint.region_name)
        if current is None or _rank(endpoint) < _rank(current):
            best[endpoint.region_name] = endpoint
    return best


def _rank(endpoint: PrivateEndpoint) -> int:
    return _PREFERENCE.index(endpoint.status) if endpoint.status in _PREFERENCE else len(_PREFERENCE)


def explain_endpoint(endpoint: PrivateEndpoint) -> str:
    """What the status means and what to do next."""
    region, status = endpoint.region_name, endpoint.status
    if status == ENDPOINT_ACTIVE:
        return f"{region}: ACTIVE, Atlas reaches the key service through it"
    if status == ENDPOINT_INITIATING:
        return f"{region}: INITIATING, Atlas is creating it (this takes a few minutes)"
    if status == ENDPOINT_PENDING_ACCEPTANCE:
        name = endpoint.private_endpoint_connection_name or "(name not reported yet)"
        provider = PROVIDERS.get(endpoint.cloud_provider or "")
        pending = provider.pending_acceptance if provider else PENDING_ACCEPTANCE
        return f"{region}: PENDING_ACCEPTANCE, " + pending.format(name=name)
    if status == ENDPOINT_FAILED:
        return (
            f"{region}: FAILED ({endpoint.error_message or 'Atlas gave no error message'}); remove it and create "
            "it again (the wizard can do both)"
        )
    if status == ENDPOINT_PENDING_RECREATION:
        return (
            f"{region}: PENDING_RECREATION, the connection was rejected or removed and Atlas is recreating it; "
            "a new endpoint appears as INITIATING (approve it again if the provider asks)"
        )
    if status == ENDPOINT_DELETING:
        return f"{region}: DELETING, Atlas is removing it"
    return f"{region}: {status}"


def wanted_regions(state: ProjectState, inputs: EndpointChoice, provider: str) -> tuple[str, ...]:
    """Regions chosen by the operator, or, when the project already requires private networking, the
    regions it has endpoints in."""
    if inputs.private_endpoint_regions:
        return inputs.private_endpoint_regions
    if _requires_private_networking(state, provider):
        return tuple(sorted({e.region_name for e in state.endpoints_for(provider) if e.status != ENDPOINT_DELETING}))
    return ()


def _requires_private_networking(state: ProjectState, provider: str) -> bool:
    return key_config(state.encryption, provider).require_private_networking


class PrivateEndpointsStep(Step[Any]):
    key = "private_endpoints"
    title = "Private endpoints (optional)"
    help = """\
**Private endpoints** let Atlas reach the key service over the provider's private network instead of
its public endpoint. The project's `requirePrivateNetworking` is switched on (encryption stays
enabled), then Atlas creates one endpoint per region: `INITIATING` -> `ACTIVE` (Azure:
`PENDING_ACCEPTANCE` until you approve the connection on the key vault).

`FAILED` shows Atlas' `errorMessage`; the wizard can remove the endpoint and create it again.
`PENDING_RECREATION` means the connection was rejected or removed and Atlas is recreating it.
Reading and changing endpoints needs the Project Owner role. Atlas refuses to delete an endpoint it is
still provisioning: the wizard waits and retries.
"""

    def __init__(self, provider: str) -> None:
        self.provider = provider

    def consequence(self, state: ProjectState, inputs: EndpointChoice) -> Consequence | None:
        regions = wanted_regions(state, inputs, self.provider)
        if not regions or _requires_private_networking(state, self.provider):
            return None
        label = provider_label(self.provider)
        return Consequence(
            "Require private networking to the key service?",
            f"From now on Atlas reaches {label} **only over private endpoints** (`requirePrivateNetworking`). "
            f"Nodes in a region without an ACTIVE endpoint lose access to the key. The wizard then creates "
            f"endpoints in {', '.join(regions)} and follows them to ACTIVE.",
            "Require private networking",
        )

    def precondition(self, state: ProjectState, inputs: EndpointChoice) -> str | None:
        if wanted_regions(state, inputs, self.provider) and not project_ready(state, self.provider):
            return f"Enable {self.provider} encryption for the project first (Atlas must report the key valid)."
        return None

    def assess(self, state: ProjectState, inputs: EndpointChoice) -> StepView:
        regions = wanted_regions(state, inputs, self.provider)
        if not regions and not inputs.require_private_networking:
            if inputs.private_endpoint_regions is None:
                return self.view(
                    StepState.TODO,
                    "Optional: Atlas reaches the key service over its public endpoint",
                    "Choose the regions that get a private endpoint, or none.",
                )
            return self.view(StepState.SKIPPED, "Not requested: Atlas reaches the key service over its public endpoint")
        if not project_ready(state, self.provider):
            return self.view(
                StepState.TODO,
                "Waiting for the project",
                f"Enable {self.provider} encryption for the project first.",
            )
        if not state.endpoints_known(self.provider):
            reason = next(u.reason for u in state.unavailable if u.part == endpoints_part(self.provider))
            return self.view(StepState.BLOCKED, "Cannot read the private endpoints", reason)
        if not regions:
            return self.view(StepState.TODO, "Private networking required", "Choose the regions that get an endpoint.")
        by_region = endpoints_by_region(state.endpoints_for(self.provider))
        lines = [explain_endpoint(by_region[r]) if r in by_region else f"{r}: to create" for r in regions]
        failed = [r for r in regions if r in by_region and by_region[r].status == ENDPOINT_FAILED]
        if failed and not inputs.replace_failed_endpoints:
            return self.view(StepState.BLOCKED, "; ".join(lines), "Remove the FAILED endpoints and create them again.")
        if _requires_private_networking(state, self.provider) and all(
            r in by_region and by_region[r].status == ENDPOINT_ACTIVE for r in regions
        ):
            return self.view(StepState.DONE, "; ".join(lines))
        return self.view(StepState.TODO, "; ".join(lines))

    def plan(self, state: ProjectState, inputs: EndpointChoice) -> list[PlannedCall]:
        regions = wanted_regions(state, inputs, self.provider)
        planned: list[PlannedCall] = []
        if (regions or inputs.require_private_networking) and not _requires_private_networking(state, self.provider):
            body = {key_provider(self.provider).config_field: {"requirePrivateNetworking": True}}
            planned.append(
                calls.update_encryption_at_rest(
                    state.project_id, body, "Require private networking (encryption stays enabled)"
                )
            )
        by_region = endpoints_by_region(state.endpoints_for(self.provider))
        for region in regions:
            endpoint = by_region.get(region)
            if endpoint is not None and endpoint.status == ENDPOINT_FAILED and inputs.replace_failed_endpoints:
                planned.append(calls.delete_private_endpoint(state.project_id, self.provider, endpoint.id, region))
                endpoint = None
            if endpoint is None or endpoint.status == ENDPOINT_DELETING:
                planned.append(calls.create_private_endpoint(state.project_id, self.provider, region))
        return planned

    async def apply(self, run: JourneyRun[Any], progress: Progress) -> None:
        state = await run.read_state()
        regions = wanted_regions(state, run.inputs, self.provider)
        if not regions:
            return
        run.record_decision(f"{self.provider} private endpoint regions", list(regions))
        if not _requires_private_networking(state, self.provider):
            await self._require_private_networking(run, progress)
        by_region = endpoints_by_region(state.endpoints_for(self.provider))
        for region in regions:
            endpoint = by_region.get(region)
            if endpoint is not None and endpoint.status == ENDPOINT_FAILED:
                if not run.inputs.replace_failed_endpoints:
                    raise _failed_error(self.key, endpoint)
                await remove_private_endpoint(run, progress, self.provider, endpoint, step_key=self.key)
                endpoint = None
            if endpoint is not None and endpoint.status == ENDPOINT_DELETING:
                await _wait_until_gone(run, progress, self.provider, endpoint, self.key)
                endpoint = None
            if endpoint is None:
                await self._create(run, progress, region)
        await self._follow(run, progress, regions)

    async def _require_private_networking(self, run: JourneyRun[Any], progress: Progress) -> None:
        progress(ProgressEvent(self.key, "Requiring private networking to the key service (encryption stays enabled)"))

        provider = key_provider(self.provider)

        async def require() -> object:
            patch = provider.patch(require_private_networking=True)
            return await run.client.update_encryption_at_rest(run.project_id, **patch)

        body = {provider.config_field: {"requirePrivateNetworking": True}}
        try:
            await retry_while(
                run,
                progress,
                self.key,
                require,
                should_retry=lambda err: isinstance(err, AtlasApiError) and err.retryable,
                explain=lambda err, attempt, elapsed: (
                    f"Atlas answered {getattr(err, 'error_code', err)}; attempt {attempt} failed"
                ),
                budget=run.timing.enable_budget,
                backoff=Backoff(run.timing.first_retry, run.timing.max_retry),
            )
        except AtlasError as err:
            run.record_change("ATLAS", "require private networking", inputs=body, error=err)
            raise
        run.record_change("ATLAS", "require private networking", inputs=body)

    async def _create(self, run: JourneyRun[Any], progress: Progress, region: str) -> None:
        progress(ProgressEvent(self.key, f"{region}: creating the private endpoint"))
        what = f"create {self.provider} private endpoint in {region}"
        try:
            endpoint = await run.client.create_private_endpoint(run.project_id, self.provider, region)
        except AtlasError as err:
            run.record_change("ATLAS", what, error=err)
            if (existing := await self._created_meanwhile(run, region)) is None:
                raise
            progress(ProgressEvent(self.key, f"{region}: {explain_endpoint(existing)} (it exists: following it)"))
            return
        run.record_change("ATLAS", what, result={"id": endpoint.id, "status": endpoint.status})

    async def _created_meanwhile(self, run: JourneyRun[Any], region: str) -> PrivateEndpoint | None:
        """The endpoint in ``region`` that exists although creating it failed, found in the live list: another
        wizard on this project created it since the state was read (Atlas refused a second one), or this
        request reached Atlas and only its answer was lost. None when there is none."""
        endpoint = endpoints_by_region(await run.client.list_private_endpoints(run.project_id, self.provider)).get(
            region
        )
        if endpoint is None or endpoint.status in (ENDPOINT_FAILED, ENDPOINT_DELETING):
            return None
        return endpoint

    async def _follow(self, run: JourneyRun[Any], progress: Progress, regions: Sequence[str]) -> None:
        def check(endpoints: list[PrivateEndpoint]) -> PollStatus:
            by_region = endpoints_by_region(endpoints)
            failed = [by_region[r] for r in regions if r in by_region and by_region[r].status == ENDPOINT_FAILED]
            if failed:
                raise _failed_error(self.key, failed[0])
            active = [r for r in regions if r in by_region and by_region[r].status == ENDPOINT_ACTIVE]
            lines = [explain_endpoint(by_region[r]) if r in by_region else f"{r}: not created" for r in regions]
            return PollStatus(len(active) == len(regions), "; ".join(lines), len(active) / len(regions))

        await poll_until(
            run,
            progress,
            self.key,
            lambda: run.client.list_private_endpoints(run.project_id, self.provider),
            check,
            budget=run.timing.endpoint_budget,
            what="Private endpoints reaching ACTIVE",
            next_step="Atlas is still provisioning; come back later, the wizard resumes here",
        )


def _failed_error(step_key: str, endpoint: PrivateEndpoint) -> StepError:
    return StepError(
        step_key,
        f"The private endpoint in {endpoint.region_name} FAILED",
        endpoint.error_message or "Atlas gave no error message.",
        "Remove it and create it again (choose to replace failed endpoints), after fixing the cause if the "
        "message names one.",
    )


async def remove_private_endpoint(
    run: JourneyRun[Any], progress: Progress, provider: str, endpoint: PrivateEndpoint, *, step_key: str
) -> None:
    """Delete an endpoint and wait until it is gone, retrying while Atlas refuses because it is provisioning."""
    region = endpoint.region_name
    last_status = endpoint.status

    async def delete() -> None:
        nonlocal last_status
        current = endpoints_by_id(await run.client.list_private_endpoints(run.project_id, provider)).get(endpoint.id)
        if current is None or current.status == ENDPOINT_DELETING:
            return
        last_status = current.status
        await run.client.delete_private_endpoint(run.project_id, provider, endpoint.id)

    def refused_while_provisioning(err: Exception) -> bool:
        return isinstance(err, AtlasApiError) and err.status in (400, 409) and last_status in _PROVISIONING

    what = f"remove {provider} private endpoint {endpoint.id} in {region}"
    progress(ProgressEvent(step_key, f"{region}: removing the private endpoint"))
    try:
        await retry_while(
            run,
            progress,
            step_key,
            delete,
            should_retry=refused_while_provisioning,
            explain=lambda err, attempt, elapsed: (
                f"{region}: Atlas refuses to remove the endpoint while it is {last_status} "
                f"({getattr(err, 'error_code', err)}); waiting for provisioning to finish"
            ),
            budget=run.timing.endpoint_delete_budget,
            backoff=Backoff(run.timing.poll_interval, run.timing.max_poll_interval * 2),
        )
    except AtlasError as err:
        run.record_change("ATLAS", what, error=err)
        raise
    run.record_change("ATLAS", what)
    await _wait_until_gone(run, progress, provider, endpoint, step_key)


async def _wait_until_gone(
    run: JourneyRun[Any], progress: Progress, provider: str, endpoint: PrivateEndpoint, step_key: str
) -> None:
    def check(endpoints: list[PrivateEndpoint]) -> PollStatus:
        current = endpoints_by_id(endpoints).get(endpoint.id)
        if current is None:
            return PollStatus(True, f"{endpoint.region_name}: the endpoint is removed")
        return PollStatus(False, explain_endpoint(current))

    await poll_until(
        run,
        progress,
        step_key,
        lambda: run.client.list_private_endpoints(run.project_id, provider),
        check,
        budget=run.timing.endpoint_delete_budget,
        what=f"Removing the private endpoint in {endpoint.region_name}",
        next_step="Atlas is still removing it; come back later",
    )


def endpoints_by_id(endpoints: Iterable[PrivateEndpoint]) -> dict[str, PrivateEndpoint]:
    return {e.id: e for e in endpoints}
