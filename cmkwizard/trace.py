"""An HTTP trace of every Atlas call, for ``--trace FILE``: one JSON object per attempt, one per line.

``TraceWriter`` is the ``tracer`` an ``AtlasClient`` calls with each ``Exchange``. Lines carry the
time, method, path, query, media type, (already redacted) request body, status, duration, Atlas
error code and attempt number, scrubbed once more like the journal. The file is created with mode 0600.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from cmkwizard.clock import SYSTEM_CLOCK, Clock
from cmkwizard.journal import to_jsonable
from cmkwizard.secrets import Secret, SecretScrubber

if TYPE_CHECKING:
    from cmkwizard.atlas.client import Exchange


class TraceWriter:
    def __init__(self, path: Path | str, *, clock: Clock = SYSTEM_CLOCK, secrets: Iterable[str | Secret] = ()) -> None:
        self.path = Path(path)
        self._clock = clock
        self._scrubber = SecretScrubber(secrets)
        self._lock = threading.Lock()

    def register_secret(self, value: str | Secret | None) -> None:
        self._scrubber.register(value)

    def __call__(self, exchange: Exchange) -> None:
        line = self._scrubber.scrub({"at": self._clock.now().isoformat(), **to_jsonable(exchange)})
        data = (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        with self._lock:
            if self.path.parent != Path():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, data)
            finally:
                os.close(descriptor)
