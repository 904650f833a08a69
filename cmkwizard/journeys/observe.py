"""What a journey observes beyond the cheap status read, for its steps to judge from.

The status pane reads the project with a fixed, small number of calls. A journey may need more: the KMS
key and its replicas, per-region key policies, Azure key versions, snapshots, alerts, recent events.
Each of those is an ``Observer``: a named, read-only coroutine. ``observe`` runs a journey's observers
at the same time and gathers their answers into an ``Observation`` that rides on the ``ProjectState``
(``state.observed``), so a step's ``assess``, ``precondition`` and ``plan`` judge from the same facts.

A source that cannot be reached (a KMS region down, a service refusing the credentials, no credentials
at all) is recorded as unavailable with the reason; it never stops the read. Only a programming error
propagates.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from cmkwizard.atlas.errors import AtlasError
from cmkwizard.aws.errors import AwsError
from cmkwizard.azure.errors import AzureError
from cmkwizard.clock import SYSTEM_CLOCK, Clock
from cmkwizard.errors import InputError
from cmkwizard.observation import Fact, Observation

if TYPE_CHECKING:
    from cmkwizard.atlas import AtlasClient
    from cmkwizard.journeys.base import CloudSession
    from cmkwizard.state import ProjectState


class Sources(Protocol):
    """Where observers read from: a ``JourneyRun`` is one, and so is the headless plan's context."""

    client: AtlasClient
    project_id: str
    cloud: CloudSession | None
    clock: Clock


@dataclass(frozen=True)
class SourcesOf:
    """Sources without a run (the headless dry run, a page that only looks)."""

    client: AtlasClient
    project_id: str
    cloud: CloudSession | None = None
    clock: Clock = SYSTEM_CLOCK


class NotObservable(Exception):
    """An observer cannot look here and says why (no credentials for that cloud, nothing configured)."""


@dataclass(frozen=True)
class Observer:
    """One fact a journey needs: ``read`` returns its value or raises; ``describe`` renders it in one line."""

    name: str
    title: str
    read: Callable[[Sources, ProjectState], Awaitable[Any]]
    describe: Callable[[Any], str] = str


# What counts as "could not reach it": every typed error of ours (Atlas, AWS, Azure, input), network
# failures, and errors of the HTTP client and cloud SDKs that no adapter translated (matched by module,
# so that none of them is imported here).
_CLIENT_LIBRARIES = {"httpx", "httpcore", "botocore", "azure"}


def _unreachable(error: BaseException) -> bool:
    if isinstance(error, AtlasError | AwsError | AzureError | InputError | NotObservable | OSError | TimeoutError):
        return True
    return any(kind.__module__.partition(".")[0] in _CLIENT_LIBRARIES for kind in type(error).__mro__)


async def _read_fact(observer: Observer, sources: Sources, state: ProjectState) -> Fact:
    try:
        value = await observer.read(sources, state)
    except Exception as error:
        if not _unreachable(error):
            raise
        return Fact(observer.name, observer.title, unavailable=_reason(error))
    return Fact(observer.name, observer.title, value, line=observer.describe(value))


def _reason(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


async def observe(observers: Sequence[Observer], sources: Sources, state: ProjectState) -> ProjectState:
    """``state`` with the observers' facts (all read at the same time) in ``state.observed``."""
    if not observers:
        return state
    facts = await asyncio.gather(*(_read_fact(o, sources, state) for o in observers))
    return replace(state, observed=Observation(tuple(facts)))


def observers_by_name(observers: Sequence[Observer]) -> Mapping[str, Observer]:
    names = [o.name for o in observers]
    if len(set(names)) != len(names):
        raise ValueError(f"observer names must be unique, got {names}")
    return {o.name: o for o in observers}
