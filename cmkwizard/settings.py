"""Connection settings: Atlas credentials, base URL, organization, project and AWS profile, and where each came from.

Sources, highest precedence first:

1. overrides: command-line flags, or values typed on the connect screen;
2. the environment: ``MONGODB_ATLAS_*`` (the Atlas CLI's names), ``AWS_PROFILE``, ``AWS_REGION``;
3. a cmkwizard profile (``profiles.toml``, never a secret; the secret lives in the keyring);
4. an Atlas CLI profile (``atlascli/config.toml``; older versions keep secrets in the file, newer
   ones in the keyring under the service ``atlascli_<profile>``).

Each value is taken from the highest source that has it, as the Atlas CLI does. Credentials come in
pairs (public/private key, client ID/secret); the pair whose identifier has the higher source wins,
a service account on a tie, and a pair put together from two sources is pointed out.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import urlsplit

from cmkwizard import paths
from cmkwizard.secrets import Secret, SecretStore, is_secret_key
from cmkwizard.text_input import describe_character, foreign_character

if TYPE_CHECKING:
    import httpx

    from cmkwizard.atlas import AtlasClient
    from cmkwizard.atlas.client import Exchange

AUTH_DIGEST = "digest"
AUTH_SERVICE_ACCOUNT = "service_account"
AUTH_KINDS = (AUTH_DIGEST, AUTH_SERVICE_ACCOUNT)
AUTH_LABELS = {AUTH_DIGEST: "API key (HTTP digest)", AUTH_SERVICE_ACCOUNT: "service account (OAuth 2.0)"}

DEFAULT_BASE_URL = "https://cloud.mongodb.com"
ATLAS_FOR_GOVERNMENT_BASE_URL = "https://cloud.mongodbgov.com"

ENV_PUBLIC_KEY = "MONGODB_ATLAS_PUBLIC_API_KEY"
ENV_PRIVATE_KEY = "MONGODB_ATLAS_PRIVATE_API_KEY"
ENV_CLIENT_ID = "MONGODB_ATLAS_CLIENT_ID"
ENV_CLIENT_SECRET = "MONGODB_ATLAS_CLIENT_SECRET"
ENV_BASE_URL = "MONGODB_ATLAS_BASE_URL"
ENV_OPS_MANAGER_URL = "MONGODB_ATLAS_OPS_MANAGER_URL"
ENV_ORG_ID = "MONGODB_ATLAS_ORG_ID"
ENV_PROJECT_ID = "MONGODB_ATLAS_PROJECT_ID"
ENV_PROFILE = "MONGODB_ATLAS_PROFILE"

SECRET_NAMES = {AUTH_DIGEST: "private_key", AUTH_SERVICE_ACCOUNT: "client_secret"}
IDENTIFIER_NAMES = {AUTH_DIGEST: "public_key", AUTH_SERVICE_ACCOUNT: "client_id"}

_PUBLIC_KEY = re.compile(r"[A-Za-z0-9]{8}")
_CLIENT_ID = re.compile(r"mdb_sa_id_[0-9A-Fa-f]{24}")
_OBJECT_ID = re.compile(r"[0-9A-Fa-f]{24}")
_AWS_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")
_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_ATLAS_API_PATH = "/api/atlas/v2"
_PROJECT_NAME_PUNCTUATION = " -_.(),:&@+'"

T = TypeVar("T")


class SettingsError(ValueError):
    """Settings that cannot be used; the message says what is wrong, where it came from and what is expected."""


# --- checks for single values ----------------------------------------------------------------
# Each returns the value as typed (trimmed) or raises ValueError saying what is expected (never echoing a
# secret). A hidden or look-alike character is named with its position rather than cleaned away; only
# spellings of the same value are made canonical (hexadecimal IDs in lower case, the base URL without a
# trailing slash or the API path).


def _plain(value: str, *, spaces: bool = False) -> str:
    problem = foreign_character(value, spaces=spaces)
    if problem is not None:
        raise ValueError(problem)
    return value


def check_public_key(value: str) -> str:
    value = _plain(value.strip())
    if not _PUBLIC_KEY.fullmatch(value):
        raise ValueError("expected the 8-character public key Atlas shows for the API key (for example zmmrboas)")
    return value


def check_client_id(value: str) -> str:
    value = _plain(value.strip())
    if not _CLIENT_ID.fullmatch(value):
        raise ValueError("expected a service account client ID: mdb_sa_id_ followed by 24 hexadecimal characters")
    return value


def check_secret(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("it is empty")
    if any(ch.isspace() for ch in value):
        raise ValueError("it contains spaces or line breaks; paste the secret alone")
    return value


def check_org_id(value: str) -> str:
    return _check_object_id(value, "organization", "Organization Settings")


def check_project_id(value: str) -> str:
    return _check_object_id(value, "project", "Project Settings")


def _check_object_id(value: str, what: str, where: str) -> str:
    value = _plain(value.strip())
    if not _OBJECT_ID.fullmatch(value):
        raise ValueError(
            f"expected the 24-character hexadecimal {what} ID shown in Atlas under {where} "
            "(for example 5f1d4c6e8b3a2a0012345678)"
        )
    return value.lower()


def check_project_name(value: str) -> str:
    """A project name as Atlas allows it: 1-64 letters, digits, spaces and ``-_.(),:&@+'``."""
    value = value.strip()
    for position, char in enumerate(value, start=1):
        if not (unicodedata.category(char)[0] in "LN" or char in _PROJECT_NAME_PUNCTUATION):
            raise ValueError(
                f"character {position} is {describe_character(char)}; project names are 1 to 64 letters, digits, "
                f"spaces and {_PROJECT_NAME_PUNCTUATION.strip()}"
            )
    if not 1 <= len(value) <= 64:
        raise ValueError(f"it is {len(value)} characters long; project names are 1 to 64 characters")
    return value


