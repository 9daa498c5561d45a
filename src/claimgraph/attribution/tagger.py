"""Loading the trained CRF taggers and running them over one parsed document."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from claimgraph.attribution.features import (
    DocFeatures,
    cue_head,
    role_window,
    role_xseq,
    sentence_xseq,
)
from claimgraph.errors import ModelError
from claimgraph.resources import ATTRIBUTION_MODEL_DIR

logger = logging.getLogger(__name__)

#: Where the trained weights ship (inside the package).
MODEL_DIR = ATTRIBUTION_MODEL_DIR
CUE_MODEL = "cue.crfsuite"
ROLE_MODEL = "role.crfsuite"
CLUSTERS = "clusters.npz"
#: What the weights were fitted on (written by :mod:`.train`).
TRAINING = "training.json"
#: Marginal cue probability from which a token is taken as (part of) a cue.
CUE_THRESHOLD = 0.25
#: Share of the CRF in the cue probability when the cue encoder (:mod:`.encoder`) runs;
#: the rest is the encoder's.  Chosen with :data:`ENCODER_CUE_THRESHOLD` by 4-fold
#: cross-validation over the train fold (see docs/quality.md).
CRF_SHARE = 0.4
#: :data:`CUE_THRESHOLD` for the averaged probabilities (the encoder is sharper).
ENCODER_CUE_THRESHOLD = 0.4
#: Marginal from which a verb taking a "that" clause is a cue (its evidence is structural).
COMPLEMENT_THRESHOLD = 0.1
_COMPLEMENTIZERS = frozenset({"that", "whether", "if"})
#: Cue probability from which a cue whose role tagging found no content falls back to
#: structure (:func:`structural_content`) instead of being dropped.
FALLBACK_MIN_CUE = 0.5
#: Role confidence given to content found by the structural fallback.
FALLBACK_CONFIDENCE = 0.5
#: Marginal ``P(S)`` from which a run of tokens is a source candidate when the role
#: tagger's best path tags no source (the run with the highest peak is taken).
WEAK_SOURCE_THRESHOLD = 0.2
#: Dependents of a cue whose subtree is its content, in order of preference.
_CONTENT_DEPS = ("ccomp", "xcomp", "dobj", "acl")


@dataclass(frozen=True)
class RawAttribution:
    """One predicted attribution as token indices into the ``Doc``."""

    cue: tuple[int, int]
    content: tuple[int, ...]
    source: tuple[int, ...]
    cue_confidence: float
    role_confidence: float
    #: With no tagged source: the likeliest source run by marginal probability, if any.
    weak_source: tuple[int, ...] = ()
    #: Marginal ``P(S)`` of the role tagger for each token of the cue's window.
    source_probs: dict[int, float] = field(default_factory=dict)


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
                    "`python -m claimgraph.training.attribution --data <dev.jsonl>`"
                )
            try:
                tagger.open(str(path))
            except (OSError, ValueError) as err:
                raise ModelError(f"cannot open attribution model {path}: {err}") from err
        self.centroids: list[np.ndarray] = load_centroids(model_dir / CLUSTERS)
        self.training: dict[str, Any] = load_training(model_dir)

    @property
    def fitted_on(self) -> str:
        """The fold of the DEV corpus the weights were fitted on (``train`` or ``all``), or
        ``unknown`` when they carry no training record."""
        return str(self.training.get("fold", "unknown"))


def load_training(model_dir: Path) -> dict[str, Any]:
    """The training record of ``model_dir`` (empty when the weights predate it)."""
    import json

    path = model_dir / TRAINING
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot read {path}: {err}") from err
    return data if isinstance(data, dict) else {}


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


def cue_marginals(taggers: Taggers, feats: DocFeatures) -> np.ndarray:
    """Per-token marginal probabilities ``P(B)``, ``P(I)`` of the cue CRF (shape ``(n, 2)``)."""
    out = np.zeros((feats.n, 2), dtype=np.float64)
    tagger = taggers.cue
    for k, (a, b) in enumerate(feats.sent_bounds):
        if b - a < 2:
            continue
        tagger.set(sentence_xseq(feats, k))
        tagger.tag()
        # a whole sentence's column at once (one numpy assignment, not one per token)
        positions = range(b - a)
        out[a:b, 0] = [tagger.marginal("B", j) for j in positions]
        out[a:b, 1] = [tagger.marginal("I", j) for j in positions]
    return out


def cue_spans(
    feats: DocFeatures, probs: np.ndarray, begins: np.ndarray, threshold: float
) -> list[tuple[tuple[int, int], float]]:
    """Runs of tokens with cue probability >= ``threshold``, with their mean probability.

    A run never crosses a sentence and is split where ``begins`` is true (the CRF finds
    ``B`` likelier than ``I``).
    """
    cues: list[tuple[tuple[int, int], float]] = []
    for a, b in feats.sent_bounds:
        if b - a < 2:
            continue
        run: list[float] = []
        start = a
        for i in range(a, b + 1):
            p = float(probs[i]) if i < b else 0.0
            if run and (p < threshold or begins[i]):
                cues.append(((start, start + len(run)), sum(run) / len(run)))
                run = []
            if p >= threshold:
                if not run:
                    start = i
                run.append(p)
    return cues


def tag_cues(
    taggers: Taggers, feats: DocFeatures, encoder_probs: np.ndarray | None = None
) -> list[tuple[tuple[int, int], float]]:
    """Predicted cue token ranges with their mean cue probability.

    A token is part of a cue when its CRF marginal ``P(B) + P(I)`` reaches
    :data:`CUE_THRESHOLD` (recall matters more than Viterbi's single best path), or
    :data:`COMPLEMENT_THRESHOLD` for a verb governing a "that" clause ("by stating
    that ...": the evidence is structural).  A cue starts where ``B`` is likelier than ``I``.
    With ``encoder_probs`` (per-token ``P(B)``, ``P(I)`` of the cue encoder) the two
    models' probabilities are averaged, the CRF weighted :data:`CRF_SHARE`, and the
    threshold is :data:`ENCODER_CUE_THRESHOLD`.
    """
    marginals = cue_marginals(taggers, feats)
    threshold = CUE_THRESHOLD
    if encoder_probs is not None:
        marginals = CRF_SHARE * marginals + (1 - CRF_SHARE) * encoder_probs
        threshold = ENCODER_CUE_THRESHOLD
    begins = marginals[:, 0] > marginals[:, 1]
    probs = marginals.sum(axis=1)
    lifted = probs.copy()
    for i in np.flatnonzero((probs >= COMPLEMENT_THRESHOLD) & (probs < threshold)).tolist():
        if _takes_that_clause(feats, i):
            lifted[i] = threshold
    return cue_spans(feats, lifted, begins, threshold)


def _takes_that_clause(feats: DocFeatures, i: int) -> bool:
    """Whether verb ``i`` governs a finite clause opened by "that" ("by stating that ...")."""
    if not feats.tags[i].startswith("VB"):
        return False
    for c in feats.children[i]:
        if feats.deps[c] == "ccomp" and any(
            feats.deps[m] == "mark" and feats.lower[m] in _COMPLEMENTIZERS
            for m in feats.children[c]
        ):
            return True
    return False


def tag_roles(
    taggers: Taggers, feats: DocFeatures, cue: tuple[int, int]
) -> tuple[list[int], list[int], float, list[int], dict[int, float]]:
    """Content and source token indices for one cue, the mean content marginal, a weak
    source (when the best path tags no source, the run of non-content tokens whose marginal
    ``P(S)`` reaches :data:`WEAK_SOURCE_THRESHOLD` with the highest peak), and ``P(S)`` of
    the window's tokens (those of at least 0.01).
    """
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
    probs = [tagger.marginal("S", j) for j in range(len(tags))]
    weak: list[int] = []
    if not source:
        best_peak = 0.0
        run: list[int] = []
        peak = 0.0
        for j in range(len(tags) + 1):
            p = probs[j] if j < len(tags) and tags[j] != "C" else 0.0
            if p >= WEAK_SOURCE_THRESHOLD and not feats.is_space[start + j]:
                run.append(start + j)
                peak = max(peak, p)
                continue
            if run and peak > best_peak:
                weak, best_peak = run, peak
            run, peak = [], 0.0
    return content, source, conf, weak, {start + j: p for j, p in enumerate(probs) if p >= 0.01}


def _subtree_tokens(feats: DocFeatures, root: int, skip: frozenset[int] = frozenset()) -> list[int]:
    stack, out = [root], []
    while stack:
        i = stack.pop()
        if i in skip:
            continue
        out.append(i)
        stack.extend(feats.children[i])
    return out


def _trim(feats: DocFeatures, tokens: list[int]) -> list[int]:
    """Sorted word tokens, without leading/trailing punctuation other than quote marks."""
    toks = sorted(i for i in tokens if not feats.is_space[i])
    while toks and not (feats.is_word[toks[0]] or feats.is_quote[toks[0]]):
        toks.pop(0)
    while toks and not (feats.is_word[toks[-1]] or feats.is_quote[toks[-1]]):
        toks.pop()
    return toks


def _adjacent_quote(feats: DocFeatures, cue: tuple[int, int]) -> list[int]:
    """The quotation that ends just before the cue or opens just after it (same paragraph)."""
    a, b = cue
    para = feats.para[a]
    # `"...," he said` / `"...," said the mayor`: a closing mark within a few tokens before.
    i = a - 1
    steps = 0
    while i >= 0 and steps < 6 and feats.para[i] == para and not feats.is_quote[i]:
        i -= 1
        steps += 1
    if i >= 0 and feats.is_quote[i] and feats.para[i] == para and feats.inquote[i]:
        j = i - 1
        while j >= 0 and feats.inquote[j] and not feats.is_quote[j] and feats.para[j] == para:
            j -= 1
        if j >= 0 and feats.is_quote[j] and j < i - 1:
            return list(range(j, i + 1))
    # `he said: "..."`: an opening mark within a few tokens after.
    i = b
    steps = 0
    while i < feats.n and steps < 3 and feats.para[i] == para and not feats.is_quote[i]:
        i += 1
        steps += 1
    if i < feats.n and feats.is_quote[i] and feats.para[i] == para:
        j = i + 1
        while j < feats.n and feats.inquote[j] and not feats.is_quote[j] and feats.para[j] == para:
            j += 1
        if j < feats.n and feats.is_quote[j] and j > i + 1:
            return list(range(i, j + 1))
    return []


def structural_content(feats: DocFeatures, cue: tuple[int, int]) -> list[int]:
    """Content of a cue read off the parse when the role tagger found none.

    In order: for "according to X" the rest of its clause; the subtree of the cue's
    clausal complement (ccomp, xcomp), direct object or clausal modifier ("his claim
    that ..."); a quotation adjacent to the cue.  Empty when none applies.
    """
    head = cue_head(feats, cue)
    cue_tokens = frozenset(range(*cue))
    if feats.lower[head] == "according":
        gov = feats.heads[head]
        if gov != head:
            skip = cue_tokens | {head}
            toks = _subtree_tokens(feats, gov, frozenset(skip))
            return _trim(feats, [i for i in toks if feats.sent_of[i] == feats.sent_of[gov]])
        return []
    for dep in _CONTENT_DEPS:
        for child in feats.children[head]:
            if feats.deps[child] == dep and child not in cue_tokens:
                toks = _trim(feats, _subtree_tokens(feats, child, cue_tokens))
                if sum(1 for i in toks if feats.is_word[i]) >= 2:
                    return toks
    return _trim(feats, _adjacent_quote(feats, cue))


def predict(
    taggers: Taggers, feats: DocFeatures, encoder_probs: np.ndarray | None = None
) -> list[RawAttribution]:
    """All attributions of one document, before span building and post-processing.

    ``encoder_probs`` are the cue encoder's per-token probabilities, if it runs
    (:func:`tag_cues`).  A cue of probability at least :data:`FALLBACK_MIN_CUE` whose role
    tagging yields no content takes its content from the parse
    (:func:`structural_content`) instead of being dropped.
    """
    out: list[RawAttribution] = []
    for cue, cue_conf in tag_cues(taggers, feats, encoder_probs):
        content, source, role_conf, weak, source_probs = tag_roles(taggers, feats, cue)
        if not content and cue_conf >= FALLBACK_MIN_CUE:
            content = structural_content(feats, cue)
            role_conf = FALLBACK_CONFIDENCE
        if not content:
            continue
        out.append(
            RawAttribution(
                cue=cue,
                content=tuple(content),
                source=tuple(source),
                cue_confidence=cue_conf,
                role_confidence=role_conf,
                weak_source=tuple(weak),
                source_probs=source_probs,
            )
        )
    return out


def token_probs(chars: np.ndarray, feats: DocFeatures) -> np.ndarray:
    """Per-token ``P(B)``, ``P(I)`` (shape ``(n, 2)``) from :func:`char_probs`.

    A token's cue probability is the highest ``P(B) + P(I)`` of its characters, split
    between ``B`` and ``I`` as at its first character; whitespace tokens get none.
    """
    out = np.zeros((feats.n, 2), dtype=np.float64)
    if feats.n == 0:
        return out
    starts = np.asarray(feats.starts, dtype=np.int64)
    ends = np.maximum(np.asarray(feats.ends, dtype=np.int64), starts + 1)
    total = chars.sum(axis=1, dtype=np.float64)
    bounds = np.empty(2 * feats.n, dtype=np.int64)
    bounds[0::2], bounds[1::2] = starts, ends
    peak = np.maximum.reduceat(total, np.minimum(bounds, len(total) - 1))[0::2]
    first = total[starts]
    share = np.divide(chars[starts].astype(np.float64), first[:, None],
                      out=np.zeros((feats.n, 2)), where=first[:, None] > 0)
    out[:] = share * peak[:, None]
    out[np.asarray(feats.is_space, dtype=bool)] = 0.0
    return out


__all__ = [
    "MODEL_DIR",
    "RawAttribution",
    "Taggers",
    "cue_marginals",
    "cue_spans",
    "load_taggers",
    "predict",
    "structural_content",
    "tag_cues",
    "tag_roles",
    "token_probs",
]
