"""Every Atlas route of a journey meets every fault once; an operator's resume then finishes the journey.

The journey talks to the sandbox's servers (the Atlas simulator in-process, moto, the Key Vault fake).
A fault is injected once on one route of the case's own project, the journey runs, and when it stops
on one of the product's typed errors the operator starts it again on the same sandbox. Whatever
happened, the project then ends as the journey says, with one Atlas role and one private endpoint,
and the fault did happen. Any other exception fails the case as it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest

from cmkwizard.atlas.errors import AtlasError
from cmkwizard.atlas.models import ENDPOINT_ACTIVE, PROVIDER_AWS
from cmkwizard.aws.errors import AwsError
from cmkwizard.errors import InputError
from cmkwizard.journeys import endpoints_change, more_clusters
from cmkwizard.journeys.aws_inputs import OnboardAwsInputs
from cmkwizard.journeys.aws_key import same_key
from cmkwizard.journeys.base import Journey, JourneyRun, StepError
from cmkwizard.journeys.catalog import JOURNEYS
from cmkwizard.journeys.onboard_aws import ONBOARD_AWS
from cmkwizard.journeys.registry import JourneyEntry
from cmkwizard.sandbox.cloud_seed import KEY_ALIAS
from cmkwizard.state import ProjectState
from tests.journeys.conftest import World
from tests.journeys.test_onboard_aws import CHOSEN_CLUSTERS, full_inputs

TYPED_ERRORS = (AtlasError, StepError, InputError, AwsError)

CLIENT_TIMEOUT = 0.3
"""The faulted run's client gives up after this long (real seconds)..."""
LATENCY = 0.5
"""...so an answer delayed this long arrives after it has given up, while Atlas still acts on the request."""

FAULTS = {
    "429-retry-after": {"kind": "429", "retry_after": 7},
    "500": {"kind": "500"},
    "503": {"kind": "503", "retry_after": 3},
    "latency-past-timeout": {"kind": "latency", "seconds": LATENCY},
    "drop-before-atlas-acted": {"kind": "drop"},
    "drop-after-atlas-acted": {"kind": "drop-after"},
}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    """A regular expression for the part of the path after /groups/{groupId}."""


ONBOARDING_ROUTES = {
    "list-roles": Route("GET", "/cloudProviderAccess$"),
    "create-role": Route("POST", "/cloudProviderAccess$"),
    "authorize-role": Route("PATCH", "/cloudProviderAccess/[0-9a-f]{24}$"),
    "read-encryption": Route("GET", "/encryptionAtRest$"),
    "update-encryption": Route("PATCH", "/encryptionAtRest$"),
    "list-clusters": Route("GET", "/clusters$"),
    "update-cluster": Route("PATCH", "/clusters/[^/]+$"),
    "list-aws-endpoints": Route("GET", "/encryptionAtRest/AWS/privateEndpoints$"),
    "create-aws-endpoint": Route("POST", "/encryptionAtRest/AWS/privateEndpoints$"),
    "list-azure-endpoints": Route("GET", "/encryptionAtRest/AZURE/privateEndpoints$"),
    "list-alerts": Route("GET", "/alertConfigs$"),
}


# The journeys that follow the onboarding read the project as it does (those routes meet every fault above);
# here they meet them on what they change and follow.
CLUSTER_ROUTES = {name: ONBOARDING_ROUTES[name] for name in ("update-cluster", "list-clusters")}
ENDPOINT_ROUTES = {
    name: ONBOARDING_ROUTES[name] for name in ("update-encryption", "create-aws-endpoint", "list-aws-endpoints")
}
MORE_CLUSTERS = JOURNEYS.get(more_clusters.journey_name(PROVIDER_AWS))
ENDPOINTS = JOURNEYS.get(endpoints_change.journey_name(PROVIDER_AWS))


@pytest.fixture
def faults(world):
    rules = world.sandbox.atlas_app.state.faults
    rules.clear()
    yield rules
    rules.clear()


class GivingUpTransport(httpx.AsyncBaseTransport):
    """A client-side read timeout for the in-process simulator: the client stops waiting after ``timeout``
    seconds, while the request goes on being handled, as it would on a server across the network."""

    def __init__(self, inner: httpx.AsyncBaseTransport, timeout: float) -> None:
        self.inner = inner
        self.timeout = timeout
        self.abandoned: set[asyncio.Task[httpx.Response]] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        task = asyncio.ensure_future(self.inner.handle_async_request(request))
        try:
            return await asyncio.wait_for(asyncio.shield(task), self.timeout)
        except TimeoutError:
            self.abandoned.add(task)
            raise httpx.ReadTimeout("timed out waiting for the answer", request=request) from None

    async def settle(self) -> None:
        """Wait until every request the client gave up on has been handled."""
        await asyncio.gather(*self.abandoned, return_exceptions=True)


@dataclass(frozen=True)
class JourneyCase:
    """A journey under faults: how its first run starts, how the operator resumes it, where it must end."""

    journey: Journey
    routes: dict[str, Route]
    start: Callable[[World], Awaitable[JourneyRun]]
    """The first run (its project prepared, its inputs typed)."""
    resume: Callable[[World], JourneyRun]
    """The run the operator starts again, inputs from the journal."""
    check: Callable[[World, ProjectState], Awaitable[None]]
    """Asserts the project is where the journey says it ends."""