def check_base_url(value: str) -> str:
    """The Atlas address without a trailing slash or ``/api/atlas/v2``; https unless on this machine."""
    url = _plain(value.strip()).rstrip("/")
    url = url.removesuffix(_ATLAS_API_PATH).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("expected an address such as https://cloud.mongodb.com")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError(
            "expected the bare address (no user name, query or fragment), such as https://cloud.mongodb.com"
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError("it must use https; plain http is accepted only for this machine (127.0.0.1, ::1, localhost)")
    return url


def check_aws_region(value: str) -> str:
    value = _plain(value.strip())
    if not _AWS_REGION.fullmatch(value):
        raise ValueError("expected an AWS region code such as us-east-1")
    return value


def check_aws_profile(value: str) -> str:
    value = _plain(value.strip(), spaces=True)
    if not value:
        raise ValueError("it is empty")
    return value


def check_profile_name(value: str) -> str:
    _plain(value)
    if not _PROFILE_NAME.fullmatch(value):
        raise ValueError(
            "expected 1 to 64 letters, digits, '-' or '_', starting with a letter or digit (for example prod-eu)"
        )
    return value


def _without_userinfo(text: str) -> str:
    """``https://user:pass@host`` shown as ``https://***@host``: a password pasted into an address is not echoed."""
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@", r"\1***@", text)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class _Field:
    label: str
    check: Callable[[str], str]
    env: tuple[str, ...] = ()
    secret: bool = False


_FIELDS: dict[str, _Field] = {
    "public_key": _Field("public key", check_public_key, (ENV_PUBLIC_KEY,)),
    "private_key": _Field("private key", check_secret, (ENV_PRIVATE_KEY,), secret=True),
    "client_id": _Field("client ID", check_client_id, (ENV_CLIENT_ID,)),
    "client_secret": _Field("client secret", check_secret, (ENV_CLIENT_SECRET,), secret=True),
    "base_url": _Field("base URL", check_base_url, (ENV_BASE_URL, ENV_OPS_MANAGER_URL)),
    "org_id": _Field("organization ID", check_org_id, (ENV_ORG_ID,)),
    "project_id": _Field("project ID", check_project_id, (ENV_PROJECT_ID,)),
    "aws_profile": _Field("AWS profile", check_aws_profile, ("AWS_PROFILE",)),
    "aws_region": _Field("AWS region", check_aws_region, ("AWS_REGION", "AWS_DEFAULT_REGION")),
}


def field_label(name: str) -> str:
    return _FIELDS[name].label


# --- value types -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sourced(Generic[T]):
    """A value and where it came from, in words an operator recognises (``MONGODB_ATLAS_PUBLIC_API_KEY``)."""

    value: T
    source: str


@dataclass(frozen=True)
class Overrides:
    """Values that beat every other source: command-line flags or what the operator typed."""

    public_key: str | None = None
    private_key: str | Secret | None = None
    client_id: str | None = None
    client_secret: str | Secret | None = None
    base_url: str | None = None
    org_id: str | None = None
    project_id: str | None = None
    aws_profile: str | None = None
    aws_region: str | None = None
    origin: str = "the command line"

    def values(self) -> dict[str, str | Secret]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "origin" and getattr(self, f.name)}


