"""The refusals Atlas is known to send, as the simulator sends them and as the wizard explains them.

Where no public source names Atlas' code, the simulator's own choice is listed as unverified in one place
(``atlas_sim.errors.UNVERIFIED_CODES``), and the wizard must never branch on it.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from cmkwizard.atlas import describe_error
from cmkwizard.atlas.errors import error_from_response
from cmkwizard.sandbox.atlas_sim.errors import UNVERIFIED_CODES
from tests.sandbox.sim_fixtures import Sim, assert_error, call, sim_fixture

encrypted = sim_fixture("encrypted-aws")

CORE = Path(__file__).resolve().parents[2] / "cmkwizard"
UI = CORE.parent / "screens"


def explained(response: httpx.Response):
    return describe_error(error_from_response(response, response.request.method, str(response.request.url)))


async def _with_endpoint(sim: Sim, region: str = "US_EAST_1") -> dict:
    client = sim.client()
    on = await call(
        client, "PATCH", f"{sim.group}/encryptionAtRest", json={"awsKms": {"requirePrivateNetworking": True}}
    )
    assert on.status_code == 200
    created = await call(
        client,
        "POST",
        f"{sim.group}/encryptionAtRest/AWS/privateEndpoints",
        json={"cloudProvider": "AWS", "regionName": region},
    )
    assert created.status_code == 202
    return created.json()


async def test_deleting_an_endpoint_being_provisioned(encrypted: Sim) -> None:
    endpoint = await _with_endpoint(encrypted)

    refused = await call(
        encrypted.client(), "DELETE", f"{encrypted.group}/encryptionAtRest/AWS/privateEndpoints/{endpoint['id']}"
    )

    body = assert_error(refused, 400, "ENCRYPTION_AT_REST_PRIVATE_ENDPOINT_DELETE_BLOCKED_DURING_PROVISIONING")
    assert body["parameters"] == [[endpoint["id"]]]
    explanation = explained(refused)
    assert "still provisioning" in explanation.meaning
    assert "INITIATING" in explanation.next_step
    assert explanation.code == "ENCRYPTION_AT_REST_PRIVATE_ENDPOINT_DELETE_BLOCKED_DURING_PROVISIONING"


async def test_disabling_while_private_endpoints_exist(encrypted: Sim) -> None:
    await _with_endpoint(encrypted)
    for cluster in encrypted.project.clusters.values():
        cluster.encryption_provider = "NONE"

    refused = await call(
        encrypted.client(), "PATCH", f"{encrypted.group}/encryptionAtRest", json={"awsKms": {"enabled": False}}
    )

    assert assert_error(refused, 400, "CANNOT_DISABLE_ENCRYPTION_AT_REST_DUE_TO_PRIVATE_ENDPOINTS")["parameters"] == []
    explanation = explained(refused)
    assert "private endpoints" in explanation.meaning
    assert "Delete every encryption-at-rest private endpoint" in explanation.next_step


async def test_removing_a_role_still_in_use(encrypted: Sim) -> None:
    role_id = encrypted.seed.aws_roles[0].role_id

    refused = await call(encrypted.client(), "DELETE", f"{encrypted.group}/cloudProviderAccess/AWS/{role_id}")

    body = assert_error(refused, 400, "AWS_IAM_ROLE_IN_USE")
    assert body["detail"] == "Cannot remove the AWS IAM role because it is still in use."
    explanation = explained(refused)
    assert "still used" in explanation.meaning
    assert "another role" in explanation.next_step


def test_the_wizard_never_names_a_code_the_simulator_made_up() -> None:
    wizard_sources = [
        path for root in (CORE, UI) for path in root.rglob("*.py") if "sandbox" not in path.relative_to(root).parts
    ]
    assert len(wizard_sources) > 50
    named = {
        (str(path.relative_to(CORE.parent)), code)
        for path in wizard_sources
        for code in UNVERIFIED_CODES
        if code in path.read_text(encoding="utf-8")
    }
    assert named == set()
