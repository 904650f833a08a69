"""Preflight: which clusters can be encrypted and why not, roles to reuse, legacy access, the caller's role."""

from __future__ import annotations

import pytest

from cmkwizard.journeys.aws_inputs import OnboardAwsInputs
from cmkwizard.journeys.base import StepState
from cmkwizard.journeys.onboard_aws import ONBOARD_AWS, preflight
from cmkwizard.state import read_project_state


async def test_fresh_project_preflight(world):
    state = await read_project_state(world.client(), world.project_id, include_caller=True)

    report = preflight(state, state.caller)

    assert {e.name for e in report.eligible_clusters} == {"orders", "analytics", "payments-azure"}
    reasons = {e.name: " ".join(e.reasons) for e in report.ineligible_clusters}
    assert "shared-tier" in reasons["playground"] and "M10" in reasons["playground"]
    assert "paused" in reasons["archive"] and "resume it first" in reasons["archive"]
    assert report.is_project_owner is True
    assert report.legacy_credentials is False
    assert report.reusable_roles == ()
    assert report.encryption.active_provider is None
    assert report.warnings() == []


async def test_read_only_caller_is_warned(world):
    state = await read_project_state(world.client(read_only=True), world.project_id, include_caller=True)

    report = preflight(state, state.caller)

    assert report.is_project_owner is False
    assert any("Project Owner" in w for w in report.warnings())


@pytest.mark.parametrize("world", ["encrypted-aws"], indirect=True)
async def test_encrypted_project_offers_its_role_and_is_already_onboarded(world):
    state = await read_project_state(world.client(), world.project_id, include_caller=True)

    report = preflight(state, state.caller)
    views = ONBOARD_AWS.assess(state, OnboardAwsInputs())

    [choice] = report.reusable_roles
    assert choice.role.used_for_encryption and choice.why == "already used for encryption at rest"
    states = {v.key: v.state for v in views}
    assert states["role"] is states["authorize"] is states["key"] is states["enable"] is StepState.DONE
    assert states["clusters"] is StepState.NEXT  # the operator still chooses (all are already encrypted)


@pytest.mark.parametrize("world", ["legacy-credentials"], indirect=True)
async def test_legacy_credentials_need_confirmation_before_the_migration(world):
    state = await read_project_state(world.client(), world.project_id, include_caller=True)
    report = preflight(state, state.caller)
    assert report.legacy_credentials is True
    assert any("cannot be undone" in w for w in report.warnings())

    enable = ONBOARD_AWS.step("enable")
    inputs = OnboardAwsInputs()
    view = enable.assess(state, inputs)
    assert view.state is StepState.BLOCKED and "confirm" in view.reason
