"""Operator inputs as plain records: to and from the journal, and what a resumed run starts from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields, is_dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from cmkwizard.journal import Journal

T = TypeVar("T")


def to_record(inputs: Any) -> dict[str, Any]:
    """A dataclass of inputs as plain JSON values (tuples become lists)."""
    assert is_dataclass(inputs) and not isinstance(inputs, type)
    return {name: list(value) if isinstance(value, tuple) else value for name, value in asdict(inputs).items()}


def from_record(cls: type[T], record: Mapping[str, Any]) -> T:
    """The dataclass ``cls`` from a journal record: unknown names ignored, lists back to tuples."""
    values = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name in record:
            value = record[f.name]
            values[f.name] = tuple(value) if isinstance(value, list) else value
    return cls(**values)


def open_run_inputs(journal: Journal, journey: str) -> dict[str, Any]:
    """The inputs of the journey's unfinished run (empty when every run is finished: a new one starts clean)."""
    run = journal.open_run(journey)
    return journal.last_inputs(journey, run) if run else {}
