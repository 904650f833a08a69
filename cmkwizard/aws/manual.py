"""Console steps and AWS CLI commands for applying the wizard's documents by hand.

Used when the wizard has no AWS credentials, or the operator prefers to make changes themselves.
Commands read the documents from files the wizard saves (``file://trust.json``) and are quoted for
a POSIX shell.
"""

from __future__ import annotations

import shlex

from cmkwizard.aws.regions import PARTITION_CHINA, PARTITION_GOVCLOUD, to_aws_region

TRUST_POLICY_FILE = "trust.json"
KMS_POLICY_FILE = "kms-access.json"
KEY_POLICY_FILE = "key-policy.json"
KMS_POLICY_NAME = "MongoDBAtlasKmsAccess"

_CONSOLE_HOSTS = {
    PARTITION_CHINA: "https://console.amazonaws.cn",
    PARTITION_GOVCLOUD: "https://console.amazonaws-us-gov.com",
}


def console_steps_trust_policy(role_name: str, *, partition: str = "aws", file: str = TRUST_POLICY_FILE) -> list[str]:
    """Steps in the IAM console to put the trust policy on the role (or create the role with it)."""
    return [
        f"Open {_iam_role_url(role_name, partition, 'trust_relationships')}",
        f"If the role {role_name} does not exist: Roles > Create role > Custom trust policy, paste "
        f"the trust policy ({file}), Next, skip permissions, name it {role_name}, Create role. Done.",
        "Otherwise, on the Trust relationships tab choose Edit trust policy.",
        f"Replace the whole document with the trust policy shown ({file}) and choose Update policy.",
    ]


def console_steps_kms_policy(
    role_name: str, policy_name: str = KMS_POLICY_NAME, *, partition: str = "aws", file: str = KMS_POLICY_FILE
) -> list[str]:
    """Steps in the IAM console to give the role the KMS access policy as an inline policy."""
    return [
        f"Open {_iam_role_url(role_name, partition, 'permissions')}",
        "Choose Add permissions > Create inline policy, then the JSON editor.",
        f"Replace the whole document with the KMS access policy shown ({file}) and choose Next.",
        f"Name the policy {policy_name} and choose Create policy (if a policy of that name exists, edit it instead).",
    ]


def console_steps_key_policy(
    key_id: str, region: str, *, partition: str = "aws", file: str = KEY_POLICY_FILE
) -> list[str]:
    """Steps in the KMS console to add the Atlas role's statement to a key policy (needed for a key
    in another account, and in each region of a multi-Region key)."""
    code = to_aws_region(region)
    host = _CONSOLE_HOSTS.get(partition, "https://console.aws.amazon.com")
    return [
        f"Open {host}/kms/home?region={code}#/kms/keys/{key_id}",
        "On the Key policy tab choose Edit (switch to policy view if needed).",
        f'Add the statement shown ({file}) to the "Statement" list, keeping every other statement, '
        "and choose Save changes.",
    ]


def cli_create_role(
    role_name: str, *, path: str = "/", file: str = TRUST_POLICY_FILE, profile: str | None = None
) -> str:
    return _aws(
        "iam",
        "create-role",
        "--role-name",
        role_name,
        "--path",
        path,
        "--assume-role-policy-document",
        f"file://{file}",
        profile=profile,
    )


def cli_get_trust_policy(role_name: str, *, profile: str | None = None) -> str:
    return _aws(
        "iam",
        "get-role",
        "--role-name",
        role_name,
        "--query",
        "Role.AssumeRolePolicyDocument",
        "--output",
        "json",
        profile=profile,
    )


def cli_update_trust_policy(role_name: str, *, file: str = TRUST_POLICY_FILE, profile: str | None = None) -> str:
    return _aws(
        "iam",
        "update-assume-role-policy",
        "--role-name",
        role_name,
        "--policy-document",
        f"file://{file}",
        profile=profile,
    )


def cli_put_role_policy(
    role_name: str,
    policy_name: str = KMS_POLICY_NAME,
    *,
    file: str = KMS_POLICY_FILE,
    profile: str | None = None,
) -> str:
    return _aws(
        "iam",
        "put-role-policy",
        "--role-name",
        role_name,
        "--policy-name",
        policy_name,
        "--policy-document",
        f"file://{file}",
        profile=profile,
    )


def cli_get_key_policy(key_id: str, region: str, *, profile: str | None = None) -> str:
    return _aws(
        "kms",
        "get-key-policy",
        "--key-id",
        key_id,
        "--policy-name",
        "default",
        "--region",
        to_aws_region(region),
        "--query",
        "Policy",
        "--output",
        "text",
        profile=profile,
    )


def cli_put_key_policy(key_id: str, region: str, *, file: str = KEY_POLICY_FILE, profile: str | None = None) -> str:
    return _aws(
        "kms",
        "put-key-policy",
        "--key-id",
        key_id,
        "--policy-name",
        "default",
        "--policy",
        f"file://{file}",
        "--region",
        to_aws_region(region),
        profile=profile,
    )


def _aws(*arguments: str, profile: str | None) -> str:
    words = ["aws", *arguments, *(("--profile", profile) if profile else ())]
    return " ".join(shlex.quote(word) for word in words)


def _iam_role_url(role_name: str, partition: str, section: str) -> str:
    host = _CONSOLE_HOSTS.get(partition, "https://console.aws.amazon.com")
    return f"{host}/iam/home#/roles/details/{role_name}?section={section}"
