"""Where connection settings come from, in which order, and what an operator is told when one is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmkwizard.secrets import SecretStore
from cmkwizard.settings import (
    AUTH_DIGEST,
    AUTH_SERVICE_ACCOUNT,
    DEFAULT_BASE_URL,
    Overrides,
    Profile,
    ProfileStore,
    SettingsError,
    load_settings,
)
from tests.platform.memory_keyring import MemoryKeyring

CLI_PUBLIC, CLI_PRIVATE = "clipubky", "11111111-1111-4111-8111-111111111111"
OWN_PUBLIC, OWN_PRIVATE = "ownpubky", "22222222-2222-4222-8222-222222222222"
ENV_PUBLIC, ENV_PRIVATE = "envpubky", "33333333-3333-4333-8333-333333333333"
FLAG_PUBLIC, FLAG_PRIVATE = "flagpubk", "44444444-4444-4444-8444-444444444444"
CLIENT_ID = "mdb_sa_id_6a1b2c3d4e5f60718293a4b8"
CLIENT_SECRET = "mdb_sa_sk_Zx8vQ2mP7rT4wY9uK3nB6cL1"
CLI_PROJECT, OWN_PROJECT, ENV_PROJECT, FLAG_PROJECT = (f"{n}" * 24 for n in "abcd")


def write_atlas_cli(path: Path, text: str) -> None:
    path.write_text(text)


def atlas_cli_v1(path: Path) -> None:
    """An Atlas CLI config from before secure storage: the keys are in the file."""
    write_atlas_cli(
        path,
        f"""
telemetry_enabled = false

[default]
  org_id = "{"e" * 24}"
  project_id = "{CLI_PROJECT}"
  public_api_key = "{CLI_PUBLIC}"
  private_api_key = "{CLI_PRIVATE}"
  ops_manager_url = "https://cloud.mongodb.com/"
  service = "cloud"
