"""Which pages show each journey: a registry the page packages fill when they are imported.

The app asks `pages_for(name)` for the journey an operator chose and never names one itself. A new
journey's package registers its pages with `register_pages` and is listed in `PAGE_PACKAGES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from screens.flow import Page

PAGE_PACKAGES = (
    "screens.onboard_aws",
    "screens.onboard_azure",
    "screens.more_journeys",
    "screens.failover",
    "screens.rotate",
    "screens.disable",
)

_PAGES: dict[str, tuple[Page, ...]] = {}


def register_pages(journey_name: str, pages: Sequence[Page]) -> None:
    if journey_name in _PAGES:
        raise ValueError(f"pages for journey {journey_name!r} are registered already")
    _PAGES[journey_name] = tuple(pages)


def pages_for(journey_name: str) -> tuple[Page, ...]:
    for package in PAGE_PACKAGES:
        importlib.import_module(package)
    try:
        return _PAGES[journey_name]
    except KeyError:
        raise KeyError(f"no pages for journey {journey_name!r}") from None
