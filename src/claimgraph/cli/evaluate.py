"""``claimgraph eval``: score the analysis against an annotated corpus."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import click

from claimgraph.cli.common import config_options, fail, make_config
from claimgraph.errors import ClaimgraphError
from claimgraph.evaluation.folds import FOLDS

#: Evaluation tasks: CLI name -> module under claimgraph.evaluation.
EVAL_TASKS = {
    "attribution": "attribution",
    "contradictions": "contradictions",
    "events": "events",
    "hedging": "hedging",
    "machine-text": "machine_text",
    "propositions": "propositions",
    "stance": "stance",
}


@click.command("eval")
@click.argument("task", type=click.Choice(sorted(EVAL_TASKS)))
@click.argument("data", type=click.Path(dir_okay=False))
@click.option(
    "--predictions",
    type=click.Path(dir_okay=False, writable=True),
    help="Write predictions (JSONL) here.",
)
@click.option(
    "--fold",
    type=click.Choice(FOLDS),
    default="all",
    show_default=True,
    help="Score only this fold of the data. Honest numbers need weights fitted on the "
    "train fold (the shipped attribution and hedging weights are fitted on all of DEV, "
    "the machine-text detector on the train fold); the report says when a score "
    "includes documents the weights were fitted on.",
)
@click.option(
    "--bodies",
    type=click.Path(dir_okay=False),
    help="stance on FNC-1: the article bodies (fnc1_dev_bodies.jsonl).",
)
@config_options
@click.option(
    "--json", "as_json", is_flag=True, help="Print the metrics as JSON instead of a table."
)
def eval_command(
    task: str,
    data: str,
    predictions: str | None,
    fold: str,
    bodies: str | None,
    config_path: str | None,
    model: str | None,
    no_cue_encoder: bool,
    as_json: bool,
) -> None:
    """Score claimgraph on an annotated corpus (TASK: attribution, contradictions,
    events, hedging, machine-text, propositions, stance).

    Predicts from the text alone, through the same pipeline as `claimgraph analyze`,
    optionally writes the predictions, and prints precision/recall/F1 (or AUROC). The
    last line is the headline metric, e.g. ``attribution_f1_overlap=0.7000``
    (B-cubed F1 for propositions, the FNC-1 score or macro F1 for stance).

    \b
    Examples:
      claimgraph eval attribution dev.jsonl --fold heldout --config benchmarks/heldout.toml
      claimgraph eval machine-text xsum_mgt_dev.jsonl --fold heldout --json
      claimgraph eval propositions emergent_dev.jsonl --fold heldout
      claimgraph eval stance fnc1_dev.jsonl --bodies fnc1_dev_bodies.jsonl --fold heldout
      claimgraph eval contradictions emergent_pairs_dev.jsonl --fold heldout
    """
    if not Path(data).is_file():
        raise click.ClickException(f"no such data file: {data}")
    extra: dict[str, Path] = {}
    if bodies is not None:
        if task != "stance":
            raise click.UsageError("--bodies is only for the stance task (FNC-1)")
        if not Path(bodies).is_file():
            raise click.ClickException(f"no such bodies file: {bodies}")
        extra["bodies"] = Path(bodies)
    try:
        config = make_config(config_path, model, no_cue_encoder)
        module = importlib.import_module(f"claimgraph.evaluation.{EVAL_TASKS[task]}")
        report = module.evaluate(
            Path(data),
            predictions=Path(predictions) if predictions else None,
            fold=fold,
            config=config,
            progress=True,
            **extra,
        )
    except ClaimgraphError as err:
        fail(err)
    if as_json:
        click.echo(
            json.dumps({"task": report.task, "metrics": report.metrics}, indent=2, sort_keys=True)
        )
    else:
        click.echo(report.render())


__all__ = ["EVAL_TASKS", "eval_command"]
