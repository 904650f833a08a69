"""What Atlas would find on the AWS side, read from moto and judged the way AWS and Atlas judge it.

`MotoAwsVerifier` answers the Atlas simulator's two questions (can Atlas assume this role now; can it
use this key in this region) with boto3 calls to moto and its own policy evaluation (`aws_policy`),
because moto neither checks trust-policy conditions the way AWS does nor evaluates key policies.
It also simulates what moto cannot: IAM propagation delay and a regional KMS outage.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cmkwizard.sandbox.atlas_sim.enums import AWS_KMS_REGIONS
from cmkwizard.sandbox.atlas_sim.verifier import Refusal
from cmkwizard.sandbox.aws_moto import AwsCredentials, MotoClients
from cmkwizard.sandbox.aws_policy import (
    ALLOW,
    DENY,
    Call,
    Statement,
    account_of,
    applicable,
    parse_document,
    statements,
)
from cmkwizard.sandbox.clock import SandboxClock
from cmkwizard.sandbox.kms_outage import KmsOutages, atlas_region, aws_region

if TYPE_CHECKING:
    from botocore.client import BaseClient

CANNOT_ASSUME_ROLE = "CANNOT_ASSUME_ROLE"
KEY_NOT_FOUND = "AWS_CUSTOMER_MASTER_KEY_NOT_FOUND"
KEY_NOT_ENABLED = "AWS_KMS_CUSTOMER_MASTER_KEY_NOT_ENABLED"
KEY_PENDING_DELETION = "AWS_KMS_CUSTOMER_MASTER_KEY_PENDING_DELETION"
KEY_PENDING_IMPORT = "AWS_KMS_CUSTOMER_MASTER_KEY_PENDING_IMPORT"
NO_PERMISSION = "NO_PERMISSION_TO_ENCRYPT_DECRYPT"
REGION_NOT_SUPPORTED = "AWS_KMS_REGION_NOT_SUPPORTED"
# Atlas documents no code for "the KMS endpoint does not answer". ENCRYPTION_AT_REST_SETTINGS_INVALID
# ("Atlas can't access the current key; the key can't be changed until access is restored") is the
# one that describes the situation and its consequence; NO_PERMISSION_TO_ENCRYPT_DECRYPT or
# INVALID_AWS_CREDENTIALS would send the operator to fix IAM, which is not broken.
KMS_UNREACHABLE = "ENCRYPTION_AT_REST_SETTINGS_INVALID"

KEY_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:DescribeKey")
ASSUME_ROLE = "sts:AssumeRole"
EXTERNAL_ID_KEY = "sts:ExternalId"


@dataclass
class _TrustSighting:
    digest: str
    since: datetime


class MotoAwsVerifier:
    """The Atlas simulator's view of AWS: IAM trust, key state and key permissions in moto."""

    def __init__(
        self,
        endpoint_url: str,
        clock: SandboxClock,
        *,
        credentials: AwsCredentials,
        propagation_seconds: float = 30.0,
        outages: KmsOutages | None = None,
    ) -> None:
        self._credentials = credentials
        self._clients = MotoClients(endpoint_url, credentials)
        self._clock = clock
        self._propagation = timedelta(seconds=propagation_seconds)
        self._lock = threading.Lock()
        self._trust_sightings: dict[str, _TrustSighting] = {}
        self._outages = outages or KmsOutages()

    # -- outage switch -------------------------------------------------------------------------

    def set_region_down(self, region: str, down: bool = True) -> None:
        """Make KMS in a region unreachable (or reachable again). Atlas or AWS region form."""
        self._outages.set_down(region, down)

    @property
    def down_regions(self) -> frozenset[str]:
        return self._outages.regions

    def region_is_down(self, region: str) -> bool:
        return self._outages.is_down(region)

    # -- IAM propagation -----------------------------------------------------------------------

    def settle_trust_policy(self, role_arn: str) -> None:
        """Treat the role's current trust policy as long propagated (a role that predates the sandbox)."""
        role = self._find_role(role_arn)
        if role is None:
            raise ValueError(f"IAM role {role_arn} does not exist in the sandbox account")
        with self._lock:
            self._trust_sightings[role_arn] = _TrustSighting(
                _digest(role["AssumeRolePolicyDocument"]), self._clock.now() - self._propagation
            )

    def _trust_policy_age(self, role_arn: str, document: Mapping[str, Any]) -> timedelta:
        """Simulated time since this trust-policy document was first seen on the role."""
        digest = _digest(document)
        now = self._clock.now()
        with self._lock:
            sighting = self._trust_sightings.get(role_arn)
            if sighting is None or sighting.digest != digest:
                sighting = self._trust_sightings[role_arn] = _TrustSighting(digest, now)
        return now - sighting.since

    # -- AwsVerifier ---------------------------------------------------------------------------

    def check_assume_role(self, role_arn: str, atlas_principal_arn: str, external_id: str) -> None:
        if _role_name(role_arn) is None:
            raise _cannot_assume(
                role_arn, f"{role_arn!r} is not an IAM role ARN; expected arn:aws:iam::<account>:role/<name>."
            )
        role = self._find_role(role_arn)
        if role is None:
            raise _cannot_assume(
                role_arn,
                f"the IAM role {role_arn} does not exist in AWS account {self._credentials.account_id}. "
                "Create it, or give the ARN of an existing role.",
            )
        trust = parse_document(role["AssumeRolePolicyDocument"])
        _judge_trust_policy(role_arn, trust, atlas_principal_arn, external_id)
        age = self._trust_policy_age(role_arn, trust)
        if age < self._propagation:
            raise _cannot_assume(
                role_arn,
                f"the trust policy of {role_arn} is correct but changed {age.total_seconds():.0f} s ago; "
                "IAM changes take a while to propagate, so this is likely propagation delay. Retry in a few seconds.",
            )

    def check_key_access(self, role_arn: str, key_id: str, region: str) -> None:
        region_name = aws_region(region)
        if atlas_region(region) not in AWS_KMS_REGIONS:
            raise Refusal(
                400,
                REGION_NOT_SUPPORTED,
                f"{region} is not a region where Atlas can use AWS KMS. "
                "Expected an AWS region in Atlas form, such as US_EAST_1.",
                [region],
            )
        _check_arn_region(key_id, region_name, region)
        if self.region_is_down(region_name):
            raise Refusal(
                400,
                KMS_UNREACHABLE,
                f"The AWS KMS endpoint in {region_name} is unreachable, so Atlas cannot use key {key_id}. "
                "Encryption settings cannot change until the region recovers; to move on, point Atlas to a "
                "replica of a multi-Region key in a healthy region.",
                [key_id, region],
            )
        key = self._describe_key(key_id, region_name, region)
        _check_key_state(key, key_id)
        role = self._find_role(role_arn)
        if role is None:
            raise _cannot_assume(role_arn, f"the IAM role {role_arn} no longer exists, so Atlas cannot use the key.")
        key_policy = self._key_policy(key["Arn"], region_name)
        identity_policies = self._identity_policies(role["RoleName"])
        _check_permissions(role_arn, key["Arn"], key_policy, identity_policies)

    # -- reading moto ----------------------------------------------------------------------------

    def _client(self, service: str, region: str = "us-east-1") -> BaseClient:
        return self._clients.get(service, region)

    def _find_role(self, role_arn: str) -> dict[str, Any] | None:
        name = _role_name(role_arn)
        if name is None or account_of(role_arn) != self._credentials.account_id:
            return None
        try:
            role = self._client("iam").get_role(RoleName=name)["Role"]
        except ClientError as err:
            if _error_code(err) == "NoSuchEntity":
                return None
            raise
        return role if role["Arn"] == role_arn else None

    def _describe_key(self, key_id: str, region_name: str, region: str) -> dict[str, Any]:
        try:
            key = self._client("kms", region_name).describe_key(KeyId=key_id)["KeyMetadata"]
        except ClientError as err:
            if _error_code(err) in {"NotFoundException", "InvalidArnException", "ValidationException"}:
                key = None
            else:
                raise
        if key is None or (key_id.startswith("arn:") and account_of(key_id) != key["AWSAccountId"]):
            raise Refusal(
                404,  # Atlas documents this code with 404
                KEY_NOT_FOUND,
                f"There is no KMS key {key_id} in {region_name} (account {self._credentials.account_id}). "
                f"Check the key id, ARN or alias, and that the key lives in {region}.",
                [key_id],
            )
        return key

    def _key_policy(self, key_arn: str, region_name: str) -> Mapping[str, Any]:
        response = self._client("kms", region_name).get_key_policy(KeyId=key_arn, PolicyName="default")
        return parse_document(response["Policy"])

    def _identity_policies(self, role_name: str) -> list[Mapping[str, Any]]:
        iam = self._client("iam")
        documents = []
        for page in iam.get_paginator("list_role_policies").paginate(RoleName=role_name):
            for policy_name in page["PolicyNames"]:
                document = iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]
                documents.append(parse_document(document))
        for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name):
            for attached in page["AttachedPolicies"]:
                version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
                document = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)
                documents.append(parse_document(document["PolicyVersion"]["Document"]))
        return documents


