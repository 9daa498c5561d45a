"""Evaluation of proposition grouping on Emergent headlines.

Data: ``shared/data/stance/emergent_dev.jsonl`` (``id``, ``claim_id``, ``headline``, ...).
The headlines of a fold are grouped into propositions without looking at ``claim_id``
(:class:`~claimgraph.narratives.PropositionIndex`, in file order) and scored against
``claim_id`` with B-cubed precision, recall and F1.  Folds are drawn on ``claim_id``; the
similarity threshold was chosen on the ``train`` fold, so only ``--fold heldout`` is an
honest score.

The headline metric is ``propositions_bcubed_f1``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimgraph.errors import EvaluationError
from claimgraph.evaluation.folds import Fold, in_fold, in_sample_note
from claimgraph.evaluation.jsonl import read_records
from claimgraph.evaluation.metrics import bcubed
from claimgraph.evaluation.report import EvalReport

if TYPE_CHECKING:
    from claimgraph.config import Config

logger = logging.getLogger(__name__)

HEADLINE = "propositions_bcubed_f1"


@dataclass(frozen=True)
class ClaimRecord:
    """One headline and the claim it is about."""

    id: str
    text: str
    claim_id: str


def _parse_record(data: Any) -> ClaimRecord:
    text = data.get("headline", data.get("text"))
    if not isinstance(text, str) or not text.strip():
        raise ValueError("no headline (or text)")
    return ClaimRecord(id=str(data["id"]), text=text, claim_id=str(data["claim_id"]))


def load_records(path: Path, *, fold: Fold = "all") -> list[ClaimRecord]:
    """Records of ``path`` whose ``claim_id`` is in ``fold``, in file order."""
    return [r for r in read_records(path, _parse_record) if in_fold(r.claim_id, fold)]


def evaluate(
    data: Path,
    *,
    predictions: Path | None = None,
    fold: Fold = "all",
    config: Config | None = None,
    progress: bool = False,
) -> EvalReport:
    """Group the headlines of ``fold`` into propositions and score them against their
    claims; writes ``{"id", "cluster"}`` per record to ``predictions`` when given."""
    from claimgraph.narratives import PropositionIndex, embed_claims

    del config
    records = load_records(data, fold=fold)
    if not records:
        raise EvaluationError(f"no records in fold {fold!r}", input=str(data))
    if progress:
        logger.info("propositions: embedding %d headlines", len(records))
    index = PropositionIndex()
    clusters = index.add_all(
        [r.id for r in records], [r.text for r in records], embed_claims([r.text for r in records])
    )
    if predictions is not None:
        with Path(predictions).open("w", encoding="utf-8") as out:
            for record, cluster in zip(records, clusters, strict=True):
                out.write(json.dumps({"id": record.id, "cluster": cluster}) + "\n")
    precision, recall, f1 = bcubed(clusters, [r.claim_id for r in records])
    gold = len({r.claim_id for r in records})
    metrics = {
        "bcubed_p": precision,
        "bcubed_r": recall,
        HEADLINE: f1,
        "propositions": float(len(index)),
        "claims": float(gold),
    }
    return EvalReport(
        task="propositions",
        n_documents=len(records),
        metrics=metrics,
        headline=HEADLINE,
        table_header=("", "B-cubed P", "B-cubed R", "F1", "predicted", "gold"),
        table=[
            (
                "propositions",
                f"{precision:.3f}",
                f"{recall:.3f}",
                f"{f1:.3f}",
                str(len(index)),
                str(gold),
            )
        ],
        notes=in_sample_note(
            "the similarity threshold",
            fold=fold,
            fitted_on="train",
            refit="use --fold heldout.",
            plural=False,
        ),
    )


__all__ = ["HEADLINE", "ClaimRecord", "evaluate", "load_records"]
