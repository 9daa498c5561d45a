"""Starting Spark: a local session by default, the cluster's when run by ``spark-submit``."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from claimgraph.errors import ClaimgraphError, ConfigError, StorageError

logger = logging.getLogger(__name__)

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
    level = os.environ.get("CLAIMGRAPH_SPARK_LOG_LEVEL")
    if (master or "local").startswith("local") and not launched_by_spark_submit():
        # local workers must run this interpreter (with claimgraph and its models)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        if not level:  # a quiet log: failures are rows, a failed job is one error line
            quiet = Path(__file__).with_name("log4j2.properties").as_uri()
            settings.setdefault(
                "spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={quiet}"
            )
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    if level:
        session.sparkContext.setLogLevel(level)
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


@contextlib.contextmanager
def spark_errors() -> Iterator[None]:
    """A failed Spark job (a Java exception through Py4J, a ``PySparkException``) as one
    :class:`StorageError` line: the first line of the Java or Spark message; the whole
    of it goes to the debug log (``-vv``)."""
    try:
        yield
    except ClaimgraphError:
        raise
    except Exception as err:
        from py4j.protocol import Py4JError
        from pyspark.errors import PySparkException

        if not isinstance(err, Py4JError | PySparkException):
            raise
        logger.debug("Spark job failed", exc_info=True)
        java = getattr(err, "java_exception", None)
        while java is not None and java.getCause() is not None:  # the root cause says why
            java = java.getCause()
        text = str(java.toString()) if java is not None else str(err)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        first = lines[0] if lines else type(err).__name__
        raise StorageError(f"the Spark job failed: {first[:400]}") from err


__all__ = [
    "BASE_CONF",
    "launched_by_spark_submit",
    "parse_conf",
    "require_pyspark",
    "spark_errors",
    "spark_session",
]
