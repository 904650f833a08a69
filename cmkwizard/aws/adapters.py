"""IAM, STS and KMS calls for the wizard.

boto3 is imported on the first call, never at import time, so the first screen appears fast.
Every call runs in a worker thread (``asyncio.to_thread``) and every botocore failure comes back as
an ``AwsError`` that keeps AWS' code and says what it means and what to do next.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from cmkwizard.aws.arns import parse_key_ref, parse_role_ref, validate_role_name, validate_role_path
from cmkwizard.aws.errors import NO_CREDENTIALS, AwsError, InputError
from cmkwizard.aws.regions import to_aws_region
from cmkwizard.aws.resources import (
    AWS_MANAGED_ALIAS_PREFIX,
    ENCRYPT_DECRYPT,
    SYMMETRIC_DEFAULT,
    IamRoleInfo,
    KeyRotation,
    KmsAlias,
    KmsKey,
    decode_policy_document,
    iam_role_from_api,
    kms_key_from_metadata,
)

__all__ = ["AwsAccount", "AwsError", "IamRoleInfo", "KmsAlias", "KmsKey"]

T = TypeVar("T")

DEFAULT_REGION = "us-east-1"
_USER_AGENT = "cmkwizard"
_POLICY_NAME_MAX = 128


class AwsAccount:
    """One AWS identity (a profile, or the default credential chain) and its IAM, STS and KMS clients.

    ``region`` is the default for KMS calls and picks the partition for IAM and STS;
    ``endpoint_url`` overrides every service endpoint (AWS_ENDPOINT_URL is honoured without it).
    """

    def __init__(
        self,
        profile: str | None = None,
        region: str | None = None,
        *,
        endpoint_url: str | None = None,
        max_attempts: int = 3,
        connect_timeout: float = 5.0,
        read_timeout: float = 20.0,
    ) -> None:
        self.profile = profile
        self.region = to_aws_region(region) if region else None
        self.endpoint_url = endpoint_url
        self._max_attempts = max_attempts
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._lock = threading.Lock()
        self._session: Any = None
        self._clients: dict[tuple[str, str], Any] = {}

    def __repr__(self) -> str:
        return f"AwsAccount(profile={self.profile!r}, region={self.region!r}, endpoint_url={self.endpoint_url!r})"

    # -- identity -------------------------------------------------------------------------------

    async def credentials_available(self) -> bool:
        """Whether any credentials can be found (profile, environment, SSO, instance role); never raises."""

        def find() -> bool:
            try:
                return self._boto_session().get_credentials() is not None
            except Exception:  # a broken profile or credential source means "no credentials" here
                return False

        return await asyncio.to_thread(find)

    async def caller_identity(self) -> dict[str, str]:
        """``{"Account", "Arn", "UserId"}`` of the identity in use."""
        response = await self._call("sts", "GetCallerIdentity", lambda sts: sts.get_caller_identity())
        return {key: response[key] for key in ("Account", "Arn", "UserId")}

    # -- KMS ------------------------------------------------------------------------------------

    async def list_keys(self, region: str) -> list[KmsKey]:
        """Customer managed keys in ``region`` with their aliases, sorted by alias then key id.

        Keys whose key policy does not let this identity describe them are left out.
        """
        code = to_aws_region(region)

        def run(kms: Any) -> list[KmsKey]:
            aliases = _aliases_by_key(kms)
            keys = []
            for page in kms.get_paginator("list_keys").paginate():
                for entry in page["Keys"]:
                    metadata = _describe_if_allowed(kms, entry["KeyId"])
                    if metadata is None:
                        continue
                    key = kms_key_from_metadata(metadata, tuple(aliases.get(metadata["KeyId"], ())))
                    if key.key_manager == "CUSTOMER":
                        keys.append(key)
            return sorted(keys, key=lambda k: (not k.aliases, k.aliases[:1], k.key_id))

        return await self._call("kms", "ListKeys", run, code)

    async def describe_key(self, key_ref: str, region: str) -> KmsKey:
        """The key named by an id, ARN, alias or alias ARN; an ARN must be in ``region``."""
        ref = parse_key_ref(key_ref, region)
        code = ref.region or to_aws_region(region)

        def run(kms: Any) -> KmsKey:
            metadata = kms.describe_key(KeyId=ref.api_identifier)["KeyMetadata"]
            pages = kms.get_paginator("list_aliases").paginate(KeyId=metadata["KeyId"])
            aliases = tuple(a["AliasName"] for page in pages for a in page["Aliases"])
            return kms_key_from_metadata(metadata, aliases)

        return await self._call("kms", "DescribeKey", run, code)

    async def key_rotation_status(self, key_ref: str, region: str) -> KeyRotation:
        """Whether KMS rotates the key automatically, and when next (``GetKeyRotationStatus``)."""
        ref = parse_key_ref(key_ref, region)
        code = ref.region or to_aws_region(region)

        def run(kms: Any) -> KeyRotation:
            answer = kms.get_key_rotation_status(KeyId=ref.arn or ref.api_identifier)
            return KeyRotation(
                bool(answer.get("KeyRotationEnabled")),
                answer.get("RotationPeriodInDays"),
                answer.get("NextRotationDate"),
            )

        return await self._call("kms", "GetKeyRotationStatus", run, code)

    async def create_key(self, region: str, description: str) -> KmsKey:
        """A new customer managed symmetric encryption key in ``region`` (``CreateKey``)."""
        code = to_aws_region(region)

        def run(kms: Any) -> KmsKey:
            metadata = kms.create_key(Description=description, KeySpec=SYMMETRIC_DEFAULT, KeyUsage=ENCRYPT_DECRYPT)[
                "KeyMetadata"
            ]
            return kms_key_from_metadata(metadata, ())

        return await self._call("kms", "CreateKey", run, code)

    async def list_aliases(
        self, region: str, key_id: str | None = None, *, include_aws_managed: bool = False
    ) -> list[KmsAlias]:
        """Aliases in ``region`` (of one key when ``key_id`` is given), without alias/aws/* by default."""
        code = to_aws_region(region)

        def run(kms: Any) -> list[KmsAlias]:
            arguments = {"KeyId": key_id} if key_id else {}
            pages = kms.get_paginator("list_aliases").paginate(**arguments)
            return [
                KmsAlias(a["AliasName"], a["AliasArn"], a.get("TargetKeyId"))
                for page in pages
                for a in page["Aliases"]
                if include_aws_managed or not a["AliasName"].startswith(AWS_MANAGED_ALIAS_PREFIX)
            ]

        return await self._call("kms", "ListAliases", run, code)

    async def get_key_policy(self, key: str, region: str) -> dict[str, Any]:
        """The key's policy (the "default" policy, the only one KMS has)."""
        ref = parse_key_ref(key, region)
        code = ref.region or to_aws_region(region)

        def run(kms: Any) -> dict[str, Any]:
            key_id = ref.arn if ref.kind == "key-arn" else ref.key_id
            if key_id is None:  # GetKeyPolicy takes no alias: resolve it first
                key_id = kms.describe_key(KeyId=ref.api_identifier)["KeyMetadata"]["Arn"]
            return json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])

        return await self._call("kms", "GetKeyPolicy", run, code)

    # -- IAM ------------------------------------------------------------------------------------

    async def get_role(self, role_name: str) -> IamRoleInfo | None:
        """The role (by name or ARN) with its trust policy and inline policy names; None if absent."""
        name = _role_name(role_name)

        def run(iam: Any) -> IamRoleInfo | None:
            try:
                role = iam.get_role(RoleName=name)["Role"]
            except iam.exceptions.NoSuchEntityException:
                return None
            return iam_role_from_api(role, _inline_policy_names(iam, name))

        return await self._call("iam", "GetRole", run)

    async def create_role(
        self,
        role_name: str,
        trust_policy: Mapping[str, Any],
        *,
        path: str = "/",
        description: str | None = None,
    ) -> IamRoleInfo:
        name = validate_role_name(role_name)
        arguments: dict[str, Any] = {
            "RoleName": name,
            "Path": validate_role_path(path),
            "AssumeRolePolicyDocument": json.dumps(trust_policy),
        }
        if description:
            arguments["Description"] = description
        role = await self._call("iam", "CreateRole", lambda iam: iam.create_role(**arguments)["Role"])
        return iam_role_from_api(role, ())

    async def update_trust_policy(self, role_name: str, trust_policy: Mapping[str, Any]) -> None:
        name = _role_name(role_name)
        document = json.dumps(trust_policy)
        await self._call(
            "iam",
            "UpdateAssumeRolePolicy",
            lambda iam: iam.update_assume_role_policy(RoleName=name, PolicyDocument=document),
        )

    async def put_role_policy(self, role_name: str, policy_name: str, document: Mapping[str, Any]) -> None:
        name = _role_name(role_name)
        policy = _policy_name(policy_name)
        text = json.dumps(document)
        await self._call(
            "iam",
            "PutRolePolicy",
            lambda iam: iam.put_role_policy(RoleName=name, PolicyName=policy, PolicyDocument=text),
        )

    async def get_role_policies(self, role_name: str) -> dict[str, dict[str, Any]]:
        """Inline policy name -> document."""
        name = _role_name(role_name)

        def run(iam: Any) -> dict[str, dict[str, Any]]:
            return {
                policy: decode_policy_document(iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"])
                for policy in _inline_policy_names(iam, name)
            }

        return await self._call("iam", "GetRolePolicy", run)

    async def get_attached_role_policies(self, role_name: str) -> dict[str, dict[str, Any]]:
        """Managed policy ARN -> its default version's document (these grant permissions too)."""
        name = _role_name(role_name)

        def run(iam: Any) -> dict[str, dict[str, Any]]:
            documents = {}
            for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=name):
                for attached in page["AttachedPolicies"]:
                    arn = attached["PolicyArn"]
                    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
                    body = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]
                    documents[arn] = decode_policy_document(body["Document"])
            return documents

        return await self._call("iam", "ListAttachedRolePolicies", run)

    # -- plumbing -------------------------------------------------------------------------------

    async def _call(self, service: str, operation: str, action: Callable[[Any], T], region: str | None = None) -> T:
        def run() -> T:
            return action(self._client(service, region))

        try:
            return await asyncio.to_thread(run)
        except Exception as exc:
            error = _aws_error(exc, operation, service)
            if error is None:
                raise
            raise error from exc

    def _boto_session(self) -> Any:
        with self._lock:
            if self._session is None:
                import boto3

                self._session = boto3.session.Session(profile_name=self.profile, region_name=self.region)
            return self._session

    def _client(self, service: str, region: str | None) -> Any:
        session = self._boto_session()
        name = region or self.region or session.region_name or DEFAULT_REGION
        with self._lock:
            if (service, name) not in self._clients:
                from botocore.config import Config

                config = Config(
                    connect_timeout=self._connect_timeout,
                    read_timeout=self._read_timeout,
                    retries={"mode": "standard", "max_attempts": self._max_attempts},
                    user_agent_extra=_USER_AGENT,
                )
                self._clients[(service, name)] = session.client(
                    service, region_name=name, endpoint_url=self.endpoint_url, config=config
                )
            return self._clients[(service, name)]


def _role_name(role: str) -> str:
    """A role name, or the name inside a role ARN."""
    text = role.strip()
    return parse_role_ref(text).name if text.startswith("arn:") else validate_role_name(text)


def _policy_name(name: str) -> str:
    if (
        not name
        or len(name) > _POLICY_NAME_MAX
        or not all(c.isascii() and (c.isalnum() or c in "+=,.@_-") for c in name)
    ):
        raise InputError(
            f"'{name}' is not a valid IAM policy name: 1-{_POLICY_NAME_MAX} characters of letters, "
            "digits and + = , . @ _ -."
        )
    return name


def _inline_policy_names(iam: Any, role_name: str) -> tuple[str, ...]:
    pages = iam.get_paginator("list_role_policies").paginate(RoleName=role_name)
    return tuple(name for page in pages for name in page["PolicyNames"])


def _aliases_by_key(kms: Any) -> dict[str, list[str]]:
    aliases: dict[str, list[str]] = {}
    for page in kms.get_paginator("list_aliases").paginate():
        for alias in page["Aliases"]:
            if alias.get("TargetKeyId"):
                aliases.setdefault(alias["TargetKeyId"], []).append(alias["AliasName"])
    return aliases


def _describe_if_allowed(kms: Any, key_id: str) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError

    try:
        return kms.describe_key(KeyId=key_id)["KeyMetadata"]
    except ClientError as exc:
        if _error_code(exc, "kms") in ("AccessDeniedException", "AccessDenied"):
            return None
        raise


def _error_code(exc: Any, service: str) -> str:
    error = exc.response.get("Error", {})
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = str(error.get("Code") or status or "Unknown")
    if code == "403":
        # moto answers a KMS AccessDenied with an XML 403 body, which botocore reads as code "403".
        return "AccessDeniedException" if service == "kms" else "AccessDenied"
    return code


def _aws_error(exc: BaseException, operation: str, service: str) -> AwsError | None:
    """The ``AwsError`` for a botocore failure; None for anything else (a bug, not an AWS answer)."""
    from botocore import exceptions as bx
    from botocore.parsers import ResponseParserError

    if isinstance(exc, bx.ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = _error_code(exc, service)
        if code.isdigit() and code.startswith("5"):
            code = "ServiceError"
        return AwsError(code, str(error.get("Message") or exc), operation, http_status=status)
    if isinstance(exc, (bx.NoCredentialsError, bx.PartialCredentialsError)):
        return AwsError(NO_CREDENTIALS, str(exc), operation)
    if isinstance(exc, bx.ProfileNotFound):
        return AwsError("ProfileNotFound", str(exc), operation)
    if isinstance(exc, (bx.TokenRetrievalError, bx.SSOError)):
        return AwsError("ExpiredToken", str(exc), operation)
    if isinstance(exc, (bx.ConnectionError, bx.HTTPClientError)):
        return AwsError("EndpointConnectionError", str(exc), operation)
    if isinstance(exc, bx.ParamValidationError):
        return AwsError("InvalidParameter", str(exc), operation)
    if isinstance(exc, ResponseParserError):
        return AwsError("ServiceError", "AWS sent a response that could not be read.", operation)
    if isinstance(exc, bx.BotoCoreError):
        return AwsError(type(exc).__name__, str(exc), operation)
    return None
