from __future__ import annotations

import importlib.util
from pathlib import Path

import click

from claimgraph.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location(
        "gen_cli_docs", ROOT / "scripts" / "gen_cli_docs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_cli_reference_is_current():
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == _generator().render(), (
        "docs/cli.md is stale: run `make docs`"
    )


def test_docs_cover_every_command():
    generator = _generator()
    documented = {tuple(args) for args in generator.COMMANDS}
    assert isinstance(cli, click.Group)
    for name in cli.commands:
        assert (name,) in documented, f"command {name} is missing from docs/cli.md"


def test_docs_readme_names_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
