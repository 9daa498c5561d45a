"""Credibility signals of one article, each reported on its own with the spans behind it.

The stage reads what earlier stages found (statements, actors, speech acts, evidence) and
the article itself, and adds :class:`~claimgraph.model.CredibilitySignal` objects:

* ``sourcing_named_share``, ``sourcing_anonymous_share``, ``sourcing_author_voice_share``:
  how the article's claims are sourced; ``sourcing_distinct_sources``: how many different
  speakers are quoted; ``sourcing_accused_response``: do accused actors get to respond?
* ``opinion_in_news``: evaluative words (subjective adjectives, intensifiers, predictions)
  in sentences the author states without attribution;
* ``template_residue``: traces of unattended machine-made sites, in the text and in the
  metadata blocks (author bio, ...), see :mod:`claimgraph.credibility.template_residue`;
* ``headline_support``: how well the best body sentence supports the headline, and which
  headline names never appear in the body;
* ``machine_generated_likelihood``: the detector of :mod:`claimgraph.credibility.machine_text`.

No overall verdict is computed: fact-checkers weigh the signals themselves. Every signal
degrades gracefully: when an earlier stage found nothing, its value is ``None`` and the
explanation says why. Output order is fixed.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from claimgraph.config import CredibilityConfig
from claimgraph.credibility.template_residue import KIND_LABELS, find_residue
from claimgraph.model import (
    ArticleAnalysis,
    BlockSpan,
    CredibilitySignal,
    EvidenceStatus,
    Span,
    SpeechActClass,
)
from claimgraph.nlp.token_strings import token_texts

if TYPE_CHECKING:
    from spacy.tokens import Doc

logger = logging.getLogger(__name__)

STAGE_NAME = "claimgraph.credibility.signals.v1"


def _section(config: Any) -> CredibilityConfig:
    section = getattr(config, "credibility", None)
    return section if isinstance(section, CredibilityConfig) else CredibilityConfig()


# ---------------------------------------------------------------------------
# Sourcing
# ---------------------------------------------------------------------------


def _share(part: int, total: int) -> float | None:
    return round(part / total, 4) if total else None


def sourcing_signals(analysis: ArticleAnalysis, *, max_spans: int = 25) -> list[CredibilitySignal]:
    """Named/anonymous/author-voice shares, distinct sources and accused-actor responses."""
    evidence = analysis.evidence
    named: list[Span] = []
    anonymous: list[Span] = []
    author: list[Span] = []
    if evidence:
        for item in evidence:
            statuses = set(item.statuses)
            if EvidenceStatus.AUTHOR_VOICE in statuses:
                author.append(item.claim)
            elif EvidenceStatus.ANONYMOUS in statuses:
                anonymous.append(item.claim)
            elif EvidenceStatus.ATTRIBUTED in statuses:
                named.append(item.claim)
        basis = f"{len(evidence)} claims from the evidence stage"
        total = len(evidence)
    else:
        for statement in analysis.statements:
            span = Span(
                start=statement.content.start,
                end=statement.content.end,
                text=statement.content.text,
            )
            (named if statement.speaker is not None else anonymous).append(span)
        total = len(analysis.statements)
        basis = (
            f"{total} attributed statements (no evidence stage output; author voice not counted)"
        )

    def shares(name: str, spans: list[Span], what: str) -> CredibilitySignal:
        value = _share(len(spans), total)
        text = (
            f"{len(spans)} of {basis} are {what}"
            if total
            else "no claims were found, so the share is undefined"
        )
        return CredibilitySignal(
            name=name, value=value, explanation=text, spans=sorted(spans, key=_span_key)[:max_spans]
        )

    signals = [
        shares("sourcing_named_share", named, "attributed to a named source"),
        shares(
            "sourcing_anonymous_share", anonymous, "attributed to an anonymous or unnamed source"
        ),
        shares("sourcing_author_voice_share", author, "stated in the author's own voice"),
    ]
    actor_names = {actor.id: actor.name for actor in analysis.actors}
    sources: dict[str, str] = {}
    for statement in analysis.statements:
        if statement.speaker is not None:
            key = statement.speaker.actor_id or statement.speaker.name.casefold()
            sources.setdefault(key, actor_names.get(key, statement.speaker.name))
    names = sorted(set(sources.values()))
    signals.append(
        CredibilitySignal(
            name="sourcing_distinct_sources",
            value=len(sources),
            explanation=(
                f"{len(sources)} distinct speakers quoted or paraphrased: {', '.join(names)}"
                if names
                else "no statement has a resolved speaker"
            ),
        )
    )
    signals.append(_accused_response(analysis, actor_names, max_spans=max_spans))
    return signals


def _accused_response(
    analysis: ArticleAnalysis, actor_names: dict[str, str], *, max_spans: int
) -> CredibilitySignal:
    accusations: dict[str, list[Span]] = {}
    for act in analysis.speech_acts:
        if act.act is SpeechActClass.ACCUSE_CRITICIZE and not act.negated:
            for target in act.target_actors:
                if target != act.source_actor:
                    accusations.setdefault(target, []).append(act.trigger)
    if not accusations:
        return CredibilitySignal(
            name="sourcing_accused_response",
            value=None,
            explanation="no accusation or criticism with an identified target was found",
        )
    speaking: set[str] = {a.source_actor for a in analysis.speech_acts if a.source_actor}
    speaking |= {
        s.speaker.actor_id for s in analysis.statements if s.speaker and s.speaker.actor_id
    }
    answered = sorted(t for t in accusations if t in speaking)
    silent = sorted(t for t in accusations if t not in speaking)
    spans = sorted({span for t in silent for span in accusations[t]}, key=_span_key)[:max_spans]

    def label(ids: list[str]) -> str:
        return ", ".join(actor_names.get(i, i) for i in ids) or "none"

    return CredibilitySignal(
        name="sourcing_accused_response",
        value=round(len(answered) / len(accusations), 4),
        explanation=(
            f"share of accused or criticised actors who speak in the article: "
            f"{len(answered)} of {len(accusations)}; given a voice: {label(answered)}; "
            f"not heard: {label(silent)} (spans: the accusations left unanswered)"
        ),
        spans=spans,
    )


def _span_key(span: Span) -> tuple[int, int]:
    return (span.start, span.end)


# ---------------------------------------------------------------------------
# Opinion in news: evaluative language in the author's own voice
# ---------------------------------------------------------------------------

#: Subjective adjectives and adverbs (a small general lexicon).
EVALUATIVE_WORDS: frozenset[str] = frozenset(
    """shocking outrageous disastrous brilliant terrible horrible awful absurd ridiculous
    disgraceful heroic alarming devastating stunning remarkable incredible blatant reckless
    shameful corrupt disgusting pathetic appalling brutal ruthless cynical baseless bogus
    dubious sinister notorious infamous glorious magnificent tragic catastrophic dire
    grim bleak fierce desperate aggressive hostile provocative controversial bizarre
    unacceptable irresponsible dishonest hypocritical deceptive misleading propaganda
    regime tyrant thug puppet crucial vital""".split()
)
#: Intensifiers and certainty adverbs.
INTENSIFIERS: frozenset[str] = frozenset(
    """very extremely highly deeply clearly obviously undoubtedly certainly truly utterly
    absolutely totally completely incredibly hugely massively seriously increasingly
    undeniably evidently surely""".split()
)
_PREDICTION = re.compile(
    r"\b(?:(?:is|are|was|were) (?:likely|bound|set|poised|sure) to"
    r"|(?:could|will|would|may|might) (?:well |potentially |likely )?"
    r"(?:lead|result|spark|trigger|escalate)"
    r"|potentially (?:leading|resulting|causing)"
    r"|appears? (?:to be )?(?:determined|poised|set|ready) to"
    r"|(?:continues?|continue) to escalate)\b",
    re.IGNORECASE,
)


def _attributed_ranges(analysis: ArticleAnalysis, text: str) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for statement in analysis.statements:
        ranges += [(p.start, p.end) for p in statement.content.pieces()]
        ranges.append((statement.cue.start, statement.cue.end))
    for item in analysis.evidence:
        if EvidenceStatus.AUTHOR_VOICE not in item.statuses:
            ranges.append((item.claim.start, item.claim.end))
    # quoted passages are somebody else's words even when attribution missed them
    ranges += [(m.start(), m.end()) for m in re.finditer(r"[\"“][^\"“”]{3,}[\"”]", text)]
    return ranges


def _coverage_mask(length: int, ranges: Sequence[tuple[int, int]]) -> bytearray:
    """One byte per character of the text: 1 where some range covers it."""
    mask = bytearray(length)
    for start, end in ranges:
        start, end = max(0, start), min(length, end)
        if end > start:
            mask[start:end] = b"\x01" * (end - start)
    return mask


def _covered(start: int, end: int, mask: bytearray) -> float:
    """Share of ``[start, end)`` covered according to ``mask``."""
    return mask[start:end].count(1) / max(end - start, 1)


#: Every word :func:`opinion_signal` can count.
_OPINION_WORDS = EVALUATIVE_WORDS | INTENSIFIERS


def opinion_signal(
    doc: Doc, analysis: ArticleAnalysis, *, max_spans: int = 25
) -> CredibilitySignal:
    """Share of author-voice sentences with evaluative language; spans are the words."""
    text = analysis.article.text
    ranges = _coverage_mask(len(text), _attributed_ranges(analysis, text))
    spans: list[Span] = []
    words: Counter[str] = Counter()
    author_sentences = 0
    evaluative_sentences = 0
    orths = token_texts(doc)
    for sent in doc.sents:
        if (
            not any(ch.isalpha() for ch in text[sent.start_char : sent.end_char])
            or _covered(sent.start_char, sent.end_char, ranges) > 0.5
        ):
            continue
        author_sentences += 1
        found: list[Span] = []
        for i in range(sent.start, sent.end):
            lower = orths[i].lower()
            if lower not in _OPINION_WORDS:
                continue  # no Token object for the words it cannot be
            token = doc[i]
            if _covered(token.idx, token.idx + len(token), ranges) > 0:
                continue
            if (lower in EVALUATIVE_WORDS and token.pos_ in ("ADJ", "ADV", "NOUN")) or (
                lower in INTENSIFIERS and token.pos_ == "ADV"
            ):
                found.append(Span.of(text, token.idx, token.idx + len(token)))
        for match in _PREDICTION.finditer(text, sent.start_char, sent.end_char):
            found.append(Span.of(text, match.start(), match.end()))
        if found:
            evaluative_sentences += 1
            spans += found
            words.update(s.text.lower() for s in found)
    if not author_sentences:
        return CredibilitySignal(
            name="opinion_in_news", value=None, explanation="no sentence in the author's own voice"
        )
    common = ", ".join(
        f"{w} ({n})" for w, n in sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
    )
    return CredibilitySignal(
        name="opinion_in_news",
        value=round(evaluative_sentences / author_sentences, 4),
        explanation=(
            f"{evaluative_sentences} of {author_sentences} unattributed sentences contain "
            f"evaluative words, intensifiers or predictions" + (f": {common}" if common else "")
        ),
        spans=sorted(spans, key=_span_key)[:max_spans],
    )


# ---------------------------------------------------------------------------
# Template residue
# ---------------------------------------------------------------------------


def residue_signal(analysis: ArticleAnalysis, *, max_spans: int = 25) -> CredibilitySignal:
    """Template residue in the text and in every metadata block (bios, comments, ...)."""
    article = analysis.article
    kinds: Counter[str] = Counter()
    where: dict[str, set[str]] = {}
    spans: list[Span] = []
    for hit in find_residue(article.text, bio=False):
        kinds[hit.kind] += 1
        where.setdefault(hit.kind, set()).add("text")
        spans.append(Span.of(article.text, hit.start, hit.end))
    block_spans: list[BlockSpan] = []
    for index, block in enumerate(article.metadata_blocks):
        for hit in find_residue(block.text, bio=block.kind in ("author_bio", "other")):
            kinds[hit.kind] += 1
            where.setdefault(hit.kind, set()).add(block.kind.replace("_", " "))
            block_spans.append(BlockSpan(block=index, start=hit.start, end=hit.end, text=hit.text))
    total = sum(kinds.values())
    if not total:
        explanation = (
            f"no empty template slots, placeholders, chatbot leftovers, generic bios or stock "
            f"closers in the text or its {len(article.metadata_blocks)} metadata blocks"
        )
    else:
        parts = [
            f"{KIND_LABELS[k]} x{n} ({', '.join(sorted(where[k]))})"
            for k, n in sorted(kinds.items())
        ]
        explanation = "template residue: " + "; ".join(parts)
    return CredibilitySignal(
        name="template_residue",
        value=total,
        explanation=explanation,
        spans=spans[:max_spans],
        block_spans=block_spans[:max_spans],
    )


# ---------------------------------------------------------------------------
# Headline versus body
# ---------------------------------------------------------------------------

_HEADLINE_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d+")


def _stem(word: str) -> str:
    return word.lower()[:5]  # crude, but the pipeline runs without a lemmatizer


def _weight(word: str) -> float:
    from wordfreq import zipf_frequency

    return max(0.5, 7.5 - float(zipf_frequency(word.lower(), "en")))


def _body_start(text: str, title: str | None) -> int:
    """Offset where the body starts (after a first line that repeats the headline)."""
    if not title:
        return 0
    stripped = text.lstrip()
    if stripped.startswith(title.strip()):
        return len(text) - len(stripped) + len(title.strip())
    return 0


def headline_signal(
    analysis: ArticleAnalysis,
    sentences: Sequence[tuple[int, int]],
    *,
    embeddings: bool = False,
) -> CredibilitySignal:
    """How well the body supports the headline; the span is the best-supporting sentence.

    Lexical mode: the share of the headline's content-word weight (rarer words weigh more)
    found in the best sentence; names in the headline absent from the whole body are
    listed. Embedding mode: the best MiniLM cosine between headline and a sentence.
    """
    from spacy.lang.en.stop_words import STOP_WORDS

    article = analysis.article
    title = (article.title or "").strip()
    text = article.text
    start = _body_start(text, title)
    body = [
        (s, s + len(text[s:e].rstrip())) for s, e in sentences if s >= start and text[s:e].strip()
    ]
    if not title or not body:
        return CredibilitySignal(
            name="headline_support",
            value=None,
            explanation="no headline" if not title else "no body sentences after the headline",
        )
    words = [w for w in _HEADLINE_WORD.findall(title) if w.lower() not in STOP_WORDS and len(w) > 2]
    stems = {_stem(w): _weight(w) for w in words}
    body_stems = {_stem(w) for w in _HEADLINE_WORD.findall(text[start:])}
    missing_words = sorted({w for w in words if _stem(w) not in body_stems})
    # in a Title Case headline capitals say nothing; otherwise they mark names
    title_case = sum(w[0].isupper() for w in words) >= 0.7 * max(len(words), 1) and len(words) > 2
    missing_names = [] if title_case else [w for w in missing_words if w[0].isupper()]
    total = sum(stems.values()) or 1.0
    coverage = sum(w for s, w in stems.items() if s in body_stems) / total
    if embeddings:
        from claimgraph.credibility.machine_text import load_embedder

        model = load_embedder()
        vectors = model.encode(
            [title, *(text[s:e] for s, e in body)],
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        scores = [float(vectors[0] @ v) for v in vectors[1:]]
        method = "MiniLM cosine between headline and sentence"
    else:
        scores = []
        for s, e in body:
            present = {_stem(w) for w in _HEADLINE_WORD.findall(text[s:e])}
            scores.append(sum(w for st, w in stems.items() if st in present) / total)
        method = (
            "share of the headline's content-word weight (rarer words weigh more) in the sentence"
        )
    best = max(range(len(scores)), key=lambda i: (scores[i], -i))
    s, e = body[best]
    explanation = (
        f"best-supporting body sentence scores {scores[best]:.2f} ({method}); "
        f"{coverage:.0%} of the headline's content-word weight appears somewhere in the body"
    )
    if missing_names:
        explanation += f"; headline names absent from the body: {', '.join(missing_names)}"
    elif missing_words:
        explanation += f"; headline words absent from the body: {', '.join(missing_words)}"
    return CredibilitySignal(
        name="headline_support",
        value=round(scores[best], 4),
        explanation=explanation,
        spans=[Span.of(text, s, e)],
    )


# ---------------------------------------------------------------------------
# Machine-generated text likelihood
# ---------------------------------------------------------------------------


#: The detector reads at most this many characters (about 400 words), cut at a paragraph or
#: sentence end: it was trained on ~150-word texts, its features are per-word rates that
#: settle well within this length, and the cost grows with the text.
DETECTOR_MAX_CHARS = 2500


def _detector_excerpt(text: str) -> str:
    if len(text) <= DETECTOR_MAX_CHARS:
        return text
    window = text[:DETECTOR_MAX_CHARS]
    for sep in ("\n\n", "\n", ". "):
        cut = window.rfind(sep, DETECTOR_MAX_CHARS // 2)
        if cut > 0:
            return window[: cut + len(sep)].rstrip()
    return window


def machine_text_signal(
    analysis: ArticleAnalysis, *, embeddings: bool = False, causal_lm: bool = False
) -> CredibilitySignal:
    """The detector's machine-generated likelihood for the article text."""
    from claimgraph.credibility.machine_text import load_detector, score_and_explain
    from claimgraph.errors import ModelError

    text = _detector_excerpt(analysis.article.text)
    try:
        detector = load_detector(embeddings=embeddings, causal_lm=causal_lm)
        score, cues = score_and_explain(text, detector=detector)
    except ModelError as err:
        logger.warning("machine-text detector unavailable: %s", err)
        return CredibilitySignal(
            name="machine_generated_likelihood",
            value=None,
            explanation=f"detector unavailable: {err}",
        )
    metrics = dict(detector.metrics)
    variant = (
        " + SmolLM2" if detector.uses_causal_lm else " + MiniLM" if detector.uses_embeddings else ""
    )
    lm_words = ", and token probabilities under SmolLM2-135M" if detector.uses_causal_lm else ""
    whole = len(text) == len(analysis.article.text)
    read = "" if whole else f" on the first {len(text)} characters"
    explanation = (
        f"detector {detector.name}{variant} scores {score:.2f}{read} "
        f"(logistic regression and boosted trees on stylometric, word-frequency and n-gram "
        f"features{lm_words}; held-out AUROC {metrics.get('heldout_auc', float('nan')):.2f} "
        f"on XSum news vs 2023 language models; a likelihood, not proof; it scores human "
        f"news of other outlets higher than BBC news, so compare articles of one outlet)"
    )
    if cues:
        direction = ", ".join(f"{name} {'+' if v > 0 else '-'}" for name, v in cues)
        explanation += f"; strongest cues: {direction}"
    return CredibilitySignal(
        name="machine_generated_likelihood", value=score, explanation=explanation
    )


