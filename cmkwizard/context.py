"""What the TUI and the headless commands share: settings, a clock, and factories for clients and journals.

The CLI builds one ``AppContext`` (from the real sources, or from a running sandbox) and hands it
to ``screens.app.WizardApp`` or a headless command. Tests build one with their own factories.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cmkwizard import paths
from cmkwizard.clock import SYSTEM_CLOCK, Clock
from cmkwizard.settings import Overrides, Settings, load_settings

if TYPE_CHECKING:
    from cmkwizard.atlas import AtlasClient
    from cmkwizard.atlas.client import Exchange
    from cmkwizard.aws.adapters import AwsAccount
    from cmkwizard.azure.adapters import AzureKeyVault
    from cmkwizard.azure.clouds import AzureCloud
    from cmkwizard.journal import Journal
    from cmkwizard.sandbox import SandboxInfo
    from cmkwizard.secrets import Secret

SANDBOX_ORIGIN = "the sandbox"


@dataclass
class AppContext:
    """``client_factory``, ``journal_factory`` and ``aws_factory`` default to ones built from ``settings``.

    The defaults read ``self.settings`` when called, so after ``reload_settings`` (the operator typed
    credentials on the connect screen) new clients use the new settings.

    ``clock`` is the time the services live in (the sandbox's simulated time); ``wall_clock`` is the time
    people read, in the journal and on screen. They differ only in the sandbox.
    """

    settings: Settings
    clock: Clock = SYSTEM_CLOCK
    wall_clock: Clock = SYSTEM_CLOCK
    sandbox: SandboxInfo | None = None
    tracer: Callable[[Exchange], None] | None = None
    journal_dir: Path | None = None
    client_factory: Callable[[], AtlasClient] | None = None
    journal_factory: Callable[[str], Journal] | None = None
    aws_factory: Callable[[str | None], AwsAccount] | None = None
    azure_factory: Callable[[AzureCloud], AzureKeyVault] | None = None
    settings_loader: Callable[[Overrides | None], Settings] = field(default=load_settings, repr=False)
    sandbox_start: Callable[[], SandboxInfo] | None = field(default=None, repr=False)
    _journals: dict[str, Journal] = field(default_factory=dict, init=False, repr=False)
    _given_secrets: list[Secret] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        self._register_secrets()

    @property
    def uses_sandbox(self) -> bool:
        """True in sandbox mode, also while the sandbox is still starting."""
        return self.sandbox is not None or self.sandbox_start is not None

    @property
    def sandbox_starting(self) -> bool:
        """The sandbox has yet to start: ``start_sandbox()`` must run before anything connects."""
        return self.sandbox is None and self.sandbox_start is not None

    def start_sandbox(self) -> SandboxInfo:
        """Blocking (call it from a worker thread): start the sandbox, then use its generated credentials."""
        if self.sandbox is None:
            if self.sandbox_start is None:
                raise RuntimeError("this context has no sandbox to start")
            info = self.sandbox_start()
            self.settings_loader = lambda overrides: sandbox_settings(info, overrides)
            self.reload_settings()
            self.sandbox = info
        return self.sandbox

    def reload_settings(self, overrides: Overrides | None = None) -> Settings:
        """Resolve the settings again, with ``overrides`` (typed by the operator) above every other source."""
        self.settings = self.settings_loader(overrides)
        self._register_secrets()
        return self.settings

    def _register_secrets(self) -> None:
        """Every file writer (journals, a ``TraceWriter``) learns the current secrets, so none can write one."""
        for secret in (*self.settings.secrets(), *self._given_secrets):
            self._tell_writers(secret)

    def register_secret(self, secret: Secret) -> None:
        """A secret given after start-up (an app registration's client secret): no file writer may write it."""
        self._given_secrets.append(secret)
        self._tell_writers(secret)

    def _tell_writers(self, secret: Secret) -> None:
        for writer in (*self._journals.values(), self.tracer):
            register = getattr(writer, "register_secret", None)
            if register is not None:
                register(secret)

    def atlas_client(self) -> AtlasClient:
        if self.client_factory is not None:
            return self.client_factory()
        return self.settings.make_client(tracer=self.tracer)

    def journal(self, project_id: str) -> Journal:
        """The project's journal (one object per project, so registered secrets stay registered)."""
        if project_id not in self._journals:
            if self.journal_factory is not None:
                journal = self.journal_factory(project_id)
            else:
                from cmkwizard.journal import Journal

                journal = Journal.for_project(
                    project_id,
                    clock=self.wall_clock,
                    simulated_clock=self.simulated_clock,
                    directory=self.journal_dir,
                )
            self._journals[project_id] = journal
            self._register_secrets()
        return self._journals[project_id]

    @property
    def simulated_clock(self) -> Clock | None:
        """The services' clock when it is not the wall clock (in the sandbox), else None."""
        return None if self.clock is self.wall_clock else self.clock

    def aws_account(self, region: str | None = None) -> AwsAccount:
        if self.aws_factory is not None:
            return self.aws_factory(region)
        from cmkwizard.aws.adapters import AwsAccount

        profile = self.settings.aws_profile.value if self.settings.aws_profile else None
        default_region = self.settings.aws_region.value if self.settings.aws_region else None
        return AwsAccount(profile=profile, region=region or default_region)

    def azure_key_vault(self, cloud: AzureCloud) -> AzureKeyVault:
        """Key Vault and Resource Manager with the wizard's Azure identity (its CMKWIZARD_AZURE_* settings), else
        the operator's (DefaultAzureCredential)."""
        if self.azure_factory is not None:
            return self.azure_factory(cloud)
        from cmkwizard.azure.adapters import AzureKeyVault

        return AzureKeyVault(cloud=cloud)


def sandbox_settings(info: SandboxInfo, overrides: Overrides | None = None) -> Settings:
    """Settings for a running sandbox only: nothing is read from the environment or any profile."""
    extra = overrides.values() if overrides else {}
    base = {
        "public_key": info.public_key,
        "private_key": info.private_key,
        "base_url": info.atlas_base_url,
        "org_id": info.org_id,
        "project_id": info.project_id,
        "aws_region": info.aws_region,
    }
    return load_settings(Overrides(**{**base, **extra}, origin=SANDBOX_ORIGIN), env={}, use_profiles=False)


def sandbox_context(sandbox: Any, *, tracer: Callable[[Exchange], None] | None = None) -> AppContext:
    """A context wired to a started ``cmkwizard.sandbox.Sandbox``: its credentials, its clock, its own journals."""
    context = starting_sandbox_context(sandbox.start, sandbox.clock, tracer=tracer)
    context.start_sandbox()
    return context


def starting_sandbox_context(
    start: Callable[[], SandboxInfo], clock: Clock, *, tracer: Callable[[Exchange], None] | None = None
) -> AppContext:
    """A context for a sandbox that ``start`` (blocking) will start; until then it has no credentials at all."""
    return AppContext(
        settings=load_settings(Overrides(origin=SANDBOX_ORIGIN), env={}, use_profiles=False),
        clock=clock,
        tracer=tracer,
        journal_dir=paths.journal_dir() / "sandbox",
        settings_loader=lambda overrides: load_settings(overrides, env={}, use_profiles=False),
        sandbox_start=start,
    )
