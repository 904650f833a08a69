"""Typing Atlas credentials on the connect screen: an API key pair or a service account."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, RadioSet

from cmkwizard.secrets import Secret
from cmkwizard.settings import (
    AUTH_DIGEST,
    AUTH_SERVICE_ACCOUNT,
    Overrides,
    check_client_id,
    check_public_key,
    check_secret,
)
from screens.widgets.field import Field, ParsedBy
from screens.widgets.ticks import Choice

TYPED_ORIGIN = "the connect screen"


class CredentialsForm(Vertical):
    """Posts `Submitted` with the typed credentials once both values are valid; the secret input is then cleared."""

    class Submitted(Message):
        def __init__(self, overrides: Overrides) -> None:
            super().__init__()
            self.overrides = overrides

    def __init__(self, *, id: str = "credentials-form") -> None:
        super().__init__(id=id, classes="card")
        self.border_title = "Enter credentials"
        self.kind = AUTH_DIGEST

    def compose(self) -> ComposeResult:
        yield Label("Kind of credentials")
        with RadioSet(id="credentials-kind"):
            yield Choice("API key (public and private key)", value=True, id="kind-digest")
            yield Choice("Service account (client ID and secret)", id="kind-service-account")
        yield Field("Public key", id="identifier", placeholder="8 characters, for example zmmrboas")
        yield Field("Private key", id="secret", password=True, hint="Used for this run only; never saved or shown.")
        with Horizontal(classes="actions"):
            yield Button("Connect with these", id="connect-typed", variant="primary")

    def on_mount(self) -> None:
        self._apply_kind(AUTH_DIGEST)

    @on(RadioSet.Changed, "#credentials-kind")
    def _kind_changed(self, event: RadioSet.Changed) -> None:
        self._apply_kind(AUTH_SERVICE_ACCOUNT if event.pressed.id == "kind-service-account" else AUTH_DIGEST)

    def _apply_kind(self, kind: str) -> None:
        self.kind = kind
        identifier = self.query_one("#identifier", Field)
        secret = self.query_one("#secret", Field)
        if kind == AUTH_DIGEST:
            labels = ("Public key", "Private key", "8 characters, for example zmmrboas")
            check = check_public_key
        else:
            labels = ("Client ID", "Client secret", "mdb_sa_id_ followed by 24 hexadecimal characters")
            check = check_client_id
        identifier.query_one(Label).update(labels[0])
        secret.query_one(Label).update(labels[1])
        identifier.input.placeholder = labels[2]
        identifier.input.validators = [ParsedBy(check, labels[0])]
        secret.input.validators = [ParsedBy(check_secret, labels[1])]
        identifier.show_error("")
        secret.show_error("")

    @on(Button.Pressed, "#connect-typed")
    @on(Input.Submitted, "#secret-input")
    def submit(self) -> None:
        identifier = self.query_one("#identifier", Field)
        secret = self.query_one("#secret", Field)
        if not (identifier.check() & secret.check()):
            return
        typed = Secret(secret.value)
        secret.value = ""
        if self.kind == AUTH_DIGEST:
            overrides = Overrides(public_key=identifier.value, private_key=typed, origin=TYPED_ORIGIN)
        else:
            overrides = Overrides(client_id=identifier.value, client_secret=typed, origin=TYPED_ORIGIN)
        self.post_message(self.Submitted(overrides))

    @on(Input.Submitted, "#identifier-input")
    def _next_field(self) -> None:
        self.query_one("#secret", Field).input.focus()
