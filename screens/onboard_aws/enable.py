"""Page 5: enable encryption at rest for the project, showing the configuration before and after."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Checkbox, Static

from cmkwizard.journeys.aws_enable import AwsKmsChange, planned_change
from cmkwizard.journeys.base import StepView
from screens.step_screen import StepScreen
from screens.widgets.ticks import TickBox

SHORT_VALUES = 20  # longer before/after values get a line of their own


def shown(value: Any) -> str:
    return "-" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def before_after(change: AwsKmsChange) -> Content:
    """One line per field, `now → after`; a changed field is marked and its new value stands out.

    Long values (key ARNs, role ids) go on their own line under the field name.
    """
    width = max(len(name) for name in change.before)
    lines = []
    for name, before in change.before.items():
        after = change.after.get(name)
        label = name.ljust(width)
        if after == before:
            lines.append(Content.from_markup("  [$text-muted]$label  $value[/]", label=label, value=shown(before)))
            continue
        values = Content.from_markup("$before → [b $warning]$after[/]", before=shown(before), after=shown(after))
        if len(values) <= SHORT_VALUES:
            lines.append(Content.from_markup("[$warning]◆[/] $label  ", label=label) + values)
        else:
            lines += [Content.from_markup("[$warning]◆[/] $label", label=label), Content("    ") + values]
    return Content("\n").join(lines)


class EnableScreen(StepScreen):
    PAGE_KEY = "enable"
    APPLY_LABEL = "Enable encryption at rest"

    def compose_page(self) -> ComposeResult:
        card = Static("", id="before-after", classes="card")
        card.border_title = "AWS KMS configuration: now → after"
        yield card
        kms = self.flow.state.encryption.aws_kms
        if kms.uses_legacy_credentials:
            yield TickBox(
                f"Move from access key {kms.access_key_id} to the role",
                value=self.flow.inputs.confirm_legacy_migration,
                id="legacy-migration",
            )

    def update_page(self, view: StepView) -> None:
        change = planned_change(self.flow.state, self.flow.inputs)
        card = self.query_one("#before-after", Static)
        if change is None:
            card.update("Choose the role and the key first.")
        elif not change.changed:
            card.update(Content("Nothing to change; the wizard only waits for Atlas to report valid: true."))
        else:
            card.update(before_after(change))

    def collect_inputs(self) -> bool:
        for checkbox in self.query("#legacy-migration").results(Checkbox):
            self.flow.inputs.confirm_legacy_migration = checkbox.value
        return True
