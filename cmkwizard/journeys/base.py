"""Journeys: plans of idempotent steps, each judged from the live project state.

A step says from a ``ProjectState`` (and the operator's inputs) whether it is done, plans the calls it
would make (the dry run), and applies itself idempotently: ``apply`` re-reads the state first and does
only what is still missing, so running it twice, or after a crash, never creates a second role or
endpoint. The wizard and the headless commands drive the same ``Journey``.
"""

from __future__ import annotations

import asyncio
import json
import shlex
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, Protocol, TypeVar
from urllib.parse import quote

from cmkwizard.atlas.endpoints import API_PREFIX, ATLAS_BASE_URL, DEFAULT_VERSION, ENDPOINTS
from cmkwizard.journeys.observe import Observer, observe, observers_by_name
from cmkwizard.observation import NOTHING_OBSERVED, Observation
from cmkwizard.state import SYSTEM_CLOCK, Clock, ProjectState, read_project_state

if TYPE_CHECKING:
    from cmkwizard.atlas import AtlasClient
    from cmkwizard.aws.adapters import AwsAccount
    from cmkwizard.journal import Journal
    from cmkwizard.journeys.confirmed import Confirmation

Sleep = Callable[[float], Awaitable[None]]


class JourneyInputs(Protocol):
    """Operator inputs of a journey: plain values that go to the journal as they are."""

    def to_record(self) -> dict[str, Any]: ...


InputsT = TypeVar("InputsT", bound=JourneyInputs)


class StepState(StrEnum):
    DONE = "done"
    NEXT = "next"
    TODO = "todo"
    BLOCKED = "blocked"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class StepView:
    """How a step stands right now. ``reason`` says why it is blocked or what input is missing."""

    key: str
    title: str
    state: StepState
    summary: str
    reason: str | None = None

    @property
    def finished(self) -> bool:
        return self.state in (StepState.DONE, StepState.SKIPPED)


@dataclass(frozen=True)
class Consequence:
    """What a project-wide change does, for the operator to confirm before it is sent.

    ``typed`` is a word to type when the change cannot be undone.
    """

    title: str
    text: str
    """Markdown."""
    action: str
    typed: str | None = None


Service = Literal["atlas", "aws", "azure"]
CLI_NAMES: dict[str, str] = {"aws": "aws", "azure": "az"}
"""The command-line tool of each cloud service, as the dry run labels its commands."""


@dataclass(frozen=True)
class PlannedCall:
    """One call a step would make, with equivalents an operator can run by hand.

    Atlas calls (``service == "atlas"``) render as the HTTP request, a curl command and, where the Atlas
    CLI has one, its command. Cloud calls (``service`` "aws" or "azure") carry the API action in
    ``method``, the resource in ``path`` and the provider's CLI command (``aws``, ``az``) in ``cli``;
    they have no curl form.
    """

    method: str
    path: str
    body: Mapping[str, Any] | None
    description: str
    atlas_cli: str | None = None
    api_version: str = DEFAULT_VERSION
    base_url: str = ATLAS_BASE_URL
    service: Service = "atlas"
    cli: str | None = None
    operation_id: str | None = None
    """The Atlas operation, with its ``path_params`` (placeholders included), for what the call touches."""
    path_params: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_atlas(self) -> bool:
        return self.service == "atlas"

    @property
    def cli_name(self) -> str | None:
        """The tool ``cli`` runs with: ``atlas`` for Atlas calls, ``aws`` or ``az`` for cloud calls."""
        return "atlas" if self.is_atlas else CLI_NAMES[self.service]

    @property
    def media_type(self) -> str:
        return f"application/vnd.atlas.{self.api_version}+json"

    @property
    def url(self) -> str:
        return f"{self.base_url.rstrip('/')}{self.path}"

    @property
    def body_json(self) -> str | None:
        return None if self.body is None else json.dumps(self.body, separators=(",", ":"))

    @property
    def http(self) -> str:
        """The request as it goes on the wire (without the authentication round trip)."""
        if not self.is_atlas:
            lines = [f"{self.method} {self.path}"]
        else:
            lines = [f"{self.method} {self.path}", f"Accept: {self.media_type}"]
            if self.body is not None:
                lines.append(f"Content-Type: {self.media_type}")
        if self.body is not None:
            lines += ["", json.dumps(self.body, indent=2)]
        return "\n".join(lines)

    @property
    def curl(self) -> str:
        if not self.is_atlas:
            return ""
        parts = [
            'curl --digest -u "$MONGODB_ATLAS_PUBLIC_API_KEY:$MONGODB_ATLAS_PRIVATE_API_KEY"',
            f"-X {self.method}",
            f"-H {shlex.quote('Accept: ' + self.media_type)}",
        ]
        if self.body is not None:
            parts.append(f"-H {shlex.quote('Content-Type: ' + self.media_type)}")
            parts.append(f"--data {shlex.quote(self.body_json or '')}")
        parts.append(shlex.quote(self.url))
        return " ".join(parts)

    @property
    def command(self) -> str:
        """The best hand-run equivalent: the cloud's CLI for cloud calls, else the Atlas CLI, else curl."""
        return self.cli or self.atlas_cli or self.curl

    def rebased(self, base_url: str) -> PlannedCall:
        return replace(self, base_url=base_url)


