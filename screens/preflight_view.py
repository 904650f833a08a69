"""The preflight as the project screen shows it: what is there, what can be encrypted, what to watch.

A project with many clusters is summarised: counts, the first few of each kind, and where to see
them all (the Clusters page lists every one, with a filter), so Start stays within reach.
"""

from __future__ import annotations

from textual.content import Content

from cmkwizard.journeys.onboard_aws import Preflight

SHOWN_PER_KIND = 5  # clusters listed by name per kind (eligible, not eligible) before a count stands in


def preflight_text(preflight: Preflight) -> Content:
    lines = [Content.from_markup("[b]Encryption at rest[/b]  $state", state=_encryption(preflight))]
    eligible, ineligible = preflight.eligible_clusters, preflight.ineligible_clusters
    heading = "[b]Clusters[/b]"
    if len(preflight.clusters) > 2 * SHOWN_PER_KIND:
        heading += f"  [$text-muted]{len(eligible)} eligible, {len(ineligible)} not[/]"
    lines.append(Content.from_markup(heading))
    if not preflight.clusters:
        lines.append(Content.from_markup("  [$text-muted]none in this project[/]"))
    for entry in eligible[:SHOWN_PER_KIND]:
        note = "already uses AWS KMS" if entry.already_enabled else "eligible"
        lines.append(Content.from_markup("  [$success]✔[/] $name  [$text-muted]$note[/]", name=entry.name, note=note))
    lines += _more(len(eligible), "eligible")
    for entry in ineligible[:SHOWN_PER_KIND]:
        lines.append(
            Content.from_markup(
                "  [$error]✖[/] $name  [$text-muted]$why[/]", name=entry.name, why="; ".join(entry.reasons)
            )
        )
    lines += _more(len(ineligible), "not eligible")
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


def _more(count: int, kind: str) -> list[Content]:
    if count <= SHOWN_PER_KIND:
        return []
    return [
        Content.from_markup(
            "  [$text-muted]… and $n more $kind (the Clusters page lists them all, with a filter)[/]",
            n=count - SHOWN_PER_KIND,
            kind=kind,
        )
    ]


def _encryption(preflight: Preflight) -> str:
    kms = preflight.aws_kms
    provider = preflight.encryption.active_provider
    if provider is None:
        return "not enabled"
    if provider != "AWS":
        return f"uses {provider} keys"
    validity = {True: "valid", False: "NOT VALID", None: "validity unknown"}[kms.valid]
    return f"AWS KMS with key {kms.customer_master_key_id} in {kms.region} ({validity})"
