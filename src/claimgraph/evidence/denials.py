"""Denied claims: denials and rejections by other actors, and which claims each one is about.

A denial comes from a REJECT_DENY speech act, a statement whose cue is deny/reject/dismiss,
or such a verb in the parse; it is about a claim when it overlaps the claim, or the claim
accuses the denier, or the denial targets the claimant's side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from claimgraph.evidence.claims import (
    CLAIM_NOUNS,
    DENY_WORDS,
    ActorIndex,
    Claim,
    is_accusation,
    overlaps,
    stems,
    tokens_between,
    words,
)
from claimgraph.model import ArticleAnalysis, Span, SpeechActClass
from claimgraph.nlp.token_strings import token_lowers

if TYPE_CHECKING:
    from spacy.tokens import Doc


@dataclass(frozen=True)
class Denial:
    denier: str  # actor id, else the denier's name
    names: tuple[str, ...]  # lowercase names of the denier
    trigger: Span
    content: tuple[tuple[int, int], ...]  # what is denied (character ranges)
    targets: frozenset[str]  # target actor ids and lowercase names
    statement_id: str | None


def collect_denials(doc: Doc, analysis: ArticleAnalysis, actors: ActorIndex) -> list[Denial]:
    text = analysis.article.text
    statements = {s.id: s for s in analysis.statements}
    denials: dict[tuple[int, int], Denial] = {}

    def names_of(denier: str, fallback: str) -> tuple[str, ...]:
        got = actors.names(denier) if denier in actors.by_id else {fallback.lower()}
        return tuple(sorted(got))

    for act in analysis.speech_acts:
        if act.act is not SpeechActClass.REJECT_DENY or act.negated:
            continue
        # "refused to meet" rejects a proposal, not a claim: keep denials of claims only.
        if not (words(act.trigger.text) & DENY_WORDS
                or any(words(t.text) & CLAIM_NOUNS for t in act.target_spans)):
            continue
        statement = statements.get(act.statement_id or "")
        denier = act.source_actor
        if denier is None and statement is not None and statement.speaker is not None:
            denier = statement.speaker.actor_id or statement.speaker.name
        if denier is None:
            continue
        content: list[tuple[int, int]] = [(s.start, s.end) for s in act.target_spans]
        if statement is not None:
            content.append((statement.content.start, statement.content.end))
        targets: set[str] = set(act.target_actors)
        for aid in act.target_actors:
            targets.update(actors.names(aid))
        key = (act.trigger.start, act.trigger.end)
        denials[key] = Denial(denier, names_of(denier, denier), act.trigger, tuple(content),
                               frozenset(targets), act.statement_id)
    for statement in analysis.statements:
        cue_tokens = tokens_between(doc, statement.cue.start, statement.cue.end)
        if statement.speaker is None or not any(
            t.lower_ in DENY_WORDS and t.pos_ in ("VERB", "NOUN") for t in cue_tokens
        ):
            continue
        if any(overlaps((statement.cue.start, statement.cue.end), k) for k in denials):
            continue
        if any(c.dep_ == "neg" for t in tokens_between(doc, statement.cue.start, statement.cue.end)
               for c in t.children):
            continue
        denier = statement.speaker.actor_id or statement.speaker.name
        span = statement.content
        targets = set(actors.at(span.start, span.end))
        for aid in list(targets):
            targets.update(actors.names(aid))
        denials[(statement.cue.start, statement.cue.end)] = Denial(
            denier, names_of(denier, statement.speaker.name), statement.cue,
            ((span.start, span.end),), frozenset(targets), statement.id)
    # Parse fallback: "X denied/rejected/dismissed Y" not seen by the other stages.
    for i, lower in enumerate(token_lowers(doc)):
        if lower not in DENY_WORDS:
            continue  # no Token object for the other words
        token = doc[i]
        if token.pos_ != "VERB":
            continue
        key = (token.idx, token.idx + len(token.text))
        if any(overlaps(key, k) for k in denials) or any(c.dep_ == "neg" for c in token.children):
            continue
        subj = next((c for c in token.children if c.dep_ == "nsubj"), None)
        if subj is None and token.dep_ == "conj":
            subj = next((c for c in token.head.children if c.dep_ == "nsubj"), None)
        if subj is None or subj.pos_ == "PRON":
            continue
        s_start, s_end = subj.left_edge.idx, subj.right_edge.idx + len(subj.right_edge)
        found = actors.at(s_start, s_end)
        denier = found[0] if found else text[s_start:s_end]
        content = []
        targets = set()
        for obj in (c for c in token.children if c.dep_ in ("dobj", "ccomp", "prep")):
            o_start, o_end = obj.left_edge.idx, obj.right_edge.idx + len(obj.right_edge)
            content.append((o_start, o_end))
            for aid in actors.at(o_start, o_end):
                targets.add(aid)
                targets.update(actors.names(aid))
            targets.update(c.text.lower() for c in obj.children if c.dep_ == "poss")
        denials[key] = Denial(denier, names_of(denier, text[s_start:s_end]), Span.of(text, *key),
                               tuple(content), frozenset(targets), None)
    return [denials[k] for k in sorted(denials)]


def _mentions(claim: Span, denial: Denial, actors: ActorIndex) -> bool:
    if denial.denier in actors.at(claim.start, claim.end):
        return True
    claim_stems = stems(claim.text)
    return any(stems(name) and stems(name) <= claim_stems for name in denial.names)


def denies(
    claim: Claim, denial: Denial, actors: ActorIndex, accusing: set[str], doc: Doc, text: str
) -> bool:
    """Whether ``denial`` denies ``claim``; ``text`` is the text ``doc`` parses (passed
    in: ``doc.text`` joins every token anew)."""
    statement = claim.statement
    span = claim.span
    if statement is not None:
        if statement.id == denial.statement_id:
            return False
        side = actors.side(statement)
        if denial.denier in side or set(denial.names) & side:
            return False
    if overlaps((span.start, span.end), (denial.trigger.start, denial.trigger.end)):
        return False
    if any(overlaps((span.start, span.end), rng) for rng in denial.content):
        return True
    if statement is None:
        return False
    side = actors.side(statement)
    accuses = is_accusation(statement, accusing, doc)
    on_side = bool(side & denial.targets)
    if _mentions(span, denial, actors):
        return accuses or on_side or _shares_content(span, denial, text)
    return on_side and accuses


def _shares_content(span: Span, denial: Denial, text: str) -> bool:
    """Most content words of what is denied recur in the claim ("any involvement" vs
    "being involved in ...")."""
    denied = set().union(*(stems(text[s:e]) for s, e in denial.content)) if denial.content \
        else set()
    return bool(denied) and len(denied & stems(span.text)) * 2 >= len(denied)


__all__ = ["Denial", "collect_denials", "denies"]
