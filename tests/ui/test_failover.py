"""Region failover on screen: the diagnosis first, one action per page, REHEARSAL in the sandbox, recovery."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cmkwizard.atlas.models import EncryptionAtRest, Event
from cmkwizard.aws.resources import KmsKey
from cmkwizard.journeys.failover import FAILOVER_AWS, FailoverInputs
from cmkwizard.journeys.kms_facts import KeyRegions, RegionalKey, RoleAccess
from cmkwizard.observation import Fact, Observation
from screens.failover import PAGES
from screens.failover.diagnosis import DiagnosisScreen
from screens.failover.steps import MoveScreen
from tests.ui.page_host import PageHost
from tests.ui.states import READ_AT, ROLE_ARN, ROLE_ID, cluster, project_state
from tests.ui.support import click, settle, shown
from tests.ui.test_onboarding import apply_confirmed, error_text, open_home, until
from tests.ui.test_snapshots import SIZES

MRK = "mrk-1234abcd12ab34cd56ef1234567890ab"


@pytest.mark.parametrize("wizard", ["outage"], indirect=True)
async def test_a_newcomer_recovers_from_the_outage_by_following_the_screen(wizard):
    app = wizard.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_home(app, pilot)
        journeys = app.screen.query_one("#journeys")
        assert journeys.get_option_at_index(0).id == "failover_aws"  # the first thing offered
        await pilot.press("enter")
        await settle(pilot)

        assert isinstance(app.screen, DiagnosisScreen)
        assert "REHEARSAL" in shown(app, ".rehearsal")
        assert "most likely a regional outage" in shown(app, "#diagnosis")  # from Atlas alone
        await click(pilot, "#use-aws")
        await until(pilot, lambda: "KMS by region" in shown(app, "#diagnosis"))
        await settle(pilot)
        assert "AWS KMS in us-east-1 is not answering" in shown(app, "#diagnosis")
        assert "orders (IDLE)" in shown(app, "#diagnosis")
        assert app.screen.query_one("#target-input").value == "us-west-2"

        app.screen.action_apply()
        await settle(pilot)
        assert isinstance(app.screen, MoveScreen), error_text(app)
        assert "region: US_EAST_1 → US_WEST_2" in shown(app, "#move-change")
        title = await apply_confirmed(app, pilot)
        assert title == "Move the project's key to US_WEST_2?"

        for _ in range(3):  # recovery, then the summary
            if "summary" in type(app.screen).__name__.lower():
                break
            app.screen.action_apply()
            await settle(pilot)
        await until(pilot, lambda: "drill record" in shown(app, "#summary-report"))
        assert "REHEARSAL" in shown(app, ".rehearsal")
        report = shown(app, "#summary-report")
        assert "REHEARSAL drill record: took" in report
        assert "move encryption at rest to another region: done" in report
        assert "When us-east-1 recovers, move back" in report
    kms = wizard.sandbox.store.projects[wizard.sandbox.info.project_id].encryption.aws
    assert kms.region == "US_WEST_2"


# --- snapshots, from a fixed state and fixed facts (no Atlas or AWS call happens) -------------------


def _key(region: str, kind: str) -> KmsKey:
    return KmsKey(
        key_id=MRK,
        arn=f"arn:aws:kms:{region}:123456789012:key/{MRK}",
        region=region,
        aliases=("alias/atlas-cmk",),
        description="",
        key_state="Enabled",
        enabled=True,
        key_spec="SYMMETRIC_DEFAULT",
        key_usage="ENCRYPT_DECRYPT",
        key_manager="CUSTOMER",
        origin="AWS_KMS",
        multi_region=True,
        multi_region_type=kind,
        primary_region="us-east-1",
        replica_regions=("us-west-2",),
    )


def outage_state():
    state = project_state(
        valid=False,
        clusters=[cluster("orders", "IDLE", "AWS"), cluster("analytics", "REPAIRING", "AWS")],
    )
    kms = {
        "enabled": True,
        "customerMasterKeyID": f"arn:aws:kms:us-east-1:123456789012:key/{MRK}",
        "region": "US_EAST_1",
        "roleId": ROLE_ID,
        "requirePrivateNetworking": False,
        "valid": False,
    }
    denied = Event("e1", "ENCRYPTION_AT_REST_KMS_NETWORK_ACCESS_DENIED", READ_AT.replace(minute=12))
    regions = KeyRegions(
        "us-east-1",
        True,
        "us-east-1",
        (
            RegionalKey("us-east-1", kms["customerMasterKeyID"], unreachable="ServiceUnavailable: not available"),
            RegionalKey(
                "us-west-2", _key("us-west-2", "REPLICA").arn, _key("us-west-2", "REPLICA"), key_policy_problems=()
            ),
        ),
    )
    access = {"atlas-kms": {"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}
    facts = (
        Fact("key_events", "Key events", (denied,), line="1"),
        Fact("kms_key_regions", "KMS key by region", regions, line="multi-Region"),
        Fact("atlas_role_access", "Atlas role's KMS access", RoleAccess(ROLE_ARN, access), line="1"),
    )
    return replace(
        state,
        encryption=EncryptionAtRest.from_api({"awsKms": kms, "azureKeyVault": {"enabled": False}}),
        observed=Observation(facts),
    )


class FailoverHost(PageHost):
    JOURNEY = FAILOVER_AWS
    PAGES = PAGES

    def __init__(self, tmp_path, page: str) -> None:
        super().__init__(tmp_path, page, FailoverInputs(target_region="us-west-2", rehearsal=True))
        self._state = outage_state()


@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
def test_diagnosis_page_in_an_outage(snap_compare, tmp_path, size):
    assert snap_compare(FailoverHost(tmp_path, "diagnosis"), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
def test_move_page(snap_compare, tmp_path, size):
    assert snap_compare(FailoverHost(tmp_path, "move"), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("wizard", ["outage"], indirect=True)
async def test_the_rehearsal_switch_takes_the_region_down_and_brings_it_back(wizard):
    app = wizard.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_home(app, pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "KMS is down in: us-east-1" in shown(app, "#drill-status")

        await click(pilot, "#drill-up")
        await settle(pilot)
        assert "Every KMS region answers." in shown(app, "#drill-status")
        assert "Atlas can use the project's AWS KMS key." in shown(app, "#diagnosis")
        assert wizard.sandbox.moto.outages.regions == frozenset()

        await click(pilot, "#drill-down")
        await settle(pilot)
        assert "KMS is down in: us-east-1" in shown(app, "#drill-status")
        assert "Atlas cannot reach AWS KMS in us-east-1" in shown(app, "#diagnosis")
