"""Who am I, organisations and projects: ``GET /api/atlas/v2``, ``/orgs``, ``/groups``."""

from __future__ import annotations

from cmkwizard.sandbox.atlas_sim import enums, errors, views
from cmkwizard.sandbox.atlas_sim.context import Call, Reply, ok
from cmkwizard.sandbox.atlas_sim.errors import ApiError
from cmkwizard.sandbox.atlas_sim.pagination import Page, paginate
from cmkwizard.sandbox.atlas_sim.store import Organization, Project

BUILD = "sandbox-2026.11.0"


def system_status(call: Call) -> Reply:
    principal = call.principal
    roles = [{"orgId": org_id, "roleName": enums.ORG_MEMBER} for org_id in call.store.orgs]
    roles += [{"groupId": group_id, "roleName": principal.project_role} for group_id in call.store.projects]
    # A service account is reported in the apiKey slot too; the spec's publicKey is exactly 8 characters,
    # so a service account shows the first 8 characters of its id there.
    public_key = principal.name if principal.kind == "API_KEY" else principal.id[:8]
    return ok(
        {
            "apiKey": {"accessList": [], "id": principal.id, "publicKey": public_key, "roles": roles},
            "appName": "MongoDB Atlas",
            "build": BUILD,
            "links": views.self_link(call.url, "/api/atlas/v2"),
            "throttling": False,
        }
    )


def _name_filter(call: Call) -> str:
    return (call.query.get("name") or "").lower()


def list_orgs(call: Call) -> Reply:
    prefix = _name_filter(call)
    orgs = [views.organization(o, call.url) for o in call.store.orgs.values() if o.name.lower().startswith(prefix)]
    return ok(paginate(orgs, Page.from_query(call.query), call.url))


def _org(call: Call) -> Organization:
    org = call.store.orgs.get(call.params["orgId"])
    if org is None:
        org_id = call.params["orgId"]
        raise ApiError(404, "ORG_NOT_FOUND", f"No organization with ID {org_id} exists.", [org_id])
    return org


def get_org(call: Call) -> Reply:
    return ok(views.organization(_org(call), call.url))


def list_org_projects(call: Call) -> Reply:
    org = _org(call)
    prefix = _name_filter(call)
    projects = [
        views.project(p, call.url)
        for p in call.store.projects.values()
        if p.org_id == org.id and p.name.lower().startswith(prefix)
    ]
    return ok(paginate(projects, Page.from_query(call.query), call.url))


def list_projects(call: Call) -> Reply:
    projects = [views.project(p, call.url) for p in call.store.projects.values()]
    return ok(paginate(projects, Page.from_query(call.query), call.url))


def get_project(call: Call) -> Reply:
    return ok(views.project(call.project, call.url))


def get_project_by_name(call: Call) -> Reply:
    name = call.params["groupName"]
    if not 1 <= len(name) <= 64:
        raise errors.validation_error("groupName", "must be 1 to 64 characters long")
    matches: list[Project] = [p for p in call.store.projects.values() if p.name == name]
    if not matches:
        raise ApiError(404, "GROUP_NAME_NOT_FOUND", f"No group with name {name} exists.", [name])
    if len(matches) > 1:
        raise ApiError(
            409,
            "MULTIPLE_GROUPS",
            f"Multiple groups are named {name}; look the project up by ID instead.",
            [name],
        )
    return ok(views.project(matches[0], call.url))
