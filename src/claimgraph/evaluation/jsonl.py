"""Reading evaluation JSONL files with errors that name the file and line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from claimgraph.errors import EvaluationError

T = TypeVar("T")

#: What a record parser may raise for a malformed record.
RECORD_ERRORS = (ValueError, KeyError, TypeError)


def read_records(path: Path, parse: Callable[[Any], T]) -> Iterator[T]:
    """``parse(record)`` for every non-blank line of the JSONL file ``path``.

    Raises :class:`EvaluationError` naming the file, and the line when a line is not
    JSON or ``parse`` rejects it (with ``ValueError``, ``KeyError`` or ``TypeError``).
    """
    try:
        handle = Path(path).open(encoding="utf-8")
    except OSError as err:
        raise EvaluationError(
            f"cannot read evaluation data: {err.strerror}", input=str(path)
        ) from err
    with handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as err:
                raise EvaluationError(
                    f"line {lineno}: invalid JSON ({err.msg})", input=str(path)
                ) from err
            try:
                yield parse(data)
            except RECORD_ERRORS as err:
                raise EvaluationError(
                    f"line {lineno}: malformed record: {err}", input=str(path)
                ) from err
