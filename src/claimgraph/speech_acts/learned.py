"""The learned speech-act coder: a classifier over the rules' plain statements.

The rules (:func:`claimgraph.speech_acts.code_speech_acts`) find acts and their
arguments; a statement whose verb names no more specific act they code ASSERT, and on
unseen text that over-codes ASSERT.  With ``speech_acts.coder = "learned"`` this module
re-codes each *codable* ASSERT (:func:`codable_acts`: what the event scorer writes as an
event) as the most likely verbal class, ASSERT only when no other class is more likely:
a logistic regression over (act, class) pairs (:func:`pair_features`) of sparse binary
features of the act (:func:`act_features`: the trigger word and its parse context, the
rules' own code, the CAMEO dictionary classes of the words around it, the sentence's
other acts).  Acts the rules code more specifically keep their class
(:func:`candidates`); a re-coded act gets the class's root CAMEO code.

Weights are plain JSON (``models/speech_acts/weights.json``), fitted by
``python -m claimgraph.training.speech_acts``; nothing here imports scikit-learn.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimgraph.errors import ConfigError
from claimgraph.model import ArticleAnalysis, SpeechAct, SpeechActClass
from claimgraph.resources import SPEECH_ACTS_MODEL_DIR
from claimgraph.speech_acts import lexicon as lex

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

MODEL_NAME = "claimgraph.speech_acts.logreg.v1"
#: Acts below this confidence are not written as events (statement-only ASSERTs and
#: acts the learned coder codes ``NONE``).
MIN_CONFIDENCE = 0.6
#: The label for "not a codable event".
NONE = "NONE"
#: Modalities whose acts are reported, not asserted: never written as events.
SKIP_MODALITIES = frozenset({"denied", "alleged", "conditional"})
PRONOUNS = frozenset("he she it they we i you who this that".split())
#: Root CAMEO code written for an act the learned coder moves to another class.
CLASS_ROOTS: dict[str, str] = {
    "ASSERT": "010",
    "APPEAL_REQUEST": "020",
    "INTEND": "030",
    "CONSULT": "040",
    "COOPERATE_PRAISE": "050",
    "ACCUSE_CRITICIZE": "112",
    "REJECT_DENY": "120",
    "THREATEN": "130",
    "PROTEST": "140",
    "CLAIM_RESPONSIBILITY": "015",
    "OTHER": "190",
}
_CHILD_DEPS = frozenset({"xcomp", "ccomp", "dobj", "prep", "advcl", "attr", "acomp", "dative"})
_CONTENT_POS = frozenset({"NOUN", "VERB", "ADJ"})


# ---------------------------------------------------------------------------
# Which acts are codable events
# ---------------------------------------------------------------------------


def codable_acts(analysis: ArticleAnalysis) -> list[SpeechAct]:
    """The acts of ``analysis`` that are written as events, in order.

    Negated acts, acts in a denial, allegation or condition, and acts below
    :data:`MIN_CONFIDENCE` are not.  A plain statement (CAMEO ``010``) is not when its
    speaker or statement reports a more specific act of the sentence (CAMEO codes the
    most specific act, not the report around it), or when nobody in particular makes it.
    """
    kept = [
        a
        for a in analysis.speech_acts
        if not a.negated and a.modality not in SKIP_MODALITIES and a.confidence >= MIN_CONFIDENCE
    ]
    reporters: set[str] = set()
    statements: set[str] = set()
    for act in kept:
        if act.act is not SpeechActClass.ASSERT:
            if act.attributed_by:
                reporters.add(act.attributed_by)
            if act.attributed_by_span is not None:
                reporters.add(act.attributed_by_span.text)
            if act.statement_id:
                statements.add(act.statement_id)
    out: list[SpeechAct] = []
    for act in kept:
        source_words = act.source_span.text if act.source_span is not None else None
        if act.act is SpeechActClass.ASSERT and (act.cameo or "").startswith("010"):
            keys = {act.source_actor, source_words, act.statement_id} - {None}
            if keys & (reporters | statements):
                continue
            if not source_words or source_words.lower() in PRONOUNS:
                continue
        out.append(act)
    return out


# ---------------------------------------------------------------------------
# Features
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def word_class(base: str) -> str | None:
    """The coarse class the CAMEO dictionaries give a base form, if any."""
    code = lex.VERB_CODES.get(base) or lex.NOUN_CODES.get(base) or lex.MATERIAL_CODES.get(base)
    if code is None:
        return None
    cls = lex.cameo_class(code)
    return cls.value if cls is not None else None


def _base(token: Token) -> str:
    return lex.base_form(token.lower_)


def _trigger_token(doc: Doc, act: SpeechAct) -> Token | None:
    span = doc.char_span(act.trigger.start, act.trigger.end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    return span.root


#: Feature groups; a model records which it was fitted with.
GROUPS: tuple[str, ...] = ("rule", "trigger", "context", "arguments", "sentence", "dictionary",
                           "words")


def act_features(
    doc: Doc, act: SpeechAct, others: Sequence[SpeechAct], groups: Sequence[str] = GROUPS
) -> dict[str, float]:
    """Sparse binary features of one codable ``act`` among the ``others`` of its text."""
    feats: dict[str, float] = {"bias": 1.0}
    on = set(groups)
    token = _trigger_token(doc, act)
    if "rule" in on:
        feats[f"rule={act.act.value}"] = 1.0
        code = act.cameo or ""
        feats[f"root={code[:2]}"] = 1.0
        feats[f"code={code[:3]}"] = 1.0
        feats[f"conf={round(act.confidence, 1)}"] = 1.0
        if act.modality:
            feats[f"mod={act.modality}"] = 1.0
    if token is not None and "trigger" in on:
        base = _base(token)
        feats[f"trig={base}"] = 1.0
        feats[f"trig_pos={token.pos_}"] = 1.0
        feats[f"trig_dep={token.dep_}"] = 1.0
        feats[f"trig_tag={token.tag_}"] = 1.0
        cls = word_class(base)
        feats[f"trig_cls={cls}"] = 1.0
    if token is not None and "context" in on:
        head = token.head
        if head.i != token.i:
            feats[f"head={_base(head)}"] = 1.0
            feats[f"head_cls={word_class(_base(head))}"] = 1.0
        for child in token.children:
            if child.dep_ in ("aux", "auxpass", "neg"):
                feats[f"aux={child.lower_}"] = 1.0
            elif child.dep_ in _CHILD_DEPS:
                target = child
                if child.dep_ == "prep":
                    feats[f"prep={child.lower_}"] = 1.0
                    objs = [c for c in child.children if c.dep_ == "pobj"]
                    if not objs:
                        continue
                    target = objs[0]
                feats[f"c_{child.dep_}={_base(target)}"] = 1.0
                cls = word_class(_base(target))
                if cls is not None:
                    feats[f"c_{child.dep_}_cls={cls}"] = 1.0
                for grand in target.children:
                    if grand.dep_ in ("aux", "neg") and grand.lower_ != "to":
                        feats[f"c_{child.dep_}_aux={grand.lower_}"] = 1.0
    if "arguments" in on:
        source = act.source_span.text.lower() if act.source_span is not None else ""
        feats["src" if source else "no_src"] = 1.0
        if source in PRONOUNS:
            feats["src_pron"] = 1.0
        if act.source_actor:
            feats["src_actor"] = 1.0
        if act.target_actors or act.target_spans:
            feats["tgt"] = 1.0
        if act.target_actors:
            feats["tgt_actor"] = 1.0
        if act.attributed_by_span is not None:
            feats["reported"] = 1.0
        if act.statement_id:
            feats["statement"] = 1.0
    if "sentence" in on:
        classes = [o.act.value for o in others if o.id != act.id]
        feats[f"n_others={min(len(classes), 3)}"] = 1.0
        for cls in classes:
            feats[f"other={cls}"] = 1.0
    if token is not None and ("dictionary" in on or "words" in on):
        sent = token.sent
        for tok in sent:
            if tok.i == token.i or tok.pos_ not in _CONTENT_POS:
                continue
            base = _base(tok)
            if "dictionary" in on:
                cls = word_class(base)
                if cls is not None:
                    feats[f"dict={cls}"] = 1.0
            if "words" in on:
                feats[f"w={base}"] = 1.0
    return feats


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------


#: Candidate labels: the coarse classes and ``NONE``.
LABELS: tuple[str, ...] = (*CLASS_ROOTS, NONE)


def pair_features(feats: dict[str, float], label: str) -> dict[str, float]:
    """Features of (act, candidate ``label``): each act feature conjoined with the label,
    and, shared by all labels, whether a class-valued act feature (the rules' class, the
    dictionary class of the trigger, of its head or complements, of the sentence's words)
    names this label.  The shared ones let evidence for a class learned on one class carry
    over to classes with few training examples."""
    out: dict[str, float] = {}
    for name, value in feats.items():
        out[f"{label}|{name}"] = value
        key, eq, val = name.partition("=")
        if eq and val == label:
            out[f"agree:{key}"] = value
    return out


def candidates(rule_class: str) -> tuple[str, ...]:
    """The labels the coder may give an act the rules coded ``rule_class``: a plain
    statement (ASSERT) may become any verbal class, because the rules code a statement
    ASSERT whenever they found no more specific act; any other act keeps its class.

    Also tried, and worse in leave-one-origin-out CV on DEV (docs/quality.md): letting
    the coder drop acts (``NONE``) or move ASSERT to OTHER."""
    if rule_class == "ASSERT":
        return tuple(c for c in LABELS if c not in (NONE, "OTHER"))
    return (rule_class,)


@dataclass(frozen=True)
class ActModel:
    """A fitted logistic regression over (act, label) pairs; the label with the highest
    score wins (a conditional logit: the probabilities are a softmax over the labels)."""

    labels: tuple[str, ...]
    weights: dict[str, float]
    intercept: float = 0.0
    groups: tuple[str, ...] = GROUPS
    training: dict[str, Any] | None = None

    def probabilities(self, feats: dict[str, float], rule_class: str) -> dict[str, float]:
        """P(label) over the :func:`candidates` of an act the rules coded ``rule_class``."""
        labels = [c for c in candidates(rule_class) if c in self.labels]
        scores = []
        for label in labels:
            score = self.intercept
            for name, value in pair_features(feats, label).items():
                score += self.weights.get(name, 0.0) * value
            scores.append(score)
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {c: e / total for c, e in zip(labels, exps, strict=True)}

    def to_json(self) -> dict[str, Any]:
        return {
            "model": MODEL_NAME,
            "labels": list(self.labels),
            "groups": list(self.groups),
            "intercept": round(self.intercept, 5),
            "weights": {k: round(v, 5) for k, v in sorted(self.weights.items())},
            "training": self.training or {},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ActModel:
        try:
            labels = tuple(str(c) for c in data["labels"])
            weights = {str(k): float(v) for k, v in data["weights"].items()}
            intercept = float(data.get("intercept", 0.0))
            groups = tuple(str(g) for g in data.get("groups", GROUPS))
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise ConfigError(f"malformed speech-act model: {err}") from err
        unknown = set(labels) - set(LABELS)
        if unknown or not labels:
            raise ConfigError(f"malformed speech-act model: unknown labels {sorted(unknown)}")
        return cls(labels, weights, intercept, groups, dict(data.get("training") or {}))


@functools.lru_cache(maxsize=4)
def load_model(path: str | None = None) -> ActModel:
    """The model at ``path`` (JSON), or the one shipped in the package."""
    file = Path(path) if path else SPEECH_ACTS_MODEL_DIR / "weights.json"
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ConfigError(f"cannot read the speech-act model {file}: {err}") from err
    return ActModel.from_json(data)


def recode(
    doc: Doc,
    analysis: ArticleAnalysis,
    model: ActModel,
    *,
    features: Sequence[dict[str, float]] | None = None,
) -> list[SpeechAct]:
    """The acts of ``analysis`` with each codable act re-coded by ``model``.

    ``features`` may hold the precomputed :func:`act_features` of the codable acts, in order.
    """
    codable = codable_acts(analysis)
    if features is None:
        features = [act_features(doc, act, codable, model.groups) for act in codable]
    decided: dict[str, SpeechAct] = {}
    for act, feats in zip(codable, features, strict=True):
        probs = model.probabilities(feats, act.act.value)
        label = max(probs, key=lambda c: probs[c])
        if label == NONE:
            confidence = min(act.confidence, round(1.0 - probs[NONE], 4), MIN_CONFIDENCE - 0.01)
            decided[act.id] = act.model_copy(update={"confidence": max(0.0, confidence)})
        elif label != act.act.value:
            decided[act.id] = act.model_copy(
                update={
                    "act": SpeechActClass(label),
                    "cameo": CLASS_ROOTS[label],
                    "confidence": round(max(MIN_CONFIDENCE, probs[label]), 4),
                }
            )
    # A report the rules' filter left out (around a more specific act) stays out of the
    # events whatever the coder did to the act it reports.
    kept = {a.id for a in codable}
    out = []
    for act in analysis.speech_acts:
        if act.id in decided:
            out.append(decided[act.id])
        elif (
            act.confidence >= MIN_CONFIDENCE
            and not act.negated
            and act.modality not in SKIP_MODALITIES
            and act.id not in kept
        ):
            out.append(act.model_copy(update={"confidence": MIN_CONFIDENCE - 0.01}))
        else:
            out.append(act)
    return out


__all__ = [
    "CLASS_ROOTS",
    "GROUPS",
    "LABELS",
    "MIN_CONFIDENCE",
    "MODEL_NAME",
    "NONE",
    "ActModel",
    "act_features",
    "codable_acts",
    "load_model",
    "pair_features",
    "recode",
]
