"""``claimgraph spark``: the analysis as an Apache Spark job (``analyze``) and its second
stage (``narratives``), for corpora larger than one machine.  ``python -m
claimgraph.spark`` (the ``spark-submit`` entry point) runs this group."""

from __future__ import annotations

import sys

import click

from claimgraph.cli.common import config_options, exit_code_for, make_config

_MASTER_HELP = (
    "Spark master (local[N], spark://host:7077, yarn, k8s://...). Default: the one "
    "spark-submit was given, else local[*]."
)


@click.group("spark", context_settings={"help_option_names": ["-h", "--help"]})
def spark() -> None:
    """Run the analysis on Apache Spark (needs pyspark and Java 17).

    \b
    Examples:
      claimgraph spark analyze crawl/*.warc.gz corpus.jsonl --out out/
      spark-submit --master yarn --archives env.tar.gz#env \\
        -m claimgraph.spark analyze s3a://bucket/warc/ --out s3a://bucket/claimgraph/
      claimgraph ingest --from-parquet out/ --db corpus.db
    """


@spark.command("analyze")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", required=True, help="Output directory or URI (one folder per table).")
@click.option("--master", help=_MASTER_HELP)
@click.option(
    "--partitions",
    type=click.IntRange(min=1),
    help="Tasks the articles are spread over (default: the cluster's default parallelism).",
)
@click.option("--overwrite", is_flag=True, help="Replace the tables of an earlier run in --out.")
@click.option(
    "--encoder-thread/--no-encoder-thread",
    default=False,
    show_default=True,
    help="Run each task's cue encoder in a second thread beside the parse, as `analyze` "
    "does (a task then keeps about two cores busy; set spark.task.cpus=2 with it). "
    "Off: one core per task.",
)
@click.option(
    "--conf", "conf_pairs", multiple=True, metavar="KEY=VALUE", help="A Spark setting (repeatable)."
)
@config_options
def spark_analyze(
    inputs: tuple[str, ...],
    out: str,
    master: str | None,
    partitions: int | None,
    overwrite: bool,
    encoder_thread: bool,
    conf_pairs: tuple[str, ...],
    config_path: str | None,
    model: str | None,
    no_cue_encoder: bool,
) -> None:
    """Analyse WARC, JSONL and Parquet inputs (paths or Hadoop URIs) into Parquet tables.

    The tables have the store's columns (articles, actors, statements, speech_acts,
    evidence, credibility, failures), partitioned by publication date; inputs that
    cannot be read or analysed are rows of the failures table.
    """
    from claimgraph.spark.job import run_analyze
    from claimgraph.spark.session import parse_conf, spark_errors, spark_session

    config = make_config(config_path, model, no_cue_encoder)
    session = spark_session(master, app_name="claimgraph analyze", conf=parse_conf(conf_pairs))
    try:
        with spark_errors():
            report = run_analyze(
                session,
                inputs,
                out,
                config=config,
                partitions=partitions,
                overwrite=overwrite,
                encoder_thread=encoder_thread,
            )
    finally:
        session.stop()
    rows = ", ".join(f"{n:,} {table}" for table, n in report.rows.items())
    click.echo(f"claimgraph: {rows} in {report.seconds:.1f} s ({out})", err=True)
    sys.exit(exit_code_for(report.articles, report.failures))


@spark.command("narratives")
@click.option("--in", "source", required=True, help="The --out of spark analyze.")
@click.option("--out", required=True, help="Output directory or URI (entities, actor_links).")
@click.option("--master", help=_MASTER_HELP)
@click.option(
    "--partitions",
    type=click.IntRange(min=1),
    help="Tasks the blocks are spread over (default: the cluster's default parallelism).",
)
@click.option("--overwrite", is_flag=True, help="Replace the tables of an earlier run in --out.")
@click.option(
    "--no-propositions",
    is_flag=True,
    help="Link entities only; no propositions, stances or contradictions.",
)
@click.option(
    "--conf", "conf_pairs", multiple=True, metavar="KEY=VALUE", help="A Spark setting (repeatable)."
)
def spark_narratives(
    source: str,
    out: str,
    master: str | None,
    partitions: int | None,
    overwrite: bool,
    no_propositions: bool,
    conf_pairs: tuple[str, ...],
) -> None:
    """Entities, propositions, stances and contradictions across a spark analyze output.

    Actors are blocked by dictionary key, surname or name, and each block is linked by
    the store's rules in publication order; claims (statements and author-voice claims)
    are embedded, grouped into propositions within embedding buckets, given a stance
    toward their proposition, and compared for contradictions, as `claimgraph narratives`
    does (see docs/spark.md for what blocking gives up).
    """
    from claimgraph.spark.narratives import run_narratives
    from claimgraph.spark.session import parse_conf, spark_errors, spark_session

    session = spark_session(
        master, app_name="claimgraph narratives", conf=parse_conf(conf_pairs)
    )
    try:
        with spark_errors():
            rows = run_narratives(
                session,
                source,
                out,
                partitions=partitions,
                overwrite=overwrite,
                propositions=not no_propositions,
            )
    finally:
        session.stop()
    counts = ", ".join(f"{n:,} {table}" for table, n in rows.items())
    click.echo(f"claimgraph: {counts} ({out})", err=True)


__all__ = ["spark"]
