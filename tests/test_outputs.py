"""Streaming writers give the documents the whole-list renderers give."""

from __future__ import annotations

import io

import pytest

from claimgraph.model import Article, ArticleAnalysis, Failure
from claimgraph.outputs import open_writer, to_json, to_markdown


def _analysis(text: str, title: str) -> ArticleAnalysis:
    return ArticleAnalysis(article=Article(id=Article.make_id(text), text=text, title=title))


FAILURE = Failure(input="bad.txt", code="CG101", message="input is empty")


@pytest.mark.parametrize(
    "items",
    [
        [],
        [FAILURE],
        [_analysis("One text here.", "One")],
        [_analysis("One text here.", "One"), FAILURE, _analysis("Two <b>|</b>", "Two")],
    ],
    ids=["nothing", "only-failures", "one", "mixed"],
)
@pytest.mark.parametrize(("fmt", "render"), [("json", to_json), ("markdown", to_markdown)])
def test_outputs_writers_stream_the_same_document(items, fmt, render):
    stream = io.StringIO()
    writer = open_writer(fmt, stream)
    for item in items:
        writer.write(item)
    writer.close()
    expected = render(items) + ("\n" if fmt == "json" else "")
    assert stream.getvalue() == expected


def test_outputs_jsonl_writer_writes_a_line_per_result():
    stream = io.StringIO()
    writer = open_writer("jsonl", stream)
    for item in (_analysis("One text here.", "One"), FAILURE):
        writer.write(item)
    writer.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and lines[1].startswith('{"failure"')


def test_outputs_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown output format"):
        open_writer("yaml", io.StringIO())