def atlas_call(
    operation_id: str,
    description: str,
    body: Mapping[str, Any] | None = None,
    *,
    atlas_cli: str | None = None,
    **path_params: str,
) -> PlannedCall:
    """A planned call of an Atlas operation from the client's endpoint table (so the version matches).

    A path parameter not known yet (a role that a previous step will create) is written as a
    placeholder such as ``<roleId>`` and kept readable.
    """
    endpoint = ENDPOINTS[operation_id]
    encoded = {name: value if _is_placeholder(value) else quote(value, safe="") for name, value in path_params.items()}
    path = API_PREFIX + endpoint.path_template.format(**encoded)
    return PlannedCall(
        endpoint.method,
        path,
        body,
        description,
        atlas_cli,
        endpoint.version,
        operation_id=operation_id,
        path_params=dict(path_params),
    )


def _is_placeholder(value: str) -> bool:
    return value.startswith("<") and value.endswith(">")


def cloud_call(
    service: Service, action: str, resource: str, description: str, body: Mapping[str, Any] | None, cli: str
) -> PlannedCall:
    """A planned call to AWS or Azure, with the command of its CLI (``aws ...``, ``az ...``)."""
    if service == "atlas":
        raise ValueError("Atlas calls are planned with atlas_call")
    return PlannedCall(action, resource, body, description, service=service, cli=cli)


def aws_call(action: str, resource: str, description: str, body: Mapping[str, Any] | None, aws_cli: str) -> PlannedCall:
    return cloud_call("aws", action, resource, description, body, aws_cli)


def azure_call(
    action: str, resource: str, description: str, body: Mapping[str, Any] | None, az_cli: str
) -> PlannedCall:
    return cloud_call("azure", action, resource, description, body, az_cli)


@dataclass(frozen=True)
class ProgressEvent:
    """What a running step is doing. ``waiting_until`` is set while it sleeps before the next attempt."""

    step_key: str
    message: str
    fraction: float | None = None
    waiting_until: datetime | None = None


Progress = Callable[[ProgressEvent], None]


def no_progress(event: ProgressEvent) -> None:
    """A progress sink that drops events (headless runs that only want the result)."""


@dataclass(frozen=True)
class Timing:
    """How long waits and retries last and how often they poll, in (simulated) seconds.

    A provider's journeys use its own timings (``cmkwizard.journeys.providers.timing_for``): how long the
    access Atlas is given takes to be honoured, or Atlas to find the key usable, differs between clouds.
    """

    access_budget: float = 240.0
    """Retrying while the access just given to Atlas propagates (an IAM role's trust policy, for AWS)."""
    access_suspicious_after: float = 60.0
    """Identical access failures for this long look like a misconfiguration, not propagation."""
    enable_budget: float = 180.0
    """Retrying transient errors of the encryption-at-rest PATCH."""
    valid_budget: float = 180.0
    """Waiting for Atlas to report the key valid."""
    cluster_budget: float = 3600.0
    endpoint_budget: float = 1800.0
    endpoint_delete_budget: float = 1800.0
    """Including the time Atlas refuses to delete an endpoint it is still provisioning."""
    first_retry: float = 5.0
    max_retry: float = 30.0
    poll_interval: float = 10.0
    max_poll_interval: float = 30.0