@dataclass(frozen=True)
class Profile:
    """A named cmkwizard connection profile. It holds no secret: that is kept in the keyring."""

    name: str
    auth: str
    public_key: str | None = None
    client_id: str | None = None
    base_url: str | None = None
    org_id: str | None = None
    project_id: str | None = None
    aws_profile: str | None = None
    aws_region: str | None = None

    def __post_init__(self) -> None:
        check_profile_name(self.name)
        if self.auth not in AUTH_KINDS:
            raise ValueError(f"auth must be one of {', '.join(AUTH_KINDS)}, not {self.auth!r}")

    @property
    def identifier(self) -> str | None:
        return getattr(self, IDENTIFIER_NAMES[self.auth])

    @property
    def secret_name(self) -> str:
        return SECRET_NAMES[self.auth]

    def problems(self) -> list[str]:
        """What is wrong with the values, one message each (empty when all are fine)."""
        found = []
        for name, value in self.to_toml().items():
            if name in _FIELDS:
                try:
                    _FIELDS[name].check(value)
                except ValueError as err:
                    found.append(f"{_FIELDS[name].label} {value!r}: {err}")
        if not self.identifier:
            found.append(f"a {_FIELDS[IDENTIFIER_NAMES[self.auth]].label} is required for {AUTH_LABELS[self.auth]}")
        return found

    def to_toml(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "name" and getattr(self, f.name)}

    @classmethod
    def from_toml(cls, name: str, data: Mapping[str, Any]) -> Profile:
        known = {f.name for f in fields(cls)} - {"name"}
        return cls(name=name, **{"auth": "", **{k: str(v) for k, v in data.items() if k in known}})


