"""Fixtures for the platform tests: keyrings, and files where the real tools keep them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from cmkwizard import paths
from cmkwizard.sandbox.asgi_server import BackgroundServer
from tests.atlas.fake_atlas import FakeAtlas
from tests.platform.memory_keyring import MemoryKeyring

PUBLIC_KEY = "qwertyui"
PRIVATE_KEY = "3f6c1a2b-9d8e-4f70-a1b2-c3d4e5f6a7b8"
CLIENT_ID = "mdb_sa_id_6a1b2c3d4e5f60718293a4b8"
CLIENT_SECRET = "mdb_sa_sk_Zx8vQ2mP7rT4wY9uK3nB6cL1"


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """A usable keyring, installed as the process default for code that builds its own SecretStore."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def atlas_cli_config() -> Path:
    """Where the Atlas CLI keeps config.toml in the isolated home (not created)."""
    path = paths.atlas_cli_config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def served_atlas(monkeypatch) -> Iterator[tuple[FakeAtlas, str]]:
    """An Atlas look-alike over real HTTP on 127.0.0.1, and its address and API key in the environment."""
    fake = FakeAtlas(PUBLIC_KEY, PRIVATE_KEY, CLIENT_ID, CLIENT_SECRET)
    with BackgroundServer(fake.app, name="fake-atlas") as server:
        monkeypatch.setenv("MONGODB_ATLAS_BASE_URL", server.url)
        monkeypatch.setenv("MONGODB_ATLAS_PUBLIC_API_KEY", PUBLIC_KEY)
        monkeypatch.setenv("MONGODB_ATLAS_PRIVATE_API_KEY", PRIVATE_KEY)
        yield fake, server.url
