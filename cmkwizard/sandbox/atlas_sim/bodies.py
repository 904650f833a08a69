"""Strict request-body checks, as Atlas makes them: unknown, read-only, mistyped or out-of-enum attributes fail."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from cmkwizard.sandbox.atlas_sim import errors

HEX_ID = re.compile(r"^[a-f0-9]{24}$")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

_TYPES: dict[str, tuple[type, ...]] = {
    "boolean": (bool,),
    "string": (str,),
    "integer": (int,),
    "object": (dict,),
    "array": (list,),
}
_EXPECTED = {
    "boolean": "a boolean",
    "string": "a string",
    "integer": "an integer",
    "object": "a JSON object",
    "array": "a JSON array",
}


@dataclass(frozen=True)
class Field:
    kind: str  # boolean | string | integer | object | array
    enum: Collection[str] | None = None
    pattern: re.Pattern[str] | None = None
    pattern_hint: str = ""
    min_length: int | None = None
    max_length: int | None = None
    minimum: int | None = None
    read_only: bool = False


def parse_json(raw: bytes) -> Any:
    if not raw.strip():
        raise errors.malformed_json("the request has no body")
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise errors.malformed_json(str(exc)) from None


def check_object(
    body: Any,
    fields: Mapping[str, Field],
    *,
    path: str = "",
) -> dict[str, Any]:
    """The attributes of ``body`` that were given (nulls dropped), or the first ApiError Atlas would answer."""
    if not isinstance(body, dict):
        raise errors.invalid_json_attribute(path or "body", "a JSON object")
    given: dict[str, Any] = {}
    for name, value in body.items():
        full = f"{path}.{name}" if path else name
        spec = fields.get(name)
        if spec is None:
            raise errors.invalid_attribute(full)
        if value is None:
            continue
        if spec.read_only:
            raise errors.read_only_attribute(full)
        check_value(full, value, spec)
        given[name] = value
    return given


def check_value(name: str, value: Any, spec: Field) -> None:
    types = _TYPES[spec.kind]
    if not isinstance(value, types) or (spec.kind == "integer" and isinstance(value, bool)):
        raise errors.invalid_json_attribute(name, _EXPECTED[spec.kind])
    if spec.enum is not None and value not in spec.enum:
        raise errors.invalid_enum_value(name, value, sorted(spec.enum))
    if isinstance(value, str):
        if spec.min_length is not None and len(value) < spec.min_length:
            raise errors.invalid_attribute(name, f"{name} must be at least {spec.min_length} characters long.")
        if spec.max_length is not None and len(value) > spec.max_length:
            raise errors.invalid_attribute(name, f"{name} must be at most {spec.max_length} characters long.")
        if spec.pattern is not None and not spec.pattern.match(value):
            hint = f" Expected {spec.pattern_hint}." if spec.pattern_hint else ""
            raise errors.invalid_attribute(name, f"Invalid value {value!r} for {name}.{hint}")
    if spec.minimum is not None and isinstance(value, int) and value < spec.minimum:
        raise errors.invalid_attribute(name, f"{name} must be at least {spec.minimum}, got {value}.")


HEX_ID_FIELD = Field("string", pattern=HEX_ID, pattern_hint="a 24-character hexadecimal id")
UUID_FIELD = Field("string", pattern=UUID, pattern_hint="a UUID such as 6f1a0c0e-0d8c-4b7a-9a5e-2f4b1c3d5e6f")
