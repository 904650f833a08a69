"""`cmkwizard plan`: the dry run of every journey against the sandbox; nothing is sent but reads."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from cmkwizard.cli import main
from cmkwizard.journeys.catalog import JOURNEYS
from cmkwizard.sandbox import Sandbox

# journey -> (a scenario it applies to, words its dry run must show)
PLANS = {
    "onboard_aws": ("fresh", "Create the Atlas role for AWS"),
    "onboard_azure": ("fresh", "Create the Atlas role for Azure"),
    "clusters_aws": ("encrypted-aws", "already encrypted: orders"),
    "clusters_azure": ("encrypted-azure", "already encrypted: orders"),
    "private_endpoints_aws": ("encrypted-aws", "Choose the regions that get a private endpoint"),
    "private_endpoints_azure": ("encrypted-azure", "Choose the regions that get a private endpoint"),
    "failover_aws": ("outage", "Choose the region to move to"),
    "rotate_aws": ("encrypted-aws", "Rotation alert: AWS_ENCRYPTION_KEY_NEEDS_ROTATION on, after 90 days"),
    "rotate_azure": ("encrypted-azure", "Rotation alert: AZURE_ENCRYPTION_KEY_NEEDS_ROTATION on, after 90 days"),
    "disable_aws": ("encrypted-aws", "Set cluster orders's encryption provider to NONE"),
    "disable_azure": ("encrypted-azure", "Set cluster payments-azure's encryption provider to NONE"),
}


@pytest.fixture(scope="module")
def sandboxes() -> Iterator[dict[str, Sandbox]]:
    started: dict[str, Sandbox] = {}
    try:
        for scenario in sorted({scenario for scenario, _ in PLANS.values()}):
            started[scenario] = Sandbox(scenario=scenario, speed=0.0).__enter__()
        yield started
    finally:
        for sandbox in started.values():
            sandbox.__exit__(None, None, None)


def use(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in sandbox.info.env().items():
        monkeypatch.setenv(name, value)


def simulated_state(sandbox: Sandbox) -> dict:
    """Everything the Atlas simulator holds, from its control API."""
    response = httpx.get(f"{sandbox.info.atlas_base_url}/_sandbox/state", timeout=10)
    response.raise_for_status()
    return response.json()


def test_every_registered_journey_has_a_plan_here():
    assert set(PLANS) == set(JOURNEYS.names)


@pytest.mark.parametrize("journey", list(PLANS))
def test_plan_prints_the_dry_run_and_sends_nothing(journey, sandboxes, monkeypatch, capsys):
    scenario, expected = PLANS[journey]
    sandbox = sandboxes[scenario]
    use(sandbox, monkeypatch)
    before = simulated_state(sandbox)

    assert main(["plan", journey]) == 0

    out = capsys.readouterr().out
    assert out.startswith(f"Dry run of {journey}: nothing below has been sent.")
    assert expected in out
    assert simulated_state(sandbox) == before


def test_plan_json_lists_each_step_and_its_calls_with_their_commands(sandboxes, monkeypatch, capsys):
    sandbox = sandboxes["fresh"]
    use(sandbox, monkeypatch)

    assert main(["plan", "onboard_aws", "--json", "--project", sandbox.info.project_name]) == 0

    document = json.loads(capsys.readouterr().out)
    assert document["project"] == sandbox.info.project_id and document["sent"] is False
    steps = {step["key"]: step for step in document["steps"]}
    assert list(steps) == [s.key for s in JOURNEYS.get("onboard_aws").journey.steps]
    [create] = steps["role"]["calls"]
    assert create["service"] == "atlas" and create["method"] == "POST"
    assert create["curl"].startswith("curl --digest") and create["atlas_cli"].startswith("atlas cloudProviders")
    assert sandbox.info.private_key not in json.dumps(document)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["plan", "no_such_journey", "--json"], "no journey named 'no_such_journey'"),
        (["plan", "--json"], "no journey given"),
        (["plan", "onboard_aws", "--json", "--project", "5f1d4c6e8b3a2a0012345678"], "credentials"),
    ],
)
def test_every_plan_failure_is_json_with_json(args, expected, capsys):
    assert main(args) == 1
    out = capsys.readouterr().out
    document = json.loads(out)
    assert expected in document["error"]["what"].lower() or expected in document["error"]["what"]


def test_plan_list_names_only_registered_journeys(capsys):
    assert main(["plan", "--list"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names == list(JOURNEYS.names)