# -- judging ---------------------------------------------------------------------------------------


def _judge_trust_policy(role_arn: str, trust: Mapping[str, Any], principal: str, external_id: str) -> None:
    context = {EXTERNAL_ID_KEY: external_id, "aws:PrincipalArn": principal}
    call = Call(ASSUME_ROLE, principal=principal, context=context)
    denies = applicable([trust], call, DENY)
    if denies:
        raise _cannot_assume(
            role_arn, f"the trust policy of {role_arn} denies sts:AssumeRole to {principal} ({denies[0].label()})."
        )
    candidates = [
        s
        for s in statements(trust)
        if s.effect == ALLOW and s.covers_action(ASSUME_ROLE) and s.principal_match(principal) is not None
    ]
    expected = (
        f'expected a statement {{"Effect": "Allow", "Principal": {{"AWS": "{principal}"}}, '
        f'"Action": "sts:AssumeRole", "Condition": {{"StringEquals": {{"sts:ExternalId": "{external_id}"}}}}}}'
    )
    if not candidates:
        raise _cannot_assume(
            role_arn,
            f"the trust policy of {role_arn} does not allow sts:AssumeRole for the Atlas principal {principal}; "
            f"{expected}.",
        )
    if any(s.conditions_hold(call) and _requires_external_id(s) for s in candidates):
        return
    holding = [s for s in candidates if s.conditions_hold(call)]
    if holding:
        raise _cannot_assume(
            role_arn,
            f"the trust policy of {role_arn} lets {principal} assume the role without an sts:ExternalId condition. "
            "AWS would allow that, but Atlas refuses it: without the external id any Atlas customer could make "
            f"Atlas act on this role (the confused-deputy problem). Add the condition; {expected}.",
        )
    wrong_ids = sorted({v for s in candidates for v in s.condition_values("StringEquals", EXTERNAL_ID_KEY) or ()})
    if wrong_ids and external_id not in wrong_ids:
        raise _cannot_assume(
            role_arn,
            f"the trust policy of {role_arn} requires sts:ExternalId {', '.join(wrong_ids)}, but this project's "
            f"Atlas role uses the external id {external_id}. Update the condition; {expected}.",
        )
    raise _cannot_assume(
        role_arn,
        f"the conditions of the trust-policy statements for {principal} are not met when Atlas assumes "
        f"{role_arn} with external id {external_id}; {expected}.",
    )


