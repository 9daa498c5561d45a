"""Streaming writers: each result is written as it comes, so a batch of any size needs
memory for one analysis at a time (failures, which are small, are kept for the end of
the JSON and Markdown documents)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from typing import IO, Protocol

from claimgraph.model import SCHEMA_VERSION, ArticleAnalysis, Failure
from claimgraph.outputs.json import to_jsonl_line
from claimgraph.outputs.markdown import markdown_article, markdown_failures

#: The output formats of ``claimgraph analyze``.
FORMATS: tuple[str, ...] = ("table", "json", "jsonl", "markdown")


class Writer(Protocol):
    """Writes analyses and failures, one at a time, to a text stream."""

    def write(self, item: ArticleAnalysis | Failure) -> None:
        """Write one result."""

    def close(self) -> None:
        """Finish the document (the stream itself stays open)."""


class JsonlWriter:
    """One JSON line per result (:func:`~claimgraph.outputs.json.to_jsonl_line`)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, item: ArticleAnalysis | Failure) -> None:
        self.stream.write(to_jsonl_line(item) + "\n")
        self.stream.flush()

    def close(self) -> None:
        pass


class JsonWriter:
    """The document :func:`~claimgraph.outputs.json.to_json` makes, byte for byte, written
    article by article."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.failures: list[Failure] = []
        self.n_articles = 0

    def write(self, item: ArticleAnalysis | Failure) -> None:
        if isinstance(item, Failure):
            self.failures.append(item)
            return
        self.stream.write('{\n  "articles": [\n' if self.n_articles == 0 else ",\n")
        self.stream.write(_indented(item.model_dump(mode="json")))
        self.n_articles += 1

    def close(self) -> None:
        self.stream.write('{\n  "articles": [],\n' if self.n_articles == 0 else "\n  ],\n")
        if self.failures:
            failures = ",\n".join(_indented(f.model_dump(mode="json")) for f in self.failures)
            self.stream.write(f'  "failures": [\n{failures}\n  ],\n')
        else:
            self.stream.write('  "failures": [],\n')
        self.stream.write(f'  "schema_version": {json.dumps(SCHEMA_VERSION)}\n}}\n')


def _indented(data: object) -> str:
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
    return textwrap.indent(text, "    ", lambda line: True)


class MarkdownWriter:
    """The document :func:`~claimgraph.outputs.markdown.to_markdown` makes, section by
    section."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.failures: list[Failure] = []
        self.started = False

    def write(self, item: ArticleAnalysis | Failure) -> None:
        if isinstance(item, Failure):
            self.failures.append(item)
            return
        self.stream.write(("\n" if self.started else "") + markdown_article(item))
        self.started = True

    def close(self) -> None:
        failures = markdown_failures(self.failures)
        if failures:
            self.stream.write(("\n" if self.started else "") + failures)


class TableWriter:
    """Readable terminal tables (rich); failures are reported on stderr, not here."""

    def __init__(self, stream: IO[str]) -> None:
        from rich.console import Console

        self.console = Console(file=stream)
        if not self.console.is_terminal:
            self.console.width = 140  # a file or a pipe: wide enough for readable tables

    def write(self, item: ArticleAnalysis | Failure) -> None:
        from claimgraph.outputs.table import print_analysis

        if isinstance(item, ArticleAnalysis):
            print_analysis(item, self.console)

    def close(self) -> None:
        pass


def open_writer(fmt: str, stream: IO[str]) -> Writer:
    """The writer of format ``fmt`` (one of :data:`FORMATS`) over ``stream``."""
    writers: dict[str, Callable[[IO[str]], Writer]] = {
        "table": TableWriter,
        "json": JsonWriter,
        "jsonl": JsonlWriter,
        "markdown": MarkdownWriter,
    }
    if fmt not in writers:
        raise ValueError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return writers[fmt](stream)


__all__ = [
    "FORMATS",
    "JsonWriter",
    "JsonlWriter",
    "MarkdownWriter",
    "TableWriter",
    "Writer",
    "open_writer",
]
