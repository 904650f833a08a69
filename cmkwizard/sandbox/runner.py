"""The whole sandbox: the Atlas simulator, moto for AWS and the Azure fake, seeded with a scenario.

Everything listens on 127.0.0.1 on ports the system picks, and all state belongs to one `Sandbox`,
so several can run side by side. Only light modules are imported here; moto, boto3, uvicorn and the
Azure fake are imported when a sandbox starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from cmkwizard.sandbox.clock import SandboxClock

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from cmkwizard.sandbox.asgi_server import BackgroundServer
    from cmkwizard.sandbox.atlas_sim import SimStore
    from cmkwizard.sandbox.atlas_sim.faults import FaultRule
    from cmkwizard.sandbox.atlas_sim.scenarios import SeedResult
    from cmkwizard.sandbox.atlas_sim.verifier import Verifiers
    from cmkwizard.sandbox.aws_moto import MotoServer
    from cmkwizard.sandbox.aws_verifier import MotoAwsVerifier
    from cmkwizard.sandbox.azure_fake import AzureFake

T = TypeVar("T")

SCENARIO_NAMES = ("fresh", "encrypted-aws", "encrypted-azure", "outage", "legacy-credentials", "large")
_LOOPBACK = "127.0.0.1,localhost"


@dataclass(frozen=True)
class SandboxInfo:
    """How to reach a running sandbox, as the wizard (in this process or another) needs it."""

    scenario: str
    atlas_base_url: str
    public_key: str
    private_key: str = field(repr=False)
    readonly_public_key: str
    readonly_private_key: str = field(repr=False)
    client_id: str
    client_secret: str = field(repr=False)
    org_id: str
    project_id: str
    project_name: str
    aws_endpoint_url: str
    aws_access_key_id: str
    aws_secret_access_key: str = field(repr=False)
    aws_region: str
    aws_account_id: str
    azure_tenant_id: str
    azure_client_id: str
    azure_client_secret: str = field(repr=False)
    azure_https_proxy: str
    azure_ca_bundle: str
    azure_subscription_id: str = ""
    azure_resource_group: str = ""
    azure_key_identifier: str = ""
    azure_atlas_service_principal_id: str = ""
    """What the az commands of the Azure onboarding would print in the sandbox's tenant."""

    def env(self) -> dict[str, str]:
        """Variables that point another process's Atlas and AWS clients, and the wizard's Azure clients, at
        this sandbox. Safe to set in any shell: they change nothing for programs other than those."""
        from cmkwizard.azure import connection

        return {
            "MONGODB_ATLAS_BASE_URL": self.atlas_base_url,
            "MONGODB_ATLAS_PUBLIC_API_KEY": self.public_key,
            "MONGODB_ATLAS_PRIVATE_API_KEY": self.private_key,
            "MONGODB_ATLAS_ORG_ID": self.org_id,
            "MONGODB_ATLAS_PROJECT_ID": self.project_id,
            "AWS_ENDPOINT_URL": self.aws_endpoint_url,
            "AWS_ACCESS_KEY_ID": self.aws_access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.aws_secret_access_key,
            "AWS_DEFAULT_REGION": self.aws_region,
            "AWS_REGION": self.aws_region,
            # Only the wizard's own Azure clients read these (see cmkwizard.azure.connection).
            connection.ENV_PROXY: self.azure_https_proxy,
            connection.ENV_CA_BUNDLE: self.azure_ca_bundle,
            connection.ENV_TENANT_ID: self.azure_tenant_id,
            connection.ENV_CLIENT_ID: self.azure_client_id,
            connection.ENV_CLIENT_SECRET: self.azure_client_secret,
        }

    def azure_sdk_env(self) -> dict[str, str]:
        """What unmodified Azure SDK code needs to reach the Key Vault fake: a proxy for every HTTPS request
        (Atlas and moto on loopback excepted) and the fake's CA as the only one trusted. For a process of
        its own: in a shell, these break every other HTTPS client (pip, git, curl)."""
        return {
            "HTTPS_PROXY": self.azure_https_proxy,
            "https_proxy": self.azure_https_proxy,
            "NO_PROXY": _LOOPBACK,
            "no_proxy": _LOOPBACK,
            "REQUESTS_CA_BUNDLE": self.azure_ca_bundle,
            "AZURE_TENANT_ID": self.azure_tenant_id,
            "AZURE_CLIENT_ID": self.azure_client_id,
            "AZURE_CLIENT_SECRET": self.azure_client_secret,
        }


