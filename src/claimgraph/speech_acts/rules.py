"""Dependency rules that find speech and material acts in a parsed sentence.

Used by :mod:`claimgraph.speech_acts`; see its docstring for the decisions.  Works on
spaCy tokens only (``lower_``, ``tag_``, ``pos_``, ``dep_``, entities), never on lemmas:
base forms come from :func:`claimgraph.speech_acts.lexicon.base_form`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from claimgraph.model import SpeechActClass, Statement
from claimgraph.nlp.token_strings import token_lowers, token_pos, token_tags
from claimgraph.spans import SpanIndex
from claimgraph.speech_acts import lexicon as lex
from claimgraph.speech_acts.arguments import (
    PRONOUNS,
    actorish,
    base_of,
    children,
    descend_quantity,
    is_named,
    noun_source,
    phrase_offsets,
    subject,
    targets,
)
from claimgraph.speech_acts.codes import (
    COMMENT_VERBS,
    noun_anchor,
    noun_code,
    phrasal_extra,
    verb_code,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


# ---------------------------------------------------------------------------
# Candidate acts over tokens
# ---------------------------------------------------------------------------


@dataclass
class Candidate:
    token: Token
    code: str
    extra: list[Token] = field(default_factory=list)  # further trigger tokens
    source: Token | None = None
    targets: list[Token] = field(default_factory=list)
    negated: bool = False
    modality: str | None = None
    report: bool = False  # a plain report ("said"): ASSERT unless it embeds more
    suppressed: bool = False
    reporter: Candidate | None = None
    statement_id: str | None = None
    confidence: float = 0.8

    @property
    def cls(self) -> SpeechActClass:
        return lex.cameo_class(self.code) or SpeechActClass.OTHER


def _negated(token: Token) -> bool:
    return any(c.dep_ == "neg" or c.lower_ in ("never", "not", "n't") for c in token.children)


# ---------------------------------------------------------------------------
# Finding and resolving acts in one sentence
# ---------------------------------------------------------------------------


def _hostile(code: str) -> bool:
    return code.startswith(lex.HOSTILE_PREFIXES)


def _find_candidates(doc: Doc, named: set[int]) -> dict[int, Candidate]:
    acts: dict[int, Candidate] = {}
    lowers, parts, tags = token_lowers(doc), token_pos(doc), token_tags(doc)
    for i, part in enumerate(parts):
        # only a verb, a noun or "opposed" can be an act: no Token object for the rest
        if not (
            part in ("VERB", "NOUN")
            or tags[i].startswith("VB")
            or (part == "ADJ" and lowers[i] == "opposed")
        ):
            continue
        token = doc[i]
        code: str | None = None
        if token.dep_ in ("amod", "compound") and token.pos_ != "NOUN":
            continue  # "Syrian-backed", "alleged crimes": modifiers, not acts
        if token.pos_ == "VERB" or (token.tag_.startswith("VB") and token.pos_ != "AUX"):
            if token.tag_ == "VB" and token.dep_ == "ROOT" and not children(token, "nsubj", "aux"):
                continue  # an imperative ("Talk to a teenager ...") reports no act
            code = verb_code(token)
        elif token.pos_ == "NOUN":
            code = noun_code(token)
        elif token.pos_ == "ADJ" and token.lower_ == "opposed" and children(token, "prep"):
            code = "120"
        if code is None:
            continue
        report = code == "010" and base_of(token) in lex.REPORT_VERBS | {"claim"}
        act = Candidate(token=token, code=code, report=report)
        if token.pos_ != "NOUN":
            act.extra = phrasal_extra(token)
        if token.pos_ == "NOUN":
            act.source = noun_source(noun_anchor(token))
            act.targets = _noun_targets(token, named, exclude=act.source)
            act.confidence = 0.7
        else:
            act.source = subject(token)
            act.targets = targets(token, named, exclude=act.source)
        if act.source is not None:
            act.source = descend_quantity(act.source)
        act.negated = _negated(token)
        acts[token.i] = act
    # A light verb that carries an event noun is not an act of its own.
    for act in list(acts.values()):
        tok = act.token
        if tok.pos_ != "NOUN":
            continue
        anchor = noun_anchor(tok)
        governor = anchor.head if anchor.dep_ != "pobj" else anchor.head.head
        if anchor.dep_ == "conj":
            governor = anchor.head.head
        other = acts.get(governor.i)
        if other is not None and not other.report and other.code[:2] != act.code[:2]:
            if other.cls is SpeechActClass.OTHER or base_of(governor) in lex.LIGHT_VERBS:
                del acts[governor.i]
                act.source = act.source or other.source
                act.negated = act.negated or other.negated
                act.targets = act.targets or other.targets
    return acts


def _noun_targets(token: Token, named: set[int], *, exclude: Token | None) -> list[Token]:
    """Targets of event noun ``token``, or of the light verb that carries it.

    "gave a warm welcome [to X]", "staged rallies [against X]": the target hangs off the
    verb; a named actor there beats an unnamed object of the noun itself.
    """
    own = targets(token, named, noun=True, exclude=exclude)
    anchor = noun_anchor(token)
    if anchor.i != token.i and not (own and is_named(own[0], named)):
        # "a mediation effort [between X and Y]": the phrase's head carries the target
        own = targets(anchor, named, noun=True, exclude=exclude) or own
    if anchor.dep_ not in ("dobj", "obj") or (own and is_named(own[0], named)):
        return own
    carried = targets(anchor.head, named, noun=True, exclude=exclude)
    carried = [t for t in carried if t.i not in {d.i for d in anchor.subtree}]
    if carried and is_named(carried[0], named):
        return carried
    return own or carried


def _frame_governor(token: Token) -> Token | None:
    head = token.head
    if token.dep_ == "xcomp" and head.i != token.i:
        return head
    if (
        token.dep_ == "pcomp"
        and head.lower_ == "to"
        and head.head.lower_ in lex.INTENT_ADJECTIVES | {"committed"}
    ):
        return head.head
    if token.dep_ == "ccomp" and base_of(head) in ("demand", "insist", "urge", "ask"):
        return head
    return None


def _in_report(
    token: Token, acts: dict[int, Candidate], statement_ranges: SpanIndex[Statement]
) -> Candidate | Statement | None:
    """The act or statement reporting ``token`` (nearest reporting ancestor), if any."""
    child = token
    for ancestor in token.ancestors:
        act = acts.get(ancestor.i)
        if (
            act is not None
            and act is not acts.get(token.i)
            and child.dep_ in _CONTENT_DEPS
            and (act.report or act.cls is not SpeechActClass.OTHER)
        ):
            return act
        child = ancestor
    found = statement_ranges.containing(token.idx)
    return found[0][2] if found else None


#: Dependencies that put a clause inside its head's content ("said [that X]").
_CONTENT_DEPS = frozenset(
    {
        "ccomp",
        "xcomp",
        "advcl",
        "dobj",
        "obj",
        "pobj",
        "prep",
        "pcomp",
        "acl",
        "relcl",
        "conj",
        "parataxis",
        "csubj",
    }
)
#: Classes whose complements are not separate events ("threatened [to attack]").
_FRAMING_CLASSES = frozenset(
    {
        SpeechActClass.APPEAL_REQUEST,
        SpeechActClass.INTEND,
        SpeechActClass.THREATEN,
        SpeechActClass.REJECT_DENY,
        SpeechActClass.CLAIM_RESPONSIBILITY,
        SpeechActClass.PROTEST,
        SpeechActClass.CONSULT,
        SpeechActClass.COOPERATE_PRAISE,
        SpeechActClass.OTHER,
    }
)


def _framing_ancestor(act: Candidate, acts: dict[int, Candidate]) -> Candidate | None:
    """The act whose content ``act`` is (``demanded a meeting [to discuss]``), if any."""
    child = act.token
    for ancestor in act.token.ancestors:
        if child.dep_ in ("conj", "nsubj", "nsubjpass", "parataxis", "npadvmod", "advmod"):
            return None
        if child.dep_ == "advcl" and any(c.dep_ == "mark" for c in child.children):
            return None  # "resigned [as the opposition threatened]": its own event
        if child.dep_ == "ccomp":
            return None  # reported content is handled as attribution
        frame = acts.get(ancestor.i)
        if frame is not None and not frame.suppressed and not frame.report:
            if frame.cls in _FRAMING_CLASSES and frame.cls is not SpeechActClass.OTHER:
                return frame
            if frame.cls is SpeechActClass.OTHER and act.cls is not SpeechActClass.OTHER:
                # material act governing a verbal one: "prevented the demonstration"
                return (
                    frame
                    if child.dep_ in ("dobj", "obj", "acl", "relcl") or act.token.pos_ == "NOUN"
                    else None
                )
            return None
        child = ancestor
    return None


def _conditional(token: Token) -> bool:
    """Whether ``token`` sits in a conditional clause (``unless X accepts``)."""
    for tok in [token, *token.ancestors]:
        if any(c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether") for c in tok.children):
            return True
        if tok.dep_ not in ("conj", "xcomp", "aux"):
            break
    return False


def _apply_frames(
    acts: dict[int, Candidate], statement_ranges: SpanIndex[Statement], named: set[int]
) -> None:
    """Absorb complements into their frames; code modality inside reported speech."""
    for act in sorted(acts.values(), key=lambda a: a.token.i):
        tok = act.token
        gov = _frame_governor(tok)
        if gov is None or gov.pos_ not in ("VERB", "ADJ", "AUX"):
            continue
        gbase = base_of(gov)
        code: str | None = None
        if gov.pos_ == "ADJ" or gov.lower_ == "committed":
            if gov.lower_ in lex.INTENT_ADJECTIVES | {"committed"}:
                code = "030"
        elif gbase in ("threaten", "warn"):
            code = "130"
        elif gbase in lex.REFUSAL_FRAMES:
            code = "011" if base_of(tok) in COMMENT_VERBS and gbase == "decline" else "120"
        elif gbase in lex.APPEAL_FRAMES and (gbase != "want" or children(gov, "dobj", "obj")):
            code = "100" if gbase == "demand" else "020"
        elif gbase in lex.INTENT_FRAMES:
            code = "130" if gbase in ("vow", "pledge", "promise") and _hostile(act.code) else "030"
        if code is None:
            continue
        frame = acts.get(gov.i)
        if frame is None:
            frame = Candidate(token=gov, code=code, source=subject(gov), negated=_negated(gov))
            acts[gov.i] = frame
        elif frame.code[:2] != code[:2]:
            frame.code = code
        frame.report = False
        own = targets(gov, named, exclude=frame.source)
        if gbase in lex.APPEAL_FRAMES:
            own = [t for t in own if t.i < tok.i]
        frame.targets = own or act.targets
        act.suppressed = True
    # Acts that are the content of another act ("demanded a meeting to discuss").
    for act in sorted(acts.values(), key=lambda a: a.token.i):
        if not act.suppressed and _framing_ancestor(act, acts) is not None:
            act.suppressed = True
    for act in sorted(acts.values(), key=lambda a: a.token.i):
        if act.suppressed:
            continue
        if _conditional(act.token):
            act.modality = "conditional"
        reporter = _in_report(act.token, acts, statement_ranges)
        if isinstance(reporter, Statement):
            act.statement_id = reporter.id
            reporter = None
        if reporter is not None:
            act.reporter = reporter
            if (
                act.source is not None
                and act.source.lower_ in PRONOUNS
                and reporter.source is not None
            ):
                act.source = reporter.source
        if act.report or act.token.pos_ != "VERB":
            continue
        aux = {c.lower_ for c in act.token.children if c.dep_ == "aux"}
        future = bool(aux & lex.FUTURE_AUX) or (
            act.token.dep_ == "xcomp" and act.token.head.lower_ == "going"
        )
        if reporter is None:
            if future:
                act.modality = act.modality or "future"
            continue
        if future and act.modality != "conditional":
            conditional = any(t.lower_ in lex.CONDITION_MARKERS for t in act.token.subtree)
            if act.negated:
                act.code, act.negated = "120", False
            elif conditional or _hostile(act.code):
                act.code = "130"
            elif act.cls in (SpeechActClass.OTHER, SpeechActClass.COOPERATE_PRAISE):
                act.code = "030"
            act.modality = "future"
        elif (
            aux & lex.OBLIGATION_AUX
            and act.source is not None
            and act.source.lower_ not in PRONOUNS
        ):
            act.code, act.targets, act.source = "100", [act.source], reporter.source
            act.modality = "obligation"
        rbase = base_of(reporter.token)
        if reporter.cls is SpeechActClass.REJECT_DENY and not reporter.negated:
            act.modality = "denied"
        elif rbase in ("accuse", "allege", "blame", "claim") and act.cls is SpeechActClass.OTHER:
            act.modality = "alleged"
            if rbase == "claim" and _hostile(act.code) and not act.negated:
                own_act = (
                    act.source is None
                    or act.source.lower_ in PRONOUNS
                    or (reporter.source is not None and act.source.lower_ == reporter.source.lower_)
                )
                reporter.code = "015" if own_act else "112"
                reporter.report = False
                if not own_act and act.source is not None:
                    reporter.targets = [act.source]


def _future_intents(
    doc: Doc,
    acts: dict[int, Candidate],
    statement_ranges: SpanIndex[Statement],
    named: set[int],
) -> None:
    """``X said it would allow Y``: a promise by the speaker even with an uncoded verb."""
    for i, part in enumerate(token_pos(doc)):
        if i in acts or part != "VERB":
            continue  # no Token object for the other tokens
        token = doc[i]
        if base_of(token) in ("be", "have"):
            continue
        if not ({c.lower_ for c in token.children if c.dep_ == "aux"} & lex.FUTURE_AUX):
            continue
        subjects = children(token, "nsubj")
        if not subjects or subjects[0].lower_ not in ("it", "they", "we", "he", "she", "i"):
            continue
        reporter = _in_report(token, acts, statement_ranges)
        if not isinstance(reporter, Candidate) or not reporter.report or _conditional(token):
            continue
        code = "120" if _negated(token) else "030"
        act = Candidate(
            token=token,
            code=code,
            source=reporter.source,
            modality="future",
            reporter=reporter,
            confidence=0.6,
        )
        act.targets = targets(token, named, exclude=act.source)[:1]
        acts[token.i] = act


def code_acts(doc: Doc, statements: list[Statement], named: set[int]) -> list[Candidate]:
    ranges = SpanIndex(
        (piece.start, piece.end, statement)
        for statement in statements
        for piece in statement.content.pieces()
    )
    acts = _find_candidates(doc, named)
    _apply_frames(acts, ranges, named)
    _future_intents(doc, acts, ranges, named)
    _condition_targets(acts, named)
    result = [a for a in acts.values() if not a.suppressed]
    result.extend(_reciprocal(result))
    return sorted(result, key=lambda a: (a.token.idx, a.code, a.source.i if a.source else -1))


def _condition_targets(acts: dict[int, Candidate], named: set[int]) -> None:
    """A threat is aimed at whoever must meet its condition.

    "X threatened to stop talks if the United States goes ahead": the subject of the
    "if"/"unless" clause is the target when the threat has no named target of its own.
    """
    for act in acts.values():
        if act.suppressed or not act.code.startswith("13"):
            continue
        if act.targets and is_named(act.targets[0], named):
            continue
        for token in act.token.subtree:
            if token.dep_ != "advcl" or not any(
                c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in token.children
            ):
                continue
            subjects = [
                c
                for c in children(token, "nsubj", "nsubjpass")
                if c.lower_ not in PRONOUNS and actorish(c)
            ]
            if subjects and (act.source is None or subjects[0].i != act.source.i):
                act.targets = [subjects[0]]
                break


#: Joint acts: "A and B met / signed / agreed" is an act of each toward the other.
_RECIPROCAL_CLASSES = frozenset(
    {SpeechActClass.CONSULT, SpeechActClass.COOPERATE_PRAISE, SpeechActClass.INTEND}
)


def _reciprocal(acts: list[Candidate]) -> list[Candidate]:
    """Split acts of conjoined sources into one act per source, targeting the others."""
    extra: list[Candidate] = []
    for act in acts:
        if act.source is None or act.cls not in _RECIPROCAL_CLASSES:
            continue
        members = [act.source, *act.source.conjuncts]
        for appos in children(act.source, "appos"):  # "The US, Russia, and Switzerland"
            if appos.ent_type_ == act.source.ent_type_:
                members.extend([appos, *appos.conjuncts])
        members = sorted({m.i: m for m in members}.values(), key=lambda t: t.i)
        if len(members) < 2 or any(t.ent_type_ in ("", "DATE", "TIME") for t in members):
            continue
        for member in members:
            others = [m for m in members if m is not member]
            if member is act.source:
                act.targets = others + [t for t in act.targets if t not in others]
            else:
                extra.append(replace(act, source=member, targets=list(others)))
    return extra


__all__ = ["Candidate", "code_acts", "phrase_offsets"]
