"""Plain-text rendering of a dry run: every remaining step with the exact calls it would make."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cmkwizard.journeys.base import DryRun, PlannedCall, PlannedStep


def render_dry_run(dry_run: DryRun) -> str:
    blocks = [f"Dry run of {dry_run.journey}: nothing below has been sent."]
    if dry_run.observed:
        blocks.append("\n".join(["Observed:", *(f"  - {line}" for line in dry_run.observed.lines())]))
    blocks += [_render_step(step) for step in dry_run.steps]
    return "\n\n".join(blocks) + "\n"


def _render_step(step: PlannedStep) -> str:
    view = step.view
    lines = [f"[{view.state.value}] {view.title}: {view.summary}"]
    if view.reason:
        lines.append(f"  ! {view.reason}")
    if view.finished:
        return "\n".join(lines)
    if not step.calls:
        lines.append("  (no API call)")
    for number, call in enumerate(step.calls, start=1):
        lines.append(f"  {number}. {call.description}")
        lines += [f"     {line}" for line in render_call(call).splitlines()]
    return "\n".join(lines)


def render_call(call: PlannedCall) -> str:
    """The request, then the commands that do the same by hand."""
    lines = call.http.splitlines()
    if call.curl:
        lines += ["", f"curl: {call.curl}"]
    if call.atlas_cli:
        lines.append(f"atlas: {call.atlas_cli}")
    if call.cli:
        lines += ["", f"{call.cli_name}: {call.cli}"]
    return "\n".join(lines)
