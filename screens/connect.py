"""Connect: where the credentials come from, who they belong to, and what they may do."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Footer, Header, Static

from cmkwizard.atlas import AtlasAuthError
from cmkwizard.settings import AUTH_LABELS, Overrides, Settings, SettingsError, field_label
from screens.base import WizardScreen
from screens.credentials_form import CredentialsForm
from screens.messages import Connected
from screens.roles import role_label
from screens.widgets.error_panel import ErrorPanel

if TYPE_CHECKING:
    from cmkwizard.atlas.models import Caller
    from cmkwizard.sandbox import SandboxInfo


async def in_own_thread(call: Callable[[], object], *, name: str) -> None:
    """Run a blocking call in a daemon thread of its own and wait for it.

    Unlike ``asyncio.to_thread``, quitting does not wait for it: the wizard can then say what it
    waits for (the sandbox finishing its start) once the terminal is back.
    """
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def settle(error: BaseException | None) -> None:
        if not done.done():
            if error is None:
                done.set_result(None)
            else:
                done.set_exception(error)

    def run() -> None:
        error: BaseException | None = None
        try:
            call()
        except BaseException as exc:
            error = exc
        with contextlib.suppress(RuntimeError):  # the wizard has quit meanwhile: nobody waits for the answer
            loop.call_soon_threadsafe(settle, error)

    threading.Thread(target=run, name=name, daemon=True).start()
    await done


def credentials_summary(settings: Settings) -> Content:
    lines = [Content.from_markup("[$text-muted]Atlas[/]     $url", url=settings.base_url.value)]
    if settings.identity and settings.auth_kind:
        lines.append(
            Content.from_markup(
                "[$text-muted]Identity[/]  $who, $kind", who=settings.identity, kind=AUTH_LABELS[settings.auth_kind]
            )
        )
    for source, labels in sources(settings).items():
        lines.append(
            Content.from_markup("[$text-muted]From[/]      $source: $labels", source=source, labels=", ".join(labels))
        )
    lines += [Content.from_markup("[$warning]Note[/]      $note", note=note) for note in settings.notes]
    return Content("\n").join(lines)


SETTING_NAMES = (
    "public_key",
    "private_key",
    "client_id",
    "client_secret",
    "base_url",
    "org_id",
    "project_id",
    "aws_profile",
    "aws_region",
)


def sources(settings: Settings) -> dict[str, list[str]]:
    """Which settings came from where, grouped by source, in the order an operator reads them."""
    grouped: dict[str, list[str]] = {}
    for name in SETTING_NAMES:
        source = settings.source_of(name)
        if source is not None:
            grouped.setdefault(source, []).append(field_label(name))
    return grouped


def caller_summary(caller: Caller) -> Content:
    who = f"API key {caller.public_key}" if caller.public_key else "these credentials"
    if caller.app_name:
        who += f" ({caller.app_name})"
    lines = [Content.from_markup("Connected as [b]$who[/b].", who=who)]
    org_roles = [r for r in caller.roles if r.org_id and not r.group_id]
    project_roles = [r for r in caller.roles if r.group_id]
    if org_roles:
        lines.append(Content.from_markup("[b]Organization roles[/b]"))
        lines += [
            Content.from_markup("  $role  [$text-muted]organization $id[/]", role=role_label(r.role_name), id=r.org_id)
            for r in org_roles
        ]
    if project_roles:
        lines.append(Content.from_markup("[b]Project roles[/b]"))
        lines += [
            Content.from_markup("  $role  [$text-muted]project $id[/]", role=role_label(r.role_name), id=r.group_id)
            for r in project_roles
        ]
    if not caller.roles:
        lines.append(Content.from_markup("[$text-muted]Atlas did not list any roles for these credentials.[/]"))
    return Content("\n").join(lines)


SANDBOX_STARTING = (
    "Starting the sandbox: a local Atlas simulator, AWS (moto) and an Azure Key Vault fake on 127.0.0.1. "
    "Nothing here reaches your real Atlas, AWS or Azure accounts."
)


def sandbox_notice(info: SandboxInfo | None) -> Content:
    if info is None:
        return Content(SANDBOX_STARTING)
    return Content.from_markup(
        "Everything runs on this machine: Atlas is a local simulator at $atlas and AWS is moto at $aws. "
        "Nothing here reaches your real Atlas, AWS or Azure accounts.\n"
        "Credentials were generated for this run: API key [b]$key[/b] (Project Owner) "
        "for project [b]$project[/b] ($project_id); AWS account $account.",
        atlas=info.atlas_base_url,
        aws=info.aws_endpoint_url,
        key=info.public_key,
        project=info.project_name,
        project_id=info.project_id,
        account=info.aws_account_id,
    )


class ConnectScreen(WizardScreen):
    HELP_TITLE = "Connect"
    HELP = """\
The wizard connects to the Atlas Administration API with the credentials it found, and shows who
they belong to.

**Where credentials come from**, highest first: command-line flags, the environment
(`MONGODB_ATLAS_PUBLIC_API_KEY` and `MONGODB_ATLAS_PRIVATE_API_KEY` for an API key,
`MONGODB_ATLAS_CLIENT_ID` and `MONGODB_ATLAS_CLIENT_SECRET` for a service account), a cmkwizard
profile (its secret in the keyring), then an Atlas CLI profile.

**Roles.** Reading the project needs *Project Read Only*. Changing encryption at rest, cloud
provider access and private endpoints needs *Project Owner* on the project.

