"""Atlas error bodies become typed exceptions that say what happened, what it means and what to do."""

from __future__ import annotations

import re

import httpx
import pytest

from cmkwizard.atlas import AtlasApiError, AtlasAuthError, AtlasError, describe_error
from cmkwizard.atlas.error_codes import CODE_GUIDES, STATUS_GUIDES
from cmkwizard.atlas.errors import error_from_response
from cmkwizard.atlas.models import AwsKmsPatch
from cmkwizard.redaction import redact
from tests.atlas.fake_atlas import API, GROUP_ID, ROLE_ID, Canned, atlas_error
from tests.support.openapi import SPEC_PATH

API_NOTES = SPEC_PATH.parent / "API-NOTES.md"
ROLE_ARN = "arn:aws:iam::123456789012:role/atlas-kms"


async def test_error_envelope_keeps_every_field(fake_atlas, digest_client):
    body = atlas_error(
        400, "CANNOT_ASSUME_ROLE", f"Atlas cannot assume the specified role ({ROLE_ARN}).", parameters=[ROLE_ARN]
    )
    fake_atlas.answer_next("PATCH", f"/groups/{GROUP_ID}/cloudProviderAccess/{ROLE_ID}", Canned(400, body))

    with pytest.raises(AtlasApiError) as caught:
        await digest_client.authorize_aws_role(GROUP_ID, ROLE_ID, ROLE_ARN)

    error = caught.value
    assert type(error) is AtlasApiError
    assert (error.status, error.error_code, error.reason) == (400, "CANNOT_ASSUME_ROLE", "Bad Request")
    assert error.parameters == (ROLE_ARN,)
    assert (error.method, error.path) == ("PATCH", f"{API}/groups/{GROUP_ID}/cloudProviderAccess/{ROLE_ID}")
    assert error.meaning == "Atlas could not assume the IAM role"
    assert "trust policy" in error.next_step and "external ID" in error.next_step
    assert error.retryable  # IAM propagation: the same call can succeed a little later
    assert str(error) == (
        f"PATCH {error.path}: HTTP 400 CANNOT_ASSUME_ROLE: Atlas cannot assume the specified role ({ROLE_ARN})."
    )


async def test_validation_error_lists_the_offending_fields(fake_atlas, digest_client):
    body = atlas_error(
        400,
        "VALIDATION_ERROR",
        "Request is invalid.",
        badRequestDetail={"fields": [{"field": "awsKms.region", "description": "must be an AWS region"}]},
    )
    fake_atlas.answer_next("PATCH", f"/groups/{GROUP_ID}/encryptionAtRest", Canned(400, body))

    with pytest.raises(AtlasApiError) as caught:
        await digest_client.update_encryption_at_rest(GROUP_ID, aws_kms=AwsKmsPatch(region="us-east-1"))

    error = caught.value
    assert [(f.field, f.description) for f in error.bad_request_fields] == [("awsKms.region", "must be an AWS region")]
    assert str(error).endswith("; awsKms.region: must be an AWS region")
    assert describe_error(error).code == "VALIDATION_ERROR"
    assert "fields" in error.next_step


async def test_forbidden_is_an_auth_error_with_its_code(fake_atlas, digest_client):
    body = atlas_error(403, "IP_ADDRESS_NOT_ON_WHITELIST", "IP address 203.0.113.9 is not allowed.")
    fake_atlas.answer_next("GET", f"/groups/{GROUP_ID}/encryptionAtRest", Canned(403, body))

    with pytest.raises(AtlasAuthError) as caught:
        await digest_client.get_encryption_at_rest(GROUP_ID)

    assert caught.value.error_code == "IP_ADDRESS_NOT_ON_WHITELIST"
    assert "access list" in caught.value.next_step


async def test_non_json_error_body_is_still_a_typed_error(fake_atlas, digest_client, sleeps):
    page = Canned(502, "<html><body><h1>502 Bad Gateway</h1></body></html>", content_type="text/html")
    fake_atlas.answer_next("POST", f"/groups/{GROUP_ID}/cloudProviderAccess", page)

    with pytest.raises(AtlasApiError) as caught:
        await digest_client.create_aws_role(GROUP_ID)

    error = caught.value
    assert (error.status, error.error_code) == (502, None)
    assert "text/html" in error.detail and "502 Bad Gateway" in error.detail
    assert error.meaning == "A gateway in front of Atlas failed"
    assert sleeps.delays == []  # a create is not repeated after a 5xx


