"""Where cmkwizard keeps its files, and where the Atlas CLI keeps its configuration.

Every path follows the platform's conventions (XDG on Linux, ``~/Library/Application Support`` on
macOS, ``%APPDATA%`` on Windows) and is computed on each call, so a changed ``HOME`` or
``XDG_*`` variable takes effect at once.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "cmkwizard"
ATLAS_CLI_APP_NAME = "atlascli"


def config_dir() -> Path:
    return platformdirs.user_config_path(APP_NAME, appauthor=False, roaming=True)


def data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False, roaming=True)


def profiles_file() -> Path:
    """Named connection profiles (TOML, never a secret)."""
    return config_dir() / "profiles.toml"


def journal_dir() -> Path:
    return data_dir() / "journal"


def atlas_cli_config_file() -> Path:
    """The Atlas CLI's ``config.toml``.

    The Atlas CLI (Go) uses ``os.UserConfigDir()/atlascli``: ``$XDG_CONFIG_HOME`` or ``~/.config`` on
    Linux, ``~/Library/Application Support`` on macOS and the roaming ``%AppData%`` on Windows,
    which is what platformdirs returns for a roaming config directory.
    """
    return platformdirs.user_config_path(ATLAS_CLI_APP_NAME, appauthor=False, roaming=True) / "config.toml"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the owner only; an existing directory is kept as is."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path
