"""Atlas' AWS checks, end to end: the simulator's Admin API judging real IAM roles and KMS keys in moto."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from cmkwizard.sandbox import Sandbox
from cmkwizard.sandbox.atlas_sim.verifier import Refusal
from cmkwizard.sandbox.cloud_seed import ASYMMETRIC_KEY_ALIAS, DISABLED_KEY_ALIAS, KEY_ALIAS
from tests.sandbox.sandbox_fixtures import (
    PROPAGATED,
    AtlasApi,
    assert_refused,
    atlas_fixture,
    authorized_role,
    create_iam_role,
    key_policy,
    sandbox_fixture,
    trust_policy,
)

sandbox = sandbox_fixture("fresh")
atlas = atlas_fixture()


# -- authorizing the IAM role ------------------------------------------------------------------------


async def test_wrong_external_id_is_refused_then_the_fix_is_accepted_once_propagated(
    atlas: AtlasApi, sandbox: Sandbox
) -> None:
    project = sandbox.info.project_id
    access = await atlas.create_aws_access_role(project)
    principal, external_id = access["atlasAWSAccountArn"], access["atlasAssumedRoleExternalId"]
    arn = create_iam_role(sandbox, "atlas-wrong-external-id", trust_policy(principal, "not-the-external-id"))

    wrong = await atlas.authorize_aws_role(project, access["roleId"], arn)
    detail = assert_refused(wrong, 400, "CANNOT_ASSUME_ROLE")
    assert "not-the-external-id" in detail and external_id in detail

    fixed = json.dumps(trust_policy(principal, external_id))
    sandbox.moto.client("iam").update_assume_role_policy(RoleName="atlas-wrong-external-id", PolicyDocument=fixed)
    too_soon = await atlas.authorize_aws_role(project, access["roleId"], arn)
    assert "propagat" in assert_refused(too_soon, 400, "CANNOT_ASSUME_ROLE")

    sandbox.clock.advance(PROPAGATED)
    accepted = await atlas.authorize_aws_role(project, access["roleId"], arn)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["iamAssumedRoleArn"] == arn
    assert accepted.json()["authorizedDate"]


async def test_trust_policy_for_another_principal_is_refused(atlas: AtlasApi, sandbox: Sandbox) -> None:
    project = sandbox.info.project_id
    access = await atlas.create_aws_access_role(project)
    trust = trust_policy("arn:aws:iam::111122223333:root", access["atlasAssumedRoleExternalId"])
    arn = create_iam_role(sandbox, "atlas-other-principal", trust)
    sandbox.clock.advance(PROPAGATED)

    detail = assert_refused(await atlas.authorize_aws_role(project, access["roleId"], arn), 400, "CANNOT_ASSUME_ROLE")

    assert access["atlasAWSAccountArn"] in detail


async def test_trust_policy_without_external_id_condition_is_refused(atlas: AtlasApi, sandbox: Sandbox) -> None:
    project = sandbox.info.project_id
    access = await atlas.create_aws_access_role(project)
    arn = create_iam_role(sandbox, "atlas-no-condition", trust_policy(access["atlasAWSAccountArn"], None))

    detail = assert_refused(await atlas.authorize_aws_role(project, access["roleId"], arn), 400, "CANNOT_ASSUME_ROLE")

    assert "sts:ExternalId" in detail and "confused-deputy" in detail


async def test_trust_policy_deny_statement_wins(atlas: AtlasApi, sandbox: Sandbox) -> None:
    project = sandbox.info.project_id
    access = await atlas.create_aws_access_role(project)
    trust = trust_policy(access["atlasAWSAccountArn"], access["atlasAssumedRoleExternalId"])
    trust["Statement"].append(
        {"Sid": "NoAtlas", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    )
    arn = create_iam_role(sandbox, "atlas-denied", trust)

    detail = assert_refused(await atlas.authorize_aws_role(project, access["roleId"], arn), 400, "CANNOT_ASSUME_ROLE")

    assert '"NoAtlas"' in detail


async def test_role_that_does_not_exist_is_refused(atlas: AtlasApi, sandbox: Sandbox) -> None:
    project = sandbox.info.project_id
    access = await atlas.create_aws_access_role(project)
    arn = f"arn:aws:iam::{sandbox.info.aws_account_id}:role/never-created"

    detail = assert_refused(await atlas.authorize_aws_role(project, access["roleId"], arn), 400, "CANNOT_ASSUME_ROLE")

    assert "does not exist" in detail


# -- enabling encryption at rest with a key ------------------------------------------------------------


def _pending_deletion_key(sandbox: Sandbox) -> str:
    kms = sandbox.moto.client("kms")
    key_id = kms.create_key(Description="to be deleted")["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    return key_id


def _seeded_key_arn(sandbox: Sandbox) -> str:
    return sandbox.moto.client("kms").describe_key(KeyId=KEY_ALIAS)["KeyMetadata"]["Arn"]


def _external_key(sandbox: Sandbox) -> str:
    return sandbox.moto.client("kms").create_key(Origin="EXTERNAL")["KeyMetadata"]["Arn"]


KEY_CASES: dict[str, tuple[Callable[[Sandbox], str], str, int, str, str]] = {
    "disabled": (lambda sb: DISABLED_KEY_ALIAS, "US_EAST_1", 400, "AWS_KMS_CUSTOMER_MASTER_KEY_NOT_ENABLED",
                 "Disabled"),
    "pending deletion": (_pending_deletion_key, "US_EAST_1", 400, "AWS_KMS_CUSTOMER_MASTER_KEY_PENDING_DELETION",
                         "scheduled for deletion"),
    "no key material": (_external_key, "US_EAST_1", 400, "AWS_KMS_CUSTOMER_MASTER_KEY_PENDING_IMPORT", "key material"),
    "asymmetric": (lambda sb: ASYMMETRIC_KEY_ALIAS, "US_EAST_1", 400, "NO_PERMISSION_TO_ENCRYPT_DECRYPT",
                   "SYMMETRIC_DEFAULT"),
    "key ARN in another region": (_seeded_key_arn, "US_WEST_2", 404, "AWS_CUSTOMER_MASTER_KEY_NOT_FOUND",
                                  "us-east-1"),
    "alias not in that region": (lambda sb: KEY_ALIAS, "US_WEST_2", 404, "AWS_CUSTOMER_MASTER_KEY_NOT_FOUND",
                                 "us-west-2"),
    "unknown key": (lambda sb: "alias/no-such-key", "US_EAST_1", 404, "AWS_CUSTOMER_MASTER_KEY_NOT_FOUND",
                    "alias/no-such-key"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(KEY_CASES))
async def test_enable_is_refused_for_an_unusable_key(atlas: AtlasApi, sandbox: Sandbox, case: str) -> None:
    key_of, region, status, code, fragment = KEY_CASES[case]
    project = sandbox.info.project_id
    role_id, _ = await authorized_role(atlas, project, "atlas-" + case.replace(" ", "-"), access=key_policy())

    response = await atlas.enable_aws_kms(project, role_id, key_of(sandbox), region)

    assert fragment in assert_refused(response, status, code)
    assert (await atlas.encryption(project))["awsKms"]["enabled"] is False


async def test_enable_is_refused_when_the_role_lacks_decrypt(atlas: AtlasApi, sandbox: Sandbox) -> None:
    project = sandbox.info.project_id
    role_id, _ = await authorized_role(
        atlas, project, "atlas-no-decrypt", access=key_policy(("kms:Encrypt", "kms:DescribeKey"))
    )

    detail = assert_refused(
        await atlas.enable_aws_kms(project, role_id, KEY_ALIAS), 400, "NO_PERMISSION_TO_ENCRYPT_DECRYPT"
    )

    assert "allows kms:Decrypt on the key" in detail
    assert "allows kms:Encrypt" not in detail  # only what is missing is named


async def test_enable_is_refused_when_a_deny_statement_covers_the_key(atlas: AtlasApi, sandbox: Sandbox) -> None:
    project = sandbox.info.project_id
    role_id, _ = await authorized_role(
        atlas,
        project,
        "atlas-denied-decrypt",
        access=key_policy(("kms:*",)),
        guard=key_policy(("kms:Decrypt",), "arn:aws:kms:*", "Deny"),
    )

    detail = assert_refused(
        await atlas.enable_aws_kms(project, role_id, KEY_ALIAS), 400, "NO_PERMISSION_TO_ENCRYPT_DECRYPT"
    )

    assert "kms:Decrypt" in detail and "Deny" in detail


async def test_enable_is_refused_when_the_key_policy_ignores_iam(atlas: AtlasApi, sandbox: Sandbox) -> None:
    project = sandbox.info.project_id
    role_id, _ = await authorized_role(atlas, project, "atlas-locked-out", access=key_policy())
    kms = sandbox.moto.client("kms")
    key_id = kms.create_key(Description="key policy names only an administrator")["KeyMetadata"]["KeyId"]
    admin = f"arn:aws:iam::{sandbox.info.aws_account_id}:user/key-admin"
    only_admin = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": admin}, "Action": "kms:*", "Resource": "*"}],
    }
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(only_admin))

    detail = assert_refused(
        await atlas.enable_aws_kms(project, role_id, key_id), 400, "NO_PERMISSION_TO_ENCRYPT_DECRYPT"
    )

    assert "key policy" in detail


async def test_enabled_key_stays_valid_only_while_usable(atlas: AtlasApi, sandbox: Sandbox) -> None:
    # The second project, so that the refusal tests above always start from a project without CMK.
    project = sandbox.seed.second_project_id
    kms = sandbox.moto.client("kms")
    key = kms.create_key(Description="second project's key")["KeyMetadata"]
    role_id, _ = await authorized_role(atlas, project, "atlas-second-project", access=key_policy(resource=key["Arn"]))

    enabled = await atlas.enable_aws_kms(project, role_id, key["KeyId"])
    assert enabled.status_code == 200, enabled.text
    assert (await atlas.encryption(project))["awsKms"]["valid"] is False  # Atlas is still checking the new key
    sandbox.clock.advance(sandbox.store.timings.key_validation)
    assert (await atlas.encryption(project))["awsKms"]["valid"] is True

    kms.disable_key(KeyId=key["KeyId"])
    assert (await atlas.encryption(project))["awsKms"]["valid"] is False
    kms.enable_key(KeyId=key["KeyId"])
    assert (await atlas.encryption(project))["awsKms"]["valid"] is True

    outage = await atlas.client.post("/_sandbox/outage", json={"region": "us-east-1", "down": True})
    assert outage.json()["regionsDown"] == ["us-east-1"]
    assert (await atlas.encryption(project))["awsKms"]["valid"] is False
    change = await atlas.request(
        "PATCH", f"/groups/{project}/encryptionAtRest", {"awsKms": {"customerMasterKeyID": key["Arn"]}}
    )
    assert "unreachable" in assert_refused(change, 400, "ENCRYPTION_AT_REST_SETTINGS_INVALID")

    await atlas.client.post("/_sandbox/outage", json={"region": "US_EAST_1", "down": False})
    assert (await atlas.encryption(project))["awsKms"]["valid"] is True


def test_key_policy_naming_the_role_needs_no_iam_policy(sandbox: Sandbox) -> None:
    role_arn = create_iam_role(sandbox, "atlas-key-policy-only", trust_policy("arn:aws:iam::536727724300:root", "x"))
    kms = sandbox.moto.client("kms")
    key_id = kms.create_key(Description="key policy grants the role")["KeyMetadata"]["KeyId"]
    grant = {
        "Effect": "Allow",
        "Principal": {"AWS": role_arn},
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"],
        "Resource": "*",
    }
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps({"Statement": [grant]}))

    sandbox.aws_verifier.check_key_access(role_arn, key_id, "US_EAST_1")  # the role has no IAM policy at all

    grant["Action"] = ["kms:Encrypt", "kms:DescribeKey"]
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps({"Statement": [grant]}))
    with pytest.raises(Refusal) as refused:
        sandbox.aws_verifier.check_key_access(role_arn, key_id, "US_EAST_1")
    assert refused.value.error_code == "NO_PERMISSION_TO_ENCRYPT_DECRYPT" and "kms:Decrypt" in refused.value.detail


async def test_outage_control_explains_a_bad_request(atlas: AtlasApi) -> None:
    unknown = await atlas.client.post("/_sandbox/outage", json={"region": "moon-1", "down": True})
    not_bool = await atlas.client.post("/_sandbox/outage", json={"region": "us-east-1", "down": "yes"})

    assert unknown.status_code == 400 and "us-east-1" in unknown.json()["error"]
    assert not_bool.status_code == 400 and "true or false" in not_bool.json()["error"]
