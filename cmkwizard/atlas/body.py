"""Reading a decoded Atlas response field by field, refusing what has the wrong shape.

A field that is absent or ``null`` reads as its default: Atlas leaves out what does not apply. A
field that is present with the wrong type (a string where an object belongs, a number for a state,
``null`` inside a list) is a damaged answer, and reading it raises ``AtlasResponseError`` naming
the field, e.g. ``awsKms`` or ``results[3].replicationSpecs[0]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cmkwizard.atlas.errors import AtlasResponseError
from cmkwizard.json_types import a_json_type


def unreadable(where: str, expected: str, found: Any) -> AtlasResponseError:
    what = where or "the response body"
    problem = "is empty" if found is None and not where else f"is {a_json_type(found)}"
    return AtlasResponseError(f"{what} {problem} where {expected} was expected", field=where or "(body)")


class Body:
    """One JSON object of a response; ``where`` is its place in the response (empty for the body itself)."""

    def __init__(self, data: Any, where: str = "") -> None:
        if not isinstance(data, Mapping):
            raise unreadable(where, "an object", data)
        self.data: Mapping[str, Any] = data
        self.where = where

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def _typed(self, key: str, types: tuple[type, ...], expected: str) -> Any:
        value = self.data.get(key)
        if value is None:
            return None
        # bool is an int in Python, but true is not a number in JSON.
        if isinstance(value, types) and not (isinstance(value, bool) and bool not in types):
            return value
        raise unreadable(self._name(key), expected, value)

    def text(self, key: str) -> str | None:
        return self._typed(key, (str,), "a string")

    def text_or(self, key: str, default: str) -> str:
        value = self.text(key)
        return default if value is None else value

    def flag(self, key: str) -> bool | None:
        return self._typed(key, (bool,), "true or false")

    def integer(self, key: str) -> int | None:
        value = self._typed(key, (int, float), "a whole number")
        if isinstance(value, float):
            if not value.is_integer():
                raise unreadable(self._name(key), "a whole number", value)
            return int(value)
        return value

    def moment(self, key: str) -> datetime | None:
        """An ISO 8601 timestamp; a string that is not one reads as unknown (``None``)."""
        value = self.text(key)
        if not value:
            return None
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None

    def obj(self, key: str) -> Body:
        """A nested object; an empty one when absent."""
        value = self.data.get(key)
        return Body({} if value is None else value, self._name(key))

    def items(self, key: str) -> list[Any]:
        """A list, its items unread; empty when absent."""
        return self._typed(key, (list,), "a list") or []

    def objects(self, key: str) -> list[Body]:
        """A list of objects; empty when absent. ``null`` inside the list is damage, not an empty item."""
        return objects_of(self.items(key), self._name(key))


def objects_of(items: list[Any], where: str) -> list[Body]:
    return [Body(item, f"{where}[{index}]") for index, item in enumerate(items)]
