"""Private endpoints to the key service: ``/encryptionAtRest/{cloudProvider}/privateEndpoints``."""

from __future__ import annotations

from cmkwizard.sandbox.atlas_sim import enums, errors, views
from cmkwizard.sandbox.atlas_sim.bodies import HEX_ID, Field, check_object
from cmkwizard.sandbox.atlas_sim.context import Call, Reply, no_content, ok, require_body
from cmkwizard.sandbox.atlas_sim.errors import ApiError
from cmkwizard.sandbox.atlas_sim.lifecycle import new_connection_name, settle_endpoints
from cmkwizard.sandbox.atlas_sim.pagination import Page, paginate
from cmkwizard.sandbox.atlas_sim.store import PrivateEndpoint

_REGIONS = {"AWS": enums.AWS_KMS_REGIONS, "AZURE": enums.AZURE_REGIONS}
_CREATE = {
    "regionName": Field("string"),
    # Read-only in the spec, yet it discriminates the body's schema and Atlas' Terraform provider sends it.
    "cloudProvider": Field("string", enum=enums.ENDPOINT_PROVIDERS),
    "errorMessage": Field("string", read_only=True),
    "id": Field("string", read_only=True),
    "privateEndpointConnectionName": Field("string", read_only=True),
    "status": Field("string", read_only=True),
}
_CONFIG_NAME = {"AWS": "awsKms", "AZURE": "azureKeyVault"}


def _provider(call: Call) -> str:
    provider = call.params["cloudProvider"]
    if provider not in enums.ENDPOINT_PROVIDERS:
        raise errors.invalid_enum_value("cloudProvider", provider, enums.ENDPOINT_PROVIDERS)
    return provider


def _settled_endpoints(call: Call, provider: str) -> list[PrivateEndpoint]:
    settle_endpoints(call.project, call.store, call.verifiers, call.now)
    return call.project.endpoints_for(provider)


def list_endpoints(call: Call) -> Reply:
    provider = _provider(call)
    items = [views.private_endpoint(e) for e in _settled_endpoints(call, provider)]
    return ok(paginate(items, Page.from_query(call.query), call.url))


def _find(call: Call, provider: str) -> PrivateEndpoint:
    endpoint_id = call.params["endpointId"]
    if not HEX_ID.match(endpoint_id):
        raise errors.invalid_id("endpointId", endpoint_id)
    endpoint = next((e for e in _settled_endpoints(call, provider) if e.id == endpoint_id), None)
    if endpoint is None:
        raise ApiError(
            404,
            "RESOURCE_NOT_FOUND",
            f"No {provider} encryption at rest private endpoint with ID {endpoint_id} exists in group {call.group_id}.",
            [endpoint_id, call.group_id],
        )
    return endpoint


def get_endpoint(call: Call) -> Reply:
    provider = _provider(call)
    return ok(views.private_endpoint(_find(call, provider)))


def create_endpoint(call: Call) -> Reply:
    provider = _provider(call)
    fields = check_object(require_body(call), _CREATE)
    if fields.get("cloudProvider", provider) != provider:
        raise ApiError(
            400,
            "INVALID_ATTRIBUTE",
            f"The body names cloudProvider {fields['cloudProvider']} but the path names {provider}.",
            ["cloudProvider"],
        )
    region = fields.get("regionName")
    if region is None:
        raise errors.missing_attribute(["regionName"])
    if region not in _REGIONS[provider]:
        raise errors.invalid_enum_value("regionName", region)
    project = call.project
    config = project.encryption.config(provider)
    config_name = _CONFIG_NAME[provider]
    if config is None:
        raise ApiError(
            400,
            "ENCRYPTION_AT_REST_NOT_ENABLED",
            f"Encryption at rest with {provider} is not enabled for this project; configure {config_name} first.",
            [provider],
        )
    if not config.require_private_networking:
        raise ApiError(
            400,
            errors.UNVERIFIED_ENDPOINT_WITHOUT_PRIVATE_NETWORKING,
            f"Private endpoints need {config_name}.requirePrivateNetworking set to true; "
            f'PATCH encryptionAtRest with {{"{config_name}": {{"requirePrivateNetworking": true}}}} first.',
            [provider],
        )
    existing = next((e for e in _settled_endpoints(call, provider) if e.region == region), None)
    if existing is not None:
        raise ApiError(
            409,
            errors.UNVERIFIED_SECOND_ENDPOINT_IN_REGION,
            f"A {provider} private endpoint already exists in {region} (ID {existing.id}, status "
            f"{existing.status}); Atlas allows one per region.",
            [region, existing.id],
        )
    endpoint = call.store.add_endpoint(
        project.id, provider, region, "INITIATING", call.now, new_connection_name(provider, region)
    )
    project.record_event("ENCRYPTION_AT_REST_PRIVATE_ENDPOINT_CREATED", call.now, principal=call.principal)
    return Reply(202, views.private_endpoint(endpoint))


def delete_endpoint(call: Call) -> Reply:
    provider = _provider(call)
    endpoint = _find(call, provider)
    if endpoint.status == "INITIATING":
        raise ApiError(
            400,
            "ENCRYPTION_AT_REST_PRIVATE_ENDPOINT_DELETE_BLOCKED_DURING_PROVISIONING",
            f"Failed to delete Encryption at Rest Private endpoint with id [{endpoint.id}] during IN_PROGRESS "
            "state. Please try again later.",
            [[endpoint.id]],
        )
    if endpoint.status != "DELETING":
        endpoint.status, endpoint.status_since = "DELETING", call.now
    return no_content()
