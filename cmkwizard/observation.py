"""Facts a journey observed beyond the status read, each known or unavailable with the reason.

Plain data, so that ``ProjectState`` can carry an observation without importing how one is made
(``cmkwizard.journeys.observe``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Fact:
    name: str
    title: str
    value: Any = None
    unavailable: str | None = None
    """Why the fact could not be read; ``value`` is None then."""
    line: str = ""

    @property
    def known(self) -> bool:
        return self.unavailable is None


@dataclass(frozen=True)
class Observation:
    facts: tuple[Fact, ...] = ()

    def fact(self, name: str) -> Fact | None:
        return next((f for f in self.facts if f.name == name), None)

    def get(self, name: str, default: Any = None) -> Any:
        """The value of a fact that was read; ``default`` when it was not observed or is unavailable."""
        found = self.fact(name)
        return found.value if found is not None and found.known else default

    def unavailable(self, name: str) -> str | None:
        found = self.fact(name)
        return found.unavailable if found is not None else None

    @property
    def missing(self) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts if not f.known)

    def lines(self) -> list[str]:
        """One line per fact, as the dry run and the summary show them."""
        return [f"{f.title}: {f.line}" if f.known else f"{f.title}: unavailable ({f.unavailable})" for f in self.facts]

    def __bool__(self) -> bool:
        return bool(self.facts)


NOTHING_OBSERVED = Observation()