class ProfileStore:
    """cmkwizard's own profiles in ``profiles.toml`` (one ``[profiles.<name>]`` table each), mode 0600."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.profiles_file()

    def list(self) -> list[Profile]:
        return [self._profile(name, data) for name, data in sorted(self._read().items())]

    def names(self) -> list[str]:
        return sorted(self._read())

    def get(self, name: str) -> Profile | None:
        data = self._read().get(name)
        return self._profile(name, data) if data is not None else None

    def _profile(self, name: str, data: Mapping[str, Any]) -> Profile:
        try:
            return Profile.from_toml(name, data)
        except ValueError as err:
            raise SettingsError(
                f"{self.path}: profile '{name}' is not valid ({err}). Fix it, or remove it with "
                f"`cmkwizard profiles remove {name}` and add it again."
            ) from None

    def save(self, profile: Profile) -> None:
        tables = self._read()
        tables[profile.name] = profile.to_toml()
        self._write(tables)

    def remove(self, name: str) -> bool:
        tables = self._read()
        if tables.pop(name, None) is None:
            return False
        self._write(tables)
        return True

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            with self.path.open("rb") as handle:
                document = tomllib.load(handle)
        except FileNotFoundError:
            return {}
        except tomllib.TOMLDecodeError as err:
            raise SettingsError(f"{self.path} is not valid TOML ({err}); fix or remove it.") from None
        tables = document.get("profiles", {})
        if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
            raise SettingsError(f"{self.path}: expected [profiles.<name>] tables; fix or remove the file.")
        for name, table in tables.items():
            leaked = sorted(key for key in table if is_secret_key(key))
            if leaked:
                raise SettingsError(
                    f"{self.path}: profile '{name}' contains {', '.join(leaked)}. Secrets do not belong in this "
                    f"file: remove the line and store the secret with `cmkwizard profiles add {name}`."
                )
        return tables

    def _write(self, tables: Mapping[str, Mapping[str, str]]) -> None:
        import tomli_w

        paths.ensure_private_dir(self.path.parent)
        temporary = self.path.with_name(self.path.name + ".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            tomli_w.dump({"profiles": dict(tables)}, handle)
        os.replace(temporary, self.path)


# --- the Atlas CLI's configuration -----------------------------------------------------------

ATLAS_CLI_USER_ACCOUNT = "user_account"
_ATLAS_CLI_AUTH_KINDS = {"api_keys": AUTH_DIGEST, "service_account": AUTH_SERVICE_ACCOUNT}
_ATLAS_CLI_GOV_SERVICE = "cloudgov"
# Property names in config.toml and in the keyring (service ``atlascli_<profile>``, user = property).
_ATLAS_CLI_CREDENTIALS = {
    "public_key": "public_api_key",
    "private_key": "private_api_key",
    "client_id": "client_id",
    "client_secret": "client_secret",
}


def read_atlas_cli_profiles(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """The profiles (top-level tables) of the Atlas CLI's config.toml; empty if there is none."""
    path = path or paths.atlas_cli_config_file()
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as err:
        raise SettingsError(f"The Atlas CLI configuration {path} is not valid TOML ({err}).") from None
    return {name: table for name, table in document.items() if isinstance(table, dict)}


def _select_profile(names: Iterable[str], requested: str | None) -> str | None:
    """The Atlas CLI's rule: the requested profile, else the only one, else ``default``."""
    names = list(names)
    if requested:
        return requested if requested in names else None
    if len(names) == 1:
        return names[0]
    return "default" if "default" in names else None


# --- resolution ------------------------------------------------------------------------------


class _Layer:
    """One source of values; ``lazy`` lookups (keyring reads) run only when a higher source lacks the value."""

    def __init__(
        self,
        values: Mapping[str, Sourced[Any]] | None = None,
        lazy: Mapping[str, Callable[[], Sourced[Any] | None]] | None = None,
    ) -> None:
        self._values = dict(values or {})
        self._lazy = dict(lazy or {})

    def lookup(self, name: str) -> Sourced[Any] | None:
        if name in self._values:
            return self._values[name]
        loader = self._lazy.pop(name, None)
        if loader is not None:
            found = loader()
            if found is not None:
                self._values[name] = found
            return found
        return None


def _overrides_layer(overrides: Overrides) -> _Layer:
    return _Layer({name: Sourced(value, overrides.origin) for name, value in overrides.values().items()})


def _environment_layer(env: Mapping[str, str], notes: list[str]) -> _Layer:
    values = {}
    for name, spec in _FIELDS.items():
        present = [var for var in spec.env if env.get(var, "").strip()]
        if present:
            values[name] = Sourced(env[present[0]], present[0])
            if len({env[var].strip().rstrip("/") for var in present}) > 1:
                notes.append(f"{' and '.join(present)} differ; using {present[0]}.")
    return _Layer(values)


def _profile_layer(profile: Profile, secrets: SecretStore, notes: list[str]) -> _Layer:
    where = f"cmkwizard profile '{profile.name}'"
    values = {name: Sourced(value, where) for name, value in profile.to_toml().items() if name in _FIELDS}

    def secret() -> Sourced[Any] | None:
        value = secrets.get(profile.name, profile.secret_name)
        if value is None:
            why = "" if secrets.available else f" {secrets.status_message}"
            notes.append(f"No {field_label(profile.secret_name)} for {where} in the keyring.{why}")
            return None
        return Sourced(value, f"the keyring ({secrets.service(profile.name)})")

    return _Layer(values, {profile.secret_name: secret})


