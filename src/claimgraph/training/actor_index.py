"""Build the compact JSON index of the bundled actor dictionaries.

    python -m claimgraph.training.actor_index [--out PATH]

The Phoenix dictionaries take seconds to parse; the index they load from in a fraction
of that is written to ``--out`` (default ``build/phoenix.index.json``).  Copy it to
``src/claimgraph/data/actors/phoenix.index.json`` to ship it, or pass that path as
``--out``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from claimgraph.actors.dictionary_parsing import (
    INDEX_FORMAT,
    INDEX_PATH,
    DictionaryBuilder,
    DictionaryEntry,
    builtin_digest,
    parse_builtin,
)
from claimgraph.training import BUILD_DIR

#: Where :func:`build_index` writes unless told otherwise.
DEFAULT_OUT = BUILD_DIR / INDEX_PATH.name


def _encode(entry: DictionaryEntry) -> list[object]:
    codes = ";".join(f"{c.code}|{c.start or ''}|{c.end or ''}" for c in entry.codes)
    return [entry.phrase, entry.primary, entry.code, entry.source, codes, int(entry.plural)]


def build_index(path: Path = DEFAULT_OUT) -> Path:
    """Parse the bundled dictionaries and write the compact JSON index they load from.

    Run it after changing a bundled file or the parser (and bump :data:`INDEX_FORMAT`),
    then copy the file to :data:`INDEX_PATH`; a stale index is detected by its digest and
    ignored, so this only affects load time.
    """
    builder = DictionaryBuilder()
    parse_builtin(builder)
    payload = {
        "format": INDEX_FORMAT,
        "digest": builtin_digest(),
        "problems": builder.report.problems,
        "actors": {"\x1f".join(k): _encode(e) for k, e in builder.actors.items()},
        "agents": {"\x1f".join(k): _encode(e) for k, e in builder.agents.items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                    encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``python -m claimgraph.training.actor_index``)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="index file to write")
    args = parser.parse_args(argv)
    print(build_index(args.out))  # a maintenance command: the path is its output
    return 0


__all__ = ["DEFAULT_OUT", "build_index", "main"]


if __name__ == "__main__":
    raise SystemExit(main())