async def start_onboarding(world: World) -> JourneyRun:
    return world.run(await full_inputs(world))


def resume_onboarding(world: World) -> JourneyRun:
    return world.run(OnboardAwsInputs.from_journal(world.journal()))


def check_key(world: World, state: ProjectState) -> None:
    """One Atlas role, authorized and used by encryption at rest, which Atlas reports valid with the key."""
    assert len(state.access.aws_roles) == 1, "one Atlas role, never a second one"
    role = state.access.aws_roles[0]
    assert role.authorized and role.used_for_encryption
    kms = state.encryption.aws_kms
    key_arn = world.boto("kms").describe_key(KeyId=KEY_ALIAS)["KeyMetadata"]["Arn"]
    assert kms.enabled and kms.valid is True and same_key(kms.customer_master_key_id, key_arn)


def check_clusters_encrypted(state: ProjectState) -> None:
    for name in CHOSEN_CLUSTERS:
        cluster = state.cluster(name)
        assert (cluster.encryption_at_rest_provider, cluster.state_name) == (PROVIDER_AWS, "IDLE")


def check_endpoint_active(state: ProjectState) -> None:
    assert state.encryption.aws_kms.require_private_networking is True
    endpoints = [(e.region_name, e.status) for e in state.endpoints_for(PROVIDER_AWS)]
    assert endpoints == [("US_EAST_1", ENDPOINT_ACTIVE)], "one endpoint, active"


async def check_onboarded(world: World, state: ProjectState) -> None:
    check_key(world, state)
    check_clusters_encrypted(state)
    check_endpoint_active(state)


async def onboarded(world: World) -> None:
    """The project as the AWS onboarding leaves it with no cluster and no private endpoint chosen."""
    inputs = OnboardAwsInputs(manage_trust_policy=True, attach_key_policy=True)
    inputs.set_role_arn(world.role_name, world.sandbox.info.aws_account_id)
    inputs.set_region("us-east-1")
    inputs.set_key(KEY_ALIAS)
    inputs.set_clusters((), await world.state())
    inputs.set_private_endpoint_regions([])
    await ONBOARD_AWS.run(world.run(inputs))


def resume(entry: JourneyEntry) -> Callable[[World], JourneyRun]:
    return lambda world: world.start(entry.journey, entry.resumed_inputs(world.journal()))


async def start_more_clusters(world: World) -> JourneyRun:
    await onboarded(world)
    inputs = MORE_CLUSTERS.resumed_inputs(world.journal())
    inputs.set_clusters(CHOSEN_CLUSTERS, await world.state())
    return world.start(MORE_CLUSTERS.journey, inputs)


async def start_endpoints(world: World) -> JourneyRun:
    await onboarded(world)
    inputs = ENDPOINTS.resumed_inputs(world.journal())
    inputs.set_private_endpoint_regions(["us-east-1"])
    return world.start(ENDPOINTS.journey, inputs)


async def check_more_clusters(world: World, state: ProjectState) -> None:
    check_key(world, state)
    check_clusters_encrypted(state)


async def check_endpoints(world: World, state: ProjectState) -> None:
    check_key(world, state)
    check_endpoint_active(state)


CASES = {
    "onboard_aws": JourneyCase(ONBOARD_AWS, ONBOARDING_ROUTES, start_onboarding, resume_onboarding, check_onboarded),
    MORE_CLUSTERS.name: JourneyCase(
        MORE_CLUSTERS.journey, CLUSTER_ROUTES, start_more_clusters, resume(MORE_CLUSTERS), check_more_clusters
    ),
    ENDPOINTS.name: JourneyCase(
        ENDPOINTS.journey, ENDPOINT_ROUTES, start_endpoints, resume(ENDPOINTS), check_endpoints
    ),
}
MATRIX = [
    pytest.param(case, route, fault, id=f"{journey}-{route_name}-{fault_name}")
    for journey, case in CASES.items()
    for route_name, route in case.routes.items()
    for fault_name, fault in FAULTS.items()
]


@pytest.mark.parametrize(("case", "route", "fault"), MATRIX)
async def test_a_journey_resumed_after_a_fault_ends_where_it_says(world, faults, case: JourneyCase, route, fault):
    first = await case.start(world)
    transport = None
    if fault["kind"] == "latency":
        transport = GivingUpTransport(httpx.ASGITransport(app=world.sandbox.atlas_app), CLIENT_TIMEOUT)
        first.client = world.client(transport=transport)
    faults.add(route.method, f"/groups/{world.project_id}{route.path}", **fault)

    failure: Exception | None = None
    try:
        views = await case.journey.run(first, world.events.append)
    except TYPED_ERRORS as err:
        failure = err
    if transport is not None:
        await transport.settle()  # the request the client gave up on has been handled by now
    if failure is not None:  # the operator starts the journey again
        views = await case.journey.run(case.resume(world), world.events.append)

    assert faults.describe() == [], "the fault happened"
    if isinstance(failure, AtlasError) and route.method != "GET":
        failed = [e for e in world.journal().entries() if e["kind"] == "atlas_change" and e["outcome"] == "failed"]
        assert failed, "a change that may have reached Atlas is in the journal, with its error"
    if fault["kind"] == "429":
        assert failure is None, "a 429 means Atlas did nothing: the call is sent again after Retry-After"
    assert all(v.finished or v.key == "summary" for v in views)
    await case.check(world, await world.state())
