"""A project that reaches Key Vault with an app registration's secret (client ID, tenant ID, secret).

Atlas never returns the secret and does not report when it expires; the secret itself does not tell
either. Entra ID knows the date (the application's ``passwordCredentials``), which the operator reads
with ``az ad app credential list`` or in the portal and gives to the wizard. When the operator gives the
secret, the wizard signs in as the application once to learn whether Entra ID still accepts it, and
keeps it only in the keyring. Moving the project to Atlas' service principal is the onboarding journey's
enable step, after a confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from cmkwizard.azure.errors import AzureError, InputError
from cmkwizard.secrets import Secret, SecretScrubber
from cmkwizard.text_input import unquote

if TYPE_CHECKING:
    from cmkwizard.atlas.models import AzureKeyVaultConfig
    from cmkwizard.azure.adapters import AzureKeyVault
    from cmkwizard.secrets import SecretStore
    from cmkwizard.state import ProjectState

SECRET_WARNING_DAYS = 30
"""How long before the secret expires the wizard starts warning."""


def legacy_config(state: ProjectState) -> AzureKeyVaultConfig | None:
    """The project's Key Vault configuration when Atlas reaches the vault with an app registration's secret."""
    akv = state.encryption.azure_key_vault
    return akv if akv.uses_legacy_credentials else None


def expiry_lookup(client_id: str) -> str:
    """Where the operator reads the secret's expiry (Atlas cannot tell)."""
    return (
        f'az ad app credential list --id {client_id} --query "[].{{hint: hint, expires: endDateTime}}" -o table '
        f"(or Entra ID > App registrations > {client_id} > Certificates & secrets)"
    )


def parse_expiry(text: str) -> date:
    """A date as the portal or ``az`` shows it: 2027-03-31, or 2027-03-31T10:00:00Z / +00:00."""
    given = unquote(text)
    try:
        return (
            datetime.fromisoformat(given.replace("Z", "+00:00")).date() if "T" in given else date.fromisoformat(given)
        )
    except ValueError:
        raise InputError(
            f"{given!r} is not a date. Give the secret's expiry as YYYY-MM-DD, as az ad app credential list "
            "prints it (endDateTime)."
        ) from None


@dataclass(frozen=True)
class SecretExpiry:
    """What the wizard knows about when the secret stops working, and how loudly to say it."""

    text: str
    warning: bool


def secret_expiry(client_id: str, expires: date | None, today: date) -> SecretExpiry:
    if expires is None:
        return SecretExpiry(
            f"Atlas does not report when the secret of application {client_id} expires. Give the date Entra ID "
            f"shows ({expiry_lookup(client_id)}) to be warned {SECRET_WARNING_DAYS} days before.",
            warning=False,
        )
    days = (expires - today).days
    move = "Move the project to Atlas' service principal (no secret to renew), or give Atlas a new secret."
    if days < 0:
        return SecretExpiry(
            f"The secret of application {client_id} expired on {expires.isoformat()}: Atlas can no longer sign in "
            f"to reach the key, reports it invalid and pauses the clusters that use it. {move}",
            warning=True,
        )
    if days <= SECRET_WARNING_DAYS:
        when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        return SecretExpiry(
            f"The secret of application {client_id} expires {when} ({expires.isoformat()}). After that Atlas cannot "
            f"reach the key and pauses the clusters that use it. {move}",
            warning=True,
        )
    return SecretExpiry(f"The secret of application {client_id} expires on {expires.isoformat()}.", warning=False)


def keyring_name(client_id: str) -> str:
    """The keyring entry of an application's secret, in the wizard's profile."""
    return f"azure-app-secret:{client_id}"


async def check_app_secret(vault: AzureKeyVault) -> None:
    """Sign in as the application (a token from Entra ID): AzureError, without the secret, when refused."""
    secret = vault.connection.client_secret
    try:
        await vault.sign_in()
    except AzureError as err:
        scrub = SecretScrubber([secret]).scrub
        raise AzureError(
            scrub(err.what),
            meaning=scrub(err.meaning),
            next_step=scrub(err.next_step).replace("<client-id>", vault.connection.client_id or "<client-id>"),
            code=err.code,
            status=err.status,
        ) from None


def remember_secret(store: SecretStore, profile: str, client_id: str, secret: Secret) -> None:
    """Keep the application's secret in the keyring only (SecretStoreError when there is no usable keyring)."""
    store.set(profile, keyring_name(client_id), secret)


def recall_secret(store: SecretStore, profile: str, client_id: str) -> Secret | None:
    return store.get(profile, keyring_name(client_id))