def _requires_external_id(statement: Statement) -> bool:
    return statement.condition_values("StringEquals", EXTERNAL_ID_KEY) is not None


def _check_arn_region(key_id: str, region_name: str, region: str) -> None:
    """A key ARN names its region; Atlas looks for the key only in the configured one."""
    parts = key_id.split(":")
    arn_region = parts[3] if key_id.startswith("arn:") and len(parts) > 3 else ""
    if arn_region and arn_region != region_name:
        raise Refusal(
            404,
            KEY_NOT_FOUND,
            f"The key ARN {key_id} is in {arn_region}, but the configuration says {region}. "
            f"Set the region to {atlas_region(arn_region)} or choose a key in {region}.",
            [key_id],
        )


def _check_key_state(key: Mapping[str, Any], key_id: str) -> None:
    state = key.get("KeyState")
    arn = key["Arn"]
    if state in {"PendingDeletion", "PendingReplicaDeletion"}:
        raise Refusal(
            400,
            KEY_PENDING_DELETION,
            f"KMS key {arn} is scheduled for deletion. Cancel the deletion (kms cancel-key-deletion) and enable it, "
            "or choose another key.",
            [key_id],
        )
    if state == "PendingImport":
        raise Refusal(
            400,
            KEY_PENDING_IMPORT,
            f"KMS key {arn} has no key material yet (Origin EXTERNAL). Import the key material or choose another key.",
            [key_id],
        )
    if state != "Enabled" or not key.get("Enabled", False):
        raise Refusal(
            400,
            KEY_NOT_ENABLED,
            f"KMS key {arn} is {state or 'not enabled'}. Enable it (kms enable-key) or choose an enabled key.",
            [key_id],
        )
    spec = key.get("KeySpec", "SYMMETRIC_DEFAULT")
    usage = key.get("KeyUsage", "ENCRYPT_DECRYPT")
    if spec != "SYMMETRIC_DEFAULT" or usage != "ENCRYPT_DECRYPT":
        raise Refusal(
            400,
            NO_PERMISSION,
            f"KMS key {arn} has KeySpec {spec} and KeyUsage {usage}, but Atlas encrypts only with symmetric "
            "keys (KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT). Choose or create such a key.",
            [key_id],
        )


