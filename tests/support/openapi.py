"""Check HTTP exchanges against the official Atlas Admin API v2 OpenAPI spec.

``atlas_spec()`` loads the spec once per test run (about a second) and skips the calling test with
the reason when the file is missing. ``validate_request`` / ``validate_response`` raise an
``AssertionError`` listing every problem: unknown path or method, a missing Authorization header
(the unauthenticated first request of a Digest exchange fails by design), a media type version the
operation does not offer, undeclared query parameters, or a body that does not match the schema.

The spec is loaded with these adjustments, each for a defect in the spec or in the tooling:

* ``\\p{L}``/``\\p{N}`` in patterns are rewritten for Python's ``re``; the spec self-check is off;
  every ``application/vnd.atlas.*+json`` media type is parsed as JSON.
* ``type: object`` is dropped from schemas whose ``oneOf`` lists only string enums (region names,
  event types): the values are plain strings on the wire and no object could match the ``oneOf``.
* A discriminator property marked ``readOnly`` (EAR private endpoints' ``cloudProvider``) is
  writable: a request body must carry it for the schema to pick a variant, and Atlas' own
  Terraform provider sends it.
* A ``oneOf`` without a discriminator becomes ``anyOf``: its variants overlap (an M10 hardware spec
  is valid for AWS, Azure and GCP; ``US_WEST_2`` is both an AWS and an Azure region), so a correct
  body matches more than one and ``oneOf`` would reject it.
* ``ApiError.parameters`` items may be any value: the spec says objects, Atlas sends the values it
  substituted into ``detail`` (strings and numbers).
* A subtype's ``allOf: [$ref Base]``, where ``Base`` is itself ``oneOf`` its subtypes with a
  discriminator, inherits only Base's own fields; validating through the ``oneOf`` recurses forever.
* A legacy (``2023-01-01``) cluster's ``regionsConfig`` entries may hold any number of electable nodes:
  the spec's ``0, 3, 5, 7`` is the size of a replica set, which a multi-region one spreads across its
  regions (2 + 2 + 1).
* An AWS cloud provider access role's ``iamAssumedRoleArn`` and ``authorizedDate`` are nullable: Atlas
  sends both as ``null`` until the role is authorized (recorded in the Atlas CLI's end-to-end captures).
"""

from __future__ import annotations

import functools
import json
import os
import re
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = Path(os.environ.get("CMKWIZARD_ATLAS_SPEC") or REPO_ROOT.parent / "shared" / "atlas" / "openapi-v2.yaml")

_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
_ATLAS_JSON = re.compile(r"^application/vnd\.atlas\.[^+]+\+json$")
# Python's ``re`` has no Unicode property classes; the spec only uses them inside [...] sets.
_UNICODE_CLASSES = {r"\p{L}": "a-zA-Z", r"\p{N}": "0-9"}


@functools.cache
def atlas_spec() -> AtlasSpec:
    if not SPEC_PATH.is_file():
        pytest.skip(
            f"Atlas OpenAPI spec not found at {SPEC_PATH}: "
            "set CMKWIZARD_ATLAS_SPEC to the path of openapi-v2.yaml to run this check"
        )
    with SPEC_PATH.open("rb") as stream:
        document = yaml.load(stream, Loader=yaml.CSafeLoader)
    return AtlasSpec(document)


