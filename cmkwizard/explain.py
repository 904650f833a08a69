"""One explanation for any error the core raises: what happened, its code, what it means, what to do next.

Atlas errors are explained by the Atlas client itself. Errors that carry their own explanation
(journey steps, AWS, Azure) are read through the `SelfExplaining` protocol, so this module needs
none of their packages. Every text returned is safe to show and log: it comes from the core's own
messages, never from ``str()`` or ``repr()`` of an error this module does not know.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from cmkwizard.atlas.errors import AtlasError, ErrorExplanation, describe_error
from cmkwizard.errors import InputError
from cmkwizard.secrets import SecretStoreError
from cmkwizard.settings import SettingsError

__all__ = ["ErrorExplanation", "SelfExplaining", "explain"]


@runtime_checkable
class SelfExplaining(Protocol):
    """An error that says itself what happened and what to do: StepError, AwsError, AzureError."""

    @property
    def what(self) -> str: ...

    @property
    def meaning(self) -> str: ...

    @property
    def next_step(self) -> str: ...

    @property
    def code(self) -> str | None: ...


def explain(error: BaseException) -> ErrorExplanation:
    """What happened, its code, what it means and the next step, for any exception."""
    if isinstance(error, AtlasError):
        return describe_error(error)
    if isinstance(error, SelfExplaining):
        return ErrorExplanation(error.what, error.meaning, error.next_step, error.code)
    if isinstance(error, InputError):
        return ErrorExplanation(error.message, "The value entered cannot be used.", "Correct it and try again.")
    if isinstance(error, SettingsError):
        return ErrorExplanation(
            str(error),
            "The connection settings are missing or cannot be used.",
            "Enter the credentials in the wizard, or correct the source named above and start again.",
        )
    if isinstance(error, SecretStoreError):
        return ErrorExplanation(
            str(error),
            "The system keyring could not store or remove the secret.",
            "Provide the secret through the environment (MONGODB_ATLAS_PRIVATE_API_KEY or "
            "MONGODB_ATLAS_CLIENT_SECRET), or repair the keyring and try again.",
        )
    return _unexpected(error)


def _unexpected(error: BaseException) -> ErrorExplanation:
    # The message of an unknown error may quote any value it was handed (a token, a pasted secret), so
    # only its type is shown; an operating system error adds the system's own words and the file name.
    what = f"Unexpected error: {type(error).__name__}"
    if isinstance(error, OSError) and error.strerror:
        what += f" ({error.strerror}" + (f": {error.filename}" if isinstance(error.filename, str) else "") + ")"
    return ErrorExplanation(
        what,
        "The wizard met an error it does not recognise.",
        "Try again; if it happens again, report it with the steps that led to it.",
    )
