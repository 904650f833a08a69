"""The cloud side of the sandbox scenarios: KMS keys and IAM roles in moto, a key vault in the Azure fake.

Seeding happens in three steps around the Atlas simulator's own seeding:
1. `seed_aws` / `seed_azure` create what every scenario offers the operator (keys to choose from, a vault
   and Atlas' service principal in the tenant);
2. `fixtures_for` tells `seed_scenario` which of those resources the scenario's Atlas project uses;
3. `complete_scenario` creates what depends on Atlas' answer: the IAM role trusting the seeded external
   id, and the approved Key Vault connections of seeded private endpoints.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from cmkwizard.sandbox.atlas_sim.scenarios import CloudFixtures, SeedResult
from cmkwizard.sandbox.aws_moto import MotoServer
from cmkwizard.sandbox.aws_verifier import KEY_ACTIONS, MotoAwsVerifier, atlas_region
from cmkwizard.sandbox.azure_fake import APPROVED, AzureFakeState

AWS_REGION = "us-east-1"
AWS_REPLICA_REGION = "us-west-2"
KEY_ALIAS = "alias/atlas-cmk"
DISABLED_KEY_ALIAS = "alias/atlas-cmk-disabled"
ASYMMETRIC_KEY_ALIAS = "alias/atlas-cmk-rsa"
MULTI_REGION_KEY_ALIAS = "alias/atlas-cmk-multi-region"
ROLE_NAME = "atlas-cmk-access"
ROLE_POLICY_NAME = "atlas-kms-access"

KEY_VAULT_NAME = "cmk-sandbox-kv"
RESOURCE_GROUP = "cmk-sandbox-rg"
AZURE_KEY_NAME = "atlas-cmk"
# Atlas needs to read the key and wrap/unwrap its data keys with it.
ATLAS_KEY_PERMISSIONS = ("get", "wrapKey", "unwrapKey")

_AWS_ENCRYPTED = frozenset({"encrypted-aws", "outage"})
_AZURE_ENCRYPTED = frozenset({"encrypted-azure", "large"})


@dataclass(frozen=True)
class AwsResources:
    account_id: str
    region: str
    key_arn: str
    multi_region_key_arn: str
    replica_key_arn: str

    @property
    def role_arn(self) -> str:
        """Where the encrypted scenarios' IAM role is (or will be) created."""
        return f"arn:aws:iam::{self.account_id}:role/{ROLE_NAME}"


@dataclass(frozen=True)
class AzureResources:
    tenant_id: str
    subscription_id: str
    resource_group: str
    key_vault_name: str
    key_identifier: str
    atlas_service_principal_id: str


def seed_aws(moto: MotoServer) -> AwsResources:
    """Keys in us-east-1 for every case the wizard must tell apart, each with an alias."""
    kms = moto.client("kms", AWS_REGION)

    def key(alias: str, description: str, **options: Any) -> dict[str, Any]:
        metadata = kms.create_key(Description=f"cmkwizard sandbox: {description}", **options)["KeyMetadata"]
        kms.create_alias(AliasName=alias, TargetKeyId=metadata["KeyId"])
        return metadata

    enabled = key(KEY_ALIAS, "enabled symmetric key")
    disabled = key(DISABLED_KEY_ALIAS, "disabled symmetric key")
    kms.disable_key(KeyId=disabled["KeyId"])
    key(
        ASYMMETRIC_KEY_ALIAS, "asymmetric RSA key (Atlas cannot use it)", KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT"
    )
    multi_region = key(MULTI_REGION_KEY_ALIAS, "multi-Region key", MultiRegion=True)
    replica = kms.replicate_key(KeyId=multi_region["KeyId"], ReplicaRegion=AWS_REPLICA_REGION)["ReplicaKeyMetadata"]
    moto.client("kms", AWS_REPLICA_REGION).create_alias(AliasName=MULTI_REGION_KEY_ALIAS, TargetKeyId=replica["KeyId"])
    return AwsResources(
        account_id=moto.credentials.account_id,
        region=AWS_REGION,
        key_arn=enabled["Arn"],
        multi_region_key_arn=multi_region["Arn"],
        replica_key_arn=replica["Arn"],
    )


