"""Atlas' error envelope (schema ``ApiError``) and the errors the simulator raises while handling a request."""

from __future__ import annotations

import json
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from starlette.responses import Response

from cmkwizard.sandbox.atlas_sim.verifier import Refusal


class ApiError(Exception):
    """An Atlas refusal: turned into ``{error, errorCode, detail, reason, parameters}`` by the app."""

    def __init__(
        self,
        status: int,
        error_code: str,
        detail: str,
        parameters: Sequence[object] = (),
        *,
        bad_fields: Sequence[tuple[str, str]] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {error_code}: {detail}")
        self.status = status
        self.error_code = error_code
        self.detail = detail
        self.parameters = list(parameters)
        self.bad_fields = list(bad_fields)
        self.headers = headers or {}

    @classmethod
    def from_refusal(cls, refusal: Refusal) -> ApiError:
        return cls(refusal.status, refusal.error_code, refusal.detail, refusal.parameters)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "detail": self.detail,
            "error": self.status,
            "errorCode": self.error_code,
            "parameters": self.parameters,
            "reason": HTTPStatus(self.status).phrase,
        }
        if self.bad_fields:
            body["badRequestDetail"] = {
                "fields": [{"field": field, "description": text} for field, text in self.bad_fields]
            }
        return body

    def response(self) -> Response:
        # Atlas sends error bodies as plain application/json whatever version the request named.
        return Response(
            json.dumps(self.body()),
            status_code=self.status,
            media_type="application/json",
            headers=self.headers,
        )


# Refusals no public source gives Atlas' code for. The simulator still refuses these requests, as Atlas does, with
# a code of its own choosing; the wizard must never branch on one (a test checks the core never names them).
UNVERIFIED_ENDPOINT_WITHOUT_PRIVATE_NETWORKING = "REQUIRE_PRIVATE_NETWORKING_DISABLED"
UNVERIFIED_SECOND_ENDPOINT_IN_REGION = "ENCRYPTION_AT_REST_PRIVATE_ENDPOINT_ALREADY_EXISTS"
UNVERIFIED_ROLE_REPOINTED_WHILE_IN_USE = "CLOUD_PROVIDER_ACCESS_ROLE_IN_USE"
UNVERIFIED_AZURE_PRINCIPAL_IN_USE = "CLOUD_PROVIDER_ACCESS_AZURE_SERVICE_PRINCIPAL_IN_USE"
UNVERIFIED_CODES = frozenset(
    {
        UNVERIFIED_ENDPOINT_WITHOUT_PRIVATE_NETWORKING,
        UNVERIFIED_SECOND_ENDPOINT_IN_REGION,
        UNVERIFIED_ROLE_REPOINTED_WHILE_IN_USE,
        UNVERIFIED_AZURE_PRINCIPAL_IN_USE,
    }
)


# Request problems (400), named as Atlas names them.


def invalid_attribute(name: str, detail: str | None = None) -> ApiError:
    return ApiError(
        400,
        "INVALID_ATTRIBUTE",
        detail or f"Invalid attribute {name} specified.",
        [name],
        bad_fields=[(name, detail or "not a recognised attribute")],
    )


def missing_attribute(names: Sequence[str], context: str = "") -> ApiError:
    where = f" in {context}" if context else ""
    listed = ", ".join(names)
    return ApiError(
        400,
        "MISSING_ATTRIBUTE",
        f"The required attribute{'s' if len(names) > 1 else ''} {listed} {'were' if len(names) > 1 else 'was'} "
        f"not specified{where}.",
        list(names),
        bad_fields=[(name, "required") for name in names],
    )


def read_only_attribute(name: str) -> ApiError:
    return ApiError(
        400,
        "ATTRIBUTE_READ_ONLY",
        f"Attribute {name} is read-only and cannot be changed.",
        [name],
        bad_fields=[(name, "read-only")],
    )


def invalid_enum_value(name: str, value: object, allowed: Sequence[str] = ()) -> ApiError:
    hint = f"; expected one of {', '.join(allowed)}" if 0 < len(allowed) <= 12 else ""
    return ApiError(
        400,
        "INVALID_ENUM_VALUE",
        f"An invalid enumeration value {value} was specified for {name}{hint}.",
        [value, name],
        bad_fields=[(name, f"invalid value {value!r}")],
    )


def invalid_json_attribute(name: str, expected: str) -> ApiError:
    return ApiError(
        400,
        "INVALID_JSON_ATTRIBUTE",
        f"Received JSON for the {name} attribute does not match expected format: {expected}.",
        [name],
        bad_fields=[(name, f"expected {expected}")],
    )


def malformed_json(problem: str) -> ApiError:
    return ApiError(400, "MALFORMED_JSON", f"Received JSON is malformed: {problem}.")


def validation_error(field: str, description: str) -> ApiError:
    return ApiError(
        400,
        "VALIDATION_ERROR",
        f"Invalid value for {field}: {description}.",
        [field],
        bad_fields=[(field, description)],
    )


# Lookups (404) and identifiers.


def resource_not_found(what: str) -> ApiError:
    return ApiError(404, "RESOURCE_NOT_FOUND", f"Cannot find resource {what}.", [what])


def group_not_found(group_id: str) -> ApiError:
    return ApiError(404, "GROUP_NOT_FOUND", f"No group with ID {group_id} exists.", [group_id])


def cluster_not_found(name: str, group_id: str) -> ApiError:
    return ApiError(404, "CLUSTER_NOT_FOUND", f"No cluster named {name} exists in group {group_id}.", [name, group_id])


def invalid_id(kind: str, value: str) -> ApiError:
    # Atlas answers a malformed group id with INVALID_GROUP_ID and other malformed ids with INVALID_ATTRIBUTE.
    if kind == "groupId":
        return ApiError(400, "INVALID_GROUP_ID", f"An invalid group ID {value} was specified.", [value])
    if kind == "orgId":
        return ApiError(400, "INVALID_ORG_ID", f"An invalid organization ID {value} was specified.", [value])
    return ApiError(
        400,
        "INVALID_ATTRIBUTE",
        f"Invalid {kind} {value}: expected a 24-character hexadecimal id.",
        [kind, value],
        bad_fields=[(kind, "expected 24 hexadecimal characters")],
    )


# Authentication and authorization.


def not_authenticated() -> ApiError:
    # The body Atlas sends with its digest challenge (API-NOTES §1b), also used for a bad or expired token.
    return ApiError(401, "UNEXPECTED_ERROR", "You are not authorized for this resource.")


def role_too_low(role_needed: str, *, status: int = 401) -> ApiError:
    code = "USER_UNAUTHORIZED" if status == 401 else "ACCESS_FORBIDDEN"
    return ApiError(
        status,
        code,
        f"Current user is not authorized to perform this action; it needs the {role_needed} role.",
        [role_needed],
    )


def unexpected_error() -> ApiError:
    return ApiError(500, "UNEXPECTED_ERROR", "Unexpected error.")
