"""Evidence stage: on what evidence does each claim rest?

One :class:`~claimgraph.model.ClaimEvidence` is made for every statement and for every
claim the writer asserts without a source (author voice).  A claim can carry several
statuses, each with the spans that justify it:

* ``attributed``: a named source (a resolved actor, or a source span with a name);
* ``anonymous``: "officials", "sources", "critics", "experts", or no source at all
  behind a reporting construction ("it was reported that ...");
* ``hedged``: an epistemic hedge governs the claim ("allegedly", "may have", "appears",
  "reportedly"); the hedge cues are kept in ``hedges``;
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

Lexicons are general English; nothing here depends on one article's wording.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .hedging import CLAIM_HEDGE_ADVERBS, hedge_cues, line_sentences
from .model import (
    Actor,
    ArticleAnalysis,
    ClaimEvidence,
    EvidenceStatus,
    Span,
    SpeechActClass,
    Statement,
    stable_id,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as DocSpan

    from .config import Config

logger = logging.getLogger(__name__)

STAGE_NAME = "claimgraph.evidence.rules.v1"

#: Head nouns of unnamed sources.
ANONYMOUS_NOUNS = frozenset({
    "source", "sources", "official", "officials", "critic", "critics", "expert", "experts",
    "analyst", "analysts", "observer", "observers", "insider", "insiders", "diplomat",
    "diplomats", "people", "person", "witness", "witnesses", "resident", "residents",
    "report", "reports", "media", "authorities", "some", "many", "others", "someone",
    "spokesman", "spokeswoman", "spokesperson", "aide", "aides", "investigators",
    "commentators", "activists", "opponents", "supporters", "rumours", "rumors", "members",
})
#: Statement cues whose own meaning is epistemic (a hedge, not just an attribution).
EPISTEMIC_CUES = frozenset({
    "appear", "appears", "appeared", "seem", "seems", "seemed", "suggest", "suggests",
    "suggested", "suspect", "suspects", "suspected", "speculate", "speculated", "speculates",
    "allege", "alleged", "alleges", "guess", "presume", "presumed", "assume", "assumed",
    "rumored", "rumoured",
})
#: Cues that make a statement a denial.
DENY_WORDS = frozenset({
    "deny", "denies", "denied", "denying", "denial", "reject", "rejects", "rejected",
    "rejecting", "dismiss", "dismisses", "dismissed", "dismissing", "refute", "refutes",
    "refuted", "rebut", "rebuts", "rebutted", "repudiate", "repudiated", "disputes",
    "disputed", "debunked",
})
#: Stems of cues that make a statement an accusation or contested claim.
ACCUSE_STEMS = ("accus", "blam", "claim", "alleg", "charg", "impl", "insist", "suggest",
                "assert")
#: Nouns that refer back to statements ("these claims").
CLAIM_NOUNS = frozenset({
    "claim", "claims", "accusation", "accusations", "allegation", "allegations",
    "assertion", "assertions", "charge", "charges", "statement", "statements", "remarks",
    "comments", "theory", "theories", "narrative", "version", "suggestion", "suggestions",
    "story", "reports",
})
ACCUSATION_NOUNS = frozenset({"accusation", "accusations", "allegation", "allegations",
                              "charge", "charges", "claims", "claim"})
ANAPHORIC_DETS = frozenset({"these", "those", "the", "such", "this", "that", "his", "her",
                            "their", "its"})
EVIDENCE_NOUNS = frozenset({"evidence", "proof", "proofs", "substantiation", "corroboration",
                            "documentation", "basis", "grounds"})
UNSUPPORTED_ADJECTIVES = frozenset({
    "unsubstantiated", "unfounded", "baseless", "groundless", "unproven", "unverified",
    "uncorroborated", "unsupported", "evidence-free", "unconfirmed",
})
VERIFY_VERBS = frozenset({"verify", "verified", "confirm", "confirmed", "corroborate",
                          "corroborated", "substantiate", "substantiated"})
#: Evaluative and predictive vocabulary that marks a writer's own judgement.
EVALUATIVE_WORDS = frozenset({
    "clear", "clearly", "obvious", "obviously", "evident", "undoubtedly", "certainly",
    "surely", "inevitable", "inevitably", "determined", "deliberately", "blatant",
    "so-called", "dangerous", "reckless", "absurd", "ridiculous", "outrageous", "shameful",
    "disgraceful", "alarming", "troubling", "worrying", "crucial", "essential", "must",
    "unprecedented", "propaganda", "narrative", "lies", "false", "misleading",
    "disinformation", "justify", "justifying", "aimed", "regime", "escalate", "escalation",
    "threat", "threatens", "dire", "catastrophic", "disastrous", "tragic", "failure",
    "failed", "successful", "remarkable", "shocking", "unacceptable", "legitimate",
    "illegitimate", "brutal", "aggressive", "hypocritical", "cynical", "desperate",
    "should", "could", "might", "may", "would", "will", "likely", "unlikely", "potential",
    "potentially", "possibly", "probably", "perhaps", "apparently", "seems", "appears",
    "suggests", "risk", "fear", "fears", "hope", "hopes",
})
#: Discourse markers that open the writer's own conclusion.
CONCLUSION_MARKERS = ("in conclusion", "in summary", "to conclude", "in short", "ultimately",
                      "all in all", "overall", "clearly", "one thing is clear",
                      "it is clear", "there is no doubt")
# Searched case-insensitively in the original text: ``str.lower()`` can change lengths
# ("İ" becomes two characters), which would shift every offset after it.
_CONCLUSION_RES = tuple(re.compile(re.escape(m), re.IGNORECASE) for m in CONCLUSION_MARKERS)
_WORD = re.compile(r"[^\W\d_]{3,}")
_STOP = frozenset({"the", "and", "that", "for", "with", "was", "were", "has", "have", "had",
                   "this", "these", "those", "from", "its", "his", "her", "their", "any",
                   "been", "being", "are", "not", "but", "into", "over", "also", "who",
                   "which", "will", "would"})


@dataclass
class _Claim:
    span: Span
    statement: Statement | None
    statuses: dict[EvidenceStatus, list[Span]] = field(default_factory=dict)
    hedges: list[Span] = field(default_factory=list)
    denied_by: list[str] = field(default_factory=list)
    denials: list[Span] = field(default_factory=list)

    def add(self, status: EvidenceStatus, spans: Iterable[Span] = ()) -> None:
        self.statuses.setdefault(status, []).extend(spans)


@dataclass(frozen=True)
class _Denial:
    denier: str  # actor id, else the denier's name
    names: tuple[str, ...]  # lowercase names of the denier
    trigger: Span
    content: tuple[tuple[int, int], ...]  # what is denied (character ranges)
    targets: frozenset[str]  # target actor ids and lowercase names
    statement_id: str | None


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _stems(text: str) -> set[str]:
    return {w.lower()[:5] for w in _WORD.findall(text) if w.lower() not in _STOP}


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _tokens(doc: Doc, start: int, end: int) -> list[Token]:
    span = doc.char_span(start, end, alignment_mode="expand")
    return list(span) if span is not None else []


def _paragraph_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer(r"\n\s*\n|\n", text))]


def _paragraph(starts: list[int], pos: int) -> int:
    lo = 0
    for i, s in enumerate(starts):
        if s <= pos:
            lo = i
    return lo


def segments(doc: Doc) -> list[DocSpan]:
    """Sentences of ``doc``, also cut at line breaks (see :func:`hedging.line_sentences`)."""
    return list(line_sentences(doc))


def _sentence_span(text: str, sent: DocSpan) -> Span:
    start, end = sent.start_char, sent.end_char
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span.of(text, start, end)


class _Actors:
    """Look-ups over ``analysis.actors``: by id, by mention and by name."""

    def __init__(self, actors: list[Actor]) -> None:
        self.by_id = {a.id: a for a in actors}
        self.mentions = [(m.span.start, m.span.end, a.id) for a in actors for m in a.mentions]

    def at(self, start: int, end: int) -> list[str]:
        return sorted({aid for s, e, aid in self.mentions if s < end and start < e})

    def names(self, actor_id: str) -> set[str]:
        actor = self.by_id.get(actor_id)
        if actor is None:
            return {actor_id.lower()}
        out = {actor.name.lower(), actor.name.split()[-1].lower()}
        out.update(m.span.text.lower() for m in actor.mentions if m.kind == "name")
        return out

    def side(self, statement: Statement) -> set[str]:
        """The speaker's id, names and affiliations (ids and lowercase names)."""
        speaker = statement.speaker
        out: set[str] = set()
        if speaker is None:
            return out
        out.add(speaker.name.lower())
        if speaker.actor_id:
            out.add(speaker.actor_id)
            actor = self.by_id.get(speaker.actor_id)
            if actor is not None:
                for aff in actor.affiliations:
                    out.add(aff.lower() if aff not in self.by_id else aff)
                    for other in self.by_id.values():
                        if other.name.lower() == aff.lower():
                            out.add(other.id)
        return out