def seed_azure(state: AzureFakeState, atlas_azure_app_id: str) -> AzureResources:
    """A vault with an RSA key, and Atlas' service principal in the tenant, allowed to use the vault's keys."""
    subscription_id = str(uuid.uuid4())
    state.add_vault(KEY_VAULT_NAME, subscription_id=subscription_id, resource_group=RESOURCE_GROUP)
    version = state.create_key(KEY_VAULT_NAME, AZURE_KEY_NAME, kty="RSA", size=2048)
    atlas = state.add_service_principal(atlas_azure_app_id, display_name="MongoDB Atlas")
    state.grant_key_permissions(atlas.object_id, KEY_VAULT_NAME, ATLAS_KEY_PERMISSIONS)
    return AzureResources(
        tenant_id=state.tenant_id,
        subscription_id=subscription_id,
        resource_group=RESOURCE_GROUP,
        key_vault_name=KEY_VAULT_NAME,
        key_identifier=f"https://{KEY_VAULT_NAME}.vault.azure.net/keys/{AZURE_KEY_NAME}/{version.version}",
        atlas_service_principal_id=atlas.object_id,
    )


def fixtures_for(scenario: str, aws: AwsResources, azure: AzureResources) -> CloudFixtures:
    """The cloud resources the scenario's Atlas project is configured with."""
    uses_multi_region_key = scenario == "outage"
    return CloudFixtures(
        aws_account_id=aws.account_id,
        aws_role_arn=aws.role_arn,
        aws_key_arn=aws.multi_region_key_arn if uses_multi_region_key else aws.key_arn,
        aws_key_region=atlas_region(aws.region),
        aws_replica_key_arn=aws.replica_key_arn if uses_multi_region_key else None,
        azure_tenant_id=azure.tenant_id,
        azure_subscription_id=azure.subscription_id,
        azure_resource_group=azure.resource_group,
        azure_key_vault_name=azure.key_vault_name,
        azure_key_identifier=azure.key_identifier,
        azure_service_principal_id=azure.atlas_service_principal_id,
    )


def complete_scenario(
    seed: SeedResult,
    fixtures: CloudFixtures,
    moto: MotoServer,
    aws_verifier: MotoAwsVerifier,
    azure: AzureFakeState,
) -> None:
    """Create the cloud resources that depend on what Atlas was seeded with."""
    if seed.scenario in _AWS_ENCRYPTED:
        _create_atlas_role(seed, fixtures, moto, aws_verifier)
    legacy = seed.legacy_azure_app
    if legacy is not None and fixtures.azure_key_vault_name:
        app = azure.add_service_principal(
            legacy.client_id,
            tenant_id=legacy.tenant_id,
            secret=legacy.secret,
            secret_expires=legacy.secret_expires,
            display_name="Atlas key access (app registration)",
        )
        azure.grant_key_permissions(app.object_id, fixtures.azure_key_vault_name, ATLAS_KEY_PERMISSIONS)
    if seed.scenario in _AZURE_ENCRYPTED:
        for endpoint in seed.azure_endpoints:
            azure.register_endpoint_connection(endpoint.key_vault_name, endpoint.connection_name, endpoint.region)
            azure.set_endpoint_connection_status(
                endpoint.key_vault_name, endpoint.connection_name, APPROVED, "Approved by the sandbox scenario"
            )


def _create_atlas_role(
    seed: SeedResult, fixtures: CloudFixtures, moto: MotoServer, aws_verifier: MotoAwsVerifier
) -> None:
    """The IAM role the seeded project uses: trusted by Atlas with its external id, allowed to use the key(s)."""
    roles = [r for r in seed.aws_roles if r.iam_role_arn == fixtures.aws_role_arn]
    if len(roles) != 1 or fixtures.aws_role_arn is None:
        raise ValueError(f"scenario {seed.scenario} should seed one Atlas AWS role for {fixtures.aws_role_arn}")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": seed.atlas_aws_principal_arn},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": roles[0].external_id}},
            }
        ],
    }
    keys = [arn for arn in (fixtures.aws_key_arn, fixtures.aws_replica_key_arn) if arn]
    access = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(KEY_ACTIONS), "Resource": keys}],
    }
    iam = moto.client("iam")
    iam.create_role(
        RoleName=ROLE_NAME,
        AssumeRolePolicyDocument=json.dumps(trust),
        Description="Lets MongoDB Atlas use the sandbox's KMS keys for encryption at rest",
    )
    iam.put_role_policy(RoleName=ROLE_NAME, PolicyName=ROLE_POLICY_NAME, PolicyDocument=json.dumps(access))
    # The role predates the scenario's Atlas configuration, so its trust policy has long propagated.
    aws_verifier.settle_trust_policy(fixtures.aws_role_arn)