@dataclass(frozen=True)
class CloudSession:
    """The cloud credentials a run acts with: the provider, its client, and whose credentials they are."""

    provider: str
    client: Any
    """The provider's adapter (``AwsAccount`` for AWS)."""
    identity: str | None = None
    """Who the credentials are (an ARN, a principal), once read."""
    account: str | None = None
    """The AWS account id or Azure subscription id the credentials act in, once read."""

    def client_for(self, provider: str) -> Any | None:
        return self.client if self.provider == provider else None


@dataclass
class JourneyRun(Generic[InputsT]):
    """Everything a step needs to act: the clients, the inputs, the journal and the time source."""

    client: AtlasClient
    project_id: str
    inputs: InputsT
    journal: Journal
    cloud: CloudSession | None = None
    sleep: Sleep = asyncio.sleep
    clock: Clock = SYSTEM_CLOCK
    timing: Timing = field(default_factory=Timing)
    journey_name: str = ""
    run_id: str | None = None
    """The run in the journal every input, decision and change of this execution is tagged with."""

    report: Any = None
    """What the journey's closing step found (for the summary screen)."""
    observers: Sequence[Observer] = ()
    """What the journey observes beyond the status read each time a step reads the state."""
    _saved_inputs: dict[str, Any] | None = field(default=None, init=False, repr=False)

    @property
    def aws(self) -> AwsAccount | None:
        """The AWS account to act in, when the cloud session is AWS credentials."""
        return self.cloud.client_for("AWS") if self.cloud is not None else None

    async def read_state(self) -> ProjectState:
        """The live state, with what the journey observes (``state.observed``)."""
        state = await read_project_state(self.client, self.project_id, clock=self.clock)
        return await observe(self.observers, self, state)

    def record_change(self, provider: str, what: str, **details: Any) -> None:
        """A change made (or attempted, with ``error=``) in Atlas, AWS or Azure."""
        self.journal.record_change(provider, what, run=self.run_id, **details)

    def record_decision(self, what: str, choice: Any) -> None:
        self.journal.record_decision(self.journey_name, what, choice, run=self.run_id)

    def save_inputs(self) -> None:
        """Record the inputs (when they changed), so a resumed journey offers them again."""
        record = self.inputs.to_record()
        saved = self._saved_inputs
        if saved is None:
            saved = self.journal.last_inputs(self.journey_name, self.run_id)
        if record != saved:
            self.journal.record_inputs(self.journey_name, record, run=self.run_id)
        self._saved_inputs = record

    def finish(self) -> None:
        """The journey is done: this run is closed and a later start begins a new one."""
        if self.run_id is not None:
            self.journal.finish_run(self.journey_name, self.run_id)

    async def apply(
        self, step: Step[InputsT], progress: Progress = no_progress, confirmed: Confirmation | None = None
    ) -> None:
        """Apply one step, recording first the inputs it starts from.

        With ``confirmed``, each Atlas write of the step first reads again what it touches and is not sent
        if that changed since (``cmkwizard.journeys.confirmed``).
        """
        self.save_inputs()
        if confirmed is None:
            await step.apply(self, progress)
            return
        from cmkwizard.journeys.confirmed import WriteCheck

        client = self.client
        self.client = client.checking_changes(WriteCheck(self, client, confirmed))
        try:
            await step.apply(self, progress)
        finally:
            self.client = client


