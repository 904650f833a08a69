"""The copy/paste fallback (console steps, AWS CLI commands) and how AWS errors are explained."""

from __future__ import annotations

import shlex

import pytest

from cmkwizard.aws.errors import AwsError
from cmkwizard.aws.manual import (
    cli_create_role,
    cli_get_key_policy,
    cli_get_trust_policy,
    cli_put_key_policy,
    cli_put_role_policy,
    cli_update_trust_policy,
    console_steps_key_policy,
    console_steps_kms_policy,
    console_steps_trust_policy,
)


def test_cli_commands_for_the_role():
    assert cli_update_trust_policy("atlas-kms") == (
        "aws iam update-assume-role-policy --role-name atlas-kms --policy-document file://trust.json"
    )
    assert cli_put_role_policy("atlas-kms") == (
        "aws iam put-role-policy --role-name atlas-kms --policy-name MongoDBAtlasKmsAccess "
        "--policy-document file://kms-access.json"
    )
    assert cli_create_role("atlas-kms", path="/service-role/", profile="prod") == (
        "aws iam create-role --role-name atlas-kms --path /service-role/ "
        "--assume-role-policy-document file://trust.json --profile prod"
    )
    assert cli_get_trust_policy("atlas-kms") == (
        "aws iam get-role --role-name atlas-kms --query Role.AssumeRolePolicyDocument --output json"
    )


def test_cli_commands_for_the_key_use_the_aws_region_form():
    assert cli_get_key_policy("mrk-1", "EU_WEST_1") == (
        "aws kms get-key-policy --key-id mrk-1 --policy-name default --region eu-west-1 --query Policy --output text"
    )
    assert cli_put_key_policy("mrk-1", "eu_west_1", file="replica policy.json") == (
        "aws kms put-key-policy --key-id mrk-1 --policy-name default --policy 'file://replica policy.json' "
        "--region eu-west-1"
    )


def test_commands_are_safe_to_paste_into_a_shell():
    command = cli_put_role_policy("atlas-kms", file="it's.json")
    assert shlex.split(command)[-1] == "file://it's.json"


def test_console_steps_point_at_the_role_and_the_documents():
    trust = console_steps_trust_policy("atlas-kms")
    assert (
        trust[0] == "Open https://console.aws.amazon.com/iam/home#/roles/details/atlas-kms?section=trust_relationships"
    )
    assert any("Edit trust policy" in step for step in trust)
    assert any("trust.json" in step for step in trust)
    kms = console_steps_kms_policy("atlas-kms", partition="aws-cn")
    assert kms[0].startswith("Open https://console.amazonaws.cn/iam/home#/roles/details/atlas-kms?section=permissions")
    assert any("MongoDBAtlasKmsAccess" in step for step in kms)
    key = console_steps_key_policy("mrk-1", "US_GOV_WEST_1", partition="aws-us-gov")
    assert key[0] == "Open https://console.amazonaws-us-gov.com/kms/home?region=us-gov-west-1#/kms/keys/mrk-1"


@pytest.mark.parametrize(
    ("code", "meaning", "next_step"),
    [
        ("AccessDenied", "not allowed", "apply the change by hand"),
        ("AccessDeniedException", "not allowed", "apply the change by hand"),
        ("NoSuchEntity", "does not exist", "right account"),
        ("NotFoundException", "does not exist in this account and region", "KMS keys are regional"),
        ("DisabledException", "disabled", "aws kms enable-key"),
        ("KMSInvalidStateException", "pending deletion", "aws kms cancel-key-deletion"),
        (
            "MalformedPolicyDocument",
            "refused the policy document",
            "statements kept from the existing policy",
        ),
        ("InvalidClientTokenId", "access key id", "AWS_ACCESS_KEY_ID"),
        ("ExpiredToken", "expired", "aws sso login"),
        ("ExpiredTokenException", "expired", "aws sso login"),
        (
            "NoCredentials",
            "No AWS credentials: the wizard will show the documents and console steps",
            "AWS_PROFILE",
        ),
    ],
)
def test_common_codes_have_a_meaning_and_a_next_step(code, meaning, next_step):
    error = AwsError(code, "message from AWS", "SomeOperation")
    assert error.code == code
    assert meaning in error.meaning
    assert next_step in error.next_step
    assert str(error) == f"SomeOperation: {code}: message from AWS"


def test_an_unknown_code_is_kept_and_still_explained():
    error = AwsError("SomethingNew", "details", "PutKeyPolicy")
    assert "SomethingNew" in error.meaning
    assert error.next_step
