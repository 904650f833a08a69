"""Saved profiles: readable TOML without a secret, secrets in the keyring, managed by `cmkwizard profiles`."""

from __future__ import annotations

import getpass
import stat

import pytest

from cmkwizard.cli import main
from cmkwizard.settings import AUTH_DIGEST, Profile, ProfileStore, SettingsError, load_settings

PUBLIC_KEY = "zmmrboas"
PRIVATE_KEY = "3f6c1a2b-9d8e-4f70-a1b2-c3d4e5f6a7b8"
PROJECT_ID = "5f1d4c6e8b3a2a0012345678"


@pytest.fixture
def typed_secret(monkeypatch):
    """What the operator types at the hidden prompt."""
    prompts: list[str] = []

    def answer(prompt: str = "") -> str:
        prompts.append(prompt)
        return PRIVATE_KEY

    monkeypatch.setattr(getpass, "getpass", answer)
    return prompts


def test_add_keeps_the_secret_in_the_keyring_and_out_of_the_file(memory_keyring, typed_secret, capsys):
    code = main(
        ["profiles", "add", "prod", "--public-key", PUBLIC_KEY, "--project-id", PROJECT_ID, "--aws-region", "eu-west-1"]
    )

    store = ProfileStore()
    text = store.path.read_text()
    assert code == 0
    assert typed_secret == [f"Private key for {PUBLIC_KEY} (input hidden): "]
    assert PRIVATE_KEY not in text
    assert "private" not in text and "secret" not in text
    assert PUBLIC_KEY in text and PROJECT_ID in text
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert memory_keyring.entries == {("cmkwizard:prod", "private_key"): PRIVATE_KEY}
    assert "Saved profile 'prod'" in capsys.readouterr().out

    settings = load_settings(profile="prod")
    assert settings.private_key.value.reveal() == PRIVATE_KEY
    assert settings.project_id.value == PROJECT_ID


def test_list_shows_both_kinds_of_profile(memory_keyring, typed_secret, capsys, atlas_cli_config):
    atlas_cli_config.write_text('[default]\n  auth_type = "api_keys"\n')
    main(["profiles", "add", "prod", "--public-key", PUBLIC_KEY])
    capsys.readouterr()

    assert main(["profiles", "list"]) == 0

    out = capsys.readouterr().out
    assert f"prod: API key (HTTP digest) {PUBLIC_KEY}, secret in keyring" in out
    assert "default: api_keys" in out
    assert PRIVATE_KEY not in out


def test_remove_deletes_the_profile_and_its_secret(memory_keyring, typed_secret, capsys):
    main(["profiles", "add", "prod", "--public-key", PUBLIC_KEY])

    assert main(["profiles", "remove", "prod"]) == 0
    assert ProfileStore().get("prod") is None
    assert memory_keyring.entries == {}
    assert "Removed profile 'prod' and its secret from the keyring." in capsys.readouterr().out
    assert main(["profiles", "remove", "prod"]) == 1
    assert "no cmkwizard profile named 'prod'" in capsys.readouterr().err


def test_without_a_keyring_the_profile_is_saved_without_its_secret_and_the_way_forward_is_shown(typed_secret, capsys):
    code = main(["profiles", "add", "ci", "--client-id", "mdb_sa_id_6a1b2c3d4e5f60718293a4b8"])

    out = capsys.readouterr().out
    assert code == 0
    assert typed_secret == []  # nothing asked: there is nowhere to keep it
    assert "without its client secret" in out and "No usable keyring" in out
    assert "MONGODB_ATLAS_CLIENT_SECRET" in out
    assert ProfileStore().get("ci").auth == "service_account"


def test_invalid_values_are_refused_before_asking_for_the_secret(memory_keyring, typed_secret, capsys):
    code = main(["profiles", "add", "prod", "--public-key", "abc", "--project-id", "my-project"])

    err = capsys.readouterr().err
    assert code == 1
    assert typed_secret == []
    assert "public key 'abc': expected the 8-character public key" in err
    assert "project ID 'my-project': expected the 24-character hexadecimal project ID" in err
    assert not ProfileStore().path.exists()


def test_bad_profile_name_is_explained(memory_keyring, capsys):
    assert main(["profiles", "add", "prod.eu", "--public-key", PUBLIC_KEY]) == 1
    assert "expected 1 to 64 letters, digits, '-' or '_'" in capsys.readouterr().err


def test_empty_secret_is_refused(memory_keyring, monkeypatch, capsys):
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": "  ")

    assert main(["profiles", "add", "prod", "--public-key", PUBLIC_KEY]) == 1
    assert "private key not accepted (it is empty); profile not saved" in capsys.readouterr().err
    assert ProfileStore().get("prod") is None


def test_switching_a_profile_to_a_service_account_drops_the_old_private_key(memory_keyring, typed_secret):
    main(["profiles", "add", "prod", "--public-key", PUBLIC_KEY])
    main(["profiles", "add", "prod", "--client-id", "mdb_sa_id_6a1b2c3d4e5f60718293a4b8"])

    assert list(memory_keyring.entries) == [("cmkwizard:prod", "client_secret")]


def test_a_secret_written_into_the_file_by_hand_is_refused():
    store = ProfileStore()
    store.save(Profile("prod", AUTH_DIGEST, public_key=PUBLIC_KEY))
    store.path.write_text(store.path.read_text() + f'private_key = "{PRIVATE_KEY}"\n')

    with pytest.raises(SettingsError) as raised:
        store.list()

    assert "profile 'prod' contains private_key" in str(raised.value)
    assert PRIVATE_KEY not in str(raised.value)


def test_store_round_trip_and_removal():
    store = ProfileStore()
    profile = Profile("prod", AUTH_DIGEST, public_key=PUBLIC_KEY, project_id=PROJECT_ID)

    store.save(profile)
    store.save(Profile("dev", AUTH_DIGEST, public_key="devdevde"))

    assert store.get("prod") == profile
    assert store.names() == ["dev", "prod"]
    assert store.remove("dev") and not store.remove("dev")
    assert [p.name for p in store.list()] == ["prod"]


def test_a_hand_edited_profile_with_a_wrong_auth_kind_is_explained():
    store = ProfileStore()
    store.path.parent.mkdir(parents=True)
    store.path.write_text('[profiles.prod]\nauth = "password"\npublic_key = "zmmrboas"\n')

    with pytest.raises(SettingsError) as raised:
        load_settings(profile="prod")

    assert "profile 'prod' is not valid (auth must be one of digest, service_account, not 'password')" in str(
        raised.value
    )