class Step(ABC, Generic[InputsT]):
    key: ClassVar[str]
    title: ClassVar[str]
    help: ClassVar[str]  # Markdown, shown on F1
    final: ClassVar[bool] = False  # a closing report: next once everything before it is finished

    @abstractmethod
    def assess(self, state: ProjectState, inputs: InputsT) -> StepView:
        """DONE, TODO, BLOCKED or SKIPPED from live state; the journey turns the first TODO into NEXT."""

    def consequence(self, state: ProjectState, inputs: InputsT) -> Consequence | None:
        """The project-wide change ``apply`` would make now, to be confirmed first (None when there is none)."""
        return None

    def precondition(self, state: ProjectState, inputs: InputsT) -> str | None:
        """What must be true before ``apply`` may send anything (None when it may): the orchestrator refuses
        the step with this reason instead of letting Atlas refuse it."""
        return None

    @abstractmethod
    def plan(self, state: ProjectState, inputs: InputsT) -> list[PlannedCall]:
        """The calls ``apply`` would make now (empty when there is nothing to do)."""

    @abstractmethod
    async def apply(self, run: JourneyRun[InputsT], progress: Progress) -> None:
        """Do what is still missing. Idempotent. Raises AtlasError, AwsError, InputError or StepError."""

    def view(self, state: StepState, summary: str, reason: str | None = None) -> StepView:
        return StepView(self.key, self.title, state, summary, reason)


@dataclass(frozen=True)
class PlannedStep:
    view: StepView
    calls: tuple[PlannedCall, ...]


@dataclass(frozen=True)
class DryRun:
    journey: str
    steps: tuple[PlannedStep, ...]
    observed: Observation = NOTHING_OBSERVED

    @property
    def calls(self) -> tuple[PlannedCall, ...]:
        return tuple(call for step in self.steps for call in step.calls)

    def render(self) -> str:
        from cmkwizard.journeys.dry_run import render_dry_run

        return render_dry_run(self)