def _check_permissions(
    role_arn: str, key_arn: str, key_policy: Mapping[str, Any], identity_policies: Sequence[Mapping[str, Any]]
) -> None:
    account = account_of(key_arn)
    denied: list[str] = []
    missing_in_key_policy: list[str] = []
    missing_in_iam: list[str] = []
    for action in KEY_ACTIONS:
        call = Call(action, resource=key_arn, principal=role_arn, context={"aws:PrincipalArn": role_arn})
        denies = applicable([key_policy], call, DENY) + applicable(identity_policies, call, DENY)
        key_allows = applicable([key_policy], call, ALLOW)
        if denies:
            denied.append(f"{action} (denied by {denies[0].label()})")
        elif any(s.principal_match(role_arn) == "exact" for s in key_allows):
            continue  # the key policy grants the role directly; IAM policies are not needed
        elif not key_allows:
            missing_in_key_policy.append(action)
        elif not applicable(identity_policies, call, ALLOW):
            missing_in_iam.append(action)
    problems = []
    if denied:
        problems.append("explicitly denied: " + ", ".join(denied) + ". Remove or narrow the Deny statement")
    if missing_in_key_policy:
        problems.append(
            f"the key policy allows {', '.join(missing_in_key_policy)} neither to the role nor to account {account} "
            f"(arn:aws:iam::{account}:root, which lets IAM policies grant it). Add one of them to the key policy"
        )
    if missing_in_iam:
        actions = json.dumps(list(KEY_ACTIONS))
        problems.append(
            f"no IAM policy of the role allows {', '.join(missing_in_iam)} on the key. Add to the role, for example, "
            f'{{"Effect": "Allow", "Action": {actions}, "Resource": "{key_arn}"}}'
        )
    if problems:
        raise Refusal(
            400,
            NO_PERMISSION,
            f"The IAM role {role_arn} cannot use KMS key {key_arn}, and Atlas needs kms:Encrypt, kms:Decrypt "
            f"and kms:DescribeKey on it: {'; '.join(problems)}.",
            [role_arn, key_arn],
        )


def _cannot_assume(role_arn: str, detail: str) -> Refusal:
    return Refusal(400, CANNOT_ASSUME_ROLE, f"Atlas cannot assume the IAM role: {detail}", [role_arn])


def _role_name(role_arn: str) -> str | None:
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[5].startswith("role/"):
        return None
    return parts[5].rsplit("/", 1)[-1] or None


def _digest(document: Mapping[str, Any] | str) -> str:
    canonical = json.dumps(parse_document(document), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _error_code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))