# ---------------------------------------------------------------------------
# Sources: attributed, anonymous, author voice
# ---------------------------------------------------------------------------


def _is_report_construction(doc: Doc, statement: Statement) -> bool:
    """A sourceless report: passive "it was reported", "reportedly", "according to reports"."""
    for token in _tokens(doc, statement.cue.start, statement.cue.end):
        if any(c.dep_ in ("auxpass", "nsubjpass") for c in token.children):
            return True
        if token.lower_ in ("reportedly", "reports", "report", "sources", "rumours", "rumors"):
            return True
    return False


def _cue_subject(doc: Doc, statement: Statement) -> Token | None:
    """The subject of the cue verb, or of the verb it is conjoined to ("X went, claims")."""
    for token in _tokens(doc, statement.cue.start, statement.cue.end):
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
    tokens = _tokens(doc, source.start, source.end)
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


def _author_voice_cues(sent: DocSpan) -> list[Token]:
    """Evaluative, predictive or speculative words of a sentence (empty: plain fact)."""
    sent_text = sent.text
    if sent_text.rstrip().endswith("?"):
        return []
    tokens = list(sent)
    has_verb = False
    cues: list[Token] = []
    for t in tokens:
        lower = t.lower_
        if lower == "my" or (lower in ("i", "me") and t.tag_ == "PRP"):
            return []  # the writer speaking about themselves, not about the world
        if t.pos_ in ("VERB", "AUX"):
            has_verb = True
        if lower in EVALUATIVE_WORDS:
            cues.append(t)
    if not has_verb:
        return []
    for marker in _CONCLUSION_RES:
        found = marker.search(sent_text)
        if found is not None:
            pos, end = found.span()
            cues.extend(t for t in tokens if pos <= t.idx - sent.start_char < end)
    return sorted(set(cues), key=lambda t: t.i)


