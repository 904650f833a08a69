"""Enabling encryption at rest for the project, showing the provider's configuration before and after.

The same page for every provider: a provider's page says how its change is planned (`planned_change`)
and adds its own choices, if any.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from cmkwizard.journeys.base import StepView
from cmkwizard.journeys.providers import provider_label
from screens.step_screen import StepScreen

SHORT_VALUES = 20  # longer before/after values get a line of their own
NOTHING_TO_CHANGE = "Nothing to change; the wizard only waits for Atlas to report valid: true."


class ConfigChange(Protocol):
    """What enabling changes in the provider's block of the configuration, field by field."""

    @property
    def before(self) -> dict[str, Any]: ...

    @property
    def after(self) -> dict[str, Any]: ...

    @property
    def changed(self) -> bool: ...


def shown(value: Any) -> str:
    return "-" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def before_after(change: ConfigChange) -> Content:
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
    PROVIDER: ClassVar[str]
    NOT_READY: ClassVar[str]
    """What the card says while there is nothing to plan yet (the key, or Atlas' access, is not chosen)."""

    def planned_change(self) -> ConfigChange | None:
        """What enabling would change now; None while it cannot be planned."""
        raise NotImplementedError

    def compose_page(self) -> ComposeResult:
        card = Static("", id="before-after", classes="card")
        card.border_title = f"{provider_label(self.PROVIDER)} configuration: now → after"
        yield card

    def update_page(self, view: StepView) -> None:
        change = self.planned_change()
        card = self.query_one("#before-after", Static)
        if change is None:
            card.update(self.NOT_READY)
        elif not change.changed:
            card.update(Content(NOTHING_TO_CHANGE))
        else:
            card.update(before_after(change))
