"""Alert configurations and events in the simulated Atlas."""

from __future__ import annotations

from datetime import timedelta

from cmkwizard.sandbox.atlas_sim.store import iso
from tests.sandbox.sim_fixtures import Sim, assert_error, call, sim_fixture

sim = sim_fixture("encrypted-aws")

NOTIFY_OWNERS = {"typeName": "GROUP", "roles": ["GROUP_OWNER"], "emailEnabled": True, "intervalMin": 1440}


async def _rotation_config(sim: Sim) -> dict:
    configs = (await call(sim.client(), "GET", f"{sim.group}/alertConfigs")).json()["results"]
    return next(c for c in configs if c["eventTypeName"] == "AWS_ENCRYPTION_KEY_NEEDS_ROTATION")


async def _put(sim: Sim, config_id: str, body: dict):
    return await call(sim.client(), "PUT", f"{sim.group}/alertConfigs/{config_id}", json=body)


async def test_rotation_alert_can_be_read_and_replaced(sim: Sim) -> None:
    config = await _rotation_config(sim)
    body = {
        "eventTypeName": "AWS_ENCRYPTION_KEY_NEEDS_ROTATION",
        "enabled": True,
        "threshold": {"operator": "GREATER_THAN", "threshold": 60, "units": "DAYS"},
        "notifications": [NOTIFY_OWNERS, {"typeName": "EMAIL", "emailAddress": "sec@example.com", "intervalMin": 60}],
    }
    sim.clock.advance(3600)

    replaced = await _put(sim, config["id"], body)
    fetched = (await call(sim.client(), "GET", f"{sim.group}/alertConfigs/{config['id']}")).json()

    assert replaced.status_code == 200
    assert fetched["threshold"]["threshold"] == 60 and len(fetched["notifications"]) == 2
    assert fetched["updated"] > fetched["created"] and fetched["id"] == config["id"]


async def test_replacement_is_checked_like_atlas(sim: Sim) -> None:
    config_id = (await _rotation_config(sim))["id"]
    base = {"eventTypeName": "AWS_ENCRYPTION_KEY_NEEDS_ROTATION", "notifications": [NOTIFY_OWNERS]}

    no_threshold = await _put(sim, config_id, base)
    threshold_on_plain = await _put(
        sim,
        config_id,
        {
            **base,
            "eventTypeName": "ENCRYPTION_AT_REST_KMS_NETWORK_ACCESS_DENIED",
            "threshold": {"operator": "GREATER_THAN", "threshold": 1, "units": "DAYS"},
        },
    )
    wrong_units = await _put(
        sim, config_id, {**base, "threshold": {"operator": "GREATER_THAN", "threshold": 90, "units": "HOURS"}}
    )
    no_notifications = await _put(
        sim,
        config_id,
        {**base, "notifications": [], "threshold": {"operator": "GREATER_THAN", "threshold": 9, "units": "DAYS"}},
    )
    short_interval = await _put(
        sim,
        config_id,
        {
            **base,
            "notifications": [{**NOTIFY_OWNERS, "intervalMin": 1}],
            "threshold": {"operator": "GREATER_THAN", "threshold": 9, "units": "DAYS"},
        },
    )
    with_id = await _put(sim, config_id, {**base, "id": config_id})
    unknown_type = await _put(sim, config_id, {**base, "eventTypeName": "CLUSTER_MONGOS_IS_MISSING"})
    missing = await call(sim.client(), "GET", f"{sim.group}/alertConfigs/0123456789abcdef01234567")

    assert_error(no_threshold, 400, "MISSING_THRESHOLD")
    assert_error(threshold_on_plain, 400, "THRESHOLD_PRESENT")
    assert_error(wrong_units, 400, "INVALID_ENUM_VALUE")
    assert_error(no_notifications, 400, "VALIDATION_ERROR")
    assert_error(short_interval, 400, "INVALID_ATTRIBUTE")
    assert_error(with_id, 400, "ATTRIBUTE_READ_ONLY")
    assert_error(unknown_type, 400, "INVALID_EVENT_TYPE_FOR_ALERT")
    assert_error(missing, 404, "ALERT_CONFIG_NOT_FOUND")
    assert (await _rotation_config(sim))["threshold"]["threshold"] == 90


async def test_events_filter_by_type_and_date_newest_first(sim: Sim) -> None:
    client = sim.client()
    start = sim.clock.now()
    sim.clock.advance(10)
    await call(client, "PATCH", f"{sim.group}/encryptionAtRest", json={"awsKms": {"requirePrivateNetworking": True}})
    sim.clock.advance(10)
    await call(client, "PATCH", f"{sim.group}/encryptionAtRest", json={"awsKms": {"requirePrivateNetworking": False}})

    recent = (
        await call(
            client,
            "GET",
            f"{sim.group}/events",
            params={"eventType": "ENCRYPTION_AT_REST_CONFIGURATION_UPDATED", "minDate": iso(start)},
        )
    ).json()
    everything = (await call(client, "GET", f"{sim.group}/events")).json()
    bad_date = await call(client, "GET", f"{sim.group}/events", params={"minDate": "last tuesday"})
    bad_type = await call(client, "GET", f"{sim.group}/events", params={"eventType": "not an event"})

    assert recent["totalCount"] == 2
    created = [e["created"] for e in recent["results"]]
    assert created == sorted(created, reverse=True) and created[0] == iso(start + timedelta(seconds=20))
    assert recent["results"][0]["publicKey"] == sim.store.credentials.public_key
    seeded = {e["eventTypeName"] for e in everything["results"]}
    assert {"CLOUD_PROVIDER_ACCESS_AWS_IAM_ROLE_ADDED", "ENCRYPTION_AT_REST_CONFIGURATION_UPDATED"} <= seeded
    assert_error(bad_date, 400, "VALIDATION_ERROR")
    assert_error(bad_type, 400, "INVALID_ENUM_VALUE")
