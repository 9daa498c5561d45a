"""Starting Spark: a local session by default, the cluster's when run by ``spark-submit``."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from typing import Any

from claimgraph.errors import ConfigError

#: What every claimgraph job sets (timestamps are written in UTC).
BASE_CONF: Mapping[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.compression.codec": "zstd",
    "spark.ui.showConsoleProgress": "false",
}


def require_pyspark() -> Any:
    """The pyspark module, or a :class:`ConfigError` that says how to install it."""
    try:
        import pyspark
    except ImportError as err:
        raise ConfigError(
            "the Spark job needs pyspark: pip install 'claimgraph[spark]' (and Java 17, "
            "e.g. apt-get install openjdk-17-jre-headless)"
        ) from err
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        raise ConfigError(
            "Spark needs Java 17 on PATH or in JAVA_HOME "
            "(e.g. apt-get install openjdk-17-jre-headless)"
        )
    return pyspark


def launched_by_spark_submit() -> bool:
    """Whether this Python was started by ``spark-submit`` (its JVM is running already)."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def spark_session(
    master: str | None = None,
    *,
    app_name: str = "claimgraph",
    conf: Mapping[str, str] | None = None,
) -> Any:
    """The Spark session a job runs in.

    Under ``spark-submit`` that is the session it configured (``master`` is then only
    used when given).  Run as a plain Python command, it is a local session
    (``local[*]`` unless ``master`` says otherwise) whose workers run this Python.
    """
    require_pyspark()
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    settings = dict(BASE_CONF)
    if master:
        builder = builder.master(master)
    elif not launched_by_spark_submit():
        builder = builder.master("local[*]")
    if (master or "local").startswith("local") and not launched_by_spark_submit():
        # local workers must run this interpreter (with claimgraph and its models)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel(os.environ.get("CLAIMGRAPH_SPARK_LOG_LEVEL", "WARN"))
    return session


def parse_conf(pairs: tuple[str, ...]) -> dict[str, str]:
    """``--conf KEY=VALUE`` options as a dict; :class:`ConfigError` for a malformed one."""
    conf: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--conf takes KEY=VALUE, got {pair!r}")
        conf[key.strip()] = value
    return conf


__all__ = [
    "BASE_CONF",
    "launched_by_spark_submit",
    "parse_conf",
    "require_pyspark",
    "spark_session",
]
