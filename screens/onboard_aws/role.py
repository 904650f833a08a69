"""Page 1: the Atlas role for AWS: reuse one the project has, or create it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from cmkwizard.atlas.models import AwsIamRole
from cmkwizard.journeys.aws_access import chosen_role, reusable_roles
from cmkwizard.journeys.base import StepView
from screens.step_screen import StepScreen

CREATE = "create"


def principal_text(role: AwsIamRole) -> Content:
    return Content("\n").join(
        [
            Content.from_markup("[$text-muted]Atlas principal[/]  [b]$arn[/b]", arn=role.atlas_aws_account_arn or "-"),
            Content.from_markup(
                "[$text-muted]External ID[/]      [b]$id[/b]", id=role.atlas_assumed_role_external_id or "-"
            ),
            Content.from_markup(
                "[$text-muted]Your IAM role's trust policy must name both; the next page generates it.[/]"
            ),
        ]
    )


class RoleScreen(StepScreen):
    PAGE_KEY = "role"
    APPLY_LABEL = "Use this role"

    def compose_page(self) -> ComposeResult:
        yield Static("Which Atlas role should encryption use?", classes="section-title")
        yield OptionList(id="role-choice")
        principal = Static("", id="principal", classes="card hidden")
        principal.border_title = "What your IAM role must trust"
        yield principal

    def on_mount(self) -> None:
        super().on_mount()
        self._fill_choices()

    def _fill_choices(self) -> None:
        inputs, state = self.flow.inputs, self.flow.state
        options = [
            Option(
                Content.from_markup("Use role [b]$id[/b]  [$text-muted]$why[/]", id=c.role.role_id, why=c.why),
                id=c.role.role_id,
            )
            for c in reusable_roles(state)
        ]
        options.append(Option("Create a new Atlas role for AWS", id=CREATE))
        choice = self.query_one("#role-choice", OptionList)
        choice.set_options(options)
        current = chosen_role(state, inputs)
        wanted = current.role_id if current is not None and not inputs.create_new_role else CREATE
        choice.highlighted = next(i for i, o in enumerate(options) if o.id == wanted)
        choice.focus()

    def update_page(self, view: StepView) -> None:
        role = chosen_role(self.flow.state, self.flow.inputs)
        principal = self.query_one("#principal", Static)
        principal.set_class(role is None, "hidden")
        if role is not None:
            principal.update(principal_text(role))

    @on(OptionList.OptionHighlighted, "#role-choice")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        creating = event.option.id == CREATE
        self.query_one("#apply", Button).label = "Create the role" if creating else self.APPLY_LABEL

    @on(OptionList.OptionSelected, "#role-choice")
    def _selected(self) -> None:
        self.action_apply()

    def collect_inputs(self) -> bool:
        choice = self.query_one("#role-choice", OptionList)
        if choice.highlighted is None:
            return False
        selected = choice.get_option_at_index(choice.highlighted).id
        inputs = self.flow.inputs
        if selected == CREATE:
            inputs.role_id, inputs.create_new_role = None, True
        else:
            inputs.role_id, inputs.create_new_role = selected, False
        return True
