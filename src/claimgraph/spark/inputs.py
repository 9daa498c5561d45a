"""The inputs of a Spark run, as one RDD of Articles and Failures.

Paths are local paths or URIs of any file system the cluster's Hadoop knows (``hdfs://``,
``s3a://``, ``gs://``, ``abfss://``...); directories are read recursively and globs
expanded, on the driver, through Hadoop's ``FileSystem``.  Each file is read by its
extension:

* ``.parquet``: rows with the columns ``id``, ``url?``, ``title?``, ``text`` or ``html``
  (a failure names ``file:id``);
* ``.jsonl`` / ``.ndjson`` (gzipped too): one record per line, split across tasks by
  Hadoop's text input format (a failure names ``file@byte-offset``);
* anything else (``.warc``, ``.warc.gz``, HTML, text, feeds): read whole, as
  ``claimgraph analyze`` reads that file (a broken WARC record names ``file@offset``).

Turning a record into an Article happens on the executors.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from claimgraph.config import IngestConfig
from claimgraph.errors import ClaimgraphError, InputError
from claimgraph.model import Article, Failure

_JSONL = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".jsonl.bz2", ".ndjson.bz2")
_RECORD_COLUMNS = ("id", "url", "title", "text", "html")


@dataclass
class InputFiles:
    """The files of the inputs, by how they are read; ``missing`` are the inputs that
    matched no file (each becomes a failure)."""

    parquet: list[str] = field(default_factory=list)
    jsonl: list[str] = field(default_factory=list)
    whole: list[str] = field(default_factory=list)
    missing: list[Failure] = field(default_factory=list)

    def add(self, path: str) -> None:
        lower = path.lower()
        if lower.endswith(".parquet"):
            self.parquet.append(path)
        elif lower.endswith(_JSONL):
            self.jsonl.append(path)
        else:
            self.whole.append(path)


def _hidden(name: str) -> bool:
    """Spark's and Hadoop's own files beside the data (``_SUCCESS``, ``.crc``...)."""
    return name.startswith(("_", ".")) or name.endswith(".crc")


def list_inputs(spark: Any, specs: Iterable[str]) -> InputFiles:
    """Expand paths, directories and globs into files, with Hadoop's ``FileSystem``."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    found = InputFiles()
    for spec in specs:
        try:
            path = jvm.org.apache.hadoop.fs.Path(spec)
            fs = path.getFileSystem(conf)
            statuses = fs.globStatus(path) or []
        except Exception as err:  # a Py4J error: bad URI, no such file system, no access
            message = str(err).strip().splitlines()[0] if str(err).strip() else repr(err)
            found.missing.append(
                Failure(input=spec, code=InputError.code, message=f"cannot list: {message}")
            )
            continue
        files: list[str] = []
        for status in statuses:
            if status.isDirectory():
                listing = fs.listFiles(status.getPath(), True)
                while listing.hasNext():
                    item = listing.next().getPath()
                    if not any(_hidden(part) for part in _relative(item, status.getPath())):
                        files.append(item.toString())
            elif not _hidden(status.getPath().getName()):
                files.append(status.getPath().toString())
        if not files:
            found.missing.append(
                Failure(input=spec, code=InputError.code, message="no such file or no files in it")
            )
        for name in sorted(files):
            found.add(name)
    return found


def _relative(item: Any, root: Any) -> list[str]:
    """The names of ``item``'s path below ``root`` (to skip hidden folders too)."""
    names: list[str] = []
    while item is not None and item.toString() != root.toString():
        names.append(item.getName())
        item = item.getParent()
    return names


def input_items(spark: Any, files: InputFiles, config: IngestConfig) -> Any:
    """One RDD of ``Article | Failure`` for every record of ``files``."""
    sc = spark.sparkContext
    parts = []
    if files.missing:
        parts.append(sc.parallelize(files.missing, 1))
    if files.whole:
        raw = sc.binaryFiles(",".join(files.whole))
        parts.append(raw.flatMap(lambda item: whole_file_items(item, config)))
    for path in files.jsonl:
        lines = sc.newAPIHadoopFile(
            path,
            "org.apache.hadoop.mapreduce.lib.input.TextInputFormat",
            "org.apache.hadoop.io.LongWritable",
            "org.apache.hadoop.io.Text",
        )
        parts.append(lines.flatMap(lambda pair, p=path: jsonl_items(p, pair, config)))
    if files.parquet:
        parts.append(_parquet_records(spark, files.parquet, config))
    if not parts:
        return sc.emptyRDD()
    return sc.union(parts) if len(parts) > 1 else parts[0]


def _parquet_records(spark: Any, paths: list[str], config: IngestConfig) -> Any:
    from pyspark.sql import functions as f

    frame = spark.read.parquet(*paths)
    present = [name for name in _RECORD_COLUMNS if name in frame.columns]
    if "id" not in present or not {"text", "html"} & set(present):
        failures = [
            Failure(
                input=",".join(paths),
                code=InputError.code,
                message="Parquet input needs an 'id' column and a 'text' or 'html' column "
                f"(it has: {', '.join(frame.columns)})",
            )
        ]
        return spark.sparkContext.parallelize(failures, 1)
    frame = frame.select(*present, f.input_file_name().alias("_file"))
    return frame.rdd.flatMap(lambda row: parquet_items(row.asDict(), config))


# -- executor side --------------------------------------------------------------------


def whole_file_items(item: tuple[str, bytes], config: IngestConfig) -> Iterator[Article | Failure]:
    """The Articles (or Failures) of one whole file, as ``claimgraph analyze`` reads it."""
    from claimgraph.ingest import load_document

    path, data = item
    yield from load_document(bytes(data), name=path, config=config)


def jsonl_items(
    path: str, pair: tuple[int, str], config: IngestConfig
) -> Iterator[Article | Failure]:
    """The Article of one JSONL line (none for a blank line)."""
    from claimgraph.ingest.jsonl import article_from_line

    offset, line = pair
    if not line.strip():
        return
    where = f"{path}@{offset}"
    data = line.encode("utf-8", "surrogatepass")
    if offset == 0:
        data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        yield article_from_line(data, where=where, config=config)
    except ClaimgraphError as err:
        yield Failure(input=where, code=err.code, message=err.message)


def parquet_items(record: dict[str, Any], config: IngestConfig) -> Iterator[Article | Failure]:
    """The Article of one Parquet row."""
    from claimgraph.ingest.jsonl import article_from_record

    where = f"{record.pop('_file')}:{record.get('id')}"
    try:
        yield article_from_record(record, where=where, config=config, source_kind="parquet")
    except ClaimgraphError as err:
        yield Failure(input=where, code=err.code, message=err.message)


__all__ = ["InputFiles", "input_items", "list_inputs"]
