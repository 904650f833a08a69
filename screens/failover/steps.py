"""The failover pages after the diagnosis: each shows where its step stands; Apply does the step."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from cmkwizard.journeys.base import StepView
from cmkwizard.journeys.failover_steps import region_move
from screens.failover.page import FailoverPage, rehearsal_banner
from screens.onboard_aws.aws_panel import AwsPanel
from screens.pages.enable import shown
from screens.pages.summary import SummaryScreen


class EndpointScreen(FailoverPage):
    PAGE_KEY = "target_endpoint"
    APPLY_LABEL = "Check again"


class ReplicaAccessScreen(FailoverPage):
    PAGE_KEY = "replica_access"
    APPLY_LABEL = "Let the role use the replica"

    def compose_failover(self) -> ComposeResult:
        yield AwsPanel(self.flow, self.flow.context.aws_account)


class MoveScreen(FailoverPage):
    PAGE_KEY = "move"
    APPLY_LABEL = "Move the key"

    def compose_failover(self) -> ComposeResult:
        card = Static("", id="move-change", classes="card")
        card.border_title = "AWS KMS configuration: now → after"
        yield card

    def update_page(self, view: StepView) -> None:
        move = region_move(self.flow.state, self.flow.inputs)
        card = self.query_one("#move-change", Static)
        if move is None:
            card.update("Choose the region to move to first.")
            return
        sent = move.patch.to_api()
        card.update("\n".join(f"{name}: {shown(move.before.get(name))} → {value}" for name, value in sent.items()))


class RecoveryScreen(FailoverPage):
    PAGE_KEY = "recovery"
    APPLY_LABEL = "Follow the clusters"


class FailoverSummaryScreen(SummaryScreen):
    """The summary with the drill record; REHEARSAL stays in view in the sandbox."""

    def compose_page(self) -> ComposeResult:
        yield from rehearsal_banner(self)
        yield from super().compose_page()