class AtlasSpec:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        schemas = document["components"]["schemas"]
        media_types = set()
        for node in _walk_dicts(document):
            _rewrite_pattern(node)
            self._untype_string_choices(node)
            _inherit_base_fields(node, schemas)
            self._make_discriminator_writable(node)
            _overlapping_choices_to_any_of(node)
            media_types.update(key for key in node if _ATLAS_JSON.match(key))
        schemas["ApiError"]["properties"]["parameters"]["items"] = {}
        _make_nullable(schemas["CloudProviderAccessAWSIAMRole"], ("iamAssumedRoleArn", "authorizedDate"))
        schemas["RegionSpec"]["properties"]["electableNodes"].pop("enum")
        self.server_url: str = document["servers"][0]["url"]
        self.openapi = OpenAPI.from_dict(
            document,
            config=Config(
                spec_validator_cls=None,
                extra_media_type_deserializers={mt: json.loads for mt in media_types},
            ),
        )
        self._templates = [(_template_regex(template), template, item) for template, item in document["paths"].items()]

    def operation(self, method: str, path: str) -> dict[str, Any]:
        """The spec's operation object for ``method`` on a concrete ``path``."""
        return self._match(method, path)[1]

    def _match(self, method: str, path: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The path item and operation for ``method`` on a concrete ``path``."""
        matches = [(t, item) for regex, t, item in self._templates if regex.fullmatch(path)]
        if not matches:
            raise AssertionError(f"{method} {path}: no such path in the Atlas spec")
        # A literal segment beats a template parameter (``/groups/byName/{n}`` over ``/groups/{id}/...``).
        template, item = min(matches, key=lambda m: m[0].count("{"))
        operation = item.get(method.lower())
        if operation is None:
            offered = sorted(m.upper() for m in item if m in _HTTP_METHODS)
            raise AssertionError(f"{method} {template}: method not in the spec (offers {', '.join(offered)})")
        return item, operation

    def _query_parameters(self, item: dict[str, Any], operation: dict[str, Any]) -> set[str]:
        parameters = [*item.get("parameters", ()), *operation.get("parameters", ())]
        resolved = (self._resolve(p) for p in parameters)
        return {p["name"] for p in resolved if p.get("in") == "query"}

    def _untype_string_choices(self, schema: dict[str, Any]) -> None:
        choices = schema.get("oneOf")
        if (
            schema.get("type") == "object"
            and choices
            and all(self._resolve(choice).get("type") == "string" for choice in choices)
        ):
            del schema["type"]

    def _make_discriminator_writable(self, schema: dict[str, Any]) -> None:
        discriminator = schema.get("discriminator")
        if not isinstance(discriminator, dict):
            return
        name = discriminator["propertyName"]
        variants = [self._resolve({"$ref": ref}) for ref in discriminator.get("mapping", {}).values()]
        for variant in (schema, *variants):
            variant.get("properties", {}).get(name, {}).pop("readOnly", None)

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    def validate_request(self, request: httpx.Request) -> None:
        path = request.url.path
        item, operation = self._match(request.method, path)
        problems = list(self._header_problems(request, operation))
        # openapi-core ignores undeclared query parameters; Atlas may reject or silently drop them.
        undeclared = set(request.url.params) - self._query_parameters(item, operation)
        if undeclared:
            problems.append(f"query parameters not declared by {operation['operationId']}: {sorted(undeclared)}")
        with warnings.catch_warnings():
            # openapi-core cannot check the OAuth scheme; the Digest alternative is checked instead.
            warnings.filterwarnings("ignore", "Unsupported scheme type", UserWarning)
            errors = list(self.openapi.iter_request_errors(_OpenAPIRequest(request, self.server_url)))
        problems += _describe(errors)
        _raise_if(problems, f"{request.method} {path} request")

    def validate_response(self, request: httpx.Request, response: httpx.Response) -> None:
        operation = self.operation(request.method, request.url.path)
        subject = f"{request.method} {request.url.path} -> {response.status_code} response"
        if response.status_code == 204 and not response.content:
            # The spec gives 204s a media type but no schema; an empty body is what Atlas sends.
            if "204" not in operation["responses"]:
                _raise_if([f"{operation['operationId']} does not document 204"], subject)
            return
        errors = self.openapi.iter_response_errors(
            _OpenAPIRequest(request, self.server_url), _OpenAPIResponse(response)
        )
        _raise_if(_describe(errors), subject)

    def _header_problems(self, request: httpx.Request, operation: dict[str, Any]) -> Iterator[str]:
        # openapi-core skips the OAuth scheme, so an unauthenticated request would pass its check.
        if operation.get("security", self.document.get("security")) and "Authorization" not in request.headers:
            yield "no Authorization header (the spec requires ServiceAccounts or DigestAuth)"
        offered = sorted(_success_media_types(operation))
        accept = request.headers.get("Accept", "")
        if accept not in offered:
            yield f"Accept {accept!r} is not offered by {operation['operationId']} (offers {offered})"
        if "requestBody" in operation:
            body_types = sorted(operation["requestBody"].get("content", {}))
            content_type = request.headers.get("Content-Type", "")
            if content_type not in body_types:
                yield f"Content-Type {content_type!r} is not accepted (accepts {body_types})"
            elif content_type != accept:
                yield f"Content-Type {content_type!r} and Accept {accept!r} name different versions"
        elif request.content:
            yield f"{operation['operationId']} takes no request body but one was sent"


class _OpenAPIRequest:
    """An ``httpx.Request`` as openapi-core sees it, addressed to the spec's server."""

    def __init__(self, request: httpx.Request, server_url: str) -> None:
        self._request = request
        self.host_url = server_url
        self.path = request.url.path
        self.method = request.method.lower()
        self.body = request.content or None
        self.content_type = request.headers.get("Content-Type", "")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(request.url.query.decode())),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
        )


