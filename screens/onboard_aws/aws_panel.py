"""Whether the wizard acts in AWS itself: shows the AWS identity in use, or offers to use one."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Static

from cmkwizard.atlas.models import PROVIDER_AWS
from cmkwizard.journeys.base import CloudSession
from screens.widgets.error_panel import ErrorPanel

if TYPE_CHECKING:
    from cmkwizard.aws.adapters import AwsAccount
    from screens.flow import JourneyFlow

WITHOUT_AWS = (
    "No AWS credentials in use: the wizard shows the documents and commands, and you apply them in AWS yourself."
)


def aws_session(flow: JourneyFlow[Any]) -> CloudSession | None:
    """The flow's cloud session when it is AWS credentials."""
    return flow.cloud if flow.cloud is not None and flow.cloud.provider == PROVIDER_AWS else None


def aws_account(flow: JourneyFlow[Any]) -> AwsAccount | None:
    session = aws_session(flow)
    return session.client if session is not None else None


def aws_account_id(flow: JourneyFlow[Any]) -> str | None:
    session = aws_session(flow)
    return session.account if session is not None else None


class AwsPanel(Vertical):
    """Posts `Ready` once `flow.cloud` holds a working AWS account (its identity was read)."""

    class Ready(Message):
        def __init__(self, focus_lost: bool) -> None:
            super().__init__()
            self.focus_lost = focus_lost
            """The operator pressed the button from the keyboard and it is now hidden: the screen should focus
            what the AWS credentials enabled, or Tab would start again from the top of the screen."""

    def __init__(
        self, flow: JourneyFlow[Any], make_account: Callable[[str | None], AwsAccount], region: str | None = None
    ) -> None:
        super().__init__(id="aws-panel", classes="card")
        self.border_title = "AWS"
        self._flow = flow
        self._make_account = make_account
        self._region = region

    def compose(self) -> ComposeResult:
        yield Static(self._status(), id="aws-status")
        with Horizontal(classes="actions"):
            yield Button("Use my AWS credentials", id="use-aws", compact=True)
        yield ErrorPanel(id="aws-error")

    def on_mount(self) -> None:
        self.query_one("#use-aws").display = aws_session(self._flow) is None

    def _status(self) -> str:
        session = aws_session(self._flow)
        if session is None:
            return WITHOUT_AWS
        return f"Acting in AWS as {session.identity}."

    @on(Button.Pressed, "#use-aws")
    def use_aws(self) -> None:
        self.connect_aws()

    @work(exclusive=True, exit_on_error=False, group="aws-identity")
    async def connect_aws(self) -> None:
        error = self.query_one("#aws-error", ErrorPanel)
        error.clear()
        self.query_one("#aws-status", Static).update("Reading the AWS identity (sts:GetCallerIdentity)…")
        account = self._make_account(self._region)
        try:
            identity = await account.caller_identity()
        except Exception as err:  # explained in the panel
            self.query_one("#aws-status", Static).update(WITHOUT_AWS)
            error.show(err)
            return
        self._flow.cloud = CloudSession(PROVIDER_AWS, account, identity["Arn"], identity["Account"])
        self.query_one("#aws-status", Static).update(self._status())
        button = self.query_one("#use-aws")
        focus_lost = button.has_focus
        button.display = False
        self.post_message(self.Ready(focus_lost))