def _atlas_cli_layer(name: str, table: Mapping[str, Any], path: Path, secrets: SecretStore, notes: list[str]) -> _Layer:
    where = f"Atlas CLI profile '{name}' ({_display(path)})"
    text = {key: str(value).strip() for key, value in table.items() if isinstance(value, str) and value.strip()}
    values: dict[str, Sourced[Any]] = {}
    for key in ("org_id", "project_id"):
        if key in text:
            values[key] = Sourced(text[key], where)
    url = text.get("ops_manager_url") or text.get("base_url")
    if url:
        values["base_url"] = Sourced(url, where)
    elif text.get("service") == _ATLAS_CLI_GOV_SERVICE:
        values["base_url"] = Sourced(ATLAS_FOR_GOVERNMENT_BASE_URL, f"{where}, service = cloudgov")

    if text.get("auth_type") == ATLAS_CLI_USER_ACCOUNT:
        notes.append(
            f"{where} signs in with a user account (atlas auth login), which cmkwizard cannot reuse; "
            "use an API key or a service account."
        )
        return _Layer(values)

    # Config version 2 records auth_type and, when a keyring is usable, moves that pair there.
    kind = _ATLAS_CLI_AUTH_KINDS.get(text.get("auth_type", ""))
    in_keyring = (IDENTIFIER_NAMES[kind], SECRET_NAMES[kind]) if kind else ()
    keyring = secrets.with_prefix(SecretStore.ATLAS_CLI_PREFIX)

    def from_keyring(ours: str, theirs: str) -> Callable[[], Sourced[Any] | None]:
        def load() -> Sourced[Any] | None:
            if not keyring.available:
                notes.append(f"{where} keeps its credentials in the keyring. {keyring.status_message}")
                return None
            value = keyring.get(name, theirs)
            if value is None:
                return None
            shown = value if _FIELDS[ours].secret else value.reveal()
            return Sourced(shown, f"the keyring ({keyring.service(name)}, {theirs})")

        return load

    lazy = {}
    for ours, theirs in _ATLAS_CLI_CREDENTIALS.items():
        if theirs in text:
            values[ours] = Sourced(Secret(text[theirs]) if _FIELDS[ours].secret else text[theirs], where)
        elif ours in in_keyring:
            lazy[ours] = from_keyring(ours, theirs)
    return _Layer(values, lazy)


def _display(path: Path) -> str:
    home = Path.home()
    return f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path)


class _Resolver:
    def __init__(self, layers: list[_Layer]) -> None:
        self.layers = layers

    def find(self, name: str) -> Sourced[Any] | None:
        for layer in self.layers:
            found = layer.lookup(name)
            if found is not None and found.value:
                return found
        return None


def _checked(name: str, found: Sourced[Any], problems: list[str]) -> Sourced[Any]:
    spec = _FIELDS[name]
    raw = found.value.reveal() if isinstance(found.value, Secret) else str(found.value)
    try:
        value = spec.check(raw)
    except ValueError as err:
        shown = "" if spec.secret else f" {_without_userinfo(raw)!r}"
        problems.append(f"The {spec.label}{shown} from {found.source} is not valid: {err}.")
        return found
    return Sourced(Secret(value) if spec.secret else value, found.source)


