"""The attribution second stage: re-ranking sources and dropping unlikely attributions.

The role tagger labels source tokens jointly with content, and the post-processing
fallbacks (:mod:`.postprocess`) fill gaps from the parse; both miss when the parse is off or
the tagger's best path skips a likely source.  Here every attribution gets a small set of
candidates — its current source, "no source", and the noun phrases and pronouns of the cue's
sentence and the one before (each as the phrase up to its head and as its whole subtree) —
and a logistic model over their features picks one:

* how the role tagger scored the candidate's tokens as source (marginal ``P(S)``);
* how it sits relative to the cue: tree relation (subject, agent, governor's subject ...),
  side, distance, sentence offset, overlap with the content, quotation state;
* what it is: head tag, entity type, pronoun, length, which fallback proposed it.

A second logistic model then scores each finished attribution (cue and role tagger
confidences, cue word, tag and dependency, content length and quotation share, whether it
has a source) and drops those unlikely to be right.

Both are fitted on out-of-fold predictions (:mod:`.rerank_train`, run by
``python -m claimgraph.training.attribution``) and stored as ``reranker.json`` beside the
taggers; without that file the stage is skipped.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimgraph.attribution.features import DocFeatures, cue_head, tree_relations
from claimgraph.attribution.tagger import RawAttribution, _subtree_tokens
from claimgraph.errors import ModelError

#: File of the second-stage weights inside an attribution model directory.
RERANKER = "reranker.json"

_NOMINAL_TAGS = frozenset({"NN", "NNS", "NNP", "NNPS", "PRP", "WP", "CD", "DT"})
_SKIP_DEPS = frozenset({"compound", "poss", "det", "nummod", "amod", "npadvmod"})
_PUNCT_EDGE = frozenset({",", ";", ":", "-", "—", "–", "(", ")", '"', "“", "”", "''", "``"})


@dataclass(frozen=True)
class Candidate:
    """One possible source: token indices (empty = no source) and what proposed it."""

    tokens: tuple[int, ...]
    origins: frozenset[str]


def _trim(feats: DocFeatures, tokens: list[int]) -> tuple[int, ...]:
    toks = sorted(i for i in tokens if not feats.is_space[i])
    while toks and feats.lower[toks[0]] in _PUNCT_EDGE:
        toks.pop(0)
    while toks and feats.lower[toks[-1]] in _PUNCT_EDGE:
        toks.pop()
    return tuple(toks)


def _left_chunk(feats: DocFeatures, head: int) -> list[int]:
    """The head and its left dependents' subtrees (spaCy's noun-chunk shape)."""
    out = [head]
    for c in feats.children[head]:
        if c < head:
            out.extend(_subtree_tokens(feats, c))
    return out


def candidates(
    feats: DocFeatures,
    cue: tuple[int, int],
    content: Sequence[int],
    proposals: dict[str, tuple[int, ...]],
) -> list[Candidate]:
    """Candidate sources of one attribution.

    ``proposals`` maps an origin name ("chosen", "tagged", "weak", "subject", ...) to the
    tokens it proposed; they are kept as candidates beside the nominal phrases of the cue's
    sentence and the previous one, and "no source".
    """
    found: dict[tuple[int, ...], set[str]] = {(): {"none"}}
    for origin, toks in proposals.items():
        if toks:
            found.setdefault(tuple(sorted(toks)), set()).add(origin)
    k = feats.sent_of[cue[0]]
    lo = feats.sent_bounds[max(0, k - 1)][0]
    hi = feats.sent_bounds[k][1]
    inside = set(content)
    for i in range(lo, hi):
        if feats.is_space[i] or i in inside or cue[0] <= i < cue[1]:
            continue
        if feats.tags[i] not in _NOMINAL_TAGS or feats.deps[i] in _SKIP_DEPS:
            continue
        if feats.tags[i] in ("CD", "DT") and feats.deps[i] not in ("nsubj", "nsubjpass"):
            continue
        shapes = (("chunk", _left_chunk(feats, i)), ("subtree", _subtree_tokens(feats, i)))
        for shape, phrase in shapes:
            outside = [t for t in phrase if t not in inside and not cue[0] <= t < cue[1]]
            trimmed = _trim(feats, outside)
            if trimmed and len(trimmed) <= 40:
                found.setdefault(trimmed, set()).add(shape)
    return [Candidate(toks, frozenset(origins)) for toks, origins in found.items()]


def _bucket(n: int, edges: Sequence[int]) -> str:
    for edge in edges:
        if n <= edge:
            return str(edge)
    return f">{edges[-1]}"


def candidate_features(
    feats: DocFeatures,
    cue: tuple[int, int],
    content: Collection[int],
    cand: Candidate,
    source_prob: dict[int, float],
    relations: dict[int, str],
) -> dict[str, float]:
    """Sparse features of one candidate (binary unless named ``*_p``); ``content`` is
    the attribution's content tokens (a set is fastest)."""
    # sorted: the order of the score's sum must not depend on the hash seed
    out: dict[str, float] = {f"o={o}": 1.0 for o in sorted(cand.origins)}
    head = cue_head(feats, cue)
    cue_tag = feats.tags[head]
    if not cand.tokens:
        out["none"] = 1.0
        out["none|cuetag=" + cue_tag] = 1.0
        out["none|maxp_p"] = max(source_prob.values(), default=0.0)
        has_subj = any(feats.deps[c] in ("nsubj", "nsubjpass") for c in feats.children[head])
        out["none|subj=" + str(has_subj)] = 1.0
        return out
    toks = cand.tokens
    members = set(toks)
    chead = next((t for t in toks if feats.heads[t] not in members or feats.heads[t] == t), toks[0])
    probs = [source_prob.get(t, 0.0) for t in toks]
    out["mean_p"] = sum(probs) / len(probs)
    out["max_p"] = max(probs)
    out["head_p"] = source_prob.get(chead, 0.0)
    # tokens around the candidate the tagger also likes: is the candidate too short?
    edge = [source_prob.get(toks[0] - 1, 0.0), source_prob.get(toks[-1] + 1, 0.0)]
    out["edge_p"] = max(edge)
    rel = relations.get(chead, "none")
    out["rel=" + rel] = 1.0
    side = "L" if toks[-1] < cue[0] else ("R" if toks[0] >= cue[1] else "X")
    dist = cue[0] - toks[-1] if side == "L" else (toks[0] - cue[1] + 1 if side == "R" else 0)
    out["side=" + side] = 1.0
    out["rel|side=" + rel + "|" + side] = 1.0
    out["dist=" + side + _bucket(dist, (1, 2, 4, 8, 16))] = 1.0
    out["sent=" + str(feats.sent_of[chead] - feats.sent_of[cue[0]])] = 1.0
    out["tag=" + feats.tags[chead]] = 1.0
    ent = feats.ents[chead]
    out["ent=" + (ent or "-")] = 1.0
    if feats.tags[chead] in ("PRP", "WP"):
        out["pron=" + feats.lower[chead]] = 1.0
    out["len=" + _bucket(len(toks), (1, 2, 4, 8, 16))] = 1.0
    if not members.isdisjoint(content):
        out["in_content"] = 1.0
    if feats.inquote[chead]:
        out["inquote"] = 1.0
    out["cuetag=" + cue_tag + "|" + rel] = 1.0
    return out


