"""The command palette's entries for the page on screen: its keys and its buttons, so every action a page
offers can be found by name (ctrl+p) as well as by Tab."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button

SKIPPED_BUTTONS = frozenset({"back"})  # the app's own "Back" command does the same


@dataclass(frozen=True)
class PageAction:
    title: str
    help: str
    run: Callable[[], object]


def shown_on_screen(widget: Widget) -> bool:
    return all(node.display for node in widget.ancestors_with_self if isinstance(node, Widget))


def page_actions(screen: Screen) -> Iterator[PageAction]:
    """The page's enabled buttons (its Apply first, then in screen order), then its keys (those the footer
    would show)."""
    apply_key = None
    for active in screen.active_bindings.values():
        if active.binding.action == "apply":
            apply_key = screen.app.get_key_display(active.binding)
    for button in sorted(screen.query(Button), key=lambda button: button.id != "apply"):
        if button.id in SKIPPED_BUTTONS or button.disabled or not shown_on_screen(button):
            continue
        key = f" ({apply_key})" if button.id == "apply" and apply_key else ""
        yield PageAction(str(button.label), f"Press the button on this page{key}", button.press)
    for active in screen.active_bindings.values():
        binding = active.binding
        if isinstance(active.node, App) or not (binding.show and binding.description and active.enabled):
            continue
        if binding.action == "apply":
            continue  # listed as its button, under the page's own label
        key = screen.app.get_key_display(binding)
        what = binding.tooltip or binding.description
        run = partial(screen.app.run_action, binding.action, active.node)
        yield PageAction(binding.description, f"{what} ({key})", run)


class PageActions(Provider):
    async def discover(self) -> Hits:
        for action in page_actions(self.screen):
            yield DiscoveryHit(action.title, action.run, help=action.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action in page_actions(self.screen):
            score = matcher.match(action.title)
            if score > 0:
                yield Hit(score, matcher.highlight(action.title), action.run, help=action.help)
