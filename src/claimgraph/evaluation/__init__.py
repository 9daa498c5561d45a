"""Evaluation harnesses: score claimgraph against annotated corpora.

Each module offers ``evaluate(data, *, predictions=None, fold="all", ...) -> EvalReport``
used by ``claimgraph eval <task>``.
"""

from __future__ import annotations

from .folds import FOLDS, Fold, in_fold, is_heldout
from .report import EvalReport

__all__ = ["FOLDS", "EvalReport", "Fold", "in_fold", "is_heldout"]
