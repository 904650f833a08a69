"""Test-wide settings: no test touches the real home directory, keyring or network."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# CI runs the same examples every time, so a red run is reproducible; local runs explore new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    for name in (
        "MONGODB_ATLAS_PUBLIC_API_KEY",
        "MONGODB_ATLAS_PRIVATE_API_KEY",
        "MONGODB_ATLAS_CLIENT_ID",
        "MONGODB_ATLAS_CLIENT_SECRET",
        "MONGODB_ATLAS_BASE_URL",
        "MONGODB_ATLAS_OPS_MANAGER_URL",
        "MONGODB_ATLAS_PROJECT_ID",
        "MONGODB_ATLAS_ORG_ID",
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "HTTPS_PROXY",
        "https_proxy",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "CMKWIZARD_AZURE_PROXY",
        "CMKWIZARD_AZURE_CA_BUNDLE",
        "CMKWIZARD_AZURE_TENANT_ID",
        "CMKWIZARD_AZURE_CLIENT_ID",
        "CMKWIZARD_AZURE_CLIENT_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    yield home