# ---------------------------------------------------------------------------
# Unsupported
# ---------------------------------------------------------------------------


def _negated_evidence(token: Token) -> bool:
    """Whether an evidence noun is denied: "no evidence", "without evidence", "did not
    provide proof", "lack of evidence"."""
    if any(c.dep_ == "det" and c.lower_ == "no" for c in token.children):
        return True
    if any(c.dep_ == "amod" and c.lower_ in ("little", "scant", "insufficient") for c in
           token.children):
        return True
    node = token
    for _ in range(3):
        head = node.head
        if head is node:
            break
        if head.lower_ in ("without", "lack", "absence", "lacking", "lacked", "lacks"):
            return True
        if head.pos_ in ("VERB", "AUX") and any(c.dep_ == "neg" for c in head.children):
            return True
        if head.pos_ in ("VERB", "AUX"):
            # "without offering evidence": offering -> pcomp of "without"
            return head.dep_ == "pcomp" and head.head.lower_ == "without"
        node = head
    return False


def _unsupported_markers(doc: Doc) -> list[tuple[Token, Span]]:
    """``(marker token, justification span)`` of every "no evidence" remark."""
    text = doc.text
    out: list[tuple[Token, Span]] = []
    for token in doc:
        low = token.lower_
        hit = False
        if low in EVIDENCE_NOUNS and token.pos_ in ("NOUN", "PROPN"):
            hit = _negated_evidence(token)
        elif low in UNSUPPORTED_ADJECTIVES:
            hit = True
        elif low in VERIFY_VERBS and token.pos_ == "VERB":
            hit = any(c.dep_ == "neg" for c in token.children)
        if not hit:
            continue
        clause = token
        while clause.head is not clause and clause.pos_ not in ("VERB", "AUX"):
            clause = clause.head
        left, right = clause.left_edge.idx, clause.right_edge.idx + len(clause.right_edge)
        sent = token.sent
        left, right = max(left, sent.start_char), min(right, sent.end_char)
        out.append((token, Span.of(text, left, right)))
    return out


