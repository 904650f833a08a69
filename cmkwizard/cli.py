"""The ``cmkwizard`` command: arguments -> settings -> clients -> the TUI or a headless command.

Importing this module loads nothing but the standard library: the TUI, the Atlas client, the
keyring and the sandbox (moto, starlette, uvicorn) are imported by the command that needs them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from cmkwizard import __version__

if TYPE_CHECKING:
    from datetime import datetime

    from cmkwizard.atlas import AtlasClient
    from cmkwizard.context import AppContext
    from cmkwizard.sandbox import SandboxInfo
    from cmkwizard.sandbox.launch import SandboxLaunch
    from cmkwizard.settings import Overrides, Settings

DEFAULT_SCENARIO = "fresh"
SPEED_HELP = "simulated time runs X times faster than real time (default: 20)"

EPILOG = """\
examples:
  cmkwizard --sandbox                        try the wizard against a local Atlas, AWS and Azure
  cmkwizard --sandbox --scenario NAME --speed 20
  cmkwizard --sandbox --scenario encrypted-aws --rehearse   practise a KMS region outage and its failover
  cmkwizard --profile prod                   open the wizard with a saved profile
  cmkwizard status --project 5f1d4c6e8b3a2a0012345678
  cmkwizard status --sandbox --json          a project's encryption-at-rest state, as JSON
  cmkwizard plan --list                      the journeys, with what each does
  cmkwizard plan onboard_aws --sandbox       what a journey would send, as requests and commands
  cmkwizard old-key-report --project NAME --key ARN --json
                                             which snapshots still need a key, and until when
  cmkwizard sandbox serve --scenario fresh   run the sandbox for other tools (prints export lines)
  cmkwizard profiles add prod --public-key zmmrboas --project-id 5f1d4c6e8b3a2a0012345678

where the connection comes from (highest first):
  command-line options; the environment (MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY,
  or MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET; MONGODB_ATLAS_BASE_URL, MONGODB_ATLAS_ORG_ID,
  MONGODB_ATLAS_PROJECT_ID, AWS_PROFILE, AWS_REGION); a cmkwizard profile (its secret in the keyring);
  an Atlas CLI profile (atlascli/config.toml).