class _OpenAPIResponse:
    def __init__(self, response: httpx.Response) -> None:
        self.data = response.content
        self.status_code = response.status_code
        self.content_type = response.headers.get("Content-Type", "")
        self.headers = Headers(list(response.headers.items()))


def _success_media_types(operation: dict[str, Any]) -> set[str]:
    return {
        media_type
        for status, response in operation.get("responses", {}).items()
        if str(status).startswith("2")
        for media_type in response.get("content", {})
    }


def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)))


def _rewrite_pattern(schema: dict[str, Any]) -> None:
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        for escape, replacement in _UNICODE_CLASSES.items():
            pattern = pattern.replace(escape, replacement)
        schema["pattern"] = pattern


def _inherit_base_fields(schema: dict[str, Any], schemas: dict[str, Any]) -> None:
    parts = schema.get("allOf") or ()
    for index, part in enumerate(parts):
        ref = part.get("$ref", "") if isinstance(part, dict) else ""
        base = schemas.get(ref.removeprefix("#/components/schemas/")) if ref else None
        if base is not None and "oneOf" in base and "discriminator" in base:
            parts[index] = {k: v for k, v in base.items() if k not in ("oneOf", "discriminator")}


def _make_nullable(schema: dict[str, Any], names: Iterable[str]) -> None:
    properties = {k: v for part in schema.get("allOf", [schema]) for k, v in part.get("properties", {}).items()}
    for name in names:
        properties[name]["nullable"] = True


def _overlapping_choices_to_any_of(schema: dict[str, Any]) -> None:
    if "oneOf" in schema and "discriminator" not in schema:
        schema["anyOf"] = schema.pop("oneOf")


def _walk_dicts(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk_dicts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_dicts(value)


def _describe(errors: Iterable[Exception]) -> list[str]:
    """One line per problem, down to each schema violation with its JSON path."""
    lines = []
    for error in errors:
        schema_errors = getattr(error.__cause__, "schema_errors", ())
        if not schema_errors:
            lines.append(_shorten(f"{type(error).__name__}: {error}"))
        for schema_error in schema_errors:
            location = "/".join(str(p) for p in schema_error.absolute_path) or "(body)"
            lines.append(_shorten(f"{type(error).__name__} at {location}: {schema_error.message}"))
    return lines


def _shorten(line: str, limit: int = 300) -> str:
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _raise_if(problems: list[str], subject: str) -> None:
    if problems:
        raise AssertionError(f"{subject} does not conform to the Atlas spec:\n  " + "\n  ".join(problems))