def _same_speaker(a: Statement, b: Statement) -> bool:
    if a.speaker is None or b.speaker is None:
        return False
    if a.speaker.actor_id and b.speaker.actor_id:
        return a.speaker.actor_id == b.speaker.actor_id
    return a.speaker.name.lower() == b.speaker.name.lower()


def _is_accusation(statement: Statement, accusing: set[str], doc: Doc | None = None) -> bool:
    """An accusation or contested claim: an ACCUSE act, or an accusing cue ("accused",
    "blames", "claims that ...") whose content is a clause."""
    if statement.id in accusing:
        return True
    words = statement.cue.text.lower().split()
    if not any(w.startswith(stem) for w in words for stem in ACCUSE_STEMS):
        return False
    if doc is None or not any(w.startswith("claim") for w in words):
        return True
    content = doc.char_span(statement.content.start, statement.content.end,
                            alignment_mode="expand")
    return content is not None and content.root.pos_ in ("VERB", "AUX")


def _link_unsupported(
    doc: Doc, statements: list[Statement], accusing: set[str]
) -> dict[str, list[Span]]:
    """Statement id -> spans of the remarks saying that no evidence backs it."""
    paragraphs = _paragraph_starts(doc.text)
    links: dict[str, list[Span]] = {}
    ordered = sorted(statements, key=lambda s: (s.cue.start, s.id))
    for marker, justification in _unsupported_markers(doc):
        sent = marker.sent
        inside = [s for s in ordered if s.content.start <= marker.idx < s.content.end]
        same = [s for s in ordered if s not in inside
                and _overlaps((s.content.start, s.content.end), (sent.start_char, sent.end_char))]
        anaphors = [t for t in sent if t.lower_ in CLAIM_NOUNS and t.pos_ == "NOUN" and any(
            c.lower_ in ANAPHORIC_DETS and c.dep_ in ("det", "poss") for c in t.children)]
        targets: list[Statement] = []
        if same and not anaphors and marker.lower_ not in UNSUPPORTED_ADJECTIVES:
            targets = same
        elif marker.lower_ in UNSUPPORTED_ADJECTIVES and marker.head.lower_ not in CLAIM_NOUNS:
            targets = same
        if not targets and (anaphors or not same):
            para = _paragraph(paragraphs, sent.start_char)
            before = [s for s in ordered if s.cue.start < sent.start_char and s not in inside]
            near = [s for s in before if _paragraph(paragraphs, s.cue.start) == para]
            if not near and before:
                last_para = _paragraph(paragraphs, before[-1].cue.start)
                near = [s for s in before if _paragraph(paragraphs, s.cue.start) == last_para]
            if near:
                last = near[-1]
                plural = any(t.tag_ in ("NNS", "NNPS") for t in anaphors) or not anaphors
                if not plural:
                    targets = [last]
                else:
                    targets = [s for s in near if _same_speaker(s, last) or s is last]
                    if any(t.lower_ in ACCUSATION_NOUNS for t in anaphors):
                        targets += [s for s in before if s not in targets
                                    and _same_speaker(s, last) and _is_accusation(s, accusing, doc)]
        for statement in targets:
            links.setdefault(statement.id, []).append(justification)
        logger.debug("unsupported remark %r -> %d statements", justification.text[:40],
                     len(targets))
    return links


# ---------------------------------------------------------------------------
# Denied
# ---------------------------------------------------------------------------


