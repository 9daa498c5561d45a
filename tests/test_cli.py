from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner

from claimgraph.cli import cli, exit_code_for

GOOD_TEXT = (
    "The mayor said on Tuesday that the harbor would reopen next week. "
    "“We are ready,” she told reporters. Union leaders rejected the plan, "
    "according to a statement released by the union."
)


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    "args",
    [[], ["analyze"], ["ingest"], ["search"], ["entities"], ["export"], ["eval"], ["schema"]],
)
def test_cli_every_command_has_help(runner, args):
    result = runner.invoke(cli, [*args, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    assert len(result.output.splitlines()) > 3


@pytest.mark.parametrize(
    ("n_ok", "n_failed", "code"),
    [(3, 0, 0), (2, 1, 1), (0, 1, 126), (0, 0, 0)],
)
def test_cli_exit_code_reports_the_mix(n_ok, n_failed, code):
    assert exit_code_for(n_ok, n_failed) == code


def test_cli_schema_matches_committed_file(runner, shared_dir):
    from pathlib import Path

    committed = (
        Path(__file__).resolve().parents[1] / "docs" / "schema" / "article-analysis.schema.json"
    )
    result = runner.invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == json.loads(committed.read_text(encoding="utf-8")), (
        "docs/schema is stale: run `make schema`"
    )


def test_cli_eval_missing_file_is_one_line_error(runner, tmp_path):
    result = runner.invoke(cli, ["eval", "attribution", str(tmp_path / "nope.jsonl")])
    assert result.exit_code != 0
    assert "no such data file" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_cli_analyze_text_as_json(runner, tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(GOOD_TEXT, encoding="utf-8")
    result = runner.invoke(cli, ["analyze", str(path), "--format", "json", "--no-progress"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["failures"] == []
    (article,) = payload["articles"]
    assert article["article"]["text"].startswith("The mayor said")
    assert article["provenance"]["spacy_model"]
    assert any(st["cue"]["text"] == "said" for st in article["statements"])


@pytest.mark.slow
def test_cli_analyze_bad_inputs_fail_alone(runner, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(GOOD_TEXT, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    german = tmp_path / "german.txt"
    german.write_text(
        "Die Bundesregierung hat am Dienstag neue Maßnahmen beschlossen. Der Minister sagte, "
        "dass die Verhandlungen mit den Gewerkschaften in der nächsten Woche fortgesetzt werden.",
        encoding="utf-8",
    )
    huge = tmp_path / "huge.html"
    with huge.open("w", encoding="utf-8") as handle:
        handle.write("<html><body>")
        chunk = "<p>" + "word " * 2000 + "</p>\n"
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(chunk)
        handle.write("</body></html>")
    unreachable = f"http://127.0.0.1:{_free_port()}/story"
    bad_scheme = "ftp://example.org/story.html"
    inputs = [str(empty), str(binary), str(german), str(huge), unreachable, bad_scheme, str(good)]
    result = runner.invoke(cli, ["analyze", *inputs, "--format", "jsonl", "--no-progress"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("claimgraph: error:")]
    assert len(errors) == 6
    for name in [empty.name, binary.name, german.name, huge.name, unreachable, "ftp"]:
        assert any(name in line for line in errors), name
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    analysed = [line for line in lines if "article" in line]
    assert len(analysed) == 1
    assert analysed[0]["article"]["source_name"].endswith("good.txt")
    assert len([line for line in lines if "failure" in line]) == 6


@pytest.mark.slow
def test_cli_analyze_malformed_html(runner, tmp_path):
    garbage = tmp_path / "broken.html"
    garbage.write_text(
        '<html><head><title>Broken</title><body><div class="><p>>>></b></i></tr><td>',
        encoding="utf-8",
    )
    sloppy = tmp_path / "sloppy.html"
    sloppy.write_text(
        "<html><body><p>Unclosed <b>tags everywhere, but the mayor said the harbor would "
        "reopen next week.<table><tr><td>",
        encoding="utf-8",
    )
    result = runner.invoke(
        cli, ["analyze", str(garbage), str(sloppy), "-f", "jsonl", "--no-progress"]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("claimgraph: error:")]
    assert "broken.html" in line
    (analysed,) = [json.loads(x) for x in result.stdout.splitlines() if '"article"' in x]
    assert "the mayor said the harbor would reopen" in analysed["article"]["text"]


@pytest.mark.slow
def test_cli_analyze_stdin_and_formats(runner):
    for fmt, marker in [("markdown", "### Statements"), ("table", "Statements")]:
        result = runner.invoke(
            cli, ["analyze", "-", "--format", fmt, "--no-progress"], input=GOOD_TEXT
        )
        assert result.exit_code == 0, result.output
        assert marker in result.stdout
        assert "said" in result.stdout


def test_cli_unexpected_error_is_one_line_not_a_traceback(runner, monkeypatch):
    import claimgraph.pipeline

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(claimgraph.pipeline.Pipeline, "__init__", broken)
    result = runner.invoke(cli, ["analyze", "-"], input=GOOD_TEXT)
    assert result.exit_code == 70
    assert "claimgraph: internal error: RuntimeError: boom" in result.output
    assert "Traceback" not in result.output


def test_cli_a_library_bug_on_one_input_is_a_failure_not_the_end(tmp_path, monkeypatch):
    import claimgraph.ingest

    def broken(*args, **kwargs):
        raise ValueError("bad bytes")

    monkeypatch.setattr(claimgraph.ingest, "article_from_html", broken)
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>text</p></body></html>")
    failures = [
        item
        for item in claimgraph.ingest.load_inputs(
            [str(page)], config=claimgraph.ingest.IngestConfig()
        )
    ]
    assert len(failures) == 1
    assert "unexpected error reading the input: ValueError: bad bytes" in failures[0].message


def test_the_command_line_starts_without_the_store() -> None:
    """``analyze`` needs neither the store nor SQLAlchemy, so starting the command line
    imports neither; the store's default is the same everywhere."""
    import subprocess
    import sys

    from claimgraph.cli.common import DEFAULT_DB
    from claimgraph.store.connect import DEFAULT_DB as STORE_DEFAULT

    assert DEFAULT_DB == STORE_DEFAULT
    script = "import sys, claimgraph.cli; print('sqlalchemy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "False"
