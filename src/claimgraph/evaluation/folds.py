"""Deterministic train/held-out folds of the DEV corpora.

Anything fitted on DEV is fitted on the ``train`` fold only; honest numbers are
reported on the ``heldout`` fold (one fifth of the documents, chosen by hash, so the
split never depends on file order).
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


def in_fold(key: str, fold: Fold) -> bool:
    """Whether ``key`` belongs to ``fold`` (``all`` holds everything)."""
    if fold == "all":
        return True
    return is_heldout(key) == (fold == "heldout")