def _collect_denials(doc: Doc, analysis: ArticleAnalysis, actors: _Actors) -> list[_Denial]:
    text = analysis.article.text
    statements = {s.id: s for s in analysis.statements}
    denials: dict[tuple[int, int], _Denial] = {}

    def names_of(denier: str, fallback: str) -> tuple[str, ...]:
        got = actors.names(denier) if denier in actors.by_id else {fallback.lower()}
        return tuple(sorted(got))

    for act in analysis.speech_acts:
        if act.act is not SpeechActClass.REJECT_DENY or act.negated:
            continue
        # "refused to meet" rejects a proposal, not a claim: keep denials of claims only.
        if not (_words(act.trigger.text) & DENY_WORDS
                or any(_words(t.text) & CLAIM_NOUNS for t in act.target_spans)):
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
        denials[key] = _Denial(denier, names_of(denier, denier), act.trigger, tuple(content),
                               frozenset(targets), act.statement_id)
    for statement in analysis.statements:
        cue_tokens = _tokens(doc, statement.cue.start, statement.cue.end)
        if statement.speaker is None or not any(
            t.lower_ in DENY_WORDS and t.pos_ in ("VERB", "NOUN") for t in cue_tokens
        ):
            continue
        if any(_overlaps((statement.cue.start, statement.cue.end), k) for k in denials):
            continue
        if any(c.dep_ == "neg" for t in _tokens(doc, statement.cue.start, statement.cue.end)
               for c in t.children):
            continue
        denier = statement.speaker.actor_id or statement.speaker.name
        span = statement.content
        targets = set(actors.at(span.start, span.end))
        for aid in list(targets):
            targets.update(actors.names(aid))
        denials[(statement.cue.start, statement.cue.end)] = _Denial(
            denier, names_of(denier, statement.speaker.name), statement.cue,
            ((span.start, span.end),), frozenset(targets), statement.id)
    # Parse fallback: "X denied/rejected/dismissed Y" not seen by the other stages.
    for token in doc:
        if token.lower_ not in DENY_WORDS or token.pos_ != "VERB":
            continue
        key = (token.idx, token.idx + len(token.text))
        if any(_overlaps(key, k) for k in denials) or any(c.dep_ == "neg" for c in token.children):
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
        denials[key] = _Denial(denier, names_of(denier, text[s_start:s_end]), Span.of(text, *key),
                               tuple(content), frozenset(targets), None)
    return [denials[k] for k in sorted(denials)]


def _mentions(claim: Span, denial: _Denial, actors: _Actors) -> bool:
    if denial.denier in actors.at(claim.start, claim.end):
        return True
    claim_stems = _stems(claim.text)
    return any(_stems(name) and _stems(name) <= claim_stems for name in denial.names)


def _denies(
    claim: _Claim, denial: _Denial, actors: _Actors, accusing: set[str], doc: Doc
) -> bool:
    statement = claim.statement
    span = claim.span
    if statement is not None:
        if statement.id == denial.statement_id:
            return False
        side = actors.side(statement)
        if denial.denier in side or set(denial.names) & side:
            return False
    if _overlaps((span.start, span.end), (denial.trigger.start, denial.trigger.end)):
        return False
    if any(_overlaps((span.start, span.end), rng) for rng in denial.content):
        return True
    if statement is None:
        return False
    side = actors.side(statement)
    accuses = _is_accusation(statement, accusing, doc)
    on_side = bool(side & denial.targets)
    if _mentions(span, denial, actors):
        return accuses or on_side or _shares_content(span, denial, doc.text)
    return on_side and accuses


def _shares_content(span: Span, denial: _Denial, text: str) -> bool:
    """Most content words of what is denied recur in the claim ("any involvement" vs
    "being involved in ...")."""
    denied = set().union(*(_stems(text[s:e]) for s, e in denial.content)) if denial.content \
        else set()
    return bool(denied) and len(denied & _stems(span.text)) * 2 >= len(denied)


# ---------------------------------------------------------------------------
# The stage
# ---------------------------------------------------------------------------


