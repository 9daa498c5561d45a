"""claimgraph on Apache Spark: the same per-article analysis over a corpus too large for
one machine, written as Parquet tables with the store's columns.

* :mod:`~claimgraph.spark.session` starts (or joins) a Spark session;
* :mod:`~claimgraph.spark.inputs` reads WARC, JSONL and Parquet inputs (and whole files
  of the other kinds) from local paths or any Hadoop-compatible URI;
* :mod:`~claimgraph.spark.job` runs the pipeline in ``mapPartitions`` (spaCy and the
  models load once per executor process) and writes the tables
  (:mod:`~claimgraph.spark.tables`);
* :mod:`~claimgraph.spark.narratives` is the second stage: entities across the corpus,
  blocked by entity key.

``claimgraph spark analyze`` and ``python -m claimgraph.spark analyze`` (the entry point
for ``spark-submit``) run it; ``claimgraph ingest --from-parquet`` loads the output into
a store.  pyspark is an optional dependency (``pip install 'claimgraph[spark]'``).
"""

from __future__ import annotations
