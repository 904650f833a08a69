"""The journeys the wizard offers, as entries of one registry.

An entry says when its journey applies to a project (``offer``: a one-line reason, and a warning when
Atlas cannot use the project's key), how its inputs come back from the journal (so an unfinished run
resumes with what was typed), and which ``Journey`` it runs. The home screen, the palette and the
headless ``plan`` command list the entries; none of them names a journey. A new journey is a new entry
in ``cmkwizard.journeys.catalog`` with its steps, plus its pages on the screens side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic

from cmkwizard.journeys.base import InputsT, Journey
from cmkwizard.journeys.inputs import open_run_inputs

if TYPE_CHECKING:
    from cmkwizard.journal import Journal
    from cmkwizard.state import ProjectState


@dataclass(frozen=True)
class Offer:
    """Why a journey fits the project now; ``warning`` when going on needs care first."""

    reason: str
    warning: str | None = None


@dataclass(frozen=True)
class JourneyEntry(Generic[InputsT]):
    name: str
    title: str
    journey: Journey[InputsT]
    offer: Callable[[ProjectState], Offer | None]
    inputs: Callable[[Mapping[str, Any]], InputsT]
    """Inputs from a journal record (an empty record gives the inputs of a clean start)."""

    def resumed_inputs(self, journal: Journal) -> InputsT:
        """The inputs of the journey's unfinished run, or clean ones when there is none."""
        return self.inputs(open_run_inputs(journal, self.journey.name))


class Registry:
    def __init__(self) -> None:
        self._entries: dict[str, JourneyEntry[Any]] = {}

    def register(self, entry: JourneyEntry[Any]) -> JourneyEntry[Any]:
        if entry.name in self._entries:
            raise ValueError(f"a journey named {entry.name!r} is registered already")
        if entry.name != entry.journey.name:
            raise ValueError(f"entry {entry.name!r} runs journey {entry.journey.name!r}: the names must match")
        self._entries[entry.name] = entry
        return entry

    def __iter__(self) -> Iterator[JourneyEntry[Any]]:
        return iter(self._entries.values())

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def get(self, name: str) -> JourneyEntry[Any]:
        try:
            return self._entries[name]
        except KeyError:
            raise KeyError(f"no journey named {name!r}; journeys: {', '.join(self._entries)}") from None

    def offers(self, state: ProjectState) -> list[tuple[JourneyEntry[Any], Offer]]:
        """The entries that apply to the project now, in registry order, each with its reason."""
        found = []
        for entry in self:
            offer = entry.offer(state)
            if offer is not None:
                found.append((entry, offer))
        return found
