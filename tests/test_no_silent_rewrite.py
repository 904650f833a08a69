"""Every operator-input parser takes what was typed as it is (trimmed of whitespace and quotes) or refuses it:
nothing is cleaned into a different value, and a hidden or look-alike character is named with its position."""

from __future__ import annotations

import pytest

from cmkwizard.aws.arns import parse_account_id, parse_key_ref, parse_role_ref
from cmkwizard.aws.regions import to_aws_region
from cmkwizard.azure.clouds import cloud_for_environment
from cmkwizard.azure.identifiers import parse_key_identifier, parse_tenant_id, parse_vault_name
from cmkwizard.azure.regions import to_atlas_region as azure_region
from cmkwizard.errors import InputError
from cmkwizard.settings import (
    check_aws_profile,
    check_base_url,
    check_client_id,
    check_profile_name,
    check_project_id,
    check_project_name,
    check_public_key,
)

ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/atlas-kms"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KID = "https://examplekeyvault.vault.azure.net/keys/atlas-cmk/d891821e3d364e9eb88fbd3d11807b86"
TENANT = "7d1a3b52-6c44-4f0e-9a43-2b9f1d7e8c10"
CYRILLIC_A = "\u0430"

REFUSED = {
    "an empty path segment in a role ARN": (
        lambda: parse_role_ref(f"arn:aws:iam::{ACCOUNT}:role//atlas-kms"),
        "empty segment ('//')",
    ),
    "role//name typed with the account known": (lambda: parse_role_ref("role//atlas-kms", ACCOUNT), "empty segment"),
    "a doubled slash inside a role path": (
        lambda: parse_role_ref(f"arn:aws:iam::{ACCOUNT}:role/service-role//atlas-kms"),
        "'/service-role//' has an empty segment",
    ),
    "a Cyrillic a in arn:": (
        lambda: parse_role_ref(CYRILLIC_A + ROLE_ARN[1:]),
        "character 1 is CYRILLIC SMALL LETTER A (U+0430), not a Latin letter",
    ),
    "a Cyrillic a in a role name": (
        lambda: parse_role_ref(ROLE_ARN.replace("atlas", "atl" + CYRILLIC_A + "s")),
        "character 35 is CYRILLIC SMALL LETTER A (U+0430)",
    ),
    "a line break inside a role ARN": (
        lambda: parse_role_ref(ROLE_ARN.replace("atlas-", "atlas-\n")),
        "character 38 is a line break (U+000A)",
    ),
    "a no-break space inside a key id": (
        lambda: parse_key_ref(KEY_ID[:8] + "\xa0" + KEY_ID[8:]),
        "character 9 is a no-break space (U+00A0)",
    ),
    "an en dash inside a key id": (
        lambda: parse_key_ref(KEY_ID.replace("-", "\u2013", 1)),
        "character 9 is EN DASH (U+2013), not the ASCII hyphen '-'",
    ),
    "Arabic-Indic digits in an account id": (lambda: parse_account_id("12345678901\u0662"), "is not a number"),
    "a zero-width space in a region": (lambda: to_aws_region("us-east\u200b-1"), "a zero-width space (U+200B)"),
    "a user name and password before a vault host": (
        lambda: parse_key_identifier(KID.replace("https://", "https://admin:hunter2@")),
        "user name or password before the host",
    ),
    "a line break inside a key name": (
        lambda: parse_key_identifier(KID.replace("atlas-cmk", "atlas-\ncmk")),
        "a line break (U+000A)",
    ),
    "a fragment after a key identifier": (lambda: parse_key_identifier(KID + "#v2"), "has a '#' part"),
    "a query other than api-version": (lambda: parse_key_identifier(KID + "?x=1"), "has a query ('?x=1')"),
    "an empty part in a key path": (lambda: parse_key_identifier(KID.replace("/keys/", "/keys//")), "('//')"),
    "credentials in a vault URI": (
        lambda: parse_vault_name("https://u:p@examplekeyvault.vault.azure.net/"),
        "user name or password",
    ),
    "hyphens in the wrong places of a GUID": (
        lambda: parse_tenant_id(TENANT.replace("-", "")[:4] + "-" + TENANT.replace("-", "")[4:]),
        "is not a tenant ID",
    ),
    "a URN around a GUID": (lambda: parse_tenant_id("urn:uuid:" + TENANT), "is not a tenant ID"),
    "punctuation inside an Azure region": (lambda: azure_region("east.us"), "is not an Azure region"),
    "punctuation inside an Azure cloud name": (lambda: cloud_for_environment("a.z.u.r.e"), "is not an Azure cloud"),
}