async def test_unknown_resource_uses_the_code_table(digest_client):
    with pytest.raises(AtlasApiError) as caught:
        await digest_client.get_private_endpoint(GROUP_ID, "aws", "6d1b2c3d4e5f60718293a4c0")

    assert caught.value.error_code == "RESOURCE_NOT_FOUND"
    assert caught.value.path.endswith("/encryptionAtRest/AWS/privateEndpoints/6d1b2c3d4e5f60718293a4c0")
    assert not caught.value.retryable


@pytest.mark.parametrize(
    ("status", "meaning"),
    [
        (409, STATUS_GUIDES[409].meaning),
        (418, "Atlas rejected the request"),
        (507, "Atlas failed to process the request"),
    ],
)
def test_unknown_codes_are_explained_by_status(status, meaning):
    error = AtlasApiError(status, "SOMETHING_ATLAS_ADDED_LATER", "New failure.")
    assert error.meaning == meaning
    assert error.next_step


def test_digest_challenge_code_is_explained_as_a_credential_problem():
    error = AtlasAuthError(401, "UNEXPECTED_ERROR", "You are not authorized for this resource.")
    assert error.meaning == STATUS_GUIDES[401].meaning
    assert AtlasApiError(500, "UNEXPECTED_ERROR").meaning == "Atlas hit an unexpected internal error"


SENT_AT = "Wed, 21 Oct 2015 07:28:00 GMT"


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:30 GMT", "Date": SENT_AT}, 30.0),
        ({"Retry-After": "Wed, 21 Oct 2015 07:27:00 GMT", "Date": SENT_AT}, 0.0),  # already past: no wait
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:30 GMT"}, 0.0),  # no Date: counted from now, long past
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "-5"}, None),
        ({"Retry-After": "inf"}, None),
        ({}, None),
    ],
)
def test_retry_after_is_read_in_seconds_or_as_an_http_date(headers, seconds):
    response = httpx.Response(503, json=atlas_error(503, "SERVICE_UNAVAILABLE", "Down."), headers=headers)

    assert error_from_response(response, "GET", f"{API}/groups/{GROUP_ID}/clusters").retry_after == seconds


def test_any_exception_gets_an_explanation():
    for error in (RuntimeError("boom"), AtlasError("odd answer"), ValueError()):
        explanation = describe_error(error)
        assert explanation.what and explanation.meaning and explanation.next_step
        assert explanation.code is None


def test_an_unknown_error_is_explained_without_its_message():
    explanation = describe_error(ValueError("invalid literal for int(): 'mdb_sa_sk_Zx8vQ2mP7rT4wY9uK3nB6cL1'"))

    assert explanation.what == "ValueError"
    assert "mdb_sa_sk" not in repr(explanation)


@pytest.mark.skipif(not API_NOTES.is_file(), reason=f"Atlas API notes not found at {API_NOTES}")
def test_every_documented_error_code_has_an_operator_explanation():
    section = API_NOTES.read_text().split("## 10. Error codes")[1].split("\n## ")[0]
    first_cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    documented = {code for cell in first_cells for code in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)}

    assert len(documented) > 60
    assert sorted(documented - CODE_GUIDES.keys()) == []


def test_every_guide_reads_as_sentences_for_an_operator():
    for code, guide in CODE_GUIDES.items():
        assert guide.meaning[0].isupper() and guide.next_step[0].isupper(), code
        assert code not in guide.meaning, code


def test_redact_masks_secret_keys_at_any_depth():
    body = {
        "azureKeyVault": {"secret": "s3cr3t", "clientID": "c"},
        "awsKms": {"secretAccessKey": "abc", "accessKeyID": "AKIA", "region": "US_EAST_1"},
        "notifications": [{"apiToken": "xoxb", "serviceKey": "pd", "datadogApiKey": "dd", "delayMin": 0}],
        "apiKey": {"publicKey": "qwertyui"},
        "googleCloudKms": {"serviceAccountKey": "{}"},
        "password": "p",
        "privateKey": "k",
        "clientSecret": "cs",
    }
    assert redact(body) == {
        "azureKeyVault": {"secret": "***", "clientID": "c"},
        "awsKms": {"secretAccessKey": "***", "accessKeyID": "***", "region": "US_EAST_1"},
        "notifications": [{"apiToken": "***", "serviceKey": "***", "datadogApiKey": "***", "delayMin": 0}],
        "apiKey": {"publicKey": "qwertyui"},
        "googleCloudKms": {"serviceAccountKey": "***"},
        "password": "***",
        "privateKey": "***",
        "clientSecret": "***",
    }
    assert body["password"] == "p"  # the original is left alone