def assess_evidence(doc: Doc, analysis: ArticleAnalysis) -> list[ClaimEvidence]:
    """The evidence status of every statement and author-voice claim of one article.

    ``doc`` is the parse of ``analysis.article.text``; statements, actors and speech acts
    are used when earlier stages filled them.  Returns items sorted by claim offsets.
    """
    text = analysis.article.text
    article_id = analysis.article.id
    actors = _Actors(list(analysis.actors))
    statements = sorted(analysis.statements, key=lambda s: (s.cue.start, s.id))
    accusing = {a.statement_id for a in analysis.speech_acts
                if a.act is SpeechActClass.ACCUSE_CRITICIZE and a.statement_id and not a.negated}
    act_sources = {a.statement_id: a.source_actor for a in analysis.speech_acts
                   if a.statement_id and a.source_actor}
    claims: list[_Claim] = []
    for statement in statements:
        span = Span(start=statement.content.start, end=statement.content.end,
                    text=statement.content.text)
        claim = _Claim(span=span, statement=statement)
        status, justification = _source_status(doc, text, statement, act_sources)
        claim.add(status, [justification])
        cue_range = (statement.cue.start, statement.cue.end)
        hedges = [h for h in hedge_cues(doc, span.start, span.end, text=text)
                  if not _overlaps((h.start, h.end), cue_range) or h.text.lower() in EPISTEMIC_CUES]
        for token in _tokens(doc, *cue_range):
            hedges.extend(Span.of(text, c.idx, c.idx + len(c.text)) for c in token.children
                          if c.lower_ in CLAIM_HEDGE_ADVERBS and c.dep_ == "advmod")
            if token.lower_ in EPISTEMIC_CUES:
                hedges.append(Span.of(text, token.idx, token.idx + len(token.text)))
        if hedges:
            claim.hedges = hedges
            claim.add(EvidenceStatus.HEDGED, hedges)
        claims.append(claim)
    covered = [(s.content.start, s.content.end) for s in statements]
    covered += [(s.cue.start, s.cue.end) for s in statements]
    for sent in segments(doc):
        rng = (sent.start_char, sent.end_char)
        cues = _author_voice_cues(sent)
        if not cues:
            continue
        lowered = sent.text.lower()
        concluding = any(lowered.startswith(m) for m in CONCLUSION_MARKERS)
        if any(_overlaps(rng, c) for c in covered) and not concluding:
            continue
        span = _sentence_span(text, sent)
        claim = _Claim(span=span, statement=None)
        claim.add(EvidenceStatus.AUTHOR_VOICE, _phrases(text, cues))
        hedges = hedge_cues(doc, span.start, span.end, text=text)
        hedges = [h for h in hedges if sent.start_char <= h.start < sent.end_char]
        if hedges:
            claim.hedges = hedges
            claim.add(EvidenceStatus.HEDGED, hedges)
        claims.append(claim)
    for statement_id, spans in _link_unsupported(doc, statements, accusing).items():
        for claim in claims:
            if claim.statement is not None and claim.statement.id == statement_id:
                claim.add(EvidenceStatus.UNSUPPORTED, spans)
    for denial in _collect_denials(doc, analysis, actors):
        for claim in claims:
            if _denies(claim, denial, actors, accusing, doc):
                claim.add(EvidenceStatus.DENIED, [denial.trigger])
                claim.denials.append(denial.trigger)
                if denial.denier in actors.by_id and denial.denier not in claim.denied_by:
                    claim.denied_by.append(denial.denier)
    return sorted((_finish(article_id, c) for c in claims),
                  key=lambda e: (e.claim.start, e.claim.end, e.claim_id))


def _unique(spans: Iterable[Span]) -> list[Span]:
    seen = {(s.start, s.end): s for s in spans}
    return [seen[k] for k in sorted(seen)]


def _finish(article_id: str, claim: _Claim) -> ClaimEvidence:
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
    evidence = assess_evidence(doc, analysis)
    logger.debug("%s: %d evidence items", analysis.article.id, len(evidence))
    return analysis.model_copy(update={"evidence": evidence})


__all__ = ["STAGE_NAME", "assess_evidence", "run_stage"]
