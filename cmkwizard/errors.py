"""Errors shared by every part of the core."""

from __future__ import annotations


class InputError(ValueError):
    """An operator input is wrong; ``message`` says what is wrong and what is expected."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
