"""`cmkwizard status` against an Atlas that answers 200 with a damaged body: a typed error, never a traceback.

Each case damages one answer of the read `status` makes; every other answer is healthy. The operator
sees which operation answered and which field is wrong, as text (exit 1) and as JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from cmkwizard.cli import main
from tests.atlas.fake_atlas import GROUP_ID, Canned

GROUP = f"/groups/{GROUP_ID}"
HEALTHY = {
    GROUP: {"id": GROUP_ID, "name": "Payments", "orgId": "5e0a1b2c3d4e5f6071829304"},
    f"{GROUP}/encryptionAtRest": {"awsKms": {"enabled": False}, "azureKeyVault": {"enabled": False}},
    f"{GROUP}/cloudProviderAccess": {"awsIamRoles": [], "azureServicePrincipals": []},
    f"{GROUP}/encryptionAtRest/AWS/privateEndpoints": {"results": [], "totalCount": 0},
    f"{GROUP}/encryptionAtRest/AZURE/privateEndpoints": {"results": [], "totalCount": 0},
}
CLUSTERS = f"{GROUP}/clusters"
EAR = f"{GROUP}/encryptionAtRest"
CPA = f"{GROUP}/cloudProviderAccess"
AWS_ENDPOINTS = f"{GROUP}/encryptionAtRest/AWS/privateEndpoints"


def ok(body) -> Canned:
    return Canned(200, body)


def text(body: str | bytes, content_type: str = "application/json") -> Canned:
    return Canned(200, body, content_type=content_type)


def cluster(**fields) -> dict:
    return {"results": [{"name": "Cluster0", "stateName": "IDLE", **fields}], "totalCount": 1}


@dataclass(frozen=True)
class Damage:
    path: str
    answer: Canned
    operation: str
    field: str


DAMAGES = {
    "empty 200 on GET encryptionAtRest": Damage(EAR, text(b""), "getGroupEncryptionAtRest", "response body is empty"),
    "empty 200 on GET cloudProviderAccess": Damage(
        CPA, text(b""), "listGroupCloudProviderAccess", "response body is empty"
    ),
    "null body for the project": Damage(GROUP, text("null"), "getGroup", "response body is empty"),
    "list where the settings object belongs": Damage(EAR, ok([]), "getGroupEncryptionAtRest", "body is a list"),
    "awsKms is a string": Damage(EAR, ok({"awsKms": "enabled"}), "getGroupEncryptionAtRest", "awsKms is a string"),
    "azureKeyVault is a list": Damage(
        EAR, ok({"azureKeyVault": []}), "getGroupEncryptionAtRest", "azureKeyVault is a list"
    ),
    "awsKms.enabled is a string": Damage(
        EAR, ok({"awsKms": {"enabled": "true"}}), "getGroupEncryptionAtRest", "awsKms.enabled is a string"
    ),
    "awsIamRoles is an object": Damage(
        CPA, ok({"awsIamRoles": {"roleId": "x"}}), "listGroupCloudProviderAccess", "awsIamRoles is an object"
    ),
    "null inside awsIamRoles": Damage(
        CPA, ok({"awsIamRoles": [None]}), "listGroupCloudProviderAccess", "awsIamRoles[0] is null"
    ),
    "featureUsages is a string": Damage(
        CPA,
        ok({"awsIamRoles": [{"roleId": "r", "featureUsages": "ENCRYPTION_AT_REST"}]}),
        "listGroupCloudProviderAccess",
        "awsIamRoles[0].featureUsages is a string",
    ),
    "null inside cluster results": Damage(
        CLUSTERS, ok({"results": [None], "totalCount": 1}), "listGroupClusters", "results[0] is null"
    ),
    "stateName is a number": Damage(
        CLUSTERS, ok(cluster(stateName=3)), "listGroupClusters", "results[0].stateName is a number"
    ),
    "replicationSpecs is a string": Damage(
        CLUSTERS,
        ok(cluster(replicationSpecs="REPLICASET")),
        "listGroupClusters",
        "results[0].replicationSpecs is a string",
    ),
    "a region config is a number": Damage(
        CLUSTERS,
        ok(cluster(replicationSpecs=[{"regionConfigs": [7]}])),
        "listGroupClusters",
        "results[0].replicationSpecs[0].regionConfigs[0] is a number",
    ),
    "results missing from a list": Damage(
        CLUSTERS, ok({"totalCount": 1}), "listGroupClusters", "the response has no results list"
    ),
    "results is a string": Damage(CLUSTERS, ok({"results": "none"}), "listGroupClusters", "results is a string"),
    "links is a number": Damage(CLUSTERS, ok({"results": [], "links": 5}), "listGroupClusters", "links is a number"),
    "endpoint regionName is a number": Damage(
        AWS_ENDPOINTS,
        ok({"results": [{"id": "e", "cloudProvider": "AWS", "regionName": 1}]}),
        "listGroupEncryptionAtRestPrivateEndpoints",
        "results[0].regionName is a number",
    ),
    "clusterCount is a string": Damage(GROUP, ok({"id": GROUP_ID, "clusterCount": "3"}), "getGroup", "clusterCount"),
    "apiKey roles is a string": Damage(
        "", ok({"apiKey": {"roles": "GROUP_OWNER"}}), "getSystemStatus", "apiKey.roles is a string"
    ),
    "100000 nested arrays": Damage(EAR, text("[" * 100_000 + "]" * 100_000), "getGroupEncryptionAtRest", "not JSON"),
    "a number of 5000 digits": Damage(
        EAR, text('{"awsKms": {"enabled": ' + "9" * 5000 + "}}"), "getGroupEncryptionAtRest", "not JSON"
    ),
    "a login page": Damage(
        EAR, text("<html>Sign in</html>", "text/html"), "getGroupEncryptionAtRest", "not JSON (text/html"
    ),
}


@pytest.fixture
def project_with(served_atlas):
    """Queue one damaged answer, then healthy answers for every other read `status` makes."""
    fake, _ = served_atlas

    def serve(damage: Damage) -> None:
        fake.reset()
        fake.answer_next("GET", damage.path, damage.answer)
        for path, body in HEALTHY.items():
            if path != damage.path:
                fake.answer_next("GET", path, ok(body))

    return serve


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_answer_is_a_typed_error_in_text_and_json(damage, project_with, capsys):
    project_with(damage)
    assert main(["status", "--project", GROUP_ID]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("cmkwizard status failed: GET /api/atlas/v2")
    assert f"({damage.operation})" in err
    assert damage.field in err
    assert "Meaning: Atlas sent a response this tool cannot read" in err
    assert "Traceback" not in err

    project_with(damage)
    assert main(["status", "--project", GROUP_ID, "--json"]) == 1
    error = json.loads(capsys.readouterr().out)["error"]
    assert damage.operation in error["what"]
    assert damage.field in error["what"]
    assert error["meaning"] == "Atlas sent a response this tool cannot read"
