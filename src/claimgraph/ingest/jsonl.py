"""JSONL: one article per line of ``{id, url?, title?, text|html}`` JSON objects."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any, BinaryIO

from claimgraph.config import IngestConfig
from claimgraph.errors import (
    BinaryInputError,
    ClaimgraphError,
    EmptyInputError,
    InputError,
    InputTooLargeError,
)
from claimgraph.ingest.html import article_from_html
from claimgraph.ingest.text import article_from_text
from claimgraph.model import Article, Failure, SourceKind

logger = logging.getLogger(__name__)


def articles_from_jsonl(
    stream: BinaryIO, *, config: IngestConfig, source_name: str
) -> Iterator[Article | Failure]:
    """Yield one Article per line of ``{id, url?, title?, text|html}`` JSON objects.

    A record's ``id`` becomes ``Article.source_name``.  A bad line (invalid JSON, no
    id, no text, a text that fails the checks, a line over ``config.max_bytes``, which
    is never held in memory whole) becomes a Failure whose ``input`` is ``file:line``;
    the rest of the file is still read.  Blank lines are skipped; an input with no
    record at all raises :class:`EmptyInputError`.
    """
    lineno = records = 0
    while line := stream.readline(config.max_bytes + 1):
        lineno += 1
        where = f"{source_name}:{lineno}"
        if lineno == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if len(line) > config.max_bytes and not line.endswith(b"\n"):
            while (rest := stream.readline(config.max_bytes + 1)) and not rest.endswith(b"\n"):
                pass  # the rest of an overlong line
        if not line.strip():
            continue
        records += 1
        try:
            yield article_from_line(line, where=where, config=config)
        except ClaimgraphError as err:
            yield Failure(input=where, code=err.code, message=err.message)
    if records == 0:
        raise EmptyInputError("no JSONL records (the input is empty or blank)", input=source_name)


def article_from_line(line: bytes, *, where: str, config: IngestConfig) -> Article:
    """The Article of one JSONL line; raises :class:`InputError` naming ``where``."""
    if len(line) > config.max_bytes:
        raise InputTooLargeError(
            f"record is {len(line):,} bytes, over the {config.max_bytes:,}-byte limit "
            "(ingest.max_bytes)",
            input=where,
        )
    try:
        record = json.loads(line)
    except UnicodeDecodeError as err:
        raise BinaryInputError(f"line is not valid UTF-8 ({err.reason})", input=where) from err
    except json.JSONDecodeError as err:
        raise InputError(
            f"line is not valid JSON: {err.msg} at column {err.colno}", input=where
        ) from err
    if not isinstance(record, dict):
        raise InputError(f"expected a JSON object, got {type(record).__name__}", input=where)
    return article_from_record(record, where=where, config=config, source_kind="jsonl")


def article_from_record(
    record: dict[str, Any], *, where: str, config: IngestConfig, source_kind: SourceKind
) -> Article:
    """The Article of one ``{id, url?, title?, text|html}`` record (a JSONL line, a
    Parquet row); raises :class:`InputError` naming ``where`` when it is not one."""
    ident = record.get("id")
    if not isinstance(ident, str | int) or isinstance(ident, bool) or str(ident) == "":
        raise InputError("record needs an 'id' (a string or integer)", input=where)
    url, title = record.get("url"), record.get("title")
    if url is not None and not isinstance(url, str):
        raise InputError(f"record {ident!r}: 'url' must be a string", input=where)
    if title is not None and not isinstance(title, str):
        raise InputError(f"record {ident!r}: 'title' must be a string", input=where)
    text, markup = record.get("text"), record.get("html")
    try:
        if isinstance(text, str):
            return article_from_text(
                text,
                url=url,
                title=title,
                config=config,
                source_name=str(ident),
                source_kind=source_kind,
            )
        if isinstance(markup, str):
            article = article_from_html(
                markup, url=url, config=config, source_name=str(ident), source_kind=source_kind
            )
            return article.model_copy(update={"title": title}) if title else article
    except InputError as err:
        raise type(err)(f"record {ident!r}: {err.message}", input=where) from err
    raise InputError(f"record {ident!r} needs a 'text' or 'html' string", input=where)


__all__ = ["article_from_line", "article_from_record", "articles_from_jsonl"]
