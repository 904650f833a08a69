"""IAM, STS and KMS through ``AwsAccount`` against a moto server."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from cmkwizard.aws.adapters import AwsAccount, AwsError
from cmkwizard.aws.errors import InputError
from cmkwizard.aws.policies import (
    diagnose_key_policy,
    diagnose_kms_access,
    diagnose_trust_policy,
    kms_access_policy,
    merge_trust_policy,
    trust_policy,
)

ACCOUNT = "123456789012"
PRINCIPAL = "arn:aws:iam::536727724300:root"
EXTERNAL_ID = "b63a96a9-0c0e-4c8a-9d46-3f1f2c6a1e55"
EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@pytest.fixture
def account(moto):
    return AwsAccount(region="us-east-1", endpoint_url=moto, max_attempts=1)


def test_importing_the_adapters_does_not_import_boto3():
    code = (
        "import sys, cmkwizard.aws.adapters, cmkwizard.aws.policies\n"
        "print('boto3' in sys.modules, 'botocore' in sys.modules)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["False", "False"]


def test_repr_shows_no_credentials(account):
    assert "testing" not in repr(account)


async def test_caller_identity(account):
    identity = await account.caller_identity()
    assert identity["Account"] == ACCOUNT
    assert identity["Arn"].startswith(f"arn:aws:sts::{ACCOUNT}:")


async def test_credentials_available(account):
    assert await account.credentials_available() is True


async def test_without_credentials_nothing_raises_until_a_call_and_then_it_says_what_to_do(monkeypatch):
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    account = AwsAccount(region="us-east-1", endpoint_url="http://127.0.0.1:9", max_attempts=1)
    assert await account.credentials_available() is False
    with pytest.raises(AwsError) as caught:
        await account.caller_identity()
    error = caught.value
    assert error.code == "NoCredentials" and error.operation == "GetCallerIdentity"
    assert error.meaning == "No AWS credentials: the wizard will show the documents and console steps to apply by hand."


async def test_unknown_profile_is_reported(moto):
    account = AwsAccount(profile="missing", endpoint_url=moto, max_attempts=1)
    assert await account.credentials_available() is False
    with pytest.raises(AwsError) as caught:
        await account.caller_identity()
    assert caught.value.code == "ProfileNotFound"
    assert "aws configure list-profiles" in caught.value.next_step


async def test_unreachable_endpoint_is_a_connection_error(moto):
    account = AwsAccount(region="us-east-1", endpoint_url="http://127.0.0.1:9", max_attempts=1, connect_timeout=1)
    with pytest.raises(AwsError) as caught:
        await account.caller_identity()
    assert caught.value.code == "EndpointConnectionError"
    assert "network" in caught.value.meaning


# -- KMS ------------------------------------------------------------------------------------------


async def test_list_keys_shows_customer_keys_with_aliases(account, boto):
    kms = boto("kms")
    plain = kms.create_key(Description="no alias")["KeyMetadata"]
    atlas = kms.create_key(Description="Atlas CMK")["KeyMetadata"]
    kms.create_alias(AliasName="alias/atlas-cmk", TargetKeyId=atlas["KeyId"])
    kms.create_alias(AliasName="alias/atlas-cmk-2025", TargetKeyId=atlas["KeyId"])
    signing = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    boto("kms", "eu-west-1").create_key(Description="elsewhere")

    keys = await account.list_keys("US_EAST_1")
    assert [k.key_id for k in keys] == [atlas["KeyId"], *sorted([plain["KeyId"], signing["KeyId"]])]
    first = keys[0]
    assert first.aliases == ("alias/atlas-cmk", "alias/atlas-cmk-2025")
    assert first.label == f"alias/atlas-cmk ({atlas['KeyId']})"
    assert (first.region, first.atlas_region, first.description) == ("us-east-1", "US_EAST_1", "Atlas CMK")
    assert (first.key_spec, first.key_usage, first.key_manager) == (
        "SYMMETRIC_DEFAULT",
        "ENCRYPT_DECRYPT",
        "CUSTOMER",
    )
    assert first.multi_region is False and first.multi_region_type is None
    assert first.problems_for_atlas() == []
    rsa = next(k for k in keys if k.key_id == signing["KeyId"])
    assert [p.code for p in rsa.problems_for_atlas()] == ["key-not-symmetric"]


@pytest.mark.parametrize("form", ["id", "arn", "alias", "alias-arn"])
async def test_describe_key_by_every_reference_form(account, boto, form):
    kms = boto("kms")
    key = kms.create_key(Description="Atlas CMK")["KeyMetadata"]
    kms.create_alias(AliasName="alias/atlas-cmk", TargetKeyId=key["KeyId"])
    reference = {
        "id": key["KeyId"],
        "arn": key["Arn"],
        "alias": "alias/atlas-cmk",
        "alias-arn": f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/atlas-cmk",
    }[form]
    described = await account.describe_key(reference, "us_east_1")
    assert described.arn == key["Arn"]
    assert described.aliases == ("alias/atlas-cmk",)
    assert described.enabled and described.key_state == "Enabled"


async def test_describe_key_in_the_wrong_region_is_refused_before_calling_aws(account, boto):
    key = boto("kms").create_key()["KeyMetadata"]
    with pytest.raises(InputError, match=r"us-east-1 \(US_EAST_1\) but the region chosen for Atlas is eu-west-1"):
        await account.describe_key(key["Arn"], "EU_WEST_1")


async def test_describe_missing_key_explains_keys_are_regional(account, boto):
    key = boto("kms").create_key()["KeyMetadata"]
    with pytest.raises(AwsError) as caught:
        await account.describe_key(key["KeyId"], "eu-west-1")
    error = caught.value
    assert error.code == "NotFoundException" and error.is_not_found and error.operation == "DescribeKey"
    assert "KMS keys are regional" in error.next_step


async def test_disabled_and_pending_deletion_keys_say_how_to_fix_them(account, boto):
    kms = boto("kms")
    disabled = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=disabled)
    doomed = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=doomed, PendingWindowInDays=7)

    problems = (await account.describe_key(disabled, "us-east-1")).problems_for_atlas()
    assert [(p.code, p.fix) for p in problems] == [
        ("key-disabled", f"Enable it: aws kms enable-key --key-id {disabled}")
    ]
    problems = (await account.describe_key(doomed, "us-east-1")).problems_for_atlas()
    assert [p.code for p in problems] == ["key-pending-deletion"]
    assert f"aws kms cancel-key-deletion --key-id {doomed}" in problems[0].fix


async def test_multi_region_key_with_a_replica(account, boto):
    primary = boto("kms").create_key(MultiRegion=True, Description="multi")["KeyMetadata"]
    boto("kms").replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")

    replica = await account.describe_key(primary["KeyId"], "eu-west-1")
    assert (replica.multi_region, replica.multi_region_type) == (True, "REPLICA")
    assert (replica.region, replica.primary_region) == ("eu-west-1", "us-east-1")
    # Described after its replica, the primary must still read as the primary.
    described = await account.describe_key(primary["Arn"], "us-east-1")
    assert (described.multi_region_type, described.primary_region, described.replica_regions) == (
        "PRIMARY",
        "us-east-1",
        ("eu-west-1",),
    )
    assert described.regions == ("us-east-1", "eu-west-1")
    assert described.all_arns == (primary["Arn"], primary["Arn"].replace("us-east-1", "eu-west-1"))
    assert described.arn_in("eu-west-1") == replica.arn
    listed = await account.list_keys("eu-west-1")
    assert [(k.key_id, k.multi_region_type) for k in listed] == [(primary["KeyId"], "REPLICA")]


async def test_list_aliases_leaves_out_aws_managed_ones_unless_asked(account, boto):
    kms = boto("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/atlas-cmk", TargetKeyId=key)

    aliases = await account.list_aliases("us-east-1")
    assert [(a.name, a.target_key_id) for a in aliases] == [("alias/atlas-cmk", key)]
    everything = await account.list_aliases("us-east-1", include_aws_managed=True)
    assert any(a.name.startswith("alias/aws/") for a in everything)
    assert [a.name for a in await account.list_aliases("us-east-1", key)] == ["alias/atlas-cmk"]


async def test_get_key_policy_reads_the_default_policy(account, boto):
    kms = boto("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/atlas-cmk", TargetKeyId=key["KeyId"])
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/atlas-kms"

    for reference in (key["KeyId"], key["Arn"], "alias/atlas-cmk"):
        policy = await account.get_key_policy(reference, "us-east-1")
        assert diagnose_key_policy(policy, role_arn, key["Arn"]) == []
    restricted = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/admin"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=json.dumps(restricted))
    problems = diagnose_key_policy(await account.get_key_policy(key["Arn"], "us-east-1"), role_arn, key["Arn"])
    assert [p.code for p in problems] == ["kms-actions-missing"]


# -- IAM ------------------------------------------------------------------------------------------


async def test_missing_role_is_none(account):
    assert await account.get_role("atlas-kms") is None


async def test_create_then_read_a_role_with_a_path(account):
    created = await account.create_role("atlas-kms", trust_policy(PRINCIPAL, EXTERNAL_ID), path="/service-role/")
    assert created.arn == f"arn:aws:iam::{ACCOUNT}:role/service-role/atlas-kms"
    role = await account.get_role(created.arn)
    assert (role.name, role.path, role.account_id, role.inline_policy_names) == (
        "atlas-kms",
        "/service-role/",
        ACCOUNT,
        (),
    )
    assert role.ref.arn == created.arn
    assert diagnose_trust_policy(role.trust_policy, PRINCIPAL, EXTERNAL_ID) == []


async def test_creating_an_existing_role_explains_reuse(account):
    await account.create_role("atlas-kms", EC2_TRUST)
    with pytest.raises(AwsError) as caught:
        await account.create_role("atlas-kms", EC2_TRUST)
    assert caught.value.code == "EntityAlreadyExists"
    assert "Reuse it" in caught.value.next_step


async def test_update_trust_policy_with_the_merged_document(account):
    await account.create_role("atlas-kms", EC2_TRUST)
    before = await account.get_role("atlas-kms")
    merged = merge_trust_policy(before.trust_policy, PRINCIPAL, EXTERNAL_ID)
    await account.update_trust_policy("atlas-kms", merged.policy)

    after = await account.get_role("atlas-kms")
    assert after.trust_policy == merged.policy
    assert after.trust_policy["Statement"][0] == EC2_TRUST["Statement"][0]
    assert not merge_trust_policy(after.trust_policy, PRINCIPAL, EXTERNAL_ID).changed


async def test_updating_a_missing_role_is_no_such_entity(account):
    with pytest.raises(AwsError) as caught:
        await account.update_trust_policy("nobody", EC2_TRUST)
    assert caught.value.code == "NoSuchEntity" and caught.value.is_not_found
    assert caught.value.operation == "UpdateAssumeRolePolicy"


async def test_put_and_read_the_inline_kms_policy(account, boto):
    key_arn = boto("kms").create_key()["KeyMetadata"]["Arn"]
    await account.create_role("atlas-kms", trust_policy(PRINCIPAL, EXTERNAL_ID))
    assert diagnose_kms_access(await account.get_role_policies("atlas-kms"), key_arn) != []

    document = kms_access_policy([key_arn])
    await account.put_role_policy("atlas-kms", "MongoDBAtlasKmsAccess", document)

    assert await account.get_role_policies("atlas-kms") == {"MongoDBAtlasKmsAccess": document}
    assert (await account.get_role("atlas-kms")).inline_policy_names == ("MongoDBAtlasKmsAccess",)
    assert diagnose_kms_access(await account.get_role_policies("atlas-kms"), key_arn) == []


async def test_attached_managed_policies_are_read_too(account, boto):
    key_arn = boto("kms").create_key()["KeyMetadata"]["Arn"]
    iam = boto("iam")
    await account.create_role("atlas-kms", EC2_TRUST)
    managed = iam.create_policy(PolicyName="atlas-kms", PolicyDocument=json.dumps(kms_access_policy([key_arn])))
    iam.attach_role_policy(RoleName="atlas-kms", PolicyArn=managed["Policy"]["Arn"])

    attached = await account.get_attached_role_policies("atlas-kms")
    assert list(attached) == [managed["Policy"]["Arn"]]
    assert diagnose_kms_access(attached, key_arn) == []


@pytest.mark.parametrize("name", ["bad name", "x" * 129, ""])
async def test_invalid_policy_names_are_refused_before_calling_aws(account, name):
    with pytest.raises(InputError, match="not a valid IAM policy name"):
        await account.put_role_policy("atlas-kms", name, EC2_TRUST)


# -- enforced permissions -------------------------------------------------------------------------


async def test_access_denied_and_unknown_keys_under_enforced_permissions(moto, boto, monkeypatch):
    iam = boto("iam")
    iam.create_user(UserName="reader")
    iam.put_user_policy(
        UserName="reader",
        PolicyName="identity-only",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}],
            }
        ),
    )
    access_key = iam.create_access_key(UserName="reader")["AccessKey"]
    key_id = boto("kms").create_key()["KeyMetadata"]["KeyId"]
    httpx.post(f"{moto}/moto-api/reset-auth", content=b"0").raise_for_status()
    try:
        with pytest.raises(AwsError) as caught:
            await AwsAccount(region="us-east-1", endpoint_url=moto, max_attempts=1).caller_identity()
        assert caught.value.code == "InvalidClientTokenId"
        assert "AWS_ACCESS_KEY_ID" in caught.value.next_step

        monkeypatch.setenv("AWS_ACCESS_KEY_ID", access_key["AccessKeyId"])
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", access_key["SecretAccessKey"])
        reader = AwsAccount(region="us-east-1", endpoint_url=moto, max_attempts=1)
        assert (await reader.caller_identity())["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/reader"
        with pytest.raises(AwsError) as caught:
            await reader.describe_key(key_id, "us-east-1")
        error = caught.value
        assert error.is_access_denied and error.code == "AccessDeniedException"
        assert "apply the change by hand" in error.next_step
        assert access_key["SecretAccessKey"] not in str(error)
        with pytest.raises(AwsError) as caught:
            await reader.get_role("atlas-kms")
        assert caught.value.code == "AccessDenied" and caught.value.is_access_denied
    finally:
        httpx.post(f"{moto}/moto-api/reset-auth", content=b"inf").raise_for_status()