REFUSED_SETTINGS = {
    "user:pass@ in the base URL": (check_base_url, "https://user:pass@cloud.mongodb.com", "bare address"),
    "a line break inside the base URL host": (
        check_base_url,
        "https://cloud.mongo\ndb.com",
        "character 20 is a line break (U+000A)",
    ),
    "a Cyrillic o in the base URL": (
        check_base_url,
        "https://cl\u043eud.mongodb.com",
        "character 11 is CYRILLIC SMALL LETTER O (U+043E), not a Latin letter",
    ),
    "a Cyrillic a in a public key": (check_public_key, "qwert" + CYRILLIC_A + "ui", "character 6 is CYRILLIC"),
    "a tab inside a client ID": (check_client_id, "mdb_sa_id_\t6a1b2c3d4e5f60718293a4b8", "a tab (U+0009)"),
    "Arabic-Indic digits in a project ID": (
        check_project_id,
        "5f1d4c6e8b3a2a00123456\u0661\u0662",
        "character 23 is ARABIC-INDIC DIGIT ONE (U+0661), not an ASCII digit",
    ),
    "a line break inside a project name": (check_project_name, "Pay\nments", "character 4 is a line break"),
    "a line break inside an AWS profile": (check_aws_profile, "prod\neu", "character 5 is a line break"),
    "a look-alike in a profile name": (check_profile_name, "pr" + "\u043e" + "d", "character 3 is CYRILLIC"),
}


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_refused_and_named(case):
    parse, expected = case
    with pytest.raises(InputError) as refused:
        parse()
    assert expected in refused.value.message


def test_a_password_in_a_key_identifier_is_not_repeated():
    with pytest.raises(InputError) as refused:
        parse_key_identifier(KID.replace("https://", "https://admin:hunter2@"))
    assert "hunter2" not in refused.value.message


@pytest.mark.parametrize(("check", "typed", "expected"), REFUSED_SETTINGS.values(), ids=REFUSED_SETTINGS.keys())
def test_settings_refused_and_named(check, typed, expected):
    with pytest.raises(ValueError, match=None) as refused:
        check(typed)
    assert expected in str(refused.value)


@pytest.mark.parametrize(
    ("parse", "typed", "value"),
    [
        (lambda t: parse_role_ref(t).arn, f' "{ROLE_ARN}" ', ROLE_ARN),
        (lambda t: parse_role_ref(t).arn, f"`{ROLE_ARN}`", ROLE_ARN),
        (
            lambda t: parse_role_ref(t, ACCOUNT).arn,
            "/service-role/atlas-kms",
            ROLE_ARN.replace("role/", "role/service-role/"),
        ),
        (lambda t: parse_key_ref(t).key_id, f"\t{KEY_ID}\n", KEY_ID),
        (lambda t: parse_key_identifier(t).url, f"<{KID}>", KID),
        (check_base_url, " https://cloud.mongodb.com/api/atlas/v2/ ", "https://cloud.mongodb.com"),
        (check_project_name, " Payments (EU) ", "Payments (EU)"),
    ],
)
def test_what_is_accepted_is_what_was_typed(parse, typed, value):
    assert parse(typed) == value
