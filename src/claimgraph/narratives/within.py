"""Contradictions stage: claims of one article that cannot both be true.

Reads the evidence stage's claims (statements and author-voice claims, with their
denials) and adds :class:`~claimgraph.model.Contradiction` pairs:

* ``explicit``: a claim another actor denies, against the denial (the evidence stage
  has already tied the denial to the claim: ``denied_by`` and ``denials``), unless the
  denied claim reads as a denial itself
  (:func:`~claimgraph.narratives.contradictions.reads_as_denial`: both sides doubt);
* ``conflicting_values``: two claims about the same event with a different place or
  number (:func:`~claimgraph.narratives.contradictions.conflicting_values`): one
  speaker's account that the gunmen fled towards Chile against another's that they
  tried to flee to Peru, not Chile. Two places conflict when one claim corrects the
  other ("not Chile") or when the claims share at least
  :data:`~claimgraph.narratives.contradictions.MIN_SHARED_WORDS` content words; two
  numbers when they count the same noun in claims that share as many words besides it
  (and half the words of the shorter one);
* ``self_contradiction``: the same, when one actor makes both claims.

Claims are compared only inside blocks that share an event signal (a movement, the
noun a number counts, a date) and each block is cut to :data:`MAX_BLOCK` claims, so
the stage stays linear in the length of the article.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claimgraph.model import (
    ArticleAnalysis,
    ClaimEvidence,
    ClaimRef,
    Contradiction,
    ContradictionKind,
    Span,
)
from claimgraph.narratives.contradictions import (
    SCALE_WORDS,
    Values,
    claim_values,
    content_set,
    reads_as_denial,
    values_conflict,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from claimgraph.config import Config

STAGE_NAME = "claimgraph.narratives.within.v1"

#: Claims compared with one another inside one block.
MAX_BLOCK = 40
#: Share of content words (besides the counted noun) two claims need in common to be
#: counts of the same event.
NUMBER_OVERLAP = 0.5
EXPLICIT_SCORE = 0.9
VALUES_SCORE = 0.7


def _refs(analysis: ArticleAnalysis) -> dict[str, ClaimRef]:
    statements = {s.id: s for s in analysis.statements}
    refs: dict[str, ClaimRef] = {}
    for item in analysis.evidence:
        statement = statements.get(item.statement_id or "")
        speaker = statement.speaker if statement is not None else None
        refs[item.claim_id] = ClaimRef(
            claim_id=item.claim_id,
            statement_id=item.statement_id,
            span=Span(start=item.claim.start, end=item.claim.end, text=item.claim.text),
            speaker=speaker.name if speaker is not None else None,
            actor_id=speaker.actor_id if speaker is not None else None,
        )
    return refs


def _denial_ref(analysis: ArticleAnalysis, denial: Span, refs: dict[str, ClaimRef]) -> ClaimRef:
    """The claim that holds the denying words (the denier's statement), else the words."""
    for statement in analysis.statements:
        if statement.cue.start <= denial.start < statement.content.end and (
            statement.cue.start <= denial.start < statement.cue.end
            or statement.content.start <= denial.start
        ):
            for ref in refs.values():
                if ref.statement_id == statement.id:
                    return ref
    return ClaimRef(claim_id=f"denial_{denial.start}_{denial.end}", span=denial)


def _kind(a: ClaimRef, b: ClaimRef) -> ContradictionKind:
    if a.actor_id is not None and a.actor_id == b.actor_id:
        return "self_contradiction"
    return "conflicting_values"


def _overlap(a: ClaimRef, b: ClaimRef) -> bool:
    return a.span.start < b.span.end and b.span.start < a.span.end


def explicit(analysis: ArticleAnalysis, refs: dict[str, ClaimRef]) -> list[Contradiction]:
    """A denied claim against each of its denials."""
    out = []
    for item in analysis.evidence:
        claim = refs[item.claim_id]
        if item.denials and reads_as_denial(item.claim.text):
            continue  # a denial denied again: both sides doubt one report
        for denial in item.denials:
            other = _denial_ref(analysis, denial, refs)
            if other.claim_id == claim.claim_id or _overlap(claim, other):
                continue
            if claim.actor_id is not None and claim.actor_id == other.actor_id:
                continue  # a denial tied to the speaker's own claim: not one to report
            kind: ContradictionKind = "explicit"
            out.append(
                Contradiction(
                    id=Contradiction.make_id(claim.claim_id, other.claim_id),
                    kind=kind,
                    score=EXPLICIT_SCORE,
                    a=claim,
                    b=other,
                    about="denial",
                )
            )
    return out


def _blocks(values: dict[str, Values]) -> list[list[str]]:
    blocks: dict[str, list[str]] = {}
    for claim_id, v in values.items():
        if v.movement and (v.places or v.negated_places or v.mentioned):
            blocks.setdefault("movement", []).append(claim_id)
        for noun in v.numbers:
            blocks.setdefault("number:" + noun, []).append(claim_id)
    return [ids[:MAX_BLOCK] for ids in blocks.values() if len(ids) > 1]


def conflicting(evidence: list[ClaimEvidence], refs: dict[str, ClaimRef]) -> list[Contradiction]:
    """Claims of one event with different places or numbers."""
    values = {item.claim_id: claim_values(item.claim.text) for item in evidence}
    out: dict[str, Contradiction] = {}
    for block in _blocks(values):
        for i, first in enumerate(block):
            for second in block[i + 1 :]:
                a, b = refs[first], refs[second]
                if _overlap(a, b):
                    continue
                about = values_conflict(a.span.text, values[first], b.span.text, values[second])
                if about is None:
                    continue
                if (
                    about == "number"
                    and _overlap_share(a.span.text, b.span.text, set(values[first].numbers))
                    < NUMBER_OVERLAP
                ):
                    continue
                cid = Contradiction.make_id(first, second)
                out.setdefault(
                    cid,
                    Contradiction(
                        id=cid, kind=_kind(a, b), score=VALUES_SCORE, a=a, b=b, about=about
                    ),
                )
    return list(out.values())


def _overlap_share(a: str, b: str, counted: set[str]) -> float:
    """Share of the content words of the shorter claim found in the other, leaving out
    numbers, their scale words and the counted nouns."""
    skip = counted | SCALE_WORDS
    first = {w for w in content_set(a) if w not in skip and not w.isdigit()}
    second = {w for w in content_set(b) if w not in skip and not w.isdigit()}
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def find_contradictions(analysis: ArticleAnalysis) -> list[Contradiction]:
    """Every contradiction between the claims of ``analysis`` (module docstring)."""
    refs = _refs(analysis)
    found = {c.id: c for c in explicit(analysis, refs)}
    for c in conflicting(analysis.evidence, refs):
        found.setdefault(c.id, c)
    return sorted(found.values(), key=lambda c: (c.a.span.start, c.b.span.start))


def run_stage(
    doc: Doc, analysis: ArticleAnalysis, *, config: Config | None = None
) -> ArticleAnalysis:
    """Pipeline stage: fill ``analysis.contradictions``."""
    del doc, config
    return analysis.model_copy(update={"contradictions": find_contradictions(analysis)})


__all__ = ["STAGE_NAME", "conflicting", "explicit", "find_contradictions", "run_stage"]