# --- the resolved settings -------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """Resolved connection settings. Secrets are ``Secret`` objects, so a repr never shows them."""

    auth_kind: str | None
    base_url: Sourced[str]
    public_key: Sourced[str] | None = None
    private_key: Sourced[Secret] | None = None
    client_id: Sourced[str] | None = None
    client_secret: Sourced[Secret] | None = None
    org_id: Sourced[str] | None = None
    project_id: Sourced[str] | None = None
    aws_profile: Sourced[str] | None = None
    aws_region: Sourced[str] | None = None
    profile_name: str | None = None
    missing_secret: str | None = None
    """``private_key`` or ``client_secret`` when an identifier was found without its secret (ask for it)."""
    notes: tuple[str, ...] = field(default=())

    @property
    def has_credentials(self) -> bool:
        return self.auth_kind is not None

    @property
    def identity(self) -> str | None:
        """Who the credentials are, without the secret: ``API key zmmrboas``."""
        if self.auth_kind == AUTH_DIGEST and self.public_key:
            return f"API key {self.public_key.value}"
        if self.auth_kind == AUTH_SERVICE_ACCOUNT and self.client_id:
            return f"service account {self.client_id.value}"
        return None

    def provenance(self) -> list[str]:
        """One line per value: ``public key from MONGODB_ATLAS_PUBLIC_API_KEY``."""
        return [f"{_FIELDS[name].label} from {found.source}" for name, found in self._sourced()]

    def source_of(self, name: str) -> str | None:
        found = getattr(self, name)
        return found.source if isinstance(found, Sourced) else None

    def secrets(self) -> tuple[Secret, ...]:
        return tuple(found.value for _, found in self._sourced() if isinstance(found.value, Secret))

    def require_credentials(self) -> None:
        if self.has_credentials:
            return
        if self.missing_secret:
            identifier = self.public_key or self.client_id
            assert identifier is not None
            raise SettingsError(
                f"Found the {_FIELDS[IDENTIFIER_NAMES[_kind_of(self.missing_secret)]].label} {identifier.value} "
                f"(from {identifier.source}) but no {field_label(self.missing_secret)}. Set "
                f"{_FIELDS[self.missing_secret].env[0]}, or store it with `cmkwizard profiles add`."
            )
        raise SettingsError(
            "No Atlas credentials found. Set MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY "
            "(API key) or MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET (service account), save a "
            "profile with `cmkwizard profiles add`, or configure the Atlas CLI (`atlas config init`). "
            "To try the wizard without Atlas, run `cmkwizard --sandbox`."
        )

    def make_auth(self) -> httpx.Auth:
        from cmkwizard.atlas.auth import ServiceAccountAuth, digest_auth

        self.require_credentials()
        if self.auth_kind == AUTH_DIGEST:
            assert self.public_key and self.private_key
            return digest_auth(self.public_key.value, self.private_key.value.reveal())
        assert self.client_id and self.client_secret
        return ServiceAccountAuth(self.client_id.value, self.client_secret.value.reveal())

    def make_client(self, tracer: Callable[[Exchange], None] | None = None, **options: Any) -> AtlasClient:
        """An ``AtlasClient`` for these settings; ``options`` go to its constructor (``transport``, ``retry``...)."""
        from cmkwizard.atlas import AtlasClient

        return AtlasClient(self.base_url.value, self.make_auth(), tracer=tracer, **options)

    def _sourced(self) -> list[tuple[str, Sourced[Any]]]:
        return [(name, getattr(self, name)) for name in _FIELDS if isinstance(getattr(self, name), Sourced)]


def _kind_of(secret_name: str) -> str:
    return next(kind for kind, name in SECRET_NAMES.items() if name == secret_name)


def load_settings(
    overrides: Overrides | None = None,
    *,
    profile: str | None = None,
    env: Mapping[str, str] | None = None,
    secrets: SecretStore | None = None,
    profiles: ProfileStore | None = None,
    atlas_cli_config: Path | None = None,
    use_profiles: bool = True,
) -> Settings:
    """Resolve the settings from all sources (see the module docstring).

    ``profile`` names a cmkwizard profile, an Atlas CLI profile, or both (default: ``MONGODB_ATLAS_PROFILE``,
    else the only profile, else ``default``). ``use_profiles=False`` reads only overrides and ``env``
    (the sandbox). Raises ``SettingsError`` listing every value that is not valid, or an unknown profile.
    """
    env = os.environ if env is None else env
    secrets = secrets or SecretStore()
    notes: list[str] = []
    layers = [_overrides_layer(overrides or Overrides()), _environment_layer(env, notes)]
    selected: str | None = None
    if use_profiles:
        selected, profile_layers = _profile_layers(
            profile or env.get(ENV_PROFILE) or None,
            profiles or ProfileStore(),
            atlas_cli_config or paths.atlas_cli_config_file(),
            secrets,
            notes,
        )
        layers += profile_layers
    resolver = _Resolver(layers)
    problems: list[str] = []

    credentials, missing = _resolve_credentials(resolver, notes)
    values = {name: _checked(name, found, problems) for name, found in credentials.items()}
    for name in ("base_url", "org_id", "project_id", "aws_profile", "aws_region"):
        found = resolver.find(name)
        if found is not None:
            values[name] = _checked(name, found, problems)
    if problems:
        raise SettingsError("\n".join(problems))
    return Settings(
        auth_kind=_auth_kind(credentials),
        base_url=values.pop("base_url", Sourced(DEFAULT_BASE_URL, "the default")),
        profile_name=selected,
        missing_secret=missing,
        notes=tuple(dict.fromkeys(notes)),
        **values,
    )