"""


class CommandError(Exception):
    """A command cannot go on; the message says what is wrong and what to do."""


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from cmkwizard.secrets import SecretStoreError
    from cmkwizard.settings import SettingsError

    try:
        return args.run(args)
    except (CommandError, SettingsError, SecretStoreError) as err:
        print(f"cmkwizard: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`cmkwizard status --json | head`): stop quietly, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def build_parser() -> argparse.ArgumentParser:
    from cmkwizard.sandbox import SCENARIO_NAMES

    parser = argparse.ArgumentParser(
        prog="cmkwizard",
        description="A guided, resumable wizard for MongoDB Atlas Encryption at Rest with customer-managed keys "
        "in AWS KMS and Azure Key Vault.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cmkwizard {__version__}")
    _add_connection_options(parser, SCENARIO_NAMES, defaults=True)
    parser.set_defaults(run=_run_wizard)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    status = commands.add_parser(
        "status",
        help="print a project's encryption at rest, roles, clusters and private endpoints",
        description="Read a project's encryption-at-rest state, cloud provider access roles, clusters and "
        "private endpoints, and print them. Exit status 0 on success, 1 on failure.",
    )
    status.add_argument("--project", metavar="NAME|ID", help="project name or 24-hex ID (default: the configured one)")
    status.add_argument("--json", action="store_true", help="print JSON instead of text")
    _add_connection_options(status, SCENARIO_NAMES, defaults=False)
    status.set_defaults(run=_run_status)

    plan = commands.add_parser(
        "plan",
        help="print the dry run of a journey: every call it would make, with curl and CLI equivalents",
        description="Read the project and print every remaining step of a journey with the calls it would make "
        "(HTTP request, curl, Atlas CLI or AWS CLI), from the inputs of its unfinished run. Nothing is changed. "
        "Exit status 0 on success, 1 on failure; with --json every failure is JSON too.",
    )
    plan.add_argument("journey", nargs="?", metavar="JOURNEY", help="the journey's name (see --list)")
    plan.add_argument("--list", action="store_true", help="list the journeys and exit")
    plan.add_argument("--project", metavar="NAME|ID", help="project name or 24-hex ID (default: the configured one)")
    plan.add_argument("--json", action="store_true", help="print JSON instead of text")
    _add_connection_options(plan, SCENARIO_NAMES, defaults=False)
    plan.set_defaults(run=_run_plan)

    report = commands.add_parser(
        "old-key-report",
        help="print which clusters' snapshots may still need a key, and the earliest date to retire it",
        description="Read every backed-up cluster's snapshots (one list per cluster) and print which may still "
        "need the key: by masterKeyUUID where Atlas reports it, otherwise snapshots created before the project "
        "stopped using the key. The wizard never disables, deletes or schedules the deletion of a key. "
        "Exit status 0 on success, 1 on failure.",
    )
    report.add_argument("--project", metavar="NAME|ID", help="project name or 24-hex ID (default: the configured one)")
    report.add_argument(
        "--key",
        metavar="KEY",
        help="the key to report on: AWS key ID or ARN, Azure key identifier (default: the project's current key)",
    )
    report.add_argument(
        "--since",
        metavar="DATE",
        help="when the project stopped using the key, ISO 8601 (default: now for the current key, else the "
        "project's latest key change)",
    )
    formats = report.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true", help="print JSON")
    formats.add_argument("--markdown", action="store_true", help="print Markdown (the default)")
    _add_connection_options(report, SCENARIO_NAMES, defaults=False)
    report.set_defaults(run=_run_old_key_report)

    sandbox = commands.add_parser("sandbox", help="run the local sandbox for other tools")
    sandbox_commands = sandbox.add_subparsers(title="sandbox commands", metavar="COMMAND", required=True)
    serve = sandbox_commands.add_parser(
        "serve",
        help="start the sandbox, print its environment variables and wait for Ctrl-C",
        description="Start the local Atlas simulator, moto (AWS) and the Key Vault fake, print `export` lines "
        "for another shell, and run until Ctrl-C.",
    )
    serve.add_argument(
        "--scenario",
        default=DEFAULT_SCENARIO,
        choices=SCENARIO_NAMES,
        metavar="NAME",
        help=_scenario_help(SCENARIO_NAMES),
    )
    serve.add_argument("--speed", type=_speed, metavar="X", help=SPEED_HELP)
    serve.set_defaults(run=_run_sandbox_serve)

    profiles = commands.add_parser("profiles", help="list, add or remove saved connection profiles")
    profile_commands = profiles.add_subparsers(title="profile commands", metavar="COMMAND", required=True)
    profile_commands.add_parser("list", help="list cmkwizard and Atlas CLI profiles").set_defaults(
        run=_run_profiles_list
    )
    add = profile_commands.add_parser(
        "add",
        help="save a profile (its secret is asked for and kept in the keyring)",
        description="Save a connection profile. The private key or client secret is asked for (not echoed) and "
        "stored in the OS keyring; the profiles file never holds a secret.",
    )
    add.add_argument("name", help="profile name: letters, digits, '-' and '_'")
    credential = add.add_mutually_exclusive_group(required=True)
    credential.add_argument("--public-key", metavar="KEY", help="API key public key (HTTP digest)")
    credential.add_argument("--client-id", metavar="ID", help="service account client ID (mdb_sa_id_...)")
    add.add_argument("--base-url", metavar="URL", help="Atlas address (default https://cloud.mongodb.com)")
    add.add_argument("--org-id", metavar="ID", help="organization ID")
    add.add_argument("--project-id", metavar="ID", help="project ID")
    add.add_argument("--aws-profile", metavar="NAME", help="AWS profile for the AWS side")
    add.add_argument("--aws-region", metavar="REGION", help="AWS region, such as us-east-1")
    add.set_defaults(run=_run_profiles_add)
    remove = profile_commands.add_parser("remove", help="remove a profile and its secret")
    remove.add_argument("name")
    remove.set_defaults(run=_run_profiles_remove)
    return parser


def _add_connection_options(parser: argparse.ArgumentParser, scenarios: Sequence[str], *, defaults: bool) -> None:
    # The same options are accepted before and after `status`; on the subcommand they are SUPPRESSed
    # unless given, so they never overwrite what was given before it.
    def default(value: Any) -> Any:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument(
        "--profile", metavar="NAME", default=default(None), help="cmkwizard or Atlas CLI profile to use"
    )
    parser.add_argument(
        "--trace",
        metavar="FILE",
        default=default(None),
        help="append every Atlas HTTP call to FILE (JSON Lines, secrets removed)",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        default=default(False),
        help="use a local simulated Atlas, AWS and Azure instead of the real ones",
    )
    parser.add_argument(
        "--scenario", metavar="NAME", choices=scenarios, default=default(None), help=_scenario_help(scenarios)
    )
    parser.add_argument("--speed", type=_speed, metavar="X", default=default(None), help=SPEED_HELP)
    parser.add_argument(
        "--rehearse",
        action="store_true",
        default=default(False),
        help="sandbox failover drill: the region of the project's AWS key is down from the start",
    )


def _scenario_help(scenarios: Sequence[str]) -> str:
    return f"sandbox scenario: {', '.join(scenarios)} (default: {DEFAULT_SCENARIO})"


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"invalid speed {text!r}: expected a number greater than 0, such as 20")
    return value


# --- the wizard ------------------------------------------------------------------------------


def _run_wizard(args: argparse.Namespace) -> int:
    # The sandbox starts behind the first screen (which says so), from a worker thread.
    with _sandbox_launch(args) as launch:
        context = _context(args, launch)
        from screens.app import WizardApp

        app = WizardApp(context)
        with _exit_cleanly_on_hangup(app, cleanup=launch.stop if launch else lambda: None):
            app.run()
        return app.return_code or 0


HANGUP_GRACE_SECONDS = 5.0


@contextmanager
def _exit_cleanly_on_hangup(app: Any, cleanup: Callable[[], None]) -> Iterator[None]:
    """Turn SIGTERM and SIGHUP (a closed terminal) into a normal exit, so the sandbox stops and cleans up.

    With the terminal gone, the UI's own shutdown can block on output nobody will read; if it has not
    finished after a grace period, ``cleanup`` runs and the process leaves anyway.
    """
    import asyncio
    import signal
    import threading

    watchdogs: list[threading.Timer] = []

    def request_exit(signum: int, _frame: object) -> None:
        if signum == getattr(signal, "SIGHUP", None):
            # The kernel follows a hangup with SIGCONT, which the UI would take as "resume from
            # suspend" and restart its output to the dead terminal.
            signal.signal(signal.SIGCONT, signal.SIG_DFL)
        try:
            asyncio.get_running_loop().call_soon_threadsafe(app.exit, 128 + signum)
        except RuntimeError:  # the UI's event loop is not running yet, or any more
            app.exit(128 + signum)
        watchdog = threading.Timer(HANGUP_GRACE_SECONDS, _leave_now, args=(cleanup, 128 + signum))
        watchdog.daemon = True
        watchdog.start()
        watchdogs.append(watchdog)

    watched = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {sig: signal.signal(sig, request_exit) for sig in watched}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for watchdog in watchdogs:  # the UI ended in time: the normal clean-up follows
            watchdog.cancel()


def _leave_now(cleanup: Callable[[], None], code: int) -> None:
    try:
        cleanup()
    finally:
        os._exit(code)


def _context(args: argparse.Namespace, launch: SandboxLaunch | None, overrides: Overrides | None = None) -> AppContext:
    """The settings and clients to use; with a sandbox, a context that starts it on ``start_sandbox()``."""
    from cmkwizard.context import AppContext, starting_sandbox_context
    from cmkwizard.settings import load_settings
    from cmkwizard.trace import TraceWriter

    tracer = TraceWriter(args.trace) if args.trace else None
    if launch is not None:
        context = starting_sandbox_context(launch.start, launch.sandbox.clock, tracer=tracer)
    else:
        context = AppContext(
            settings=load_settings(overrides, profile=args.profile),
            tracer=tracer,
            settings_loader=lambda typed: load_settings(typed, profile=args.profile),
        )
    return context


@contextmanager
def _sandbox_launch(args: argparse.Namespace) -> Iterator[SandboxLaunch | None]:
    """The sandbox ``--sandbox`` asks for, not yet started; on leaving, it is stopped and the environment restored.

    Once started, boto3 in this process finds it through the environment variables it exports.
    """
    if not args.sandbox:
        if args.scenario is not None or args.speed is not None or args.rehearse:
            raise CommandError("--scenario, --speed and --rehearse apply to the sandbox: add --sandbox")
        yield None
        return
    from cmkwizard.sandbox import Sandbox
    from cmkwizard.sandbox.launch import SandboxLaunch

    previous: dict[str, str | None] = {}

    def export(info: SandboxInfo) -> None:
        values = info.env()
        previous.update({name: os.environ.get(name) for name in values})
        os.environ.update(values)

    sandbox = Sandbox(
        args.scenario or DEFAULT_SCENARIO, **({"speed": args.speed} if args.speed else {}), rehearse=args.rehearse
    )
    launch = SandboxLaunch(sandbox, on_started=export)
    try:
        yield launch
    finally:
        if launch.starting:  # quit during start-up: the terminal is back, so say why it takes a moment
            print("cmkwizard: letting the sandbox finish starting, then stopping it…", file=sys.stderr, flush=True)
        launch.stop()
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# --- status ----------------------------------------------------------------------------------


def _run_status(args: argparse.Namespace) -> int:
    import asyncio

    project_id, project_name = _project_argument(args.project)
    with _sandbox_launch(args) as launch:
        context = _headless_context(args, launch, project_id)
        return asyncio.run(_status(context, project_name, as_json=args.json))


async def _status(context: AppContext, project_name: str | None, *, as_json: bool) -> int:
    from cmkwizard.atlas import AtlasError
    from cmkwizard.status_report import render_status, status_document

    settings = context.settings
    _require_project(settings, project_name)
    try:
        async with context.atlas_client() as client:
            document = await status_document(client, settings, project_name, clock=context.clock)
    except AtlasError as err:
        return _atlas_failure("status", err, settings, as_json=as_json)
    if as_json:
        _print_json(document, settings)
    else:
        print(render_status(document))
    return 0


def _atlas_failure(command: str, err: Exception, settings: Settings, *, as_json: bool) -> int:
    """Explain an Atlas failure on standard error (and as JSON on standard output with --json); exit status 1."""
    import dataclasses

    from cmkwizard.atlas import describe_error

    explanation = describe_error(err)
    if as_json:
        _print_json({"error": dataclasses.asdict(explanation)}, settings)
    print(
        f"cmkwizard {command} failed: {explanation.what}\n  Meaning: {explanation.meaning}\n"
        f"  Next step: {explanation.next_step}" + (f"\n  Code: {explanation.code}" if explanation.code else ""),
        file=sys.stderr,
    )
    return 1


def _print_json(document: Any, settings: Settings | None) -> None:
    import json

    from cmkwizard.secrets import SecretScrubber

    secrets = settings.secrets() if settings is not None else ()
    print(json.dumps(SecretScrubber(secrets).scrub(document), indent=2, ensure_ascii=False))


# --- plan ------------------------------------------------------------------------------------


def _run_plan(args: argparse.Namespace) -> int:
    import asyncio
    import dataclasses

    from cmkwizard.atlas import AtlasError, describe_error
    from cmkwizard.secrets import SecretStoreError
    from cmkwizard.settings import SettingsError

    try:
        if args.list:
            return _list_journeys(as_json=args.json)
        if not args.journey:
            raise CommandError("no journey given: cmkwizard plan JOURNEY (cmkwizard plan --list shows them)")
        project_id, project_name = _project_argument(args.project)
        with _sandbox_launch(args) as launch:
            context = _headless_context(args, launch, project_id)
            return asyncio.run(_plan(context, args.journey, project_name, as_json=args.json))
    except AtlasError as err:
        explanation = describe_error(err)
        if args.json:
            _print_json({"error": dataclasses.asdict(explanation)}, None)
            return 1
        print(
            f"cmkwizard plan failed: {explanation.what}\n  Meaning: {explanation.meaning}\n"
            f"  Next step: {explanation.next_step}" + (f"\n  Code: {explanation.code}" if explanation.code else ""),
            file=sys.stderr,
        )
        return 1
    except (CommandError, SettingsError, SecretStoreError) as err:
        if not args.json:
            raise
        _print_json({"error": {"what": str(err), "code": None}}, None)
        return 1


def _list_journeys(*, as_json: bool) -> int:
    from cmkwizard.journeys.catalog import JOURNEYS

    if as_json:
        _print_json([{"name": e.name, "title": e.title} for e in JOURNEYS], None)
    else:
        width = max(len(name) for name in JOURNEYS.names)
        for entry in JOURNEYS:
            print(f"{entry.name.ljust(width)}  {entry.title}")
    return 0


async def _plan(context: AppContext, journey: str, project_name: str | None, *, as_json: bool) -> int:
    from cmkwizard.journeys.catalog import JOURNEYS
    from cmkwizard.plan_report import plan_document, plan_journey

    if journey not in JOURNEYS:
        raise CommandError(f"no journey named {journey!r}; journeys: {', '.join(JOURNEYS.names)}")
    settings = context.settings
    _require_project(settings, project_name)
    async with context.atlas_client() as client:
        project_id = await _project_id(client, settings, project_name)
        dry_run = await plan_journey(
            client,
            JOURNEYS.get(journey),
            project_id,
            context.journal,
            base_url=settings.base_url.value,
            clock=context.clock,
        )
    if as_json:
        _print_json(plan_document(dry_run, project_id), settings)
    else:
        print(dry_run.render(), end="")
    return 0


# --- old-key report --------------------------------------------------------------------------


def _run_old_key_report(args: argparse.Namespace) -> int:
    import asyncio

    since = _moment_argument(args.since) if args.since else None
    project_id, project_name = _project_argument(args.project)
    with _sandbox_launch(args) as launch:
        context = _headless_context(args, launch, project_id)
        return asyncio.run(_old_key_report(context, project_name, args.key, since, as_json=args.json))


def _moment_argument(text: str) -> datetime:
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--since {text!r} is not a date: use ISO 8601, e.g. 2026-09-30 or 2026-09-30T14:00Z"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def _old_key_report(
    context: AppContext, project_name: str | None, key: str | None, since: datetime | None, *, as_json: bool
) -> int:
    from cmkwizard.atlas import AtlasError
    from cmkwizard.journeys.old_key_report import KeyNotKnown, key_to_report, old_key_report
    from cmkwizard.state import read_project_state

    settings = context.settings
    _require_project(settings, project_name)
    try:
        async with context.atlas_client() as client:
            project_id = await _project_id(client, settings, project_name)
            state = await read_project_state(client, project_id, clock=context.clock)
            old_key = await key_to_report(client, state, key, clock=context.clock, since=since)
            report = await old_key_report(client, project_id, old_key, clock=context.clock)
    except KeyNotKnown as err:
        raise CommandError(str(err)) from None
    except AtlasError as err:
        return _atlas_failure("old-key-report", err, settings, as_json=as_json)
    if as_json:
        _print_json(report.to_document(), settings)
    else:
        print(report.to_markdown(), end="")
    return 0


def _require_project(settings: Settings, project_name: str | None) -> None:
    """Credentials and a project (``--project``, or one configured) are there, else a CommandError says how."""
    settings.require_credentials()
    if project_name is None and settings.project_id is None:
        raise CommandError(
            "no project given: use --project NAME|ID, set MONGODB_ATLAS_PROJECT_ID, or save a project ID in a profile"
        )


async def _project_id(client: AtlasClient, settings: Settings, project_name: str | None) -> str:
    """The ID of the project named by ``--project``, else the configured one."""
    if project_name is not None:
        return (await client.get_project_by_name(project_name)).id
    assert settings.project_id is not None
    return settings.project_id.value


def _project_argument(text: str | None) -> tuple[str | None, str | None]:
    """A 24-hex project ID, or else a project name."""
    from cmkwizard.settings import check_project_id, check_project_name

    if not text:
        return None, None
    try:
        return check_project_id(text), None
    except ValueError:
        pass
    try:
        return None, check_project_name(text)
    except ValueError as err:
        raise CommandError(f"--project {text!r} is neither a project ID nor a project name: {err}") from None


def _headless_context(args: argparse.Namespace, launch: SandboxLaunch | None, project_id: str | None) -> AppContext:
    """The context of a headless command, its sandbox (if any) started, ``--project`` above other settings."""
    from cmkwizard.settings import Overrides

    overrides = Overrides(project_id=project_id, origin="--project") if project_id else None
    context = _context(args, launch, overrides)
    if launch is not None:
        context.start_sandbox()
        if overrides is not None:
            context.reload_settings(overrides)
    return context


# --- sandbox serve ---------------------------------------------------------------------------


def _run_sandbox_serve(args: argparse.Namespace) -> int:
    import shlex
    import signal
    import threading

    from cmkwizard.sandbox import Sandbox

    with Sandbox(args.scenario, **({"speed": args.speed} if args.speed else {})) as sandbox:
        info = sandbox.info
        for name, value in info.env().items():
            print(f"export {name}={shlex.quote(value)}")
        print(AZURE_SDK_WARNING)
        for name, value in info.azure_sdk_env().items():
            print(f"#   export {name}={shlex.quote(value)}")
        print(_serve_howto(info), flush=True)
        stop = threading.Event()
        handled = (signal.SIGINT, signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else []))
        previous = {number: signal.signal(number, lambda *_: stop.set()) for number in handled}
        try:
            stop.wait()
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
    print("# Sandbox stopped.", flush=True)
    return 0


AZURE_SDK_WARNING = """\
# The lines above are safe in any shell: they point Atlas and AWS tools, and cmkwizard's own Azure
# clients, at the sandbox. Your own Azure SDK scripts need the commented lines below instead, in a
# shell of their own: there every HTTPS request (pip, git, curl...) goes through the sandbox, which
# trusts only its own certificate authority."""