**If the connection fails:** a 401 means the key pair is wrong or revoked; a 403 usually means this
machine's IP address is not on the API key's access list (Organization Access Manager > API Keys).
"""

    BINDINGS = [Binding("r", "retry", "Try again")]

    def __init__(self) -> None:
        super().__init__()
        self.caller: Caller | None = None

    def compose(self) -> ComposeResult:
        context = self.wizard.context
        yield Header()
        with VerticalScroll(classes="page"):
            yield Static("Connect to Atlas", classes="page-title")
            if context.uses_sandbox:
                notice = Static(sandbox_notice(context.sandbox), id="sandbox-notice", classes="notice")
                notice.border_title = "Sandbox"
                yield notice
            # Who you are comes before how you connected: at 80x24 it is what shows above Continue.
            caller = Static("", id="caller", classes="card hidden")
            caller.border_title = "Who you are"
            yield caller
            credentials = Static(credentials_summary(context.settings), id="credentials", classes="card")
            credentials.display = not context.sandbox_starting
            credentials.border_title = "Credentials"
            yield credentials
            yield Static("", id="connect-progress", classes="progress-line")
            yield ErrorPanel(id="connect-error")
            yield Horizontal(id="connect-actions", classes="actions")
        yield Footer()

    def on_mount(self) -> None:
        context = self.wizard.context
        settings = context.settings
        if context.sandbox_starting or settings.has_credentials:
            if context.sandbox_starting:
                self._progress("Starting the sandbox…")
            self.connect()
        else:
            self._ask_for_credentials(settings)

    def _ask_for_credentials(self, settings: Settings) -> None:
        try:
            settings.require_credentials()
        except SettingsError as err:
            self.query_one("#connect-error", ErrorPanel).show(err)
        self._progress("Not connected.")
        self._show_form(True)
        self._actions()

    def _show_form(self, visible: bool) -> None:
        """The form is built the first time it is needed: with credentials at hand, the first screen stays light."""
        forms = self.query(CredentialsForm)
        if forms:
            forms.first().set_class(not visible, "hidden")
            if visible:
                self.query_one("#identifier-input").focus()
        elif visible:
            form = CredentialsForm()
            self.mount(form, after="#connect-error")
            self.call_after_refresh(lambda: form.query_one("#identifier-input").focus())

    @on(CredentialsForm.Submitted)
    def _typed(self, event: CredentialsForm.Submitted) -> None:
        self.connect(event.overrides)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return self.caller is None
        return True

    @on(Button.Pressed, "#retry")
    def action_retry(self) -> None:
        if self._can_retry():
            self.connect()

    def _can_retry(self) -> bool:
        context = self.wizard.context
        return context.settings.has_credentials or context.sandbox_starting

    @on(Button.Pressed, "#continue")
    def action_continue(self) -> None:
        if self.caller is not None:
            self.post_message(Connected(self.caller))

    @work(exclusive=True, exit_on_error=False, group="connect")
    async def connect(self, typed: Overrides | None = None) -> None:
        """Connect with the current settings, or first with credentials the operator typed."""
        context = self.wizard.context
        # The sandbox's servers and the HTTP client's imports wait for the first frame, so they never delay it.
        await self.wizard.first_frame_shown.wait()
        try:
            if context.sandbox_starting:
                self._connecting("Starting the sandbox…")
                await in_own_thread(context.start_sandbox, name="sandbox-start")
                self._sandbox_started()
            if typed is not None:
                await asyncio.to_thread(context.reload_settings, typed)
                self.query_one("#credentials", Static).update(credentials_summary(context.settings))
            settings = context.settings
            self._connecting(f"Connecting to {settings.base_url.value} as {settings.identity}…")
            client = await self.wizard.open_client()
            caller = await client.whoami()
        except Exception as err:  # every failure is explained on screen
            self._failed(err)
        else:
            self._connected(caller)

    def _sandbox_started(self) -> None:
        context = self.wizard.context
        self.query_one("#sandbox-notice", Static).update(sandbox_notice(context.sandbox))
        credentials = self.query_one("#credentials", Static)
        credentials.update(credentials_summary(context.settings))
        credentials.display = True

    def _actions(self) -> tuple[Button, Button]:
        """Continue and Try again, added when first needed: the first screen only says what is going on."""
        actions = self.query_one("#connect-actions", Horizontal)
        if not actions.children:
            actions.mount(
                Button("Continue", id="continue", variant="primary", disabled=True),
                Button("Try again", id="retry", classes="hidden"),
            )
        return self.query_one("#continue", Button), self.query_one("#retry", Button)

    def _progress(self, message: str) -> None:
        line = self.query_one("#connect-progress", Static)
        line.update(message)
        line.display = bool(message)

    def _connecting(self, message: str) -> None:
        self.caller = None
        self.query_one("#connect-error", ErrorPanel).clear()
        self._progress(message)
        for button in self.query("#connect-actions Button").results(Button):
            button.set_class(button.id == "retry", "hidden")
            button.disabled = button.id == "continue"
        self.query_one("#caller").add_class("hidden")
        self.refresh_bindings()

    def _failed(self, error: BaseException) -> None:
        self._progress("Not connected.")
        self.query_one("#connect-error", ErrorPanel).show(error)
        _continue, retry = self._actions()
        retry.set_class(not self._can_retry(), "hidden")
        if isinstance(error, (AtlasAuthError, SettingsError)):
            self._show_form(True)
        else:
            retry.focus()
        self.refresh_bindings()

    def _connected(self, caller: Caller) -> None:
        self.caller = caller
        self._show_form(False)
        self._progress("")
        card = self.query_one("#caller", Static)
        card.update(caller_summary(caller))
        card.remove_class("hidden")
        button, _retry = self._actions()
        button.disabled = False
        button.focus(scroll_visible=False)
        self.refresh_bindings()