def _profile_layers(
    requested: str | None, store: ProfileStore, atlas_cli_path: Path, secrets: SecretStore, notes: list[str]
) -> tuple[str | None, list[_Layer]]:
    own_name = _select_profile(store.names(), requested)
    try:
        atlas_cli_profiles = read_atlas_cli_profiles(atlas_cli_path)
    except SettingsError as err:
        notes.append(f"{err} It was ignored.")
        atlas_cli_profiles = {}
    cli_name = _select_profile(atlas_cli_profiles, requested.lower() if requested else None)
    if requested and own_name is None and cli_name is None:
        raise SettingsError(
            f"No profile named '{requested}'. cmkwizard profiles: {', '.join(store.names()) or 'none'}; "
            f"Atlas CLI profiles in {_display(atlas_cli_path)}: {', '.join(atlas_cli_profiles) or 'none'}. "
            f"Create it with `cmkwizard profiles add {requested} ...`."
        )
    layers = []
    if own_name is not None:
        own = store.get(own_name)
        assert own is not None
        layers.append(_profile_layer(own, secrets, notes))
    if cli_name is not None:
        layers.append(_atlas_cli_layer(cli_name, atlas_cli_profiles[cli_name], atlas_cli_path, secrets, notes))
    return own_name or cli_name, layers


def _resolve_credentials(resolver: _Resolver, notes: list[str]) -> tuple[dict[str, Sourced[Any]], str | None]:
    """The credential pair to use, and the secret still missing when no pair is complete.

    Sources are visited from the highest; the first identifier whose secret can be found (in that
    source or any other) wins, a service account before an API key within one source. Lower sources,
    and so the keyring, are only consulted when nothing above them completes a pair.
    """
    first_incomplete: tuple[str, Sourced[Any]] | None = None
    for layer in resolver.layers:
        for kind in (AUTH_SERVICE_ACCOUNT, AUTH_DIGEST):
            identifier = layer.lookup(IDENTIFIER_NAMES[kind])
            if identifier is None or not identifier.value:
                continue
            secret = resolver.find(SECRET_NAMES[kind])
            if secret is None:
                first_incomplete = first_incomplete or (kind, identifier)
                continue
            if secret.source != identifier.source:
                notes.append(
                    f"The {field_label(IDENTIFIER_NAMES[kind])} comes from {identifier.source} and the "
                    f"{field_label(SECRET_NAMES[kind])} from {secret.source}: make sure they belong together."
                )
            if first_incomplete is not None:
                notes.append(_incomplete_note(*first_incomplete))
            return {IDENTIFIER_NAMES[kind]: identifier, SECRET_NAMES[kind]: secret}, None
    if first_incomplete is None:
        return {}, None
    kind, identifier = first_incomplete
    return {IDENTIFIER_NAMES[kind]: identifier}, SECRET_NAMES[kind]


def _incomplete_note(kind: str, identifier: Sourced[Any]) -> str:
    return (
        f"Ignored the {field_label(IDENTIFIER_NAMES[kind])} {identifier.value} from {identifier.source}: "
        f"no {field_label(SECRET_NAMES[kind])} was found for it."
    )


def _auth_kind(credentials: Mapping[str, Sourced[Any]]) -> str | None:
    for kind in AUTH_KINDS:
        if SECRET_NAMES[kind] in credentials:
            return kind
    return None
