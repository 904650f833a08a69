"""moto as the sandbox runs it: an account of its own per server, and AWS behaviour where moto 5 differs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cmkwizard.sandbox.aws_moto import MotoServer


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    server = MotoServer()
    server.start()
    yield server
    server.stop()


def test_multi_region_key_decrypts_in_its_own_and_its_replica_region(moto: MotoServer) -> None:
    primary = moto.client("kms", "us-east-1")
    key_id = primary.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    primary.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")
    blob = primary.encrypt(KeyId=key_id, Plaintext=b"data key")["CiphertextBlob"]

    assert primary.decrypt(CiphertextBlob=blob)["Plaintext"] == b"data key"
    replica = moto.client("kms", "eu-west-1").decrypt(CiphertextBlob=blob)
    assert replica["Plaintext"] == b"data key" and ":eu-west-1:" in replica["KeyId"]


def test_single_region_keys_still_decrypt(moto: MotoServer) -> None:
    kms = moto.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]

    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_describing_a_replica_leaves_the_primary_primary(moto: MotoServer) -> None:
    key_id = moto.client("kms").create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    moto.client("kms").replicate_key(KeyId=key_id, ReplicaRegion="ap-south-1")

    replica = moto.client("kms", "ap-south-1").describe_key(KeyId=key_id)["KeyMetadata"]
    primary = moto.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]

    assert replica["MultiRegionConfiguration"]["MultiRegionKeyType"] == "REPLICA"
    assert primary["MultiRegionConfiguration"]["MultiRegionKeyType"] == "PRIMARY"
    assert [r["Region"] for r in primary["MultiRegionConfiguration"]["ReplicaKeys"]] == ["ap-south-1"]


def test_aliases_belong_to_one_region(moto: MotoServer) -> None:
    kms = moto.client("kms")
    key_id = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/regional", TargetKeyId=key_id)
    kms.replicate_key(KeyId=key_id, ReplicaRegion="us-east-2")
    replica_region = moto.client("kms", "us-east-2")

    assert [a["AliasName"] for a in replica_region.list_aliases(KeyId=key_id)["Aliases"]] == []
    replica_region.create_alias(AliasName="alias/regional", TargetKeyId=key_id)
    assert ":us-east-2:" in replica_region.describe_key(KeyId="alias/regional")["KeyMetadata"]["Arn"]


def test_key_metadata_has_the_fields_aws_always_returns(moto: MotoServer) -> None:
    kms = moto.client("kms")
    plain = kms.create_key()["KeyMetadata"]
    external = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]

    assert plain["MultiRegion"] is False and plain["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert external["KeyState"] == "PendingImport" and external["Enabled"] is False


def test_each_server_has_an_account_of_its_own(moto: MotoServer) -> None:
    other = MotoServer()
    other.start()
    try:
        moto.client("kms").create_alias(
            AliasName="alias/only-here", TargetKeyId=moto.client("kms").create_key()["KeyMetadata"]["KeyId"]
        )
        accounts = [s.credentials.account_id for s in (moto, other)]
        identities = [s.client("sts").get_caller_identity() for s in (moto, other)]
        other_aliases = [a["AliasName"] for a in other.client("kms").list_aliases()["Aliases"]]
    finally:
        other.stop()

    assert [i["Account"] for i in identities] == accounts
    assert accounts[0] != accounts[1]
    assert identities[0]["Arn"].endswith(":user/sandbox-operator")
    assert "alias/only-here" not in other_aliases