def attribution_features(
    feats: DocFeatures, raw: RawAttribution, source: Sequence[int]
) -> dict[str, float]:
    """Features of one finished attribution for the keep/drop model."""
    head = cue_head(feats, raw.cue)
    words = [i for i in raw.content if feats.is_word[i]]
    quoted = sum(1 for i in words if feats.inquote[i]) / max(len(words), 1)
    return {
        "cue_p": raw.cue_confidence,
        "role_p": raw.role_confidence,
        "conf_p": raw.cue_confidence * raw.role_confidence,
        "cw=" + feats.lower[head]: 1.0,
        "ct=" + feats.tags[head]: 1.0,
        "cd=" + feats.deps[head]: 1.0,
        "clen=" + str(min(len(words) // 5, 6)): 1.0,
        "src=" + str(bool(source)): 1.0,
        "q=" + str(round(quoted, 1)): 1.0,
        "cuelen=" + str(min(raw.cue[1] - raw.cue[0], 4)): 1.0,
    }


def _logit(weights: dict[str, float], feats: dict[str, float]) -> float:
    return sum(weights.get(k, 0.0) * v for k, v in feats.items())


@dataclass(frozen=True)
class Reranker:
    """The second stage: a source re-ranker and a keep/drop model over attributions.

    ``source_weights`` score candidates (:func:`candidate_features`); the best one replaces
    the post-processing's choice when it scores at least ``source_margin`` higher.
    ``keep_weights`` give ``P(the attribution is right)`` from :func:`attribution_features`
    (with a ``bias`` term); attributions below ``keep_threshold`` are dropped.
    """

    source_weights: dict[str, float]
    source_margin: float
    keep_weights: dict[str, float]
    keep_threshold: float

    def choose(
        self,
        feats: DocFeatures,
        cue: tuple[int, int],
        content: Sequence[int],
        chosen: tuple[int, ...],
        proposals: dict[str, tuple[int, ...]],
        source_prob: dict[int, float],
    ) -> tuple[int, ...]:
        """The source to keep for one attribution (``chosen`` unless clearly beaten)."""
        chosen = tuple(sorted(chosen))
        cands = candidates(feats, cue, content, {"chosen": chosen, **proposals})
        relations = tree_relations(feats, cue)
        inside = frozenset(content)
        best_tokens, best_score, chosen_score = chosen, -math.inf, -math.inf
        for cand in cands:
            s = _logit(
                self.source_weights,
                candidate_features(feats, cue, inside, cand, source_prob, relations),
            )
            if cand.tokens == chosen:
                chosen_score = s
            if s > best_score:
                best_tokens, best_score = cand.tokens, s
        if best_score >= chosen_score + self.source_margin:
            return best_tokens
        return chosen

    def keep_probability(self, feats: DocFeatures, raw: RawAttribution) -> float:
        """``P(right)`` of one finished attribution."""
        x = attribution_features(feats, raw, raw.source)
        x["bias"] = 1.0
        z = max(-30.0, min(30.0, _logit(self.keep_weights, x)))
        return 1.0 / (1.0 + math.exp(-z))

    def keep(self, feats: DocFeatures, raw: RawAttribution) -> bool:
        """Whether to keep one finished attribution."""
        return self.keep_probability(feats, raw) >= self.keep_threshold

    def to_json(self) -> dict[str, Any]:
        """The JSON form stored in ``reranker.json``."""

        def clean(weights: dict[str, float]) -> dict[str, float]:
            return {k: round(v, 6) for k, v in sorted(weights.items()) if v}

        return {
            "source_margin": self.source_margin,
            "source_weights": clean(self.source_weights),
            "keep_threshold": self.keep_threshold,
            "keep_weights": clean(self.keep_weights),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reranker:
        """Build from :meth:`to_json` output; raises :class:`ModelError` when malformed."""
        try:
            return cls(
                source_weights={str(k): float(v) for k, v in data["source_weights"].items()},
                source_margin=float(data["source_margin"]),
                keep_weights={str(k): float(v) for k, v in data["keep_weights"].items()},
                keep_threshold=float(data["keep_threshold"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise ModelError(f"malformed attribution reranker: {err!r}") from err


@functools.lru_cache(maxsize=4)
def load_reranker(model_dir: str) -> Reranker | None:
    """The reranker stored in ``model_dir``, or ``None`` when it has none."""
    path = Path(model_dir) / RERANKER
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot read {path}: {err}") from err
    if not isinstance(data, dict):
        raise ModelError(f"malformed attribution reranker {path}: not a JSON object")
    return Reranker.from_json(data)


__all__ = [
    "RERANKER",
    "Candidate",
    "Reranker",
    "attribution_features",
    "candidate_features",
    "candidates",
    "load_reranker",
]