""",
    )


def own_profile(keyring: MemoryKeyring, **values: str) -> None:
    ProfileStore().save(Profile("default", AUTH_DIGEST, public_key=OWN_PUBLIC, project_id=OWN_PROJECT, **values))
    SecretStore(backend=keyring).set("default", "private_key", OWN_PRIVATE)


def env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONGODB_ATLAS_PUBLIC_API_KEY", ENV_PUBLIC)
    monkeypatch.setenv("MONGODB_ATLAS_PRIVATE_API_KEY", ENV_PRIVATE)
    monkeypatch.setenv("MONGODB_ATLAS_PROJECT_ID", ENV_PROJECT)


def load(keyring: MemoryKeyring | None = None, overrides: Overrides | None = None, **kwargs) -> object:
    return load_settings(overrides, secrets=SecretStore(backend=keyring or MemoryKeyring()), **kwargs)


# --- precedence ------------------------------------------------------------------------------


def test_atlas_cli_profile_is_used_when_nothing_else_is_set(atlas_cli_config):
    atlas_cli_v1(atlas_cli_config)

    settings = load()

    assert settings.auth_kind == AUTH_DIGEST
    assert settings.public_key.value == CLI_PUBLIC
    assert settings.private_key.value.reveal() == CLI_PRIVATE
    assert settings.project_id.value == CLI_PROJECT
    assert settings.base_url.value == "https://cloud.mongodb.com"
    assert settings.public_key.source == "Atlas CLI profile 'default' (~/.config/atlascli/config.toml)"
    assert settings.profile_name == "default"


def test_own_profile_beats_atlas_cli_profile(atlas_cli_config):
    atlas_cli_v1(atlas_cli_config)
    keyring = MemoryKeyring()
    own_profile(keyring)

    settings = load(keyring)

    assert (settings.public_key.value, settings.private_key.value.reveal()) == (OWN_PUBLIC, OWN_PRIVATE)
    assert settings.project_id.value == OWN_PROJECT
    assert settings.public_key.source == "cmkwizard profile 'default'"
    assert settings.private_key.source == "the keyring (cmkwizard:default)"
    # What the own profile does not set still comes from the Atlas CLI profile.
    assert settings.org_id.value == "e" * 24
    assert settings.org_id.source.startswith("Atlas CLI profile 'default'")


def test_environment_beats_profiles(atlas_cli_config, monkeypatch):
    atlas_cli_v1(atlas_cli_config)
    keyring = MemoryKeyring()
    own_profile(keyring)
    env_credentials(monkeypatch)

    settings = load(keyring)

    assert (settings.public_key.value, settings.private_key.value.reveal()) == (ENV_PUBLIC, ENV_PRIVATE)
    assert settings.project_id.value == ENV_PROJECT
    assert "public key from MONGODB_ATLAS_PUBLIC_API_KEY" in settings.provenance()
    assert "project ID from MONGODB_ATLAS_PROJECT_ID" in settings.provenance()


def test_flags_beat_everything(atlas_cli_config, monkeypatch):
    atlas_cli_v1(atlas_cli_config)
    keyring = MemoryKeyring()
    own_profile(keyring)
    env_credentials(monkeypatch)

    settings = load(
        keyring,
        Overrides(public_key=FLAG_PUBLIC, private_key=FLAG_PRIVATE, project_id=FLAG_PROJECT, origin="--project"),
    )

    assert (settings.public_key.value, settings.private_key.value.reveal()) == (FLAG_PUBLIC, FLAG_PRIVATE)
    assert settings.project_id.source == "--project"


def test_environment_credentials_do_not_touch_the_keyring(atlas_cli_config, monkeypatch):
    keyring = MemoryKeyring()
    own_profile(keyring)
    env_credentials(monkeypatch)
    keyring.get_password = None  # any keyring read would now fail the test

    assert load(keyring).private_key.source == "MONGODB_ATLAS_PRIVATE_API_KEY"


def test_typed_secret_completes_a_profile_without_one():
    ProfileStore().save(Profile("default", AUTH_DIGEST, public_key=OWN_PUBLIC))

    before = load()
    after = load(overrides=Overrides(private_key=OWN_PRIVATE, origin="the connect screen"))

    assert before.auth_kind is None and before.missing_secret == "private_key"
    assert after.auth_kind == AUTH_DIGEST
    assert after.private_key.source == "the connect screen"
    assert any("make sure they belong together" in note for note in after.notes)


def test_service_account_from_environment_beats_api_key_from_profile(atlas_cli_config, monkeypatch):
    atlas_cli_v1(atlas_cli_config)
    monkeypatch.setenv("MONGODB_ATLAS_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("MONGODB_ATLAS_CLIENT_SECRET", CLIENT_SECRET)

    settings = load()

    assert settings.auth_kind == AUTH_SERVICE_ACCOUNT
    assert settings.identity == f"service account {CLIENT_ID}"
    assert settings.public_key is None and settings.private_key is None


def test_service_account_wins_a_tie_within_one_source(monkeypatch):
    env_credentials(monkeypatch)
    monkeypatch.setenv("MONGODB_ATLAS_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("MONGODB_ATLAS_CLIENT_SECRET", CLIENT_SECRET)

    assert load().auth_kind == AUTH_SERVICE_ACCOUNT


def test_half_a_pair_is_reported_and_the_next_complete_pair_used(atlas_cli_config, monkeypatch):
    atlas_cli_v1(atlas_cli_config)
    monkeypatch.setenv("MONGODB_ATLAS_CLIENT_ID", CLIENT_ID)

    settings = load()

    assert settings.identity == f"API key {CLI_PUBLIC}"
    assert (
        f"Ignored the client ID {CLIENT_ID} from MONGODB_ATLAS_CLIENT_ID: no client secret was found for it."
        in settings.notes
    )


# --- the Atlas CLI's newer format --------------------------------------------------------------


def test_atlas_cli_v2_profile_reads_credentials_from_the_keyring(atlas_cli_config):
    write_atlas_cli(
        atlas_cli_config,
        f"""
version = 2

[work]
  auth_type = "service_account"
  project_id = "{CLI_PROJECT}"
  service = "cloudgov"
