"""PyGithub stays inside the GitHub adapter: the rest of the package imports none of it, and
publish and the jobs know the adapter only by its factory (they type against the Forge Protocol)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import extracredit

PACKAGE = Path(extracredit.__file__).parent
ADAPTER = PACKAGE / "forge" / "github.py"
MODULES = sorted(PACKAGE.rglob("*.py"))


def imported(path: Path) -> set[tuple[str, str]]:
    """(module, name) for every absolute import of a module; name is "" for ``import module``."""
    found: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {(alias.name, "") for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found |= {(node.module, alias.name) for alias in node.names}
    return found


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES])
def test_only_the_github_adapter_imports_pygithub(path: Path) -> None:
    pygithub = {module for module, _ in imported(path)
                if module == "github" or module.startswith("github.")}
    assert bool(pygithub) == (path == ADAPTER), sorted(pygithub)


CALLERS = [*sorted((PACKAGE / "publish").glob("*.py")), *sorted((PACKAGE / "jobs").glob("*.py"))]


@pytest.mark.parametrize("path", CALLERS, ids=[str(p.relative_to(PACKAGE)) for p in CALLERS])
def test_publish_and_the_jobs_take_only_the_factory_from_the_adapter(path: Path) -> None:
    taken = {name for module, name in imported(path) if module == "extracredit.forge.github"}
    assert taken <= {"connect_from_environment"}
