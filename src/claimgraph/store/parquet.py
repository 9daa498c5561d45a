"""Reading the Parquet tables of a Spark run (``claimgraph spark analyze --out DIR``)
for the store: every article's analysis (the ``analysis`` column of ``articles``) with
the weights hash it was made with, and the failures.

The store stores each analysis as ``claimgraph ingest`` would (its own rows, actors
linked to the store's entities), so a corpus analysed on a cluster is browsed like one
analysed here.  ``DIR`` is a local folder or a URI pyarrow can open (``s3://``,
``gs://``, ``hdfs://``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from claimgraph.errors import InputError, StorageError
from claimgraph.model import ArticleAnalysis, Failure

_BATCH_ROWS = 256


def _table(directory: str, name: str) -> Any:
    """The pyarrow dataset of one table, or ``None`` when the run wrote no rows to it."""
    import pyarrow.dataset as ds
    from pyarrow import fs

    base = directory.rstrip("/") + "/" + name
    try:
        filesystem, path = fs.FileSystem.from_uri(base) if "://" in base else (None, base)
        dataset = ds.dataset(path, filesystem=filesystem, format="parquet", partitioning="hive")
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:  # pyarrow's ArrowInvalid is a ValueError
        raise StorageError(f"cannot read the Parquet table {base}: {err}") from err
    return dataset if dataset.files else None


def read_spark_output(directory: str) -> Iterator[tuple[ArticleAnalysis, str] | Failure]:
    """``(analysis, weights hash)`` for every article of a Spark run, then its failures.

    Raises :class:`StorageError` when ``directory`` holds no ``articles`` table (it is
    not a Spark run's output); a row whose analysis does not parse becomes a Failure.
    """
    articles = _table(directory, "articles")
    failures = _table(directory, "failures")
    if articles is None and failures is None:
        raise StorageError(
            f"{directory} holds no articles/ or failures/ Parquet table "
            "(the --out of claimgraph spark analyze)"
        )
    if articles is not None:
        for batch in articles.to_batches(
            columns=["id", "analysis", "weights_hash"], batch_size=_BATCH_ROWS
        ):
            for ident, data, digest in zip(
                *(batch.column(i).to_pylist() for i in range(3)), strict=True
            ):
                try:
                    yield ArticleAnalysis.model_validate_json(data), digest
                except ValueError as err:
                    yield Failure(
                        input=f"{directory}/articles:{ident}",
                        code=InputError.code,
                        message=f"the stored analysis does not parse: {err}".splitlines()[0],
                    )
    if failures is not None:
        names = ["input", "code", "message", "stage", "article_id"]
        for batch in failures.to_batches(columns=names, batch_size=_BATCH_ROWS):
            for row in batch.to_pylist():
                yield Failure(**row)


def read_manifest(directory: str) -> dict[str, Any]:
    """What ``_claimgraph.json`` beside the tables says about the run (``{}`` when it
    cannot be read: the tables are what matters)."""
    import json

    from pyarrow import fs

    path = directory.rstrip("/") + "/_claimgraph.json"
    try:
        filesystem, inner = (
            fs.FileSystem.from_uri(path) if "://" in path else (fs.LocalFileSystem(), path)
        )
        with filesystem.open_input_stream(inner) as stream:
            data = json.loads(stream.read().decode("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


__all__ = ["read_manifest", "read_spark_output"]
