"""The dependency rule, checked on the source: the pure core (newsflow.schemas, the message
contracts; newsflow.services, normalisation and enrichment) imports nothing of the runtime,
faust, aiokafka or Kafka at all, and the contracts import nothing of the core above them. No
code anywhere imports the folders by their bare names (`schemas`, `services`), which exist
only in a checkout (decision 0010)."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: What no core module may import: the runtime's frameworks and clients.
RUNTIME_LIBRARIES = {"faust", "mode", "aiokafka", "kafka", "prometheus_client", "structlog",
                     "typer", "rich", "uvicorn", "aiohttp"}  # fmt: skip
#: Of newsflow itself, what each layer may import.
ALLOWED = {
    "newsflow.schemas": ("newsflow.schemas",),
    "newsflow.services": ("newsflow.schemas", "newsflow.services"),
}


def imported(source: str) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def violations(layer: str, source: str) -> list[str]:
    """The imports in ``source`` (a module of ``layer``) that break the rule."""
    bad = []
    for name in imported(source):
        top = name.split(".")[0]
        if (
            top in RUNTIME_LIBRARIES
            or top in {"schemas", "services"}
            or (top == "newsflow" and not name.startswith(ALLOWED[layer]))
        ):
            bad.append(name)
    return bad


CORE = [path.relative_to(ROOT) for folder in ("schemas", "services")
        for path in sorted((ROOT / folder).rglob("*.py"))]  # fmt: skip


@pytest.mark.parametrize("path", CORE, ids=str)
def test_the_core_imports_nothing_above_it(path: Path) -> None:
    layer = f"newsflow.{path.parts[0]}"
    assert violations(layer, (ROOT / path).read_text("utf-8")) == []


def test_the_check_catches_a_violation() -> None:
    assert violations("newsflow.services", "from newsflow.settings import Settings") == [
        "newsflow.settings"
    ]
    assert violations("newsflow.services", "import faust\nimport aiokafka.errors") == [
        "faust",
        "aiokafka.errors",
    ]
    assert violations("newsflow.schemas", "from newsflow.services.limits import Limits") == [
        "newsflow.services.limits"
    ]
    assert violations("newsflow.services", "from services.routing import Routed") == [
        "services.routing"
    ]
    assert violations("newsflow.services", "from newsflow.schemas import DeadLetter") == []


def test_nothing_imports_the_bare_folder_names() -> None:
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.split()  # fmt: skip
    offenders = [
        f"{path}: {name}"
        for path in tracked
        for name in imported((ROOT / path).read_text("utf-8"))
        if name.split(".")[0] in {"schemas", "services"}
    ]
    assert offenders == []
