"""Evidence stage: on what evidence does each claim rest?

One :class:`~claimgraph.model.ClaimEvidence` is made for every statement and for every
claim the writer asserts without a source (author voice).  A claim can carry several
statuses, each with the spans that justify it:

* ``attributed``: a named source (a resolved actor, or a source span with a name);
* ``anonymous``: "officials", "sources", "critics", "experts", or no source at all
  behind a reporting construction ("it was reported that ...");
* ``hedged``: an epistemic hedge governs the claim ("allegedly", "may have", "appears",
  "reportedly"): its certainty reading (:func:`claimgraph.evidence.certainty.read`, the
  one ``claimgraph eval hedging`` scores) is ``hedged``; the hedge cues are kept in
  ``hedges``;
* ``unsupported``: the text says no evidence backs it ("no evidence has been
  provided", "without offering proof", "unsubstantiated"); an anaphoric "these claims"
  links the remark to the statements before it;
* ``denied``: another actor denies or rejects it (a REJECT_DENY speech act, a statement
  whose cue is deny/reject/dismiss, or such a verb in the parse) and the denial is about
  this claim: it overlaps the claim, or the claim accuses the denier, or the denial
  targets the claimant's side; denier actor ids go in ``denied_by`` and the denying words
  in ``denials``;
* ``author_voice``: the writer asserts it: sentences with evaluative, predictive or
  speculative language that no statement covers, and sourceless statements that are
  not reports ("The regime appears determined to ...").

The rules live in one module per status family: :mod:`~claimgraph.evidence.hedges`
(hedge cues and their scope), :mod:`~claimgraph.evidence.unsupported`,
:mod:`~claimgraph.evidence.denials`; this module decides the source statuses and the
author's voice and puts the claims together.  Lexicons are general English
(:mod:`~claimgraph.evidence.claims`); nothing here depends on one article's wording.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from claimgraph.evidence.certainty import (
    CertaintyModel,
    HedgeReader,
    hedge_reader,
    load_model,
    read,
)
from claimgraph.evidence.claims import (
    ANONYMOUS_NOUNS,
    CONCLUSION_MARKERS,
    CONCLUSION_PATTERNS,
    EVALUATIVE_WORDS,
    ActorIndex,
    Claim,
    segments,
    sentence_span,
    tokens_between,
)
from claimgraph.evidence.denials import collect_denials, denies
from claimgraph.evidence.unsupported import link_unsupported
from claimgraph.model import (
    ArticleAnalysis,
    ClaimEvidence,
    EvidenceStatus,
    Span,
    SpeechActClass,
    Statement,
    stable_id,
)
from claimgraph.nlp.token_strings import token_lowers, token_pos
from claimgraph.spans import SpanIndex

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as DocSpan

    from claimgraph.config import Config

logger = logging.getLogger(__name__)

STAGE_NAME = "claimgraph.evidence.rules.v1"

# ---------------------------------------------------------------------------
# Sources: attributed, anonymous, author voice
# ---------------------------------------------------------------------------


def _is_report_construction(doc: Doc, statement: Statement) -> bool:
    """A sourceless report: passive "it was reported", "reportedly", "according to reports"."""
    for token in tokens_between(doc, statement.cue.start, statement.cue.end):
        if any(c.dep_ in ("auxpass", "nsubjpass") for c in token.children):
            return True
        if token.lower_ in ("reportedly", "reports", "report", "sources", "rumours", "rumors"):
            return True
    return False


def _cue_subject(doc: Doc, statement: Statement) -> Token | None:
    """The subject of the cue verb, or of the verb it is conjoined to ("X went, claims")."""
    for token in tokens_between(doc, statement.cue.start, statement.cue.end):
        if token.pos_ not in ("VERB", "AUX"):
            continue
        for verb in (token, token.head) if token.dep_ == "conj" else (token,):
            subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subj is not None:
                return subj
    return None


def _phrases(text: str, tokens: list[Token]) -> list[Span]:
    """Adjacent tokens merged into one span each."""
    out: list[list[int]] = []
    for token in sorted(tokens, key=lambda t: t.i):
        end = token.idx + len(token.text)
        if out and token.i == out[-1][2] + 1:
            out[-1][1], out[-1][2] = end, token.i
        else:
            out.append([token.idx, end, token.i])
    return [Span.of(text, s, e) for s, e, _ in out]


def _source_status(
    doc: Doc, text: str, statement: Statement, act_sources: dict[str, str]
) -> tuple[EvidenceStatus, Span]:
    source = statement.source
    speaker = statement.speaker
    if source is None:
        if speaker is not None and speaker.actor_id and speaker.method != "none":
            return EvidenceStatus.ATTRIBUTED, statement.cue
        if statement.id in act_sources:  # a speech act found its source ("X denied and
            return EvidenceStatus.ATTRIBUTED, statement.cue  # dismissed ...")
        subject = _cue_subject(doc, statement)
        if subject is not None:
            subj_span = Span.of(text, subject.left_edge.idx,
                                subject.right_edge.idx + len(subject.right_edge))
            if subject.lower_ in ("i", "we", "me", "us"):
                return EvidenceStatus.AUTHOR_VOICE, subj_span
            if subject.pos_ == "PROPN" or subject.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
                return EvidenceStatus.ATTRIBUTED, subj_span
        if _is_report_construction(doc, statement):
            return EvidenceStatus.ANONYMOUS, statement.cue
        return EvidenceStatus.AUTHOR_VOICE, statement.cue
    tokens = tokens_between(doc, source.start, source.end)
    heads = [t for t in tokens if t.head.i == t.i or not (source.start <= t.head.idx < source.end)]
    head = heads[0] if heads else None
    named = any(t.ent_type_ in ("PERSON", "ORG") for t in tokens)
    pronoun = head is not None and head.pos_ == "PRON"
    if head is not None and head.lower_ in ANONYMOUS_NOUNS and not named:
        return EvidenceStatus.ANONYMOUS, source
    if named or pronoun or (speaker is not None and speaker.actor_id) or any(
        t.pos_ == "PROPN" for t in tokens
    ):
        return EvidenceStatus.ATTRIBUTED, source
    if head is not None and head.tag_ == "NN" and any(
        c.dep_ in ("det", "poss") and c.lower_ not in ("a", "an", "some", "one")
        for c in head.children
    ):
        return EvidenceStatus.ATTRIBUTED, source  # "the senator": one specific person
    return EvidenceStatus.ANONYMOUS, source


def _author_voice_cues(sent: DocSpan, text: str) -> list[Token]:
    """Evaluative, predictive or speculative words of a sentence (empty: plain fact);
    ``text`` is the text the sentence's ``Doc`` parses.

    Reads the words and parts of speech from the ``Doc``'s cached columns
    (:mod:`claimgraph.nlp.token_strings`): ``Token`` objects only for the cues.
    """
    sent_text = text[sent.start_char : sent.end_char]
    if sent_text.rstrip().endswith("?"):
        return []
    doc = sent.doc
    lowers, parts = token_lowers(doc), token_pos(doc)
    has_verb = False
    cues: set[int] = set()
    for i in range(sent.start, sent.end):
        lower = lowers[i]
        if lower == "my" or (lower in ("i", "me") and doc[i].tag_ == "PRP"):
            return []  # the writer speaking about themselves, not about the world
        if parts[i] in ("VERB", "AUX"):
            has_verb = True
        if lower in EVALUATIVE_WORDS:
            cues.add(i)
    if not has_verb:
        return []
    for marker in CONCLUSION_PATTERNS:
        found = marker.search(sent_text)
        if found is not None:
            pos, end = found.span()
            cues.update(t.i for t in sent if pos <= t.idx - sent.start_char < end)
    return [doc[i] for i in sorted(cues)]


# ---------------------------------------------------------------------------
# The stage
# ---------------------------------------------------------------------------


def assess_evidence(doc: Doc, analysis: ArticleAnalysis, *,
                    model: CertaintyModel | None = None,
                    hedges_by: HedgeReader | None = None) -> list[ClaimEvidence]:
    """The evidence status of every statement and author-voice claim of one article.

    ``doc`` is the parse of ``analysis.article.text``; statements, actors and speech acts
    are used when earlier stages filled them.  A claim is ``hedged`` when its certainty
    reading (:func:`claimgraph.evidence.certainty.read`, with ``model`` or the packaged
    certainty model, and hedges found by ``hedges_by`` or the packaged claim-hedge model)
    is.  Returns items sorted by claim offsets.
    """
    text = analysis.article.text
    article_id = analysis.article.id
    actors = ActorIndex(list(analysis.actors))
    statements = sorted(analysis.statements, key=lambda s: (s.cue.start, s.id))
    accusing = {a.statement_id for a in analysis.speech_acts
                if a.act is SpeechActClass.ACCUSE_CRITICIZE and a.statement_id and not a.negated}
    act_sources = {a.statement_id: a.source_actor for a in analysis.speech_acts
                   if a.statement_id and a.source_actor}
    claims: list[Claim] = []
    for statement in statements:
        span = Span(start=statement.content.start, end=statement.content.end,
                    text=statement.content.text)
        claim = Claim(span=span, statement=statement)
        status, justification = _source_status(doc, text, statement, act_sources)
        claim.add(status, [justification])
        reading = read(doc, span.start, span.end, text=text, model=model, hedges_by=hedges_by,
                       cue=(statement.cue.start, statement.cue.end))
        if reading.label == "hedged":
            claim.hedges = reading.hedges
            claim.add(EvidenceStatus.HEDGED, reading.hedges)
        claims.append(claim)
    covered = SpanIndex(
        [(s.content.start, s.content.end, None) for s in statements]
        + [(s.cue.start, s.cue.end, None) for s in statements]
    )
    for sent in segments(doc):
        rng = (sent.start_char, sent.end_char)
        cues = _author_voice_cues(sent, text)
        if not cues:
            continue
        lowered = text[sent.start_char : sent.end_char].lower()
        concluding = any(lowered.startswith(m) for m in CONCLUSION_MARKERS)
        if covered.overlapping(*rng) and not concluding:
            continue
        span = sentence_span(text, sent)
        claim = Claim(span=span, statement=None)
        claim.add(EvidenceStatus.AUTHOR_VOICE, _phrases(text, cues))
        reading = read(doc, span.start, span.end, text=text, model=model, hedges_by=hedges_by,
                       sentence=(sent.start_char, sent.end_char))
        if reading.label == "hedged":
            claim.hedges = reading.hedges
            claim.add(EvidenceStatus.HEDGED, reading.hedges)
        claims.append(claim)
    for statement_id, spans in link_unsupported(doc, text, statements, accusing).items():
        for claim in claims:
            if claim.statement is not None and claim.statement.id == statement_id:
                claim.add(EvidenceStatus.UNSUPPORTED, spans)
    for denial in collect_denials(doc, analysis, actors):
        for claim in claims:
            if denies(claim, denial, actors, accusing, doc, text):
                claim.add(EvidenceStatus.DENIED, [denial.trigger])
                claim.denials.append(denial.trigger)
                if denial.denier in actors.by_id and denial.denier not in claim.denied_by:
                    claim.denied_by.append(denial.denier)
    return sorted((_finish(article_id, c) for c in claims),
                  key=lambda e: (e.claim.start, e.claim.end, e.claim_id))


def _unique(spans: Iterable[Span]) -> list[Span]:
    seen = {(s.start, s.end): s for s in spans}
    return [seen[k] for k in sorted(seen)]


def _finish(article_id: str, claim: Claim) -> ClaimEvidence:
    order = list(EvidenceStatus)
    statuses = sorted(claim.statuses, key=order.index)
    if claim.statement is not None:
        claim_id = stable_id(article_id, claim.statement.id, prefix="c_")
    else:
        claim_id = stable_id(article_id, claim.span.start, claim.span.end, prefix="c_")
    return ClaimEvidence(
        claim_id=claim_id,
        claim=claim.span,
        statement_id=claim.statement.id if claim.statement is not None else None,
        statuses=statuses,
        hedges=_unique(claim.hedges),
        justification=_unique(s for spans in claim.statuses.values() for s in spans),
        denied_by=sorted(claim.denied_by),
        denials=_unique(claim.denials),
    )


def run_stage(doc: Doc, analysis: ArticleAnalysis, *, config: Config | None = None
              ) -> ArticleAnalysis:
    """Pipeline stage: fill ``analysis.evidence`` (replacing any already there)."""
    model = load_model(config.hedging.weights) if config is not None else None
    evidence = assess_evidence(doc, analysis, model=model, hedges_by=hedge_reader(config))
    logger.debug("%s: %d evidence items", analysis.article.id, len(evidence))
    return analysis.model_copy(update={"evidence": evidence})


__all__ = ["STAGE_NAME", "assess_evidence", "run_stage"]
