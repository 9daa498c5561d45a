"""Evaluation harnesses: score claimgraph against annotated corpora.

Reads an annotated JSONL corpus, predicts from its texts alone through the same
:class:`~claimgraph.pipeline.Pipeline` that ``claimgraph analyze`` runs, and adds
nothing to any analysis: each task module offers
``evaluate(data, *, predictions=None, fold="all", ...) -> EvalReport`` for
``claimgraph eval <task>``.  Folds are :mod:`~claimgraph.evaluation.folds`; shared
metrics are :mod:`~claimgraph.evaluation.metrics`.
"""

from __future__ import annotations

from claimgraph.evaluation.folds import FOLDS, Fold, in_fold, is_heldout
from claimgraph.evaluation.report import EvalReport

__all__ = ["FOLDS", "EvalReport", "Fold", "in_fold", "is_heldout"]
