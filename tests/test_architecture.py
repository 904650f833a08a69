"""The import rules of the design: the core never reaches the UI, and the simulator never reaches the client.

* ``cmkwizard`` (the core) never imports ``textual`` or ``screens``; the one exception is
  ``cmkwizard/cli.py``, the composition root, which may import ``screens`` inside a function only.
* ``screens`` never imports the composition root, learns about the sandbox only through the app
  context (type hints aside), and loads no cloud SDK or server at import time: only textual loads
  before the first screen.
* The Atlas simulator is the other party: it never imports the client or the cloud adapters it checks.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "cmkwizard"
UI = ROOT / "screens"
COMPOSITION_ROOT = CORE / "cli.py"
SIMULATOR = CORE / "sandbox" / "atlas_sim"
HEAVY_AT_IMPORT = ("boto3", "botocore", "azure", "moto", "starlette", "uvicorn")


@dataclass(frozen=True)
class Import:
    module: str
    line: int
    in_function: bool
    for_type_checking: bool = False


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> Iterator[Import]:
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    def visit(node: ast.AST, in_function: bool, typing_only: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                yield from (Import(alias.name, child.lineno, in_function, typing_only) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                yield Import(resolve(child, package), child.lineno, in_function, typing_only)
            yield from visit(child, nested, typing_only or is_type_checking_block(child))

    yield from visit(tree, False, False)


def is_type_checking_block(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def resolve(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def python_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*.py") if "__pycache__" not in p.parts)


def top(module: str) -> str:
    return module.split(".")[0]


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def where(path: Path, found: Import) -> str:
    return f"{path.relative_to(ROOT)}:{found.line} imports {found.module}"


def test_the_core_never_imports_textual():
    offenders = [where(p, i) for p in python_files(CORE) for i in imports_of(p) if top(i.module) == "textual"]

    assert offenders == []


def test_only_the_cli_reaches_screens_and_only_inside_a_function():
    offenders = [
        where(path, found)
        for path in python_files(CORE)
        for found in imports_of(path)
        if top(found.module) == "screens" and (path != COMPOSITION_ROOT or not found.in_function)
    ]

    assert offenders == []


def test_the_simulator_never_imports_what_it_checks():
    forbidden = ("cmkwizard.atlas", "cmkwizard.aws", "cmkwizard.azure", "screens")
    offenders = [
        where(path, found)
        for path in python_files(SIMULATOR)
        for found in imports_of(path)
        if any(is_within(found.module, package) for package in forbidden)
    ]

    assert offenders == []


def test_screens_never_import_the_composition_root():
    offenders = [where(p, i) for p in python_files(UI) for i in imports_of(p) if is_within(i.module, "cmkwizard.cli")]

    assert offenders == []


def test_screens_see_the_sandbox_only_through_the_app_context():
    offenders = [
        where(p, i)
        for p in python_files(UI)
        for i in imports_of(p)
        if is_within(i.module, "cmkwizard.sandbox") and not i.for_type_checking
    ]

    assert offenders == []


def test_screens_load_no_cloud_sdk_or_server_at_import_time():
    offenders = [
        where(p, i)
        for p in python_files(UI)
        for i in imports_of(p)
        if top(i.module) in HEAVY_AT_IMPORT and not i.in_function and not i.for_type_checking
    ]

    assert offenders == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import screens.app", [Import("screens.app", 1, False)]),
        ("def run():\n    from screens.app import WizardApp", [Import("screens.app", 2, True)]),
        ("from .models import Caller", [Import("cmkwizard.atlas.models", 1, False)]),
        ("from .. import paths", [Import("cmkwizard", 1, False)]),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from cmkwizard.sandbox import SandboxInfo",
            [Import("typing", 1, False), Import("cmkwizard.sandbox", 3, False, for_type_checking=True)],
        ),
    ],
)
def test_import_finder_sees_nested_and_relative_imports(tmp_path, monkeypatch, source, expected):
    module = tmp_path / "cmkwizard" / "atlas" / "client.py"
    module.parent.mkdir(parents=True)
    module.write_text(source)
    monkeypatch.setitem(globals(), "ROOT", tmp_path)

    assert list(imports_of(module)) == expected
