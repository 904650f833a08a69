"""What every page of the wizard shares: header, footer, F1 help and a way back."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.screen import Screen

from screens.commands import PageActions

if TYPE_CHECKING:
    from screens.app import WizardApp


class WizardScreen(Screen[None]):
    """A page of the wizard. F1 shows `page_help` (by default `HELP`, in Markdown), then the keys that work on
    the page; the command palette lists the page's buttons and keys."""

    HELP_TITLE = "cmkwizard"
    JOURNEY_PAGE: ClassVar[bool] = False
    """A page of a journey: the next page replaces it, and escape on it always goes back."""

    @property
    def wizard(self) -> WizardApp:
        from screens.app import WizardApp

        assert isinstance(self.app, WizardApp)
        return self.app

    @property
    def help_title(self) -> str:
        return self.HELP_TITLE

    COMMANDS: ClassVar = {PageActions}

    @property
    def help_markdown(self) -> str:
        """What F1 shows: the page's help, then the keys that work on it."""
        from screens.help import keys_markdown

        return f"{self.page_help}\n\n{keys_markdown(self)}"

    @property
    def page_help(self) -> str:
        return self.HELP or "No help for this page."

    def back(self) -> bool:
        """Handle escape on this page; False lets the app return to the previous screen."""
        return False
