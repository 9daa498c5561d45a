"""A sparse logistic regression over named features, stored as plain JSON.

The certainty model (:mod:`claimgraph.evidence.certainty`) and the claim-hedge model
(:mod:`claimgraph.evidence.hedge_model`) are both this: ``P = sigmoid(w·x)`` over a dict
of feature values (a ``bias`` feature stands for the intercept) and a decision threshold.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self

from claimgraph.errors import ModelError


@dataclass(frozen=True)
class SparseLogistic:
    """``P(positive) = sigmoid(w·x)`` over named features, and its threshold."""

    name: str
    weights: dict[str, float]
    threshold: float

    #: What the model is called in error messages.
    KIND: ClassVar[str] = "linear"
    #: The training module that refits it (named in error messages).
    TRAINING: ClassVar[str] = "claimgraph.training"

    def probability(self, feats: dict[str, float]) -> float:
        """The model's probability for the features ``feats``."""
        score = sum(self.weights.get(k, 0.0) * v for k, v in feats.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))

    def to_json(self) -> dict[str, Any]:
        """The JSON form (weights rounded, zeros left out)."""
        return {
            "name": self.name,
            "threshold": self.threshold,
            "weights": {k: round(v, 6) for k, v in sorted(self.weights.items()) if v},
        }

    @classmethod
    def _fields(cls, data: dict[str, Any]) -> dict[str, Any]:
        """The constructor's arguments read from ``data`` (subclasses add theirs)."""
        return {
            "name": str(data["name"]),
            "weights": {str(k): float(v) for k, v in data["weights"].items()},
            "threshold": float(data["threshold"]),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        """Build from :meth:`to_json` output; raises :class:`ModelError` when malformed."""
        try:
            return cls(**cls._fields(data))
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise ModelError(f"malformed {cls.KIND} model: {err!r}") from err

    @classmethod
    def load(cls, path: Path) -> Self:
        """The model stored at ``path``; raises :class:`ModelError` when it is missing or
        malformed (saying how to refit it)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise ModelError(f"cannot load the {cls.KIND} model: {err}; retrain it with "
                             f"`python -m {cls.TRAINING}`") from err
        if not isinstance(data, dict):
            raise ModelError(f"malformed {cls.KIND} model: not a JSON object")
        return cls.from_json(data)


__all__ = ["SparseLogistic"]