def _serve_howto(info: Any) -> str:
    return f"""\
# The sandbox is running (Ctrl-C stops it). Paste the export lines above into another shell, then:
#   cmkwizard status
#   curl --digest -u "$MONGODB_ATLAS_PUBLIC_API_KEY:$MONGODB_ATLAS_PRIVATE_API_KEY" \\
#     -H "Accept: application/vnd.atlas.2023-01-01+json" \\
#     "{info.atlas_base_url}/api/atlas/v2/groups/{info.project_id}/encryptionAtRest"
# Project: {info.project_name} ({info.project_id}); AWS account {info.aws_account_id} in {info.aws_region}."""


# --- profiles --------------------------------------------------------------------------------


def _run_profiles_list(args: argparse.Namespace) -> int:
    from cmkwizard import paths
    from cmkwizard.secrets import SecretStore
    from cmkwizard.settings import AUTH_LABELS, ProfileStore, read_atlas_cli_profiles

    store, secrets = ProfileStore(), SecretStore()
    own = store.list()
    print(f"cmkwizard profiles ({store.path}):")
    for profile in own:
        if secrets.available:
            secret = "secret in keyring" if secrets.get(profile.name, profile.secret_name) else "secret missing"
        else:
            secret = "no usable keyring"
        details = [f"{AUTH_LABELS[profile.auth]} {profile.identifier}", secret]
        details += [
            f"{name} {value}" for name, value in (("project", profile.project_id), ("org", profile.org_id)) if value
        ]
        print(f"  {profile.name}: {', '.join(details)}")
    if not own:
        print("  none (add one with `cmkwizard profiles add NAME --public-key KEY`)")
    atlas_cli_path = paths.atlas_cli_config_file()
    atlas_cli = read_atlas_cli_profiles(atlas_cli_path)
    print(f"Atlas CLI profiles ({atlas_cli_path}):")
    for name, table in atlas_cli.items():
        kind = table.get("auth_type") or ("api_keys" if "public_api_key" in table else "unknown")
        print(f"  {name}: {kind}" + (f", project {table['project_id']}" if table.get("project_id") else ""))
    if not atlas_cli:
        print("  none")
    if not secrets.available:
        print(secrets.status_message)
    return 0


