"""Injected faults, the /_sandbox control API, and the simulator served by uvicorn on a real port."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from cmkwizard.sandbox.asgi_server import BackgroundServer
from cmkwizard.sandbox.atlas_sim.faults import ConnectionDropped
from tests.sandbox.sim_fixtures import Sim, assert_error, call, make_sim, sim_fixture, versioned

sim = sim_fixture("encrypted-aws")


async def test_rate_limit_answers_429_with_retry_after_then_recovers(sim: Sim) -> None:
    sim.app.state.faults.add("GET", r"/clusters$", "429", count=2, retry_after=7)
    client = sim.client()

    limited = [await client.get(f"{sim.group}/clusters", headers=versioned("2024-08-05")) for _ in range(2)]
    other = await call(client, "GET", f"{sim.group}/encryptionAtRest")
    recovered = await call(client, "GET", f"{sim.group}/clusters", version="2024-08-05")

    for response in limited:
        body = assert_error(response, 429, "RATE_LIMITED_TOKEN_BUCKET")
        assert response.headers["retry-after"] == "7"
        assert "retry after 7 seconds" in body["detail"]
    assert other.status_code == 200 and recovered.status_code == 200


async def test_server_errors_and_unavailability(sim: Sim) -> None:
    faults = sim.app.state.faults
    faults.add("PATCH", r"/encryptionAtRest$", "500")
    faults.add("*", r"/events$", "503", retry_after=3)
    client = sim.client()

    failed = await client.patch(
        f"{sim.group}/encryptionAtRest",
        json={"awsKms": {"requirePrivateNetworking": True}},
        headers=versioned(body=True),
    )
    unavailable = await client.get(f"{sim.group}/events", headers=versioned())

    assert_error(failed, 500, "UNEXPECTED_ERROR")
    assert sim.project.encryption.aws.require_private_networking is False  # the request never reached Atlas
    assert_error(unavailable, 503, "SERVICE_UNAVAILABLE")
    assert unavailable.headers["retry-after"] == "3"


async def test_latency_delays_the_answer(sim: Sim) -> None:
    sim.app.state.faults.add("GET", r"/encryptionAtRest$", "latency", seconds=0.2)
    client = sim.client()
    await call(client, "GET", "/api/atlas/v2")  # settle the digest challenge first

    started = time.monotonic()
    response = await call(client, "GET", f"{sim.group}/encryptionAtRest")

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.2


async def test_dropped_connection_reaches_an_in_process_client_as_a_transport_error(sim: Sim) -> None:
    sim.app.state.faults.add("GET", r"/clusters$", "drop")

    with pytest.raises(httpx.TransportError):
        await sim.client().get(f"{sim.group}/clusters", headers=versioned("2024-08-05"))
    assert issubclass(ConnectionDropped, httpx.RemoteProtocolError)


async def test_a_connection_dropped_after_atlas_acted_loses_only_the_answer(sim: Sim) -> None:
    client = sim.client()
    await call(client, "GET", "/api/atlas/v2")  # settle the digest challenge first
    sim.app.state.faults.add("PATCH", r"/encryptionAtRest$", "drop-after")

    with pytest.raises(httpx.TransportError):
        await client.patch(
            f"{sim.group}/encryptionAtRest",
            json={"awsKms": {"requirePrivateNetworking": True}},
            headers=versioned(body=True),
        )

    assert sim.project.encryption.aws.require_private_networking is True  # Atlas made the change
    assert sim.app.state.faults.describe() == []


async def test_control_api_manages_faults_and_the_clock(sim: Sim) -> None:
    control = sim.client("anonymous")

    added = await control.post(
        "/_sandbox/faults", json={"method": "GET", "path": "/events$", "kind": "503", "count": 2}
    )
    listed = await control.get("/_sandbox/faults")
    bad = await control.post("/_sandbox/faults", json={"path": "/x", "kind": "teapot"})
    advanced = await control.post("/_sandbox/clock/advance", json={"seconds": 3600})
    cleared = await control.delete("/_sandbox/faults")

    assert added.status_code == 201 and added.json()["remaining"] == 2
    assert [f["kind"] for f in listed.json()] == ["503"]
    assert bad.status_code == 400 and "teapot" in bad.json()["error"]
    assert advanced.json()["now"] == "2026-11-02T10:00:00Z"
    assert cleared.status_code == 204 and sim.app.state.faults.describe() == []


async def test_state_dump_shows_the_project_without_secrets(sim: Sim) -> None:
    response = await sim.client("anonymous").get("/_sandbox/state")

    state = response.json()
    project = next(p for p in state["projects"] if p["id"] == sim.seed.project_id)
    assert project["encryption"]["provider"] == "AWS"
    assert {c["name"] for c in project["clusters"]} >= {"orders", "analytics"}
    creds = sim.store.credentials
    for secret in (creds.private_key, creds.readonly_private_key, creds.client_secret):
        assert secret not in response.text


async def test_control_api_answers_loopback_clients_only(sim: Sim) -> None:
    transport = httpx.ASGITransport(sim.app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://atlas.test") as remote:
        response = await remote.get("/_sandbox/state")

    assert response.status_code == 403


@pytest.fixture
def served() -> Iterator[tuple[Sim, str]]:
    simulator = make_sim("encrypted-aws")
    with BackgroundServer(simulator.app, name="atlas-sim-test") as server:
        yield simulator, server.url


def test_over_a_real_socket(served: tuple[Sim, str]) -> None:
    simulator, url = served
    creds = simulator.store.credentials
    group = simulator.group
    with httpx.Client(base_url=url, auth=httpx.DigestAuth(creds.public_key, creds.private_key), timeout=5) as client:
        status = client.get("/api/atlas/v2", headers=versioned())
        clusters = client.get(f"{group}/clusters", params={"itemsPerPage": 2}, headers=versioned("2024-08-05"))
        patched = client.patch(
            f"{group}/encryptionAtRest",
            json={"awsKms": {"requirePrivateNetworking": True}},
            headers=versioned(body=True),
        )
        simulator.app.state.faults.add("GET", r"/encryptionAtRest$", "429", retry_after=2)
        limited = client.get(f"{group}/encryptionAtRest", headers=versioned())
        simulator.app.state.faults.add("GET", r"/encryptionAtRest$", "drop")
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(f"{group}/encryptionAtRest", headers=versioned())
        after_drop = client.get(f"{group}/encryptionAtRest", headers=versioned())
        simulator.app.state.faults.add("PATCH", r"/encryptionAtRest$", "drop-after")
        with pytest.raises(httpx.RemoteProtocolError):
            client.patch(
                f"{group}/encryptionAtRest",
                json={"awsKms": {"requirePrivateNetworking": False}},
                headers=versioned(body=True),
            )
        after_lost_answer = client.get(f"{group}/encryptionAtRest", headers=versioned())

    assert status.status_code == 200 and status.history[0].status_code == 401
    next_link = next(link["href"] for link in clusters.json()["links"] if link["rel"] == "next")
    assert next_link.startswith(f"{url}{group}/clusters?")
    assert patched.json()["awsKms"]["requirePrivateNetworking"] is True
    assert limited.status_code == 429 and limited.headers["retry-after"] == "2"
    assert after_drop.status_code == 200
    assert after_lost_answer.json()["awsKms"]["requirePrivateNetworking"] is False
