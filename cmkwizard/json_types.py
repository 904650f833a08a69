"""The JSON name of a decoded value's type, for messages about documents that have the wrong shape."""

from __future__ import annotations

from typing import Any


def json_type(value: Any) -> str:
    """``string``, ``boolean``, ``number``, ``list``, ``null`` or ``object``."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):  # before numbers: true is an int in Python, not in JSON
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, list):
        return "list"
    return "object"


def a_json_type(value: Any) -> str:
    """The same with its article: ``a string``, ``an object``, ``null``."""
    name = json_type(value)
    if name == "null":
        return name
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"
