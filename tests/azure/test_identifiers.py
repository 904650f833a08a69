"""Key identifiers, GUIDs, vault and resource group names as operators paste them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmkwizard.azure.clouds import AZURE, AZURE_CHINA, AZURE_US_GOVERNMENT, CLOUDS, AzureCloud, cloud_for_environment
from cmkwizard.azure.errors import InputError
from cmkwizard.azure.identifiers import (
    MissingKeyVersionError,
    parse_key_identifier,
    parse_service_principal_id,
    parse_subscription_id,
    parse_tenant_id,
    parse_vault_name,
    validate_resource_group,
    validate_vault_name,
)
from cmkwizard.journeys.azure_inputs import OnboardAzureInputs

VERSION = "d891821e3d364e9eb88fbd3d11807b86"
KID = f"https://examplekeyvault.vault.azure.net/keys/atlas-cmk/{VERSION}"

vault_names = st.from_regex(r"[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,22}[a-z0-9]", fullmatch=True)
key_names = st.from_regex(r"[0-9A-Za-z-]{1,127}", fullmatch=True)
versions = st.from_regex(r"[0-9a-f]{32}", fullmatch=True)


@pytest.mark.parametrize(
    ("url", "cloud"),
    [
        (KID, AZURE),
        (f"https://examplekeyvault.vault.azure.cn/keys/atlas-cmk/{VERSION}", AZURE_CHINA),
        (f"https://examplekeyvault.vault.usgovcloudapi.net/keys/atlas-cmk/{VERSION}", AZURE_US_GOVERNMENT),
    ],
)
def test_versioned_identifiers_in_each_cloud(url: str, cloud: AzureCloud) -> None:
    key = parse_key_identifier(url)
    assert (key.vault_name, key.key_name, key.version, key.cloud) == ("examplekeyvault", "atlas-cmk", VERSION, cloud)
    assert key.vault_url == url.split("/keys/")[0]
    assert key.url == str(key) == url
    assert key.azure_environment == cloud.environment


@pytest.mark.parametrize(
    "pasted",
    [
        f"  {KID}\n",
        f'"{KID}"',
        f"<{KID}>",
        KID.replace("https://", ""),
        KID.replace("examplekeyvault.vault.azure.net", "ExampleKeyVault.VAULT.azure.net:443"),
        KID + "?api-version=7.4",
        KID.replace(VERSION, VERSION.upper()),
    ],
)
def test_pasting_noise_is_tolerated_and_normalised(pasted: str) -> None:
    assert parse_key_identifier(pasted).url == KID


def test_a_versionless_url_says_how_to_get_the_version() -> None:
    with pytest.raises(MissingKeyVersionError) as missing:
        parse_key_identifier("https://examplekeyvault.vault.azure.net/keys/atlas-cmk/")
    message = missing.value.message
    assert "Atlas needs the versioned key identifier" in message
    assert "az keyvault key show --vault-name examplekeyvault --name atlas-cmk --query key.kid -o tsv" in message
    assert missing.value.key.versionless_url == "https://examplekeyvault.vault.azure.net/keys/atlas-cmk"
    assert parse_key_identifier(KID.rsplit("/", 1)[0], require_version=False).version is None


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        ("", "No key identifier given"),
        (KID.replace("https://", "http://"), "only served over HTTPS"),
        (KID.replace("https://", "ftp://"), "not an https:// URL"),
        (KID.replace("/keys/", "/secrets/"), "is a secret, not a key"),
        (KID.replace("/keys/", "/certificates/"), "is a certificate, not a key"),
        (KID.replace("/keys/", "/deletedkeys/"), "is a deleted key"),
        (f"https://examplekeyvault.managedhsm.azure.net/keys/atlas-cmk/{VERSION}", "Managed HSM"),
        (f"https://examplekeyvault.privatelink.vaultcore.azure.net/keys/k/{VERSION}", "private link host name"),
        (f"https://example.blob.core.windows.net/keys/k/{VERSION}", "not an Azure Key Vault host"),
        ("https://examplekeyvault.vault.azure.net", "the vault's address only"),
        ("https://examplekeyvault.vault.azure.net/keys", "names no key"),
        ("https://examplekeyvault.vault.azure.net/keys/atlas-cmk/versions", "list of the key's versions"),
        (KID + "/wrapkey", "an operation, not part of the identifier"),
        (KID.replace("atlas-cmk", "atlas_cmk"), "characters Key Vault does not allow ('_')"),
        (KID.replace(VERSION, "d891821e-3d36-4e9e-b88f-bd3d11807b86"), "looks like a GUID"),
        (KID.replace(VERSION, VERSION[:-1]), "is 31 characters long"),
        (KID.replace(VERSION, "z" * 32), "non-hexadecimal"),
        (KID.replace("examplekeyvault", "1vault"), "must start with a letter"),
        (KID.replace(":443", "").replace(".net/", ".net:8443/"), "names a port"),
    ],
)
def test_precise_refusals(pasted: str, expected: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_key_identifier(pasted)
    assert expected in refused.value.message


@given(vault=vault_names, key=key_names, version=versions, cloud=st.sampled_from(CLOUDS))
def test_every_valid_identifier_round_trips(vault: str, key: str, version: str, cloud: AzureCloud) -> None:
    url = f"https://{vault}.{cloud.vault_suffix}/keys/{key}/{version}"
    parsed = parse_key_identifier(url)
    assert (parsed.vault_name, parsed.key_name, parsed.version, parsed.cloud) == (vault, key, version, cloud)
    assert parsed.url == url
    assert parse_key_identifier(parsed.url) == parsed


@given(st.text(max_size=200))
def test_any_text_either_parses_or_says_what_is_wrong(text: str) -> None:
    try:
        parsed = parse_key_identifier(text)
    except InputError as refused:
        assert refused.message
    else:
        assert parsed.version is not None and parsed.url.startswith("https://")


@given(vault=vault_names)
def test_valid_vault_names_pass_and_come_back_lower_case(vault: str) -> None:
    assert validate_vault_name(vault.upper()) == vault
    assert parse_vault_name(f"https://{vault}.vault.azure.net/") == vault


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("kv", "2 characters"),
        ("a" * 25, "25 characters"),
        ("kv_1", "letters, digits and hyphens"),
        ("9kv", "start with a letter"),
        ("kv-", "end with a letter or digit"),
        ("k--v", "two hyphens in a row"),
    ],
)
def test_vault_name_rules(name: str, expected: str) -> None:
    with pytest.raises(InputError) as refused:
        validate_vault_name(name)
    assert expected in refused.value.message


def test_resource_group_rules() -> None:
    assert validate_resource_group(" rg-atlas_(prod).eu ") == "rg-atlas_(prod).eu"
    assert validate_resource_group("ressourcegruppe-ä") == "ressourcegruppe-ä"
    refusals = [("", "No resource group given"), ("rg.", "end with a period"), ("rg/1", "('/')"), ("r" * 91, "91")]
    for name, expected in refusals:
        with pytest.raises(InputError) as refused:
            validate_resource_group(name)
        assert expected in refused.value.message


def test_guids_are_normalised_and_refusals_say_where_to_find_them() -> None:
    assert parse_tenant_id(" {7D1A3B52-6C44-4F0E-9A43-2B9F1D7E8C10} ") == "7d1a3b52-6c44-4f0e-9a43-2b9f1d7e8c10"
    assert parse_subscription_id("5b3f0e9c1d2a4c6b8e7f9a0b1c2d3e4f") == "5b3f0e9c-1d2a-4c6b-8e7f-9a0b1c2d3e4f"
    with pytest.raises(InputError) as refused:
        parse_service_principal_id("mongodb-atlas")
    assert "is not a service principal object ID" in refused.value.message
    assert "az ad sp show --id <atlasAzureAppId> --query id -o tsv" in refused.value.message


@pytest.mark.parametrize(
    ("text", "cloud"),
    [
        ("AZURE", AZURE),
        ("AzureCloud", AZURE),
        ("azure_china", AZURE_CHINA),
        ("AzureUSGovernment", AZURE_US_GOVERNMENT),
        ("us-gov", AZURE_US_GOVERNMENT),
    ],
)
def test_azure_environment_spellings(text: str, cloud: AzureCloud) -> None:
    assert cloud_for_environment(text) is cloud


def test_unknown_environment_lists_the_supported_ones() -> None:
    with pytest.raises(InputError) as refused:
        cloud_for_environment("AzureGermanCloud")
    assert "AZURE, AZURE_CHINA or AZURE_US_GOVERNMENT" in refused.value.message


@given(
    vault=vault_names,
    key=key_names,
    version=versions,
    key_cloud=st.sampled_from(CLOUDS),
    chosen=st.sampled_from(CLOUDS),
)
def test_a_key_is_accepted_only_in_its_own_azure_environment(
    vault: str, key: str, version: str, key_cloud: AzureCloud, chosen: AzureCloud
) -> None:
    inputs = OnboardAzureInputs(azure_environment=chosen.environment)
    url = f"https://{vault}.{key_cloud.vault_suffix}/keys/{key}/{version}"
    if key_cloud is chosen:
        assert inputs.set_key_identifier(url) == url and inputs.key_vault_name == vault
    else:
        with pytest.raises(InputError) as refused:
            inputs.set_key_identifier(url)
        assert f"choose {key_cloud.environment}" in refused.value.message and inputs.key_identifier is None
