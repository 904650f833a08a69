"""The one way the wizard presents an error: what happened, its code, what it means, what to do next."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from cmkwizard.atlas.errors import AtlasApiError, AtlasConnectionError
from cmkwizard.explain import explain


def explanation_content(error: BaseException) -> Content:
    explanation = explain(error)
    parts = [Content.from_markup("[b]$what[/b]", what=explanation.what)]
    if explanation.code:
        parts.append(Content.from_markup("[$text-muted]Code[/]       $code", code=explanation.code))
    if explanation.meaning:
        parts.append(Content.from_markup("[$text-muted]Meaning[/]    $meaning", meaning=explanation.meaning))
    if explanation.next_step:
        parts.append(Content.from_markup("[$text-muted]Next step[/]  $step", step=explanation.next_step))
    return Content("\n").join(parts)


def headline(error: BaseException) -> str:
    """A few words for places too small for the whole explanation: the status and code, or what happened."""
    if isinstance(error, AtlasApiError):
        return f"HTTP {error.status} {error.error_code or ''}".rstrip()
    if isinstance(error, AtlasConnectionError):
        return f"no answer from Atlas ({error.cause})"
    explanation = explain(error)
    return f"{explanation.what} ({explanation.code})" if explanation.code else explanation.what


class ErrorPanel(Static):
    """Hidden until an error is shown; cleared when the operator tries again.

    A shown error scrolls into view once laid out: an error below the fold is an error not seen.
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.border_title = "Error"
        self.error: BaseException | None = None

    def show(self, error: BaseException) -> None:
        self.error = error
        self.update(explanation_content(error))
        self.add_class("-visible")
        self.call_after_refresh(self.scroll_visible, animate=False)

    def clear(self) -> None:
        self.error = None
        self.update("")
        self.remove_class("-visible")
