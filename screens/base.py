"""What every page of the wizard shares: header, footer, F1 help and a way back."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.screen import Screen

if TYPE_CHECKING:
    from screens.app import WizardApp


class WizardScreen(Screen[None]):
    """A page of the wizard. `HELP` (Markdown) is what F1 shows unless `help_markdown` says otherwise."""

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

    @property
    def help_markdown(self) -> str:
        return self.HELP or "No help for this page."

    def back(self) -> bool:
        """Handle escape on this page; False lets the app return to the previous screen."""
        return False
