"""Secrets: a value wrapper that never prints, the OS keyring, and scrubbing of recorded data.

The keyring is imported only when a secret is actually read or written, so starting the wizard
with credentials in the environment never pays for it. A backend with a priority below 1 (the
``fail`` and ``null`` backends, or a plaintext file backend) is treated as no keyring at all:
secrets then come from the environment or a prompt and are never written anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from cmkwizard import redaction
from cmkwizard.redaction import REDACTED, is_secret_key

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

# Registered secret values shorter than this are ignored: replacing a short string everywhere would
# mangle unrelated text, and every credential the wizard handles is much longer.
MIN_SECRET_LENGTH = 8


class Secret:
    """A secret string: ``repr``/``str`` show a mask; ``reveal()`` returns the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise ValueError("a secret must be a non-empty string")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        import hmac  # its OpenSSL set-up costs start-up time; only comparisons need it

        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, len(self._value)))


class SecretScrubber:
    """Removes secrets from JSON-like data before it is written anywhere.

    Everything first goes through ``redaction.redact``; then, everywhere in nested dicts and lists,
    the value of any secret-named key (in any spelling) is masked, and every occurrence of a
    registered secret value inside any string, keys included, is masked too.
    """

    def __init__(self, secrets: Iterable[str | Secret | None] = ()) -> None:
        self._values: set[str] = set()
        for secret in secrets:
            self.register(secret)

    def register(self, value: str | Secret | None) -> None:
        text = value.reveal() if isinstance(value, Secret) else value
        if text and len(text) >= MIN_SECRET_LENGTH:
            self._values.add(text)

    def scrub(self, data: Any) -> Any:
        return self._walk(redaction.redact(data))

    def _walk(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            return {
                self._scrub_text(str(key)): REDACTED
                if is_secret_key(key) and value not in (None, "")
                else self._walk(value)
                for key, value in data.items()
            }
        if isinstance(data, (list, tuple)):
            return [self._walk(item) for item in data]
        if isinstance(data, Secret):
            return REDACTED
        if isinstance(data, str):
            return self._scrub_text(data)
        return data

    def _scrub_text(self, text: str) -> str:
        # Longest first, so a secret that contains another registered secret is removed whole.
        for secret in sorted(self._values, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


class SecretStoreError(Exception):
    """A secret could not be stored or removed; the message says why and what to do instead."""


class SecretStore:
    """Secrets of named profiles in the OS keyring, under the service ``<prefix><profile>``.

    ``backend`` is a ``keyring`` backend instance; by default the one ``keyring`` selects for this
    machine (honouring ``PYTHON_KEYRING_BACKEND``). Reads never raise: an unusable keyring reads as
    "no secret" and ``status_message`` says why.
    """

    CMKWIZARD_PREFIX = "cmkwizard:"
    ATLAS_CLI_PREFIX = "atlascli_"  # the Atlas CLI's own keyring entries (service ``atlascli_<profile>``)

    def __init__(self, prefix: str = CMKWIZARD_PREFIX, backend: KeyringBackend | None = None) -> None:
        self.prefix = prefix
        self._backend = backend
        self._last_error: str | None = None

    def with_prefix(self, prefix: str) -> SecretStore:
        """The same keyring, under another service prefix (to read the Atlas CLI's entries)."""
        return SecretStore(prefix, self.backend)

    @property
    def backend(self) -> KeyringBackend:
        if self._backend is None:
            import keyring

            self._backend = keyring.get_keyring()
        return self._backend

    @property
    def backend_name(self) -> str:
        backend_type = type(self.backend)
        return f"{backend_type.__module__}.{backend_type.__qualname__}"

    @property
    def available(self) -> bool:
        try:
            return float(self.backend.priority) >= 1
        except (RuntimeError, TypeError, ValueError):  # a backend that cannot report its priority is not usable
            return False

    @property
    def status_message(self) -> str:
        if not self.available:
            return (
                f"No usable keyring on this machine ({self.backend_name}). Secrets are read from "
                "MONGODB_ATLAS_PRIVATE_API_KEY / MONGODB_ATLAS_CLIENT_SECRET or asked for when needed, "
                "and never written to disk. To store them, run where a Secret Service, macOS Keychain "
                "or Windows Credential Manager is available, or choose a backend with PYTHON_KEYRING_BACKEND."
            )
        if self._last_error:
            return f"The keyring ({self.backend_name}) failed: {self._last_error}"
        return f"Secrets are kept in the keyring ({self.backend_name})."

    def service(self, profile: str) -> str:
        return f"{self.prefix}{profile}"

    def get(self, profile: str, name: str) -> Secret | None:
        if not self.available:
            return None
        from keyring.errors import KeyringError

        try:
            value = self.backend.get_password(self.service(profile), name)
        except KeyringError as err:
            self._last_error = _describe_keyring_error(err)
            return None
        return Secret(value) if value else None

    def set(self, profile: str, name: str, value: str | Secret) -> None:
        if not self.available:
            raise SecretStoreError(self.status_message)
        from keyring.errors import KeyringError

        text = value.reveal() if isinstance(value, Secret) else value
        try:
            self.backend.set_password(self.service(profile), name, text)
        except KeyringError as err:
            self._last_error = _describe_keyring_error(err)
            raise SecretStoreError(
                f"Could not store {name} for profile '{profile}' in the keyring ({self.backend_name}): "
                f"{self._last_error}. Provide it through the environment instead."
            ) from None

    def delete(self, profile: str, name: str) -> bool:
        """Remove a secret; ``False`` when there was none (or no usable keyring)."""
        if not self.available:
            return False
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            self.backend.delete_password(self.service(profile), name)
        except PasswordDeleteError:
            return False
        except KeyringError as err:
            self._last_error = _describe_keyring_error(err)
            raise SecretStoreError(
                f"Could not remove {name} of profile '{profile}' from the keyring ({self.backend_name}): "
                f"{self._last_error}."
            ) from None
        return True


def _describe_keyring_error(err: Exception) -> str:
    # Keyring errors describe the backend (locked collection, D-Bus failure); they never carry the secret.
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