class Sandbox:
    """Start with `start()` or `with Sandbox(...) as sb:`; `stop()` ends every server and removes temp files."""

    def __init__(
        self, scenario: str = "fresh", speed: float = 20.0, *, propagation_seconds: float = 30.0, rehearse: bool = False
    ) -> None:
        """``rehearse``: a failover drill; the region of the project's AWS key is down from the start."""
        if scenario not in SCENARIO_NAMES:
            raise ValueError(f"unknown sandbox scenario {scenario!r}; choose one of {', '.join(SCENARIO_NAMES)}")
        self.scenario = scenario
        self.rehearse = rehearse
        self.clock = SandboxClock(speed)
        self._propagation_seconds = propagation_seconds
        self._moto: MotoServer | None = None
        self._azure: AzureFake | None = None
        self._http: BackgroundServer | None = None
        self._aws_verifier: MotoAwsVerifier | None = None
        self._app: Starlette | None = None
        self._store: SimStore | None = None
        self._verifiers: Verifiers | None = None
        self._seed: SeedResult | None = None
        self._info: SandboxInfo | None = None

    def __repr__(self) -> str:
        where = self._info.atlas_base_url if self._info else "stopped"
        return f"Sandbox(scenario={self.scenario!r}, {where})"

    # -- parts, for tests and the wizard's sandbox mode -------------------------------------------

    @property
    def info(self) -> SandboxInfo:
        return _running(self._info)

    @property
    def atlas_app(self) -> Starlette:
        """The simulator's ASGI app, for httpx.ASGITransport."""
        return _running(self._app)

    @property
    def store(self) -> SimStore:
        return _running(self._store)

    @property
    def seed(self) -> SeedResult:
        return _running(self._seed)

    @property
    def moto(self) -> MotoServer:
        return _running(self._moto)

    @property
    def azure(self) -> AzureFake:
        return _running(self._azure)

    @property
    def aws_verifier(self) -> MotoAwsVerifier:
        return _running(self._aws_verifier)

    # -- controls ------------------------------------------------------------------------------

    def set_kms_region_down(self, region: str, down: bool = True) -> None:
        """Simulate (or end) an AWS KMS outage in a region, given as us-east-1 or US_EAST_1."""
        from cmkwizard.sandbox.atlas_sim.lifecycle import settle_store

        # Work already due is finished first, so it is judged by the cloud as it was before the switch.
        settle_store(self.store, _running(self._verifiers), self.clock.now())
        self.aws_verifier.set_region_down(region, down)

    def inject_fault(self, method: str, path_regex: str, kind: str, count: int = 1, **kw: Any) -> FaultRule:
        """Make the next `count` matching Atlas requests fail: "429", "500", "503", "latency", "drop" (the
        connection breaks before Atlas acts) or "drop-after" (Atlas acts, then the connection breaks).

        Keywords: retry_after (seconds, for 429/503), seconds (for latency).
        """
        return self.atlas_app.state.faults.add(method, path_regex, kind, count, **kw)

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> SandboxInfo:
        if self._info is not None:
            return self._info
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self.info

    def stop(self) -> None:
        """Stop every server (the Atlas simulator first, so no request meets a missing cloud).

        A part that fails to stop does not keep the others running; its error is raised at the end.
        """
        failures: list[Exception] = []
        for part in (self._http, self._azure, self._moto):
            if part is not None:
                try:
                    part.stop()
                except Exception as exc:
                    failures.append(exc)
        self._http = self._azure = self._moto = None
        self._aws_verifier = self._app = self._store = self._verifiers = self._seed = self._info = None
        if failures:
            raise failures[0]

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _start(self) -> None:
        # Imported here: moto, boto3, uvicorn and the Azure fake cost noticeable start-up time.
        from cmkwizard.sandbox import cloud_seed
        from cmkwizard.sandbox.asgi_server import BackgroundServer
        from cmkwizard.sandbox.atlas_sim import SimStore, create_app
        from cmkwizard.sandbox.atlas_sim.keys import check_key
        from cmkwizard.sandbox.atlas_sim.scenarios import seed_scenario
        from cmkwizard.sandbox.atlas_sim.verifier import Verifiers
        from cmkwizard.sandbox.aws_moto import MotoServer
        from cmkwizard.sandbox.aws_verifier import MotoAwsVerifier
        from cmkwizard.sandbox.azure_fake import AzureFake
        from cmkwizard.sandbox.azure_verifier import FakeAzureVerifier
        from cmkwizard.sandbox.controls import outage_route

        self._moto = moto = MotoServer()
        moto.start()
        self._azure = azure = AzureFake(clock=self.clock)
        azure.start()
        self._aws_verifier = aws_verifier = MotoAwsVerifier(
            moto.endpoint_url,
            self.clock,
            credentials=moto.credentials,
            propagation_seconds=self._propagation_seconds,
            outages=moto.outages,
        )
        self._store = store = SimStore()
        aws = cloud_seed.seed_aws(moto)
        azure_resources = cloud_seed.seed_azure(azure.state, store.atlas_azure_app_id)
        fixtures = cloud_seed.fixtures_for(self.scenario, aws, azure_resources)
        self._seed = seed = seed_scenario(store, self.scenario, fixtures, now=self.clock.now())
        cloud_seed.complete_scenario(seed, fixtures, moto, aws_verifier, azure.state)
        key = store.projects[seed.project_id].encryption.aws
        if self.scenario == "outage" or (self.rehearse and key is not None):
            aws_verifier.set_region_down(key.region if key is not None else aws.region)

        self._verifiers = verifiers = Verifiers(aws=aws_verifier, azure=FakeAzureVerifier(azure.state))
        if aws_verifier.down_regions:
            # Atlas has noticed already: the key is invalid and the outage events are recorded from the start.
            check_key(store.projects[seed.project_id], store, verifiers, self.clock.now())
        outage = outage_route(self.set_kms_region_down, lambda: aws_verifier.down_regions)
        self._app = app = create_app(store, verifiers, self.clock, extra_routes=[outage])
        self._http = http = BackgroundServer(app, name=f"atlas-sim-{self.scenario}")
        http.start()
        credentials = store.credentials
        self._info = SandboxInfo(
            scenario=self.scenario,
            atlas_base_url=http.url,
            public_key=credentials.public_key,
            private_key=credentials.private_key,
            readonly_public_key=credentials.readonly_public_key,
            readonly_private_key=credentials.readonly_private_key,
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            org_id=seed.org_id,
            project_id=seed.project_id,
            project_name=seed.project_name,
            aws_endpoint_url=moto.endpoint_url,
            aws_access_key_id=moto.credentials.access_key_id,
            aws_secret_access_key=moto.credentials.secret_access_key,
            aws_region=aws.region,
            aws_account_id=aws.account_id,
            azure_tenant_id=azure.tenant_id,
            azure_client_id=azure.client_id,
            azure_client_secret=azure.client_secret,
            azure_https_proxy=azure.proxy_url,
            azure_ca_bundle=azure.ca_bundle_path,
            azure_subscription_id=azure_resources.subscription_id,
            azure_resource_group=azure_resources.resource_group,
            azure_key_identifier=azure_resources.key_identifier,
            azure_atlas_service_principal_id=azure_resources.atlas_service_principal_id,
        )


def _running(part: T | None) -> T:
    if part is None:
        raise RuntimeError("the sandbox is not running: call start() or use it in a with block")
    return part
