"""Deterministic train/held-out folds of the DEV corpora.

Honest numbers come from weights fitted on the ``train`` fold and scored on the
``heldout`` fold (one fifth of the documents, chosen by hash, so the split never depends
on file order).  Shipped weights may be fitted on all of DEV once a recipe is fixed;
each records the fold it was fitted on, and :func:`in_sample_note` warns when a score
includes documents the weights were fitted on.
"""

from __future__ import annotations

import hashlib
from typing import Literal

Fold = Literal["all", "train", "heldout"]
FOLDS: tuple[Fold, ...] = ("all", "train", "heldout")

_SALT = "claimgraph-fold-v1|"
_K = 5


def is_heldout(key: str) -> bool:
    """Whether the document (or group) ``key`` belongs to the held-out fold."""
    digest = hashlib.sha256((_SALT + key).encode("utf-8")).digest()
    return digest[0] % _K == 0


#: What a weights file says it was fitted on: a fold, or ``unknown`` without a record.
FittedOn = Literal["all", "train", "heldout", "unknown"]


def in_fold(key: str, fold: Fold) -> bool:
    """Whether ``key`` belongs to ``fold`` (``all`` holds everything)."""
    if fold == "all":
        return True
    return is_heldout(key) == (fold == "heldout")


def scores_fitted_documents(fold: Fold, fitted_on: str) -> bool:
    """Whether scoring ``fold`` scores documents that weights fitted on ``fitted_on``
    (a fold, or ``unknown`` when the weights carry no training record) have seen.

    Unknown counts as seen: without a record nothing rules it out.
    """
    if fitted_on not in FOLDS:
        return True
    return fitted_on == "all" or fold == "all" or fold == fitted_on


def in_sample_note(
    what: str, *, fold: Fold, fitted_on: str, refit: str, plural: bool = True
) -> list[str]:
    """A report note when scoring ``fold`` is not an honest held-out score of ``what``
    ("these weights", or "this model" with ``plural=False``; see
    :func:`scores_fitted_documents`); ``refit`` says how to get honest weights."""
    if not scores_fitted_documents(fold, fitted_on):
        return []
    were, carry, they = ("were", "carry", "they") if plural else ("was", "carries", "it")
    if fitted_on in FOLDS:
        why = f"{what} {were} fitted on fold={fitted_on!r}, which includes the scored documents"
    else:
        why = (
            f"{what} {carry} no record of what {they} {were} fitted on, so {they} may include "
            "the scored documents"
        )
    return [f"note: {why}; this is not a held-out score. For honest numbers {refit}"]


__all__ = [
    "FOLDS",
    "FittedOn",
    "Fold",
    "in_fold",
    "in_sample_note",
    "is_heldout",
    "scores_fitted_documents",
]
