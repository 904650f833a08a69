"""cmkwizard benchmark: start-up beside a bare Textual app, import cost, and the cost of one status poll.

Run from the repository root:  .venv/bin/python bench/run.py [--runs N] [--cycles K]
Prints a report; exits 1 when an expectation (the first screen within 1.3 times a bare Textual
app's time, no HTTP client, AWS/Azure/moto or Markdown module at start-up, a bounded number of
requests per poll cycle) is not met.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path
from urllib.parse import parse_qs

from imports import HEAVY_PACKAGES, ImportProfile, import_profile
from polling import PollingResult, measure_polling
from report import heading, table
from startup import BARE, SERVE_SCENARIO, UI_ONLY, WITH_SANDBOX, StartupResult, isolated_env, measure_startup
from stats import ms, sec, summarize
from terminal import POLL_INTERVAL, TerminalError

IMPORT_MODULES = ("cmkwizard.cli", "screens.app")
FIRST_SCREEN_RATIO = 1.3  # the most the wizard's first screen may take, in bare Textual apps' time
POLL_SCENARIO = "large"
COMPARISON_SCENARIO = "fresh"

Problem = Callable[[str], None]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    print(_machine_line())
    print(f"--runs {args.runs}, --cycles {args.cycles}")
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="cmkwizard-bench-") as scratch:
        directory = Path(scratch)
        print(heading("1a. Start-up to the first interactive screen"))
        try:
            print(startup_report(measure_startup(args.runs, directory), problems.append))
        except TerminalError as err:
            problems.append(f"start-up not measured: {err}")
            print(problems[-1])
        print(heading("1b. Import time"))
        env = isolated_env(directory)
        profiles = {module: [import_profile(module, env) for _ in range(args.runs)] for module in IMPORT_MODULES}
        print(imports_report(profiles, problems.append))
    print(heading(f"2. Polling cost: read_project_state, scenario {POLL_SCENARIO!r}"))
    large = measure_polling(POLL_SCENARIO, args.cycles)
    small = measure_polling(COMPARISON_SCENARIO, args.cycles)
    print(polling_report(large, small, problems.append))
    if problems:
        print(heading("Expectations not met"))
        print("\n".join(f"- {p}" for p in problems))
        return 1
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=_at_least(1), default=5, metavar="N", help="start-up/import runs (default 5)")
    parser.add_argument("--cycles", type=_at_least(2), default=50, metavar="K", help="poll cycles (default 50)")
    return parser


def _at_least(lowest: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not text.isdigit() or int(text) < lowest:
            raise argparse.ArgumentTypeError(f"invalid count {text!r}: expected a whole number of at least {lowest}")
        return int(text)

    return parse


def _machine_line() -> str:
    tmux = subprocess.run(["tmux", "-V"], capture_output=True, text=True, check=False).stdout.strip() or "no tmux"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"cmkwizard benchmark: Python {platform.python_version()}, textual {version('textual')}, "
        f"httpx {version('httpx')}, {tmux}, {os.cpu_count()} CPUs, load average {load} at start"
    )


# --- 1a ------------------------------------------------------------------------------------------


def startup_report(result: StartupResult, problem: Problem) -> str:
    period = summarize(result.poll_periods).median
    rows = []
    for (label, text), samples in result.samples.items():
        summary = summarize(samples)
        rows.append([label, f'"{text}"', ms(summary.median), ms(summary.minimum), str(summary.count)])
    bare = summarize(result.first_screen(BARE))
    lines = [
        "Each program runs in a private tmux server (-S, -f /dev/null, 120x40, one clean HOME and environment).",
        "Time: from `tmux new-session` to the end of the first capture-pane showing the text (an upper bound).",
        f"Screen polled every {ms(POLL_INTERVAL)} (achieved {ms(period, 1)}): resolution about {ms(period)}.",
        "One warm-up round is not counted; every round runs each program once.",
        "",
        table(["program", "until the screen shows", "median", "min", "runs"], rows, right=(2, 3, 4)),
        "",
    ]
    for label in (WITH_SANDBOX, UI_ONLY):
        wizard = summarize(result.first_screen(label))
        ratio = wizard.median / bare.median
        lines.append(
            f"First screen of {label} over the bare app: {ratio:.2f}x median "
            f"({wizard.minimum / bare.minimum:.2f}x min); at most {FIRST_SCREEN_RATIO}x expected."
        )
        if ratio > FIRST_SCREEN_RATIO:
            problem(f"the first screen of {label} took {ratio:.2f}x the bare app's time (median)")
    lines.append(
        f"`cmkwizard sandbox serve --scenario {SERVE_SCENARIO}` printed its exports after "
        f"{sec(result.serve_ready_seconds)} (1 run): the sandbox alone, in its own process."
    )
    if result.not_quit:
        lines.append(f"Still running 30 s after Ctrl+Q (closed by tmux): {', '.join(sorted(result.not_quit))}")
    return "\n".join(lines)


# --- 1b ------------------------------------------------------------------------------------------


def imports_report(profiles: dict[str, list[ImportProfile]], problem: Problem) -> str:
    rows = []
    for module, runs in profiles.items():
        totals = summarize([p.total_seconds for p in runs])
        heavy = sorted({m for p in runs for m in p.heavy_modules()})
        if heavy:
            problem(f"`import {module}` loads {', '.join(heavy[:5])}{' ...' if len(heavy) > 5 else ''}")
        count = str(len(runs[0].modules))
        rows.append([module, ms(totals.median, 1), ms(totals.minimum, 1), count, ", ".join(heavy) or "none"])
    runs = len(next(iter(profiles.values())))
    lines = [
        (
            "python -X importtime -c 'import MODULE': sum of every module's own time "
            f"(interpreter start-up not included), {runs} runs."
        ),
        "",
        table(["module", "median", "min", "modules", f"{'/'.join(HEAVY_PACKAGES)} modules"], rows, right=(1, 2, 3)),
    ]
    for module, runs_of_module in profiles.items():
        largest = ", ".join(f"{name} {ms(seconds, 1)}" for name, seconds in runs_of_module[0].slowest(5))
        lines.append(f"Largest packages in `import {module}` (own time, first run): {largest}")
    return "\n".join(lines)


# --- 2 -------------------------------------------------------------------------------------------


def polling_report(large: PollingResult, small: PollingResult, problem: Problem) -> str:
    first, steady = large.first, large.steady
    times = summarize([c.seconds for c in steady])
    counts = sorted({c.requests for c in steady})
    small_counts = sorted({c.requests for c in small.steady})
    paths = large.by_path()
    rows = [
        [p.method, p.path, f"{p.requests_per_cycle:g}", _page_size(large, p.path), f"{p.median_ms:.1f} ms"]
        for p in paths
    ]
    lines = [
        (
            f'Sandbox(scenario="{large.scenario}") started in this process in {sec(large.sandbox_start_seconds)}; '
            "one AtlasClient, HTTP digest auth, real HTTP on loopback."
        ),
        f"Seen every cycle: {_seen(large)}.",
        (
            f"First cycle: {first.requests} requests = {len(first.exchanges)} calls + {first.challenges} digest "
            f"challenges (401, then sent again with the nonce), {ms(first.seconds, 1)}."
        ),
        (
            f"Next {len(steady)} cycles: {_span(counts)} requests per cycle, "
            f"{sum(c.challenges for c in steady)} digest challenges in all."
        ),
        (
            f"Cycle time: median {ms(times.median, 1)}, p95 {ms(times.p95, 1)}, min {ms(times.minimum, 1)} "
            "(the simulator serves from a thread of this process: its work is included)."
        ),
        "",
        "Calls per cycle after the first (client tracer; for a list, requests/cycle = pages):",
        table(["method", "path", "requests/cycle", "itemsPerPage", "median"], rows, right=(2, 3, 4)),
        "",
        f'For comparison, scenario "{small.scenario}" ({_seen(small)}): {_span(small_counts)} requests per cycle.',
    ]
    kinds = len(paths)
    if counts == small_counts == [kinds] and all(p.requests_per_cycle == 1 for p in paths):
        lines.append(
            f"Bounded: yes, {kinds} requests per cycle in both scenarios: one per resource kind, one page each."
        )
    else:
        problem(
            f"poll cycles are not one request per resource kind ({kinds} kinds): {large.scenario} "
            f"{_span(counts)} requests per cycle, {small.scenario} {_span(small_counts)}"
        )
    return "\n".join(lines)


def _seen(result: PollingResult) -> str:
    sizes = sorted({(c.clusters, c.endpoints) for c in (result.first, *result.steady)})
    return " or ".join(f"{clusters} clusters and {endpoints} EAR private endpoints" for clusters, endpoints in sizes)


def _span(values: Sequence[int]) -> str:
    return str(values[0]) if len(values) == 1 else f"{values[0]} to {values[-1]}"


def _page_size(result: PollingResult, path: str) -> str:
    sizes = {
        size
        for cycle in result.steady
        for exchange in cycle.exchanges
        if exchange.path == path
        for size in parse_qs(exchange.query).get("itemsPerPage", [])
    }
    return ", ".join(sorted(sizes)) or "-"


if __name__ == "__main__":
    sys.exit(main())
