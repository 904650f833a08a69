"""The old-key report against the sandbox's seeded snapshots (taken 1, 2, 7 and 30 days ago, kept 35 days,
the monthly one 365), by masterKeyUUID where Atlas reports it (AWS scenario) and by date where not (Azure)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from cmkwizard.journeys.old_key_report import (
    NEVER_DELETES,
    KeyNotKnown,
    OldKey,
    key_to_report,
    master_key_uuid,
    old_key_report,
)

BACKED_UP = ("orders", "analytics", "payments-azure")
"""The seeded clusters with snapshots (playground has no Cloud Backup, archive is paused and has none)."""


def seeded(now, days_ago: int):
    """When a seeded snapshot was taken (Atlas reports whole seconds)."""
    return (now - timedelta(days=days_ago, hours=3)).replace(microsecond=0)


def seeded_expiry(now, days_ago: int, kept: int):
    return seeded(now, days_ago) + timedelta(days=kept)


async def report_for(world, key: str | None = None, **options):
    client = world.client()
    state = await world.state()
    old_key = await key_to_report(client, state, key, clock=world.sandbox.clock, **options)
    return await old_key_report(client, world.project_id, old_key, clock=world.sandbox.clock)


def by_cluster(report):
    return {c.cluster: c for c in report.clusters}


@pytest.mark.parametrize("world", ["encrypted-aws", "encrypted-azure"], indirect=True)
async def test_the_current_key_is_needed_by_every_snapshot_until_the_monthly_one_expires(world):
    now = world.sandbox.clock.now()
    report = await report_for(world)

    clusters = by_cluster(report)
    for name in BACKED_UP:
        assert len(clusters[name].dependent) == 4 and clusters[name].read == 4
        assert clusters[name].last_expiry == seeded_expiry(now, 30, 365)
    assert clusters["playground"].verdict() == "no Cloud Backup: no snapshots"
    assert clusters["archive"].dependent == () and clusters["archive"].verdict() == "no snapshot needs the key"
    assert report.safe_from == seeded_expiry(now, 30, 365)
    matched = {s.matched_by for name in BACKED_UP for s in clusters[name].dependent}
    aws = (await world.state()).encryption.active_provider == "AWS"
    assert matched == ({"masterKeyUUID"} if aws else {"date"})


@pytest.mark.parametrize("world", ["encrypted-aws"], indirect=True)
async def test_a_snapshot_naming_another_key_does_not_need_the_old_one(world):
    current = (await world.state()).encryption.aws_kms.customer_master_key_id
    other = "arn:aws:kms:us-east-1:123456789012:key/0b7e2f38-52a4-4bd5-9c38-7f6c2a1d9e11"
    assert master_key_uuid("AWS", current) != master_key_uuid("AWS", other)

    report = await report_for(world, other, since=world.sandbox.clock.now())

    assert report.dependent_count == 0 and report.safe_from is None
    assert "No snapshot that Atlas still keeps needs this key" in report.conclusion()


@pytest.mark.parametrize("world", ["encrypted-aws"], indirect=True)
async def test_the_current_key_given_by_its_id_is_recognised(world):
    current = (await world.state()).encryption.aws_kms.customer_master_key_id
    report = await report_for(world, current.rsplit("/", 1)[-1])
    assert report.key.stopped_because.startswith("it is the project's current key")
    assert report.dependent_count == 4 * len(BACKED_UP)


@pytest.mark.parametrize("world", ["encrypted-azure"], indirect=True)
async def test_without_master_key_uuid_snapshots_older_than_the_rotation_count(world):
    now = world.sandbox.clock.now()
    old = "https://cmk-sandbox-kv.vault.azure.net/keys/atlas-cmk/0123456789abcdef0123456789abcdef"

    report = await report_for(world, old, since=now - timedelta(days=5))

    clusters = by_cluster(report)
    for name in BACKED_UP:
        created = sorted(s.created_at for s in clusters[name].dependent)
        assert created == [seeded(now, 30), seeded(now, 7)]
        assert {s.matched_by for s in clusters[name].dependent} == {"date"}
    assert report.safe_from == seeded_expiry(now, 30, 365)


@pytest.mark.parametrize("world", ["encrypted-azure"], indirect=True)
async def test_an_old_key_stopped_at_the_latest_key_change_in_the_events(world):
    now = world.sandbox.clock.now()
    old = "https://cmk-sandbox-kv.vault.azure.net/keys/atlas-cmk/0123456789abcdef0123456789abcdef"

    report = await report_for(world, old)

    # The scenario's configuration was last updated 44 days ago: every snapshot is newer.
    assert report.key.stopped_at == (now - timedelta(days=44)).replace(microsecond=0)
    assert report.dependent_count == 0


@pytest.mark.parametrize("world", ["encrypted-aws"], indirect=True)
async def test_expired_snapshots_no_longer_need_the_key(world):
    world.sandbox.clock.advance(timedelta(days=40).total_seconds())
    now = world.sandbox.clock.now()
    report = await report_for(world)
    clusters = by_cluster(report)
    for name in BACKED_UP:
        assert [s.expires_at for s in clusters[name].dependent] == [seeded_expiry(now - timedelta(days=40), 30, 365)]


@pytest.mark.parametrize("world", ["encrypted-aws"], indirect=True)
async def test_markdown_and_json_exports(world):
    now = world.sandbox.clock.now()
    report = await report_for(world)
    safe = seeded_expiry(now, 30, 365)

    markdown = report.to_markdown()
    assert f"**Earliest safe date to retire the key: {safe:%Y-%m-%d %H:%M} UTC" in markdown
    assert "| orders | 4 of 4 | masterKeyUUID |" in markdown
    assert "| playground | - | - | - | no Cloud Backup: no snapshots |" in markdown
    assert NEVER_DELETES in markdown

    document = json.loads(json.dumps(report.to_document()))
    assert document["safeFrom"] == safe.isoformat().replace("+00:00", "Z")
    assert document["determined"] is True
    orders = next(c for c in document["clusters"] if c["cluster"] == "orders")
    assert len(orders["dependentSnapshots"]) == 4 and orders["snapshotsRead"] == 4
    assert document["key"]["masterKeyUUID"] == master_key_uuid("AWS", report.key.key)
    assert document["note"] == NEVER_DELETES


async def test_no_key_configured_and_none_given_is_refused_before_any_snapshot_is_read(world):
    with pytest.raises(KeyNotKnown, match="--key"):
        await report_for(world)


@pytest.mark.parametrize("world", ["encrypted-aws"], indirect=True)
async def test_one_snapshot_list_per_backed_up_cluster_and_nothing_written(world):
    key = OldKey("AWS", None, world.sandbox.clock.now(), "test")
    await old_key_report(world.client(), world.project_id, key, clock=world.sandbox.clock)
    snapshot_reads = [e for e in world.exchanges if "/backup/snapshots" in e.path]
    assert len(snapshot_reads) == 4  # orders, analytics, archive, payments-azure
    assert world.writes() == []


@pytest.mark.parametrize("world", ["encrypted-aws"], indirect=True)
async def test_a_cluster_whose_snapshots_cannot_be_read_leaves_the_date_open(world):
    faults = world.sandbox.atlas_app.state.faults
    faults.add("GET", r"/clusters/orders/backup/snapshots", "500", count=50)
    try:
        report = await report_for(world)
    finally:
        faults.clear()

    orders = by_cluster(report)["orders"]
    assert orders.unreadable and orders.verdict().startswith("snapshots not readable:")
    assert report.safe_from is None
    assert report.conclusion().startswith("No safe date can be given yet: orders")
    assert report.to_document()["determined"] is False
    assert len(by_cluster(report)["analytics"].dependent) == 4  # the others are still judged