# ---------------------------------------------------------------------------
# The stage
# ---------------------------------------------------------------------------


def credibility_signals(
    doc: Doc, analysis: ArticleAnalysis, *, config: CredibilityConfig | None = None
) -> list[CredibilitySignal]:
    """All credibility signals of one parsed article, in a fixed order."""
    options = config or CredibilityConfig()
    sentences = [(sent.start_char, sent.end_char) for sent in doc.sents]
    signals = sourcing_signals(analysis, max_spans=options.max_spans)
    signals.append(opinion_signal(doc, analysis, max_spans=options.max_spans))
    signals.append(residue_signal(analysis, max_spans=options.max_spans))
    signals.append(headline_signal(analysis, sentences, embeddings=options.headline_embeddings))
    if options.machine_text:
        signals.append(
            machine_text_signal(
                analysis,
                embeddings=options.machine_text_embeddings,
                causal_lm=options.machine_text_lm,
            )
        )
    return signals


def run_stage(doc: Doc, analysis: ArticleAnalysis, *, config: Any) -> ArticleAnalysis:
    """Pipeline stage: add the credibility signals to ``analysis`` (returns a new object)."""
    signals = credibility_signals(doc, analysis, config=_section(config))
    return analysis.model_copy(update={"credibility": [*analysis.credibility, *signals]})


__all__ = [
    "EVALUATIVE_WORDS",
    "INTENSIFIERS",
    "STAGE_NAME",
    "CredibilityConfig",
    "credibility_signals",
    "headline_signal",
    "machine_text_signal",
    "opinion_signal",
    "residue_signal",
    "run_stage",
    "sourcing_signals",
]
