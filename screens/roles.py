"""Atlas role names as the Atlas UI shows them."""

from __future__ import annotations

ROLE_LABELS = {
    "ORG_OWNER": "Organization Owner",
    "ORG_MEMBER": "Organization Member",
    "ORG_READ_ONLY": "Organization Read Only",
    "ORG_GROUP_CREATOR": "Organization Project Creator",
    "ORG_BILLING_ADMIN": "Organization Billing Admin",
    "ORG_BILLING_READ_ONLY": "Organization Billing Viewer",
    "GROUP_OWNER": "Project Owner",
    "GROUP_READ_ONLY": "Project Read Only",
    "GROUP_CLUSTER_MANAGER": "Project Cluster Manager",
    "GROUP_DATA_ACCESS_ADMIN": "Project Data Access Admin",
    "GROUP_DATA_ACCESS_READ_WRITE": "Project Data Access Read/Write",
    "GROUP_DATA_ACCESS_READ_ONLY": "Project Data Access Read Only",
    "GROUP_PROJECT_OBSERVABILITY_VIEWER": "Project Observability Viewer",
    "GROUP_SEARCH_INDEX_EDITOR": "Project Search Index Editor",
    "GROUP_STREAM_PROCESSING_OWNER": "Project Stream Processing Owner",
    "GROUP_BACKUP_MANAGER": "Project Backup Manager",
    "GROUP_DATABASE_ACCESS_ADMIN": "Project Database Access Admin",
}


def role_label(name: str) -> str:
    label = ROLE_LABELS.get(name)
    return f"{label} ({name})" if label else name
