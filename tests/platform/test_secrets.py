"""The keyring wrapper: stores and reads secrets where a keyring exists, falls back clearly where none does."""

from __future__ import annotations

import keyring.backends.fail
import keyring.backends.null
import pytest

from cmkwizard.secrets import Secret, SecretScrubber, SecretStore, SecretStoreError, is_secret_key
from tests.platform.memory_keyring import LockedKeyring, MemoryKeyring

PRIVATE_KEY = "3f6c1a2b-9d8e-4f70-a1b2-c3d4e5f6a7b8"


def test_round_trip_in_a_usable_keyring():
    backend = MemoryKeyring()
    store = SecretStore(backend=backend)

    store.set("prod", "private_key", PRIVATE_KEY)

    assert store.available
    assert store.get("prod", "private_key").reveal() == PRIVATE_KEY
    assert backend.entries == {("cmkwizard:prod", "private_key"): PRIVATE_KEY}
    assert store.delete("prod", "private_key") is True
    assert store.get("prod", "private_key") is None
    assert store.delete("prod", "private_key") is False
    assert "Secrets are kept in the keyring (tests.platform.memory_keyring.MemoryKeyring)" in store.status_message


@pytest.mark.parametrize("backend", [keyring.backends.null.Keyring(), keyring.backends.fail.Keyring()])
def test_without_a_usable_keyring_reads_are_empty_and_writes_refused_with_a_clear_message(backend):
    store = SecretStore(backend=backend)

    assert not store.available
    assert store.get("prod", "private_key") is None
    assert store.delete("prod", "private_key") is False
    with pytest.raises(SecretStoreError) as raised:
        store.set("prod", "private_key", PRIVATE_KEY)
    message = str(raised.value)
    assert f"No usable keyring on this machine ({type(backend).__module__}.Keyring)" in message
    assert "MONGODB_ATLAS_PRIVATE_API_KEY" in message and "never written to disk" in message
    assert PRIVATE_KEY not in message


def test_default_backend_follows_the_environment_and_headless_machines_get_no_keyring(monkeypatch):
    # conftest selects the null backend, as PYTHON_KEYRING_BACKEND would on a headless server.
    store = SecretStore()

    assert store.backend_name == "keyring.backends.null.Keyring"
    assert not store.available


def test_plaintext_file_backends_are_not_trusted():
    class PlaintextLike(MemoryKeyring):
        priority = 0.5  # what keyrings.alt's PlaintextKeyring reports

    store = SecretStore(backend=PlaintextLike())

    assert not store.available
    with pytest.raises(SecretStoreError):
        store.set("prod", "private_key", PRIVATE_KEY)


def test_a_failing_keyring_reads_as_empty_and_reports_why():
    store = SecretStore(backend=LockedKeyring())

    assert store.available
    assert store.get("prod", "private_key") is None
    assert "the collection is locked" in store.status_message
    with pytest.raises(SecretStoreError, match="Provide it through the environment instead"):
        store.set("prod", "private_key", PRIVATE_KEY)


def test_atlas_cli_entries_are_read_under_their_own_service():
    backend = MemoryKeyring()
    backend.set_password("atlascli_default", "private_api_key", PRIVATE_KEY)

    cli = SecretStore(backend=backend).with_prefix(SecretStore.ATLAS_CLI_PREFIX)

    assert cli.get("default", "private_api_key").reveal() == PRIVATE_KEY


def test_secret_never_shows_itself():
    secret = Secret(PRIVATE_KEY)

    assert PRIVATE_KEY not in repr(secret) and PRIVATE_KEY not in str(secret) and PRIVATE_KEY not in f"{secret}"
    assert secret == Secret(PRIVATE_KEY) and secret != Secret(PRIVATE_KEY[::-1])


@pytest.mark.parametrize(
    "name",
    [
        "private_key",
        "privateKey",
        "private-api-key",
        "client_secret",
        "Authorization",
        "secretAccessKey",
        "access_token",
    ],
)
def test_secret_names_in_any_spelling(name):
    assert is_secret_key(name)


@pytest.mark.parametrize("name", ["public_key", "publicKey", "client_id", "atlasAssumedRoleExternalId", "roleId"])
def test_identifiers_are_not_secret_names(name):
    assert not is_secret_key(name)


def test_scrubber_masks_secret_keys_and_registered_values_everywhere():
    scrubber = SecretScrubber([PRIVATE_KEY, "short"])

    scrubbed = scrubber.scrub(
        {
            "private_key": "anything",
            "note": f"typed {PRIVATE_KEY} by mistake",
            PRIVATE_KEY: ["nested", {"deeper": PRIVATE_KEY}],
            "count": 3,
            "public_key": "zmmrboas",
            "short": "short",  # too short to be masked everywhere without mangling text
        }
    )

    assert PRIVATE_KEY not in repr(scrubbed)
    assert scrubbed["private_key"] != "anything"
    assert scrubbed["count"] == 3 and scrubbed["public_key"] == "zmmrboas" and scrubbed["short"] == "short"
