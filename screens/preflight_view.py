"""The preflight as the project screen shows it: what is there, what can be encrypted, what to watch."""

from __future__ import annotations

from textual.content import Content

from cmkwizard.journeys.onboard_aws import Preflight


def preflight_text(preflight: Preflight) -> Content:
    lines = [Content.from_markup("[b]Encryption at rest[/b]  $state", state=_encryption(preflight))]
    lines.append(Content.from_markup("[b]Clusters[/b]"))
    if not preflight.clusters:
        lines.append(Content.from_markup("  [$text-muted]none in this project[/]"))
    for entry in preflight.eligible_clusters:
        note = "already uses AWS KMS" if entry.already_enabled else "eligible"
        lines.append(Content.from_markup("  [$success]✔[/] $name  [$text-muted]$note[/]", name=entry.name, note=note))
    for entry in preflight.ineligible_clusters:
        lines.append(
            Content.from_markup(
                "  [$error]✖[/] $name  [$text-muted]$why[/]", name=entry.name, why="; ".join(entry.reasons)
            )
        )
    lines.append(Content.from_markup("[b]Atlas roles for AWS[/b]"))
    if not preflight.reusable_roles:
        lines.append(Content.from_markup("  [$text-muted]none yet: the wizard will create one[/]"))
    for choice in preflight.reusable_roles:
        lines.append(Content.from_markup("  $id  [$text-muted]$why[/]", id=choice.role.role_id, why=choice.why))
    warnings = preflight.warnings()
    if warnings:
        lines.append(Content.from_markup("[b $warning]Before you start[/]"))
        lines += [Content.from_markup("  [$warning]⚠[/] $w", w=warning) for warning in warnings]
    if preflight.is_project_owner is None:
        lines.append(
            Content.from_markup(
                "  [$text-muted]Your roles in this project are not known; changes need Project Owner.[/]"
            )
        )
    return Content("\n").join(lines)


def _encryption(preflight: Preflight) -> str:
    kms = preflight.aws_kms
    provider = preflight.encryption.active_provider
    if provider is None:
        return "not enabled"
    if provider != "AWS":
        return f"uses {provider} keys"
    validity = {True: "valid", False: "NOT VALID", None: "validity unknown"}[kms.valid]
    return f"AWS KMS with key {kms.customer_master_key_id} in {kms.region} ({validity})"