def _run_profiles_add(args: argparse.Namespace) -> int:
    import getpass

    from cmkwizard.secrets import SecretStore
    from cmkwizard.settings import (
        AUTH_DIGEST,
        AUTH_SERVICE_ACCOUNT,
        SECRET_NAMES,
        Profile,
        ProfileStore,
        check_secret,
        field_label,
    )

    try:
        profile = Profile(
            name=args.name,
            auth=AUTH_DIGEST if args.public_key else AUTH_SERVICE_ACCOUNT,
            public_key=args.public_key,
            client_id=args.client_id,
            base_url=args.base_url,
            org_id=args.org_id,
            project_id=args.project_id,
            aws_profile=args.aws_profile,
            aws_region=args.aws_region,
        )
    except ValueError as err:
        raise CommandError(f"profile name {args.name!r}: {err}") from None
    problems = profile.problems()
    if problems:
        raise CommandError("profile not saved:\n  " + "\n  ".join(problems))

    secrets = SecretStore()
    label = field_label(profile.secret_name)
    if secrets.available:
        typed = getpass.getpass(f"{label.capitalize()} for {profile.identifier} (input hidden): ")
        try:
            secret = check_secret(typed)
        except ValueError as err:
            raise CommandError(f"{label} not accepted ({err}); profile not saved") from None
        secrets.set(profile.name, profile.secret_name, secret)
        for other in set(SECRET_NAMES.values()) - {profile.secret_name}:
            secrets.delete(profile.name, other)
        stored = f"its {label} is in the keyring ({secrets.service(profile.name)})"
    else:
        stored = (
            f"without its {label}. {secrets.status_message}\n"
            f"Provide the {label} with {_secret_variable(profile.secret_name)} when you use this profile."
        )
    store = ProfileStore()
    store.save(profile)
    print(f"Saved profile '{profile.name}' in {store.path}; {stored}")
    return 0


def _secret_variable(secret_name: str) -> str:
    from cmkwizard.settings import ENV_CLIENT_SECRET, ENV_PRIVATE_KEY

    return ENV_PRIVATE_KEY if secret_name == "private_key" else ENV_CLIENT_SECRET


def _run_profiles_remove(args: argparse.Namespace) -> int:
    from cmkwizard.secrets import SecretStore
    from cmkwizard.settings import SECRET_NAMES, ProfileStore

    store = ProfileStore()
    if not store.remove(args.name):
        names = ", ".join(store.names()) or "none"
        raise CommandError(f"no cmkwizard profile named {args.name!r} (profiles: {names})")
    secrets = SecretStore()
    removed = [name for name in SECRET_NAMES.values() if secrets.delete(args.name, name)]
    print(f"Removed profile '{args.name}'" + (" and its secret from the keyring." if removed else "."))
    return 0
