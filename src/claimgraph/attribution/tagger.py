"""Loading the trained CRF taggers and running them over one parsed document."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from .features import DocFeatures, role_window, role_xseq, sentence_xseq

logger = logging.getLogger(__name__)

#: Where the trained weights ship (inside the package).
MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "attribution"
CUE_MODEL = "cue.crfsuite"
ROLE_MODEL = "role.crfsuite"
CLUSTERS = "clusters.npz"
#: Marginal cue probability from which a token is taken as (part of) a cue.
CUE_THRESHOLD = 0.25


@dataclass(frozen=True)
class RawAttribution:
    """One predicted attribution as token indices into the ``Doc``."""

    cue: tuple[int, int]
    content: tuple[int, ...]
    source: tuple[int, ...]
    cue_confidence: float
    role_confidence: float


class Taggers:
    """The cue and role taggers (pycrfsuite), loaded from ``model_dir``."""

    def __init__(self, model_dir: Path) -> None:
        import pycrfsuite

        self.model_dir = model_dir
        self.cue: Any = pycrfsuite.Tagger()
        self.role: Any = pycrfsuite.Tagger()
        for tagger, name in ((self.cue, CUE_MODEL), (self.role, ROLE_MODEL)):
            path = model_dir / name
            if not path.is_file():
                raise ModelError(
                    f"attribution model file {path} is missing; train it with "
                    "`python -m claimgraph.attribution.train --data <dev.jsonl>`"
                )
            try:
                tagger.open(str(path))
            except (OSError, ValueError) as err:
                raise ModelError(f"cannot open attribution model {path}: {err}") from err
        self.centroids: list[np.ndarray] = load_centroids(model_dir / CLUSTERS)


def load_centroids(path: Path) -> list[np.ndarray]:
    """The k-means centroid tables (``k0``, ``k1``, ...) stored in ``path``."""
    if not path.is_file():
        raise ModelError(f"attribution cluster file {path} is missing; retrain the model")
    try:
        with np.load(path, allow_pickle=False) as data:
            return [np.asarray(data[f"k{j}"], dtype=np.float32) for j in range(len(data.files))]
    except (OSError, ValueError, KeyError) as err:
        raise ModelError(f"cannot read attribution clusters {path}: {err}") from err


@functools.lru_cache(maxsize=2)
def load_taggers(model_dir: str | None = None) -> Taggers:
    """Load (once per process) the taggers from ``model_dir`` (default: the shipped ones).

    Raises :class:`ModelError` when a model file is missing or unreadable.
    """
    return Taggers(Path(model_dir) if model_dir else MODEL_DIR)


def tag_cues(taggers: Taggers, feats: DocFeatures) -> list[tuple[tuple[int, int], float]]:
    """Predicted cue token ranges with their mean cue probability.

    A token is part of a cue when its marginal probability of ``B`` or ``I`` reaches
    :data:`CUE_THRESHOLD` (recall matters more than Viterbi's single best path); a cue
    starts where ``B`` is likelier than ``I``.
    """
    cues: list[tuple[tuple[int, int], float]] = []
    tagger = taggers.cue
    threshold = CUE_THRESHOLD
    for k, (a, b) in enumerate(feats.sent_bounds):
        if b - a < 2:
            continue
        tagger.set(sentence_xseq(feats, k))
        tagger.tag()
        run: list[float] = []
        start = 0
        for j in range(b - a + 1):
            pb = pi = 0.0
            if j < b - a:
                pb = tagger.marginal("B", j)
                pi = tagger.marginal("I", j)
            p = pb + pi
            if run and (p < threshold or pb > pi):
                cues.append(((a + start, a + start + len(run)), sum(run) / len(run)))
                run = []
            if p >= threshold:
                if not run:
                    start = j
                run.append(p)
    return cues


def tag_roles(
    taggers: Taggers, feats: DocFeatures, cue: tuple[int, int]
) -> tuple[list[int], list[int], float]:
    """Content and source token indices for one cue, and the mean content marginal."""
    window = role_window(feats, cue)
    tagger = taggers.role
    tagger.set(role_xseq(feats, cue, window))
    tags = tagger.tag()
    start = window[0]
    content = [start + j for j, t in enumerate(tags) if t == "C"]
    source = [start + j for j, t in enumerate(tags) if t == "S"]
    if content:
        conf = sum(tagger.marginal("C", i - start) for i in content) / len(content)
    else:
        conf = 0.0
    return content, source, conf


def predict(taggers: Taggers, feats: DocFeatures) -> list[RawAttribution]:
    """All attributions of one document, before span building and post-processing."""
    out: list[RawAttribution] = []
    for cue, cue_conf in tag_cues(taggers, feats):
        content, source, role_conf = tag_roles(taggers, feats, cue)
        if not content:
            continue
        out.append(
            RawAttribution(
                cue=cue,
                content=tuple(content),
                source=tuple(source),
                cue_confidence=cue_conf,
                role_confidence=role_conf,
            )
        )
    return out


__all__ = [
    "MODEL_DIR",
    "RawAttribution",
    "Taggers",
    "load_taggers",
    "predict",
    "tag_cues",
    "tag_roles",
]
