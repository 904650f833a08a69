"""Every error the core raises is explained the same way: what happened, its code, its meaning, the next step."""

from __future__ import annotations

import socket

import httpx
import pytest

from cmkwizard.atlas import AtlasApiError, AtlasClient, AtlasConnectionError, RetryPolicy, describe_error
from cmkwizard.aws.adapters import AwsAccount
from cmkwizard.aws.arns import parse_role_ref
from cmkwizard.aws.errors import AwsError
from cmkwizard.azure.errors import AzureError
from cmkwizard.azure.explain import explain_arm_error
from cmkwizard.errors import InputError
from cmkwizard.explain import ErrorExplanation, explain
from cmkwizard.journeys.base import StepError
from cmkwizard.secrets import SecretStore, SecretStoreError
from cmkwizard.settings import SettingsError, load_settings

GROUP_ID = "5f1b2c3d4e5f60718293a4b5"
SECRET = "mdb_sa_sk_Zx8vQ2mP7rT4wY9uK3nB6cL1"


def assert_complete(explanation: ErrorExplanation) -> None:
    assert explanation.what and explanation.meaning and explanation.next_step


async def test_an_atlas_refusal_keeps_its_code_and_atlas_explanation():
    body = {"error": 400, "errorCode": "CANNOT_ASSUME_ROLE", "detail": "Atlas cannot assume the role."}
    transport = httpx.MockTransport(lambda request: httpx.Response(400, json=body))
    async with AtlasClient("https://atlas.test", transport=transport, retry=RetryPolicy(max_attempts=1)) as client:
        with pytest.raises(AtlasApiError) as caught:
            await client.get_encryption_at_rest(GROUP_ID)

    explanation = explain(caught.value)
    assert explanation == describe_error(caught.value)
    assert explanation.code == "CANNOT_ASSUME_ROLE"
    assert "Atlas cannot assume the role." in explanation.what
    assert "trust policy" in explanation.next_step


async def test_no_answer_from_atlas_says_to_check_the_network():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with AtlasClient(f"http://127.0.0.1:{port}", retry=RetryPolicy(max_attempts=1)) as client:
        with pytest.raises(AtlasConnectionError) as caught:
            await client.whoami()

    explanation = explain(caught.value)
    assert explanation.meaning == "Could not connect to Atlas"
    assert "network" in explanation.next_step and explanation.code is None


def test_a_step_that_cannot_go_on_is_shown_as_the_step_tells_it():
    error = StepError("enable", "Encryption at rest: blocked", "The key is not valid.", "Fix the key.", "KEY_INVALID")

    assert explain(error) == ErrorExplanation(
        "Encryption at rest: blocked", "The key is not valid.", "Fix the key.", "KEY_INVALID"
    )


async def test_an_aws_failure_keeps_the_aws_code_and_says_what_to_do():
    with pytest.raises(AwsError) as caught:
        await AwsAccount(profile="no-such-profile").caller_identity()

    explanation = explain(caught.value)
    assert explanation.code == "ProfileNotFound"
    assert "no-such-profile" in explanation.what
    assert "not in ~/.aws/config" in explanation.meaning
    assert "list-profiles" in explanation.next_step


def test_an_azure_refusal_keeps_the_azure_code_and_says_what_to_do():
    error = explain_arm_error(
        403,
        {"error": {"code": "AuthorizationFailed", "message": "The client does not have authorization."}},
        subscription_id="00000000-0000-0000-0000-000000000001",
        resource_group="rg-keys",
        vault_name="kv-orders",
        action="read the key vault",
    )
    assert isinstance(error, AzureError)

    explanation = explain(error)
    assert explanation.code == "AuthorizationFailed"
    assert "does not have authorization" in explanation.what
    assert "kv-orders" in explanation.meaning
    assert "Reader role" in explanation.next_step


def test_a_wrong_input_says_what_is_wrong_and_what_is_expected():
    with pytest.raises(InputError) as caught:
        parse_role_ref("arn:aws:iam::1:user/x")

    explanation = explain(caught.value)
    assert explanation.what == caught.value.message
    assert "arn:aws:iam::" in explanation.what  # the expected form
    assert explanation.next_step == "Correct it and try again."
    assert explanation.code is None


def test_unusable_settings_name_the_source_and_the_way_out():
    with pytest.raises(SettingsError) as caught:
        load_settings(profile="prod", env={})

    explanation = explain(caught.value)
    assert "No profile named 'prod'" in explanation.what
    assert "connection settings" in explanation.meaning
    assert_complete(explanation)


def test_a_secret_the_keyring_cannot_store_offers_the_environment_instead():
    with pytest.raises(SecretStoreError) as caught:
        SecretStore().set("prod", "client_secret", SECRET)

    explanation = explain(caught.value)
    assert "No usable keyring" in explanation.what
    assert "MONGODB_ATLAS_CLIENT_SECRET" in explanation.next_step
    assert SECRET not in repr(explanation)


def test_an_unknown_error_shows_its_type_but_never_its_message():
    explanation = explain(RuntimeError(f"token refresh failed for {SECRET}"))

    assert explanation.what == "Unexpected error: RuntimeError"
    assert SECRET not in repr(explanation)
    assert_complete(explanation)
    assert explanation.code is None


def test_an_operating_system_error_shows_the_system_reason_and_the_file(tmp_path):
    missing = tmp_path / "journal.jsonl"
    with pytest.raises(OSError) as caught:
        missing.open()

    explanation = explain(caught.value)
    assert explanation.what == f"Unexpected error: FileNotFoundError (No such file or directory: {missing})"
    assert_complete(explanation)
