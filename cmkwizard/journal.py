"""The journal: an append-only JSON Lines record of every change made and every operator decision.

One file per Atlas project (``<data dir>/cmkwizard/journal/<project id>.jsonl``, mode 0600). Each
line is one entry: ``{"at": <ISO 8601 UTC>, "kind": ..., ...fields}``; ``at`` is wall-clock time, and a
sandbox's journal adds its simulated time as ``simulated_at``. Secrets cannot reach the file:
every entry goes through ``redaction.redact`` and a ``SecretScrubber`` that masks secret-named keys in
any spelling and any registered secret value wherever it appears.

The journal also remembers inputs the cloud cannot give back (a role ARN typed before authorization,
a chosen key), offered again as defaults when a journey is resumed.

Every execution of a journey is a *run*: ``run_started`` (with the inputs it starts from), then every
input, decision and change tagged with the run's id, then ``run_finished`` or ``run_abandoned``. A run
that has neither is open: resuming the journey continues it; a closed run is never resumed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import secrets
import threading
import traceback
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from cmkwizard import paths
from cmkwizard.clock import SYSTEM_CLOCK, Clock
from cmkwizard.redaction import REDACTED
from cmkwizard.secrets import Secret, SecretScrubber
from cmkwizard.settings import check_project_id

ATLAS_CHANGE = "atlas_change"
AWS_CHANGE = "aws_change"
AZURE_CHANGE = "azure_change"
OPERATOR_DECISION = "operator_decision"
OPERATOR_INPUT = "operator_input"
RUN_STARTED = "run_started"
RUN_FINISHED = "run_finished"
RUN_ABANDONED = "run_abandoned"
UNEXPECTED_ERROR = "unexpected_error"
KINDS = frozenset(
    {
        UNEXPECTED_ERROR,
        ATLAS_CHANGE,
        AWS_CHANGE,
        AZURE_CHANGE,
        OPERATOR_DECISION,
        OPERATOR_INPUT,
        RUN_STARTED,
        RUN_FINISHED,
        RUN_ABANDONED,
    }
)
_RUN_CLOSED = frozenset({RUN_FINISHED, RUN_ABANDONED})
_INPUT_KINDS = frozenset({OPERATOR_INPUT, RUN_STARTED})
_CHANGE_KINDS = {"ATLAS": ATLAS_CHANGE, "AWS": AWS_CHANGE, "AZURE": AZURE_CHANGE}
_RESERVED = frozenset({"at", "simulated_at", "kind"})
_OWN_CODE = re.compile(r"(?:cmkwizard|screens)/[^:]*\.py$")


class Journal:
    def __init__(
        self,
        path: Path,
        *,
        clock: Clock = SYSTEM_CLOCK,
        simulated_clock: Clock | None = None,
        secrets: Iterable[str | Secret] = (),
    ) -> None:
        """``clock`` is wall-clock time; with a ``simulated_clock`` (the sandbox's), each entry also has its
        time there, as ``simulated_at``."""
        self.path = path
        self._clock = clock
        self._simulated_clock = simulated_clock
        self._scrubber = SecretScrubber(secrets)
        self._lock = threading.Lock()

    @classmethod
    def for_project(
        cls,
        project_id: str,
        *,
        clock: Clock = SYSTEM_CLOCK,
        simulated_clock: Clock | None = None,
        directory: Path | None = None,
        secrets: Iterable[str | Secret] = (),
    ) -> Journal:
        try:
            project_id = check_project_id(project_id)
        except ValueError as err:
            raise ValueError(f"No journal for project {project_id!r}: {err}") from None
        path = (directory or paths.journal_dir()) / f"{project_id}.jsonl"
        return cls(path, clock=clock, simulated_clock=simulated_clock, secrets=secrets)

    def register_secret(self, value: str | Secret | None) -> None:
        """From now on, mask this exact value wherever it appears in an entry."""
        self._scrubber.register(value)

    def record(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Append one entry and return it exactly as written."""
        if kind not in KINDS:
            raise ValueError(f"Unknown journal entry kind {kind!r}; expected one of {', '.join(sorted(KINDS))}")
        clash = _RESERVED & fields.keys()
        if clash:
            raise ValueError(f"{', '.join(sorted(clash))} is set by the journal itself")
        times = {"at": self._clock.now().isoformat()}
        if self._simulated_clock is not None:
            times["simulated_at"] = self._simulated_clock.now().isoformat()
        entry = self._scrubber.scrub(to_jsonable({**times, "kind": kind, **fields}))
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            self._append(line.encode())
        return entry

    def record_change(
        self,
        provider: str,
        what: str,
        *,
        inputs: Mapping[str, Any] | None = None,
        result: Any = None,
        request_id: str | None = None,
        error: BaseException | None = None,
        run: str | None = None,
    ) -> dict[str, Any]:
        """A change made (or attempted) in Atlas, AWS or Azure; ``error`` keeps its code, ``run`` its run."""
        kind = _CHANGE_KINDS.get(provider.upper())
        if kind is None:
            raise ValueError(f"Unknown provider {provider!r}; expected one of {', '.join(_CHANGE_KINDS)}")
        fields: dict[str, Any] = {"what": what, "inputs": dict(inputs or {}), "outcome": "failed" if error else "done"}
        if result is not None:
            fields["result"] = result
        if request_id:
            fields["request_id"] = request_id
        if error is not None:
            fields["error"] = error
        return self.record(kind, **fields, **_run_field(run))

    def record_decision(self, journey: str, what: str, choice: Any, *, run: str | None = None) -> dict[str, Any]:
        return self.record(OPERATOR_DECISION, journey=journey, what=what, choice=choice, **_run_field(run))

    def record_inputs(self, journey: str, inputs: Mapping[str, Any], *, run: str | None = None) -> dict[str, Any]:
        return self.record(OPERATOR_INPUT, journey=journey, inputs=dict(inputs), **_run_field(run))

    # --- runs -------------------------------------------------------------------------------

    def start_run(self, journey: str, inputs: Mapping[str, Any]) -> str:
        """Open a new run of ``journey`` starting from ``inputs``; returns its id."""
        run = secrets.token_hex(6)
        self.record(RUN_STARTED, journey=journey, run=run, inputs=dict(inputs))
        return run

    def finish_run(self, journey: str, run: str) -> None:
        self.record(RUN_FINISHED, journey=journey, run=run)

    def abandon_run(self, journey: str, run: str) -> None:
        self.record(RUN_ABANDONED, journey=journey, run=run)

    def open_run(self, journey: str) -> str | None:
        """The latest run of ``journey`` that was neither finished nor abandoned, if any."""
        started: list[str] = []
        closed: set[str] = set()
        for entry in self.entries():
            if entry.get("journey") != journey or not isinstance(entry.get("run"), str):
                continue
            if entry.get("kind") == RUN_STARTED:
                started.append(entry["run"])
            elif entry.get("kind") in _RUN_CLOSED:
                closed.add(entry["run"])
        return next((run for run in reversed(started) if run not in closed), None)

    def run_entries(self, run: str) -> list[dict[str, Any]]:
        return [e for e in self.entries() if e.get("run") == run]

    def record_unexpected_error(self, during: str, error: BaseException) -> dict[str, Any]:
        """An error nothing handled: its type and where it was raised (file, line, function), never its message,
        which may quote any value it was handed."""
        return self.record(UNEXPECTED_ERROR, during=during, error=type(error).__name__, raised_at=raised_at(error))

    def entries(self) -> list[dict[str, Any]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        found = []
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line torn by a crash mid-write; every other line is still good
            if isinstance(entry, dict):
                found.append(entry)
        return found

    def last_inputs(self, journey: str, run: str | None = None) -> dict[str, Any]:
        """The latest value of each input recorded for ``journey`` (only in ``run`` when given; masked
        values are left out)."""
        latest: dict[str, Any] = {}
        for entry in self.entries():
            if run is not None and entry.get("run") != run:
                continue
            if entry.get("kind") in _INPUT_KINDS and entry.get("journey") == journey:
                inputs = entry.get("inputs")
                if isinstance(inputs, dict):
                    latest.update({name: value for name, value in inputs.items() if value != REDACTED})
        return latest

    def _append(self, data: bytes) -> None:
        paths.ensure_private_dir(self.path.parent)
        descriptor = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.fchmod(descriptor, 0o600)
            size = os.fstat(descriptor).st_size
            if size and os.pread(descriptor, 1, size - 1) != b"\n":
                data = b"\n" + data  # end a line torn by a crash, so this entry starts on its own line
            os.write(descriptor, data)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def raised_at(error: BaseException) -> str | None:
    """``screens/onboard_aws/trust.py:83 in merge``: the innermost frame of the wizard's own code."""
    frames = traceback.extract_tb(error.__traceback__)
    own = [f for f in frames if _OWN_CODE.search(f.filename.replace(os.sep, "/"))] or frames
    if not own:
        return None
    frame = own[-1]
    match = _OWN_CODE.search(frame.filename.replace(os.sep, "/"))
    return f"{match.group(0) if match else Path(frame.filename).name}:{frame.lineno} in {frame.name}"


def _run_field(run: str | None) -> dict[str, str]:
    return {"run": run} if run else {}


def to_jsonable(value: Any) -> Any:
    """JSON-ready data from entries holding models, datetimes, enums, paths, secrets and exceptions.

    Dataclasses keep only the fields they show in their repr, so the raw API payloads models carry
    (``raw``) stay out.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Secret):
        return REDACTED
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(item) for item in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, BaseException):
        code = getattr(value, "error_code", None) or getattr(value, "code", None)
        return {"type": type(value).__name__, "message": str(value), "code": to_jsonable(code)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value) if f.repr}
    return str(value)
