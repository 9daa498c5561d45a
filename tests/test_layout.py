"""The layout stays readable: no import cycles, training apart, modules of a readable size."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "claimgraph"

#: Packages whose modules may import ``claimgraph.training`` (the rest is run-time code).
MAY_IMPORT_TRAINING = ("claimgraph.training", "claimgraph.evaluation", "claimgraph.cli")
#: Modules allowed past the size limit because they are word lists, not logic.
WORD_LISTS = frozenset({"claimgraph.speech_acts.lexicon"})
MAX_LINES = 600

#: The per-article stage packages; each says in its docstring what it reads and adds.
STAGE_PACKAGES = (
    "ingest",
    "nlp",
    "attribution",
    "actors",
    "speech_acts",
    "evidence",
    "credibility",
    "outputs",
    "evaluation",
    "training",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The claimgraph modules ``path`` imports at run time (top level or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                if child in modules:
                    found.add(child)
                elif node.module in modules:
                    found.add(node.module)
    found.discard(_module_name(path))
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) for name, path in modules.items()}


def test_layout_has_no_relative_imports() -> None:
    """Absolute imports keep every module's dependencies greppable by full name."""
    offenders = [
        f"{_module_name(path)}:{node.lineno}"
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.level > 0
    ]
    assert offenders == []


def test_layout_has_no_import_cycles(graph: dict[str, set[str]]) -> None:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert cycles == []


def test_layout_run_time_never_imports_training(graph: dict[str, set[str]]) -> None:
    offenders = sorted(
        f"{name} -> {target}"
        for name, targets in graph.items()
        if not name.startswith(MAY_IMPORT_TRAINING)
        for target in targets
        if target.startswith("claimgraph.training")
    )
    assert offenders == []


def test_layout_modules_stay_readable() -> None:
    long = sorted(
        f"{name} ({n} lines)"
        for name, path in _modules().items()
        if name not in WORD_LISTS
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    )
    assert long == []


@pytest.mark.parametrize("package", STAGE_PACKAGES)
def test_layout_stage_packages_say_what_they_do(package: str) -> None:
    init = PACKAGE / package / "__init__.py"
    assert init.is_file(), f"claimgraph.{package} is not a package"
    docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    assert docstring and len(docstring.split()) >= 12


def test_layout_encoder_loop_runs_without_the_analysis_stack() -> None:
    """The encoder's training loop runs from a copy of src/ where only torch, transformers,
    safetensors and numpy are installed (a GPU machine): it imports nothing else."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "for name in ('pydantic', 'spacy', 'thinc', 'pycrfsuite', 'trafilatura', 'click'):\n"
        "    sys.modules[name] = None\n"
        "import claimgraph.training.encoder_loop\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": str(SRC)}
    )
    assert result.returncode == 0, result.stderr
