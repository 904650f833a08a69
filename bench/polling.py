"""What one status poll costs: ``read_project_state`` against the sandbox over real HTTP on loopback.

The sandbox runs in this process (the simulator serves from a background thread), so cycle times
include the simulator's own work; request counts are exact.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, replace

from cmkwizard.atlas import AtlasClient, Exchange
from cmkwizard.atlas.auth import digest_auth
from cmkwizard.sandbox import Sandbox, SandboxInfo
from cmkwizard.state import ProjectState, read_project_state


@dataclass(frozen=True)
class Cycle:
    seconds: float
    requests: int  # client.request_count delta: every HTTP request sent
    exchanges: tuple[Exchange, ...]  # the calls the client traced (digest challenges are not among them)
    clusters: int
    endpoints: int

    @property
    def challenges(self) -> int:
        """Requests answered 401 with a digest challenge and sent again, which the tracer does not see."""
        return self.requests - len(self.exchanges)


@dataclass(frozen=True)
class PathCost:
    method: str
    path: str  # the project ID replaced by {groupId}
    requests_per_cycle: float
    median_ms: float


@dataclass(frozen=True)
class PollingResult:
    scenario: str
    sandbox_start_seconds: float
    first: Cycle
    steady: list[Cycle]

    def by_path(self) -> list[PathCost]:
        durations: dict[tuple[str, str], list[float]] = defaultdict(list)
        for cycle in self.steady:
            for exchange in cycle.exchanges:
                durations[(exchange.method, exchange.path)].append(exchange.duration_ms)
        return [
            PathCost(method, path, len(values) / len(self.steady), statistics.median(values))
            for (method, path), values in sorted(durations.items(), key=lambda item: item[0][1])
        ]


def measure_polling(scenario: str, cycles: int) -> PollingResult:
    """Start ``Sandbox(scenario)`` and poll its project ``cycles`` times with one client."""
    if cycles < 2:
        raise ValueError("at least 2 cycles are needed: the first one is reported on its own")
    started = time.perf_counter()
    with Sandbox(scenario=scenario) as sandbox:
        start_seconds = time.perf_counter() - started
        measured = asyncio.run(_poll(sandbox.info, cycles))
    return PollingResult(scenario, start_seconds, measured[0], measured[1:])


async def _poll(info: SandboxInfo, cycles: int) -> list[Cycle]:
    traced: list[Exchange] = []
    auth = digest_auth(info.public_key, info.private_key)
    results: list[Cycle] = []
    async with AtlasClient(info.atlas_base_url, auth, tracer=traced.append) as client:
        for _ in range(cycles):
            requests_before, traced_before = client.request_count, len(traced)
            started = time.perf_counter()
            state = await read_project_state(client, info.project_id)
            seconds = time.perf_counter() - started
            exchanges = tuple(_templated(e, info.project_id) for e in traced[traced_before:])
            results.append(_cycle(state, seconds, client.request_count - requests_before, exchanges))
    return results


def _cycle(state: ProjectState, seconds: float, requests: int, exchanges: tuple[Exchange, ...]) -> Cycle:
    if state.unavailable:
        parts = "; ".join(f"{u.part}: {u.reason}" for u in state.unavailable)
        raise RuntimeError(f"the project state was incomplete, so the counts would be wrong: {parts}")
    return Cycle(seconds, requests, exchanges, len(state.clusters), len(state.endpoints))


def _templated(exchange: Exchange, project_id: str) -> Exchange:
    return replace(exchange, path=exchange.path.replace(project_id, "{groupId}"))
