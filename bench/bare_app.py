"""The baseline for start-up: the smallest Textual app with the wizard's chrome (header, input, footer)."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Input

READY_TEXT = "Type a project name"


class BareApp(App[None]):
    TITLE = "bare Textual app"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=READY_TEXT)
        yield Footer()


if __name__ == "__main__":
    BareApp().run()
