"""Every parser, fed anything: a value or its typed error, never another exception.

Model parsers get arbitrary JSON values (shaped after the fields they read, so the search reaches deep
into them) and must return a model or raise AtlasResponseError. Operator-input parsers get arbitrary
text (plain, and glued to the prefixes that lead into their deeper checks) and must return a value or
raise InputError (settings checks: ValueError). CI runs the derandomized profile from tests/conftest.py.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from functools import partial
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmkwizard.atlas.body import Body
from cmkwizard.atlas.errors import AtlasApiError, AtlasResponseError, error_from_response, loads_json
from cmkwizard.atlas.models import (
    AlertConfig,
    AwsIamRole,
    AzureServicePrincipal,
    Caller,
    CloudProviderAccess,
    Cluster,
    EncryptionAtRest,
    Event,
    Organization,
    PrivateEndpoint,
    Project,
    Snapshot,
)
from cmkwizard.atlas.session import _next_link, results_of
from cmkwizard.aws.arns import (
    parse_account_id,
    parse_key_ref,
    parse_role_ref,
    validate_role_name,
    validate_role_path,
)
from cmkwizard.aws.policies import merge_trust_policy
from cmkwizard.aws.policy_document import load_policy
from cmkwizard.aws.regions import to_aws_region
from cmkwizard.azure.clouds import cloud_for_environment
from cmkwizard.azure.identifiers import (
    parse_key_identifier,
    parse_uuid,
    parse_vault_name,
    validate_resource_group,
    validate_vault_name,
)
from cmkwizard.azure.regions import to_atlas_region as azure_region
from cmkwizard.errors import InputError
from cmkwizard.settings import (
    check_aws_profile,
    check_aws_region,
    check_base_url,
    check_client_id,
    check_org_id,
    check_profile_name,
    check_project_id,
    check_project_name,
    check_public_key,
    check_secret,
)

QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- arbitrary JSON, shaped after what the models read -----------------------------------------

FIELDS = (
    "_id", "apiKey", "appName", "atlasAWSAccountArn", "awsIamRoles", "awsKms", "azureKeyVault",
    "azureServicePrincipals", "backingProviderName", "clusterCount", "created", "createdAt", "createdDate",
    "customerMasterKeyID", "electableSpecs", "enabled", "encryptionAtRestProvider", "errorCode", "eventTypeName",
    "featureType", "featureUsages", "googleCloudKms", "href", "iamAssumedRoleArn", "id", "instanceSize", "links",
    "name", "orgId", "parameters", "paused", "providerName", "publicKey", "region", "regionConfigs", "regionName",
    "rel", "replicationSpecs", "requirePrivateNetworking", "results", "roleId", "roleName", "roles", "stateName",
    "status", "threshold", "throttling", "units", "valid", "badRequestDetail", "fields", "detail",
)  # fmt: skip
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["2026-11-20T10:00:00Z", "DAYS", "next", "AWS", "AZURE", "ENCRYPTION_AT_REST", "/x?pageNum=2"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), inner, max_size=6)
    ),
    max_leaves=40,
)

MODEL_PARSERS: dict[str, Callable[[Any], Any]] = {
    "Caller": Caller.from_api,
    "Organization": Organization.from_api,
    "Project": Project.from_api,
    "AwsIamRole": AwsIamRole.from_api,
    "AzureServicePrincipal": AzureServicePrincipal.from_api,
    "CloudProviderAccess": CloudProviderAccess.from_api,
    "EncryptionAtRest": EncryptionAtRest.from_api,
    "Cluster": Cluster.from_api,
    "PrivateEndpoint": PrivateEndpoint.from_api,
    "Snapshot": partial(Snapshot.from_api, cluster_name="C0", sharded=False),
    "AlertConfig": AlertConfig.from_api,
    "Event": Event.from_api,
    "a list page": results_of,
    "a next link": lambda page: _next_link(Body(page).data),
}


@pytest.mark.parametrize("parse", MODEL_PARSERS.values(), ids=MODEL_PARSERS.keys())
@QUICK
@given(data=json_values)
def test_a_model_or_the_typed_response_error(parse, data):
    try:
        parse(data)
    except AtlasResponseError as err:
        assert err.field
        assert "where" in str(err) or "results" in str(err)


@QUICK
@given(status=st.sampled_from([400, 401, 403, 404, 409, 429, 500, 503]), body=json_values)
def test_any_error_body_becomes_an_api_error(status, body):
    content = json.dumps(body).encode()
    response = httpx.Response(status, content=content, request=httpx.Request("GET", "https://atlas.test/x"))
    error = error_from_response(response, "GET", "/x")
    assert isinstance(error, AtlasApiError)
    assert error.status == status


@QUICK
@given(content=st.binary(max_size=64) | st.text(alphabet='[]{}"0123456789,:', max_size=2000).map(str.encode))
def test_any_bytes_decode_to_json_or_a_value_error(content):
    with contextlib.suppress(ValueError):
        loads_json(content)


# --- arbitrary operator text ---------------------------------------------------------------------

PREFIXES = (
    "arn:aws:iam::123456789012:role/",
    "arn:aws:kms:us-east-1:123456789012:key/",
    "arn:aws:kms:us-east-1:123456789012:alias/",
    "arn:aws-cn:iam::123456789012:",
    "alias/",
    "role/",
    "/",
    "mrk-",
    "https://kv1.vault.azure.net/keys/",
    "https://kv1.vault.azure.net/keys/k/",
    "https://",
    "us-east-",
    "East US ",
    "mdb_sa_id_",
    '"',
)
texts = st.text(max_size=80) | st.builds(
    lambda prefix, rest: prefix + rest, st.sampled_from(PREFIXES), st.text(max_size=60)
)

INPUT_PARSERS: dict[str, Callable[[str], Any]] = {
    "role ARN": parse_role_ref,
    "role name with the account known": partial(parse_role_ref, default_account="123456789012"),
    "role in a partition": partial(parse_role_ref, default_account="123456789012", partition="aws-cn"),
    "KMS key": parse_key_ref,
    "KMS key in a region": partial(parse_key_ref, region="us-east-1"),
    "account id": parse_account_id,
    "role name": validate_role_name,
    "role path": validate_role_path,
    "AWS region": to_aws_region,
    "Azure region": azure_region,
    "Azure cloud": cloud_for_environment,
    "key identifier": parse_key_identifier,
    "versionless key identifier": partial(parse_key_identifier, require_version=False),
    "tenant ID": partial(parse_uuid, kind="tenant"),
    "vault name": validate_vault_name,
    "vault name or URI": parse_vault_name,
    "resource group": validate_resource_group,
}

SETTINGS_CHECKS: dict[str, Callable[[str], str]] = {
    "public key": check_public_key,
    "client ID": check_client_id,
    "secret": check_secret,
    "organization ID": check_org_id,
    "project ID": check_project_id,
    "project name": check_project_name,
    "base URL": check_base_url,
    "AWS region setting": check_aws_region,
    "AWS profile": check_aws_profile,
    "profile name": check_profile_name,
}


@pytest.mark.parametrize("parse", INPUT_PARSERS.values(), ids=INPUT_PARSERS.keys())
@QUICK
@given(text=texts)
def test_a_value_or_an_input_error(parse, text):
    try:
        parse(text)
    except InputError as err:
        assert err.message


@pytest.mark.parametrize("check", SETTINGS_CHECKS.values(), ids=SETTINGS_CHECKS.keys())
@QUICK
@given(text=texts)
def test_a_setting_or_a_value_error(check, text):
    try:
        value = check(text)
    except ValueError as err:
        assert str(err)
    else:
        assert value.strip() == value


@pytest.mark.parametrize("kind", ["trust", "permissions", "key"])
@QUICK
@given(text=texts | json_values.map(json.dumps))
def test_a_pasted_policy_is_a_document_or_a_policy_error(kind, text):
    try:
        load_policy(text, kind)
    except InputError as err:
        assert err.message


@QUICK
@given(document=json_values)
def test_merging_into_any_document_gives_a_policy_or_a_policy_error(document):
    try:
        merge_trust_policy(
            document if isinstance(document, dict) else {"Statement": document},
            "arn:aws:iam::299602853325:root",
            "ext-1",
        )
    except InputError as err:
        assert err.message