""",
    )
    keyring = MemoryKeyring()
    keyring.set_password("atlascli_work", "client_id", CLIENT_ID)
    keyring.set_password("atlascli_work", "client_secret", CLIENT_SECRET)

    settings = load(keyring)

    assert settings.profile_name == "work"  # the only profile is used, as the Atlas CLI does
    assert settings.auth_kind == AUTH_SERVICE_ACCOUNT
    assert settings.client_secret.value.reveal() == CLIENT_SECRET
    assert settings.client_id.source == "the keyring (atlascli_work, client_id)"
    assert settings.base_url.value == "https://cloud.mongodbgov.com"


def test_atlas_cli_v2_profile_without_a_usable_keyring_says_why(atlas_cli_config):
    import keyring.backends.fail

    write_atlas_cli(atlas_cli_config, '[default]\n  auth_type = "api_keys"\n')

    settings = load_settings(secrets=SecretStore(backend=keyring.backends.fail.Keyring()))

    assert settings.auth_kind is None
    assert any(
        "keeps its credentials in the keyring" in note and "No usable keyring" in note for note in settings.notes
    )
    with pytest.raises(SettingsError, match="No Atlas credentials found"):
        settings.require_credentials()


def test_atlas_cli_user_account_login_is_explained(atlas_cli_config):
    write_atlas_cli(atlas_cli_config, f'[default]\n  auth_type = "user_account"\n  project_id = "{CLI_PROJECT}"\n')

    settings = load()

    assert settings.auth_kind is None
    assert settings.project_id.value == CLI_PROJECT
    assert any("atlas auth login" in note and "cannot reuse" in note for note in settings.notes)


def test_broken_atlas_cli_config_is_ignored_with_a_note(atlas_cli_config, monkeypatch):
    write_atlas_cli(atlas_cli_config, "[default\n")
    env_credentials(monkeypatch)

    settings = load()

    assert settings.auth_kind == AUTH_DIGEST
    assert any("is not valid TOML" in note and "ignored" in note for note in settings.notes)


# --- profile selection -----------------------------------------------------------------------


def test_named_profile_is_chosen_among_several(atlas_cli_config):
    write_atlas_cli(
        atlas_cli_config,
        f'[default]\n  project_id = "{"1" * 24}"\n[eu]\n  project_id = "{"2" * 24}"\n',
    )

    assert load().project_id.value == "1" * 24
    assert load(profile="eu").project_id.value == "2" * 24


def test_profile_from_environment_variable(atlas_cli_config, monkeypatch):
    write_atlas_cli(atlas_cli_config, f'[default]\n[eu]\n  project_id = "{"2" * 24}"\n')
    monkeypatch.setenv("MONGODB_ATLAS_PROFILE", "eu")

    assert load().profile_name == "eu"


def test_unknown_profile_lists_what_exists(atlas_cli_config):
    atlas_cli_v1(atlas_cli_config)
    ProfileStore().save(Profile("prod", AUTH_DIGEST, public_key=OWN_PUBLIC))

    with pytest.raises(SettingsError) as raised:
        load(profile="staging")

    message = str(raised.value)
    assert "No profile named 'staging'" in message
    assert "cmkwizard profiles: prod" in message
    assert "Atlas CLI profiles in ~/.config/atlascli/config.toml: default" in message


def test_sandbox_style_loading_ignores_environment_and_profiles(atlas_cli_config, monkeypatch):
    atlas_cli_v1(atlas_cli_config)
    env_credentials(monkeypatch)

    settings = load_settings(
        Overrides(
            public_key=FLAG_PUBLIC, private_key=FLAG_PRIVATE, base_url="http://127.0.0.1:8123", origin="the sandbox"
        ),
        env={},
        use_profiles=False,
    )

    assert settings.project_id is None and settings.profile_name is None
    assert settings.base_url.value == "http://127.0.0.1:8123"


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (
            "MONGODB_ATLAS_PUBLIC_API_KEY",
            "abc",
            "The public key 'abc' from MONGODB_ATLAS_PUBLIC_API_KEY is not valid: expected the 8-character public key",
        ),
        (
            "MONGODB_ATLAS_PROJECT_ID",
            "my-project",
            "The project ID 'my-project' from MONGODB_ATLAS_PROJECT_ID is not valid: "
            "expected the 24-character hexadecimal project ID",
        ),
        (
            "MONGODB_ATLAS_ORG_ID",
            "123",
            "The organization ID '123' from MONGODB_ATLAS_ORG_ID is not valid: "
            "expected the 24-character hexadecimal organization ID",
        ),
        (
            "MONGODB_ATLAS_BASE_URL",
            "http://atlas.example.com",
            "it must use https; plain http is accepted only for this machine",
        ),
        ("MONGODB_ATLAS_BASE_URL", "cloud.mongodb.com", "expected an address such as https://cloud.mongodb.com"),
        (
            "MONGODB_ATLAS_CLIENT_ID",
            "my-client",
            "expected a service account client ID: mdb_sa_id_ followed by 24 hexadecimal characters",
        ),
        (
            "AWS_REGION",
            "US_EAST_1",
            "The AWS region 'US_EAST_1' from AWS_REGION is not valid: expected an AWS region code such as us-east-1",
        ),
    ],
)
def test_invalid_values_say_what_where_and_what_is_expected(monkeypatch, variable, value, expected):
    env_credentials(monkeypatch)
    monkeypatch.setenv("MONGODB_ATLAS_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv(variable, value)

    with pytest.raises(SettingsError) as raised:
        load()

    assert expected in str(raised.value)


def test_invalid_secret_is_reported_without_showing_it(monkeypatch):
    env_credentials(monkeypatch)
    monkeypatch.setenv("MONGODB_ATLAS_PRIVATE_API_KEY", "secret-part other-part")

    with pytest.raises(SettingsError) as raised:
        load()

    assert "The private key from MONGODB_ATLAS_PRIVATE_API_KEY is not valid" in str(raised.value)
    assert "secret-part" not in str(raised.value)


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("https://cloud.mongodb.com/", "https://cloud.mongodb.com"),
        ("https://cloud.mongodb.com/api/atlas/v2/", "https://cloud.mongodb.com"),
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
        ("http://localhost:9000/", "http://localhost:9000"),
        ("http://[::1]:9000", "http://[::1]:9000"),
    ],
)
def test_base_url_is_normalised(monkeypatch, given, used):
    monkeypatch.setenv("MONGODB_ATLAS_OPS_MANAGER_URL", given)

    settings = load()

    assert settings.base_url.value == used
    assert settings.base_url.source == "MONGODB_ATLAS_OPS_MANAGER_URL"


def test_base_url_variable_beats_the_atlas_cli_name_and_the_difference_is_noted(monkeypatch):
    monkeypatch.setenv("MONGODB_ATLAS_BASE_URL", "https://cloud.mongodbgov.com")
    monkeypatch.setenv("MONGODB_ATLAS_OPS_MANAGER_URL", "https://cloud.mongodb.com")

    settings = load()

    assert settings.base_url.value == "https://cloud.mongodbgov.com"
    assert (
        "MONGODB_ATLAS_BASE_URL and MONGODB_ATLAS_OPS_MANAGER_URL differ; using MONGODB_ATLAS_BASE_URL."
        in settings.notes
    )


def test_defaults_and_missing_credentials_message():
    settings = load()

    assert settings.base_url.value == DEFAULT_BASE_URL
    assert settings.base_url.source == "the default"
    with pytest.raises(SettingsError) as raised:
        settings.require_credentials()
    message = str(raised.value)
    assert "MONGODB_ATLAS_PUBLIC_API_KEY" in message and "cmkwizard profiles add" in message and "--sandbox" in message


def test_missing_secret_message_names_the_identifier_and_its_source(monkeypatch):
    monkeypatch.setenv("MONGODB_ATLAS_PUBLIC_API_KEY", ENV_PUBLIC)

    with pytest.raises(SettingsError) as raised:
        load().require_credentials()

    assert str(raised.value).startswith(
        f"Found the public key {ENV_PUBLIC} (from MONGODB_ATLAS_PUBLIC_API_KEY) but no private key. "
        "Set MONGODB_ATLAS_PRIVATE_API_KEY"
    )


def test_aws_side_from_environment(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "security-admin")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")

    settings = load()

    assert (settings.aws_profile.value, settings.aws_region.value) == ("security-admin", "eu-west-1")
    assert settings.aws_region.source == "AWS_DEFAULT_REGION"


def test_no_secret_in_repr_or_provenance(monkeypatch):
    env_credentials(monkeypatch)

    settings = load()

    assert ENV_PRIVATE not in repr(settings)
    assert ENV_PRIVATE not in " ".join(settings.provenance())
    assert "private key from MONGODB_ATLAS_PRIVATE_API_KEY" in settings.provenance()
