"""Errors the Azure modules raise: a wrong operator input, or a refusal from Azure explained."""

from __future__ import annotations

from cmkwizard.errors import InputError  # noqa: F401  (re-exported)


class AzureError(Exception):
    """Azure refused or could not be reached.

    ``what`` is what happened (with Azure's own code, when it sent one), ``meaning`` why it matters for
    encryption at rest, ``next_step`` what to do. ``str()`` is safe to show and log: it never holds a
    secret or a token.
    """

    def __init__(
        self,
        what: str,
        *,
        meaning: str,
        next_step: str,
        code: str | None = None,
        status: int | None = None,
    ) -> None:
        self.what = what
        self.meaning = meaning
        self.next_step = next_step
        self.code = code
        self.status = status
        super().__init__(f"{what} [{code}]" if code else what)

    def __repr__(self) -> str:
        return f"AzureError(code={self.code!r}, status={self.status!r}, what={self.what!r})"
