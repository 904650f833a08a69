"""What importing a module costs, from ``python -X importtime``, and which heavy packages it pulls in."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass

# Loaded after the first screen (the HTTP client, Markdown help), or only by the commands that talk
# to AWS or Azure or start the sandbox; never at start-up.
HEAVY_PACKAGES = ("httpx", "boto3", "botocore", "azure", "moto", "markdown_it")


@dataclass(frozen=True)
class ImportProfile:
    total_seconds: float  # sum of every module's own import time
    modules: frozenset[str]
    by_package: dict[str, float]  # top-level package -> sum of its modules' own import time, seconds

    def heavy_modules(self) -> list[str]:
        return sorted(m for m in self.modules if m.split(".")[0] in HEAVY_PACKAGES)

    def slowest(self, count: int) -> list[tuple[str, float]]:
        return sorted(self.by_package.items(), key=lambda item: item[1], reverse=True)[:count]


def import_profile(module: str, env: Mapping[str, str]) -> ImportProfile:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if result.returncode != 0:
        raise RuntimeError(f"`import {module}` failed:\n{result.stderr[-2000:]}")
    return parse_importtime(result.stderr)


def parse_importtime(stderr: str) -> ImportProfile:
    """Lines look like ``import time:       412 |       1508 |   package.module`` (microseconds)."""
    total_us, modules, by_package_us = 0, set(), {}
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        own, _cumulative, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        if not own.isdigit():
            continue  # the header line
        total_us += int(own)
        modules.add(name)
        package = name.split(".")[0]
        by_package_us[package] = by_package_us.get(package, 0) + int(own)
    by_package = {package: us / 1e6 for package, us in by_package_us.items()}
    return ImportProfile(total_us / 1e6, frozenset(modules), by_package)