class Journey(Generic[InputsT]):
    def __init__(
        self,
        name: str,
        steps: Sequence[Step[InputsT]],
        *,
        title: str = "",
        observers: Sequence[Observer] = (),
        timing: Timing | None = None,
    ) -> None:
        keys = [s.key for s in steps]
        if len(set(keys)) != len(keys):
            raise ValueError(f"step keys must be unique, got {keys}")
        self.name = name
        self.title = title or name
        self.steps = tuple(steps)
        self.observers = tuple(observers_by_name(observers).values())
        """Read with the state before every step is judged (see ``cmkwizard.journeys.observe``)."""
        self.timing = timing or Timing()
        """How long this journey's runs wait and retry (its provider's timings)."""

    def step(self, key: str) -> Step[InputsT]:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def assess(self, state: ProjectState, inputs: InputsT) -> list[StepView]:
        views = [s.assess(state, inputs) for s in self.steps]
        work = [i for i, s in enumerate(self.steps) if not s.final]
        current = next((i for i in work if not views[i].finished), None)
        if current is not None and views[current].state is StepState.TODO:
            views[current] = replace(views[current], state=StepState.NEXT)
        for i, step in enumerate(self.steps):
            if step.final:
                views[i] = replace(views[i], state=StepState.NEXT if current is None else StepState.TODO)
        return views

    def view_of(self, key: str, state: ProjectState, inputs: InputsT) -> StepView:
        return next(v for v in self.assess(state, inputs) if v.key == key)

    def current(self, state: ProjectState, inputs: InputsT) -> Step[InputsT] | None:
        """The first step that is not finished (the closing report once all are), or None without one."""
        for step, view in zip(self.steps, self.assess(state, inputs), strict=True):
            if not view.finished:
                return step
        return None

    def dry_run(self, state: ProjectState, inputs: InputsT, *, base_url: str = ATLAS_BASE_URL) -> DryRun:
        """Every unfinished step with the calls it would make, in order."""
        planned = []
        for step, view in zip(self.steps, self.assess(state, inputs), strict=True):
            calls = () if view.finished else tuple(c.rebased(base_url) for c in step.plan(state, inputs))
            planned.append(PlannedStep(view, calls))
        return DryRun(self.name, tuple(planned), state.observed)

    def start(
        self, *, journal: Journal, inputs: InputsT, run_id: str | None = None, **kwargs: Any
    ) -> JourneyRun[InputsT]:
        """A run of this journey: ``run_id``, else the journey's open run in the journal, else a new one."""
        run_id = run_id or journal.open_run(self.name) or journal.start_run(self.name, inputs.to_record())
        kwargs.setdefault("timing", self.timing)
        return JourneyRun(
            journey_name=self.name, journal=journal, inputs=inputs, run_id=run_id, observers=self.observers, **kwargs
        )

    async def apply_step(
        self,
        run: JourneyRun[InputsT],
        step_key: str,
        progress: Progress = no_progress,
        *,
        confirmed: Confirmation | None = None,
    ) -> ProjectState:
        """The one way a step is applied, from a page or a headless command alike.

        Reads the live state and refuses (StepError, nothing sent) a step that state blocks; applies it;
        reads the state again and raises StepError unless the step is now done. Applying the closing
        step finishes the run. Returns the state read last.

        ``confirmed`` is what the operator reviewed (from ``journeys.confirmed.confirmation``); without it,
        the state read here. What the step writes must still be as it was then, at its first write and at
        every later one; otherwise that write is not sent and ChangedSinceConfirmed says what changed,
        with the step confirmed anew from the project as it is now, to ask again.
        """
        from cmkwizard.journeys.confirmed import ChangedSinceConfirmed, check_unchanged, confirmation, refused

        step = self.step(step_key)
        state = await run.read_state()
        now = confirmation(step, state, run.inputs)
        if confirmed is not None:  # before the step is judged: what changed may be why it is blocked now
            if confirmed.step_key != step.key:
                raise ValueError(f"the confirmation is for step {confirmed.step_key}, not {step.key}")
            try:
                check_unchanged(confirmed, now)
            except ChangedSinceConfirmed as err:
                raise refused(run, err) from None
        view = self.view_of(step.key, state, run.inputs)
        if view.state is StepState.BLOCKED:
            raise StepError(step.key, f"{step.title}: blocked", view.summary, view.reason or "")
        if (missing := step.precondition(state, run.inputs)) is not None:
            raise StepError(step.key, f"{step.title}: blocked", view.summary, missing)
        if step.final and view.state is not StepState.NEXT:
            open_steps = [v.title for v in self.assess(state, run.inputs) if not v.finished and v.key != step.key]
            raise StepError(
                step.key,
                f"{step.title}: not yet",
                f"Still to do: {', '.join(open_steps)}.",
                "Finish those steps first.",
            )
        try:
            await run.apply(step, progress, confirmed or now)
        except ChangedSinceConfirmed as err:
            raise err.asking_again(confirmation(step, await run.read_state(), run.inputs)) from None
        state = await run.read_state()
        if step.final:
            run.finish()
            return state
        view = self.view_of(step.key, state, run.inputs)
        if not view.finished:
            raise StepError(step.key, f"{step.title}: not finished", view.summary, view.reason or "")
        return state

    async def run(
        self, run: JourneyRun[InputsT], progress: Progress = no_progress, *, stop_after: str | None = None
    ) -> list[StepView]:
        """Apply steps from the first unfinished one until the end (or until ``stop_after`` is passed).

        Returns the final assessment. Raises StepError when a step is blocked, or when its apply returns
        but the live state still says the step is not done (for example when it waits on the operator).
        """
        last = self.steps.index(self.step(stop_after)) if stop_after else len(self.steps) - 1
        state = await run.read_state()
        while True:
            step = self.current(state, run.inputs)
            if step is None or self.steps.index(step) > last:
                return self.assess(state, run.inputs)
            state = await self.apply_step(run, step.key, progress)
            if step.final or self.steps.index(step) == last:
                return self.assess(state, run.inputs)


class StepError(Exception):
    """A step cannot go on: what happened, why, and what the operator should do next.

    ``code`` keeps the Atlas or AWS error code when one caused it.
    """

    def __init__(self, step_key: str, what: str, meaning: str, next_step: str, code: str | None = None) -> None:
        super().__init__(f"{what}: {meaning}" if meaning else what)
        self.step_key = step_key
        self.what = what
        self.meaning = meaning
        self.next_step = next_step
        self.code = code
