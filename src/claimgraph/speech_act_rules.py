"""Dependency rules that find speech and material acts in a parsed sentence.

Used by :mod:`claimgraph.speech_acts`; see its docstring for the decisions.  Works on
spaCy tokens only (``lower_``, ``tag_``, ``pos_``, ``dep_``, entities), never on lemmas:
base forms come from :func:`claimgraph.speech_act_lexicon.base_form`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from . import speech_act_lexicon as lex
from .model import SpeechActClass, Statement

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
_NON_ACTOR_ENTS = {"DATE", "TIME", "CARDINAL", "PERCENT", "MONEY", "QUANTITY", "ORDINAL"}
_TARGET_PREPS = (
    "with",
    "against",
    "at",
    "to",
    "on",
    "upon",
    "from",
    "over",
    "toward",
    "towards",
    "into",
    "for",
    "of",
    "by",
)
#: Nouns naming a message or a move: their author, not the noun, is the target.
_MESSAGE_NOUNS = frozenset(
    """proposal offer appeal demand demands call calls ultimatum request plan statement
    policy efforts effort bid decision idea suggestion invitation plea warning threat
    accusation accusations allegation allegations claim claims mediation move remarks
    comments initiative resolution position stance wish""".split()
)
_PRONOUNS = frozenset("he she it they we i you who which that this these those".split())
_COMMENT_VERBS = frozenset("comment reveal elaborate discuss say confirm give speak".split())
_DEMAND_OBJECTS = frozenset(
    "demand demands requirement requirements deadline target criteria condition "
    "conditions standard standards expectation expectations need needs".split()
)
_STATIVE_PASSIVES = frozenset({"oppose", "commit", "determine", "prepare"})
_QUANTITY_HEADS = frozenset(
    "tens hundreds thousands millions dozens scores group groups some many most all "
    "number members part majority".split()
)
_EVENT_SUBJECT_VERBS = frozenset("take hold begin continue erupt break spread start".split())


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


def _base(token: Token) -> str:
    return lex.base_form(token.lower_)


def _is_verb(token: Token) -> bool:
    return (token.pos_ in ("VERB", "AUX") and token.tag_.startswith("VB")) or (token.pos_ == "VERB")


def _children(token: Token, *deps: str) -> list[Token]:
    return [c for c in token.children if c.dep_ in deps]


def _obj(token: Token) -> Token | None:
    objs = _children(token, "dobj", "obj")
    return objs[0] if objs else None


def _negated(token: Token) -> bool:
    return any(c.dep_ == "neg" or c.lower_ in ("never", "not", "n't") for c in token.children)


def _is_passive(token: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in token.children)


def _verb_code(token: Token) -> str | None:
    """The CAMEO code of verb ``token`` in its context, or ``None``."""
    base = _base(token)
    obj = _obj(token)
    obj_base = lex.base_form(obj.lower_) if obj is not None else ""
    preps = {c.lower_: c for c in token.children if c.dep_ in ("prep", "prt", "agent")}
    for word in [*preps, obj.lower_ if obj is not None else ""]:
        if (base, word) in lex.PHRASAL_CODES:
            return lex.PHRASAL_CODES[(base, word)]
    for prep in preps.values():  # "go on strike"
        for pobj in _children(prep, "pobj"):
            if (base, pobj.lower_) in lex.PHRASAL_CODES:
                return lex.PHRASAL_CODES[(base, pobj.lower_)]
    if base in lex.RESPONSIBILITY_VERBS and obj_base in lex.RESPONSIBILITY_NOUNS:
        return "015"
    if base == "express" and obj_base in lex.EXPRESS_OBJECTS:
        return lex.EXPRESS_OBJECTS[obj_base]
    if base == "sign":
        heads = [obj, *(obj.conjuncts if obj is not None else ())]
        return (
            "057" if any(h is not None and _base(h) in lex.AGREEMENT_NOUNS for h in heads) else None
        )
    if base == "claim":
        return "010"
    if base == "deny":
        if _children(token, "dative") or (_is_passive(token) and obj is not None):
            return "160"  # "were denied visas": a refusal of goods, not a denial
        return "016" if obj is None or obj_base in lex.DENIAL_OBJECTS else "120"
    if base == "charge":
        if "with" in preps or _is_passive(token):
            return "173"
        return "112" if _children(token, "ccomp") else None
    if base == "protest" and _children(token, "ccomp"):
        return "111"
    if base == "strike":
        return "190" if obj is not None else "143"
    if base == "decline":
        comps = _children(token, "xcomp")
        if comps and _base(comps[0]) in _COMMENT_VERBS:
            return "011"
    if base == "agree" and "with" in preps and not _children(token, "xcomp"):
        return "019"
    if base == "meet" and obj_base in _DEMAND_OBJECTS:
        return "083"
    if base in ("receive", "tour") and (
        obj is None or obj.ent_type_ not in ("PERSON", "ORG", "NORP", "GPE")
    ):
        return None
    if base in ("press", "push", "ask", "invite", "seek", "plan", "want", "talk", "back"):
        if base == "talk" and not ({"to", "with"} & set(preps)):
            return None
        if base in ("press", "push", "ask", "invite") and not (
            _children(token, "xcomp", "ccomp") or "for" in preps
        ):
            return None
        if base == "seek" and (obj is None or _children(token, "xcomp")):
            return None
        if base in ("plan", "want"):
            return None  # only as frames
    if base in lex.REPORT_VERBS:
        content = _children(token, "ccomp", "dobj", "obj", "xcomp")
        if not content and base not in ("say", "tell", "announce", "declare", "state"):
            return None
        return lex.VERB_CODES.get(base, "010")
    if base in lex.VERB_CODES:
        return lex.VERB_CODES[base]
    if base in lex.MATERIAL_CODES:
        return lex.MATERIAL_CODES[base]
    return None


def _noun_code(token: Token) -> str | None:
    """The CAMEO code of event noun ``token`` when it denotes an act that happened."""
    base = _base(token)
    if base not in lex.NOUN_CODES:
        return None
    code = lex.NOUN_CODES[base]
    if base == "strike" and any(c.lower_ in ("air", "missile", "drone") for c in token.children):
        return "195"
    token = _noun_anchor(token)
    head = token.head
    if token.dep_ == "conj":
        token = token.head
        head = token.head
    if token.dep_ in ("dobj", "obj") and _base(head) in lex.LIGHT_VERBS:
        if base == "welcome":
            return "043"
        return code
    if token.dep_ == "pobj" and head.dep_ == "prep":
        verb = head.head
        if _base(verb) in lex.LIGHT_VERBS or verb.lower_ in ("part", "engaged", "engage"):
            return code
        if head.lower_ in lex.EVENT_PREPOSITIONS and code.startswith("14") and verb.pos_ == "VERB":
            return code
    if token.dep_ in ("nsubj", "nsubjpass") and _base(head) in _EVENT_SUBJECT_VERBS:
        return code
    return None


# ---------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------


def _resolve_relative(token: Token) -> Token:
    if token.lower_ in ("who", "which", "that") and token.head.dep_ == "relcl":
        return token.head.head
    return token


def _subject(token: Token) -> Token | None:
    """The agent of verb ``token``: its subject, passive agent, or an inherited one."""
    current = token
    for _ in range(6):
        for agent in _children(current, "agent"):
            for pobj in _children(agent, "pobj"):
                return pobj
        subjects = [c for c in current.children if c.dep_ in ("nsubj", "csubj")]
        if subjects:
            return _resolve_relative(subjects[0])
        passive_subjects = _children(current, "nsubjpass")
        if passive_subjects:
            # "is scheduled to attend", "is opposed to": the passive subject acts.
            if current is not token or _base(token) in _STATIVE_PASSIVES:
                return _resolve_relative(passive_subjects[0])
            return None
        if current.dep_ in ("xcomp", "conj", "advcl", "acomp") and current.head is not current:
            current = current.head
            continue
        if current.dep_ == "acl" and current.head.pos_ in ("NOUN", "PROPN"):
            noun = current.head
            if noun.dep_ in ("dobj", "obj", "pobj") and noun.head is not noun:
                owner = noun.head.head if noun.dep_ == "pobj" else noun.head
                current = owner
                continue
            return noun
        break
    return None


def _noun_source(token: Token) -> Token | None:
    poss = [p for p in _children(token, "poss") if p.lower_ not in _POSSESSIVE_PRONOUNS]
    if poss:
        return poss[0]
    for prep in _children(token, "prep"):
        if prep.lower_ == "by":
            for pobj in _children(prep, "pobj"):
                return pobj
    for mod in _children(token, "amod", "compound"):
        if mod.ent_type_ in ("NORP", "GPE", "ORG"):
            return mod
    head = token.head
    while head.dep_ in ("prep", "pobj", "dobj", "conj") and head.head is not head:
        head = head.head  # "during demonstrations", "on its demands": the clause's agent
    return _subject(head) if head is not token else None


_POSSESSIVE_PRONOUNS = frozenset("its their his her our my your".split())


def _actorish(token: Token) -> bool:
    return (
        token.pos_ in ("PROPN", "NOUN", "PRON")
        and token.ent_type_ not in _NON_ACTOR_ENTS
        and token.lower_ not in ("it", "this", "that")
        and token.lower_ not in lex.DENIAL_OBJECTS | lex.RESPONSIBILITY_NOUNS
    )


def _phrasal_extra(token: Token) -> list[Token]:
    """The particle or object that completes a multi-word trigger (``point fingers``)."""
    base = _base(token)
    for child in token.children:
        if (base, child.lower_) in lex.PHRASAL_CODES and child.dep_ in (
            "prt",
            "prep",
            "dobj",
            "obj",
        ):
            return [child]
    return []


def _message_author(noun: Token) -> Token | None:
    for child in noun.children:
        if child.dep_ == "poss":
            return child
    for prep in _children(noun, "prep"):
        if prep.lower_ in ("by", "from", "of"):
            for pobj in _children(prep, "pobj"):
                if _actorish(pobj):
                    return pobj
    for mod in _children(noun, "amod", "compound"):
        if mod.ent_type_ in ("NORP", "GPE", "ORG", "PERSON"):
            return mod
    return None


def _direct_targets(token: Token, *, noun: bool = False) -> list[Token]:
    """Argument heads of trigger ``token`` that may hold its target, best first."""
    found: list[Token] = []
    if not noun:
        if _is_passive(token) and (
            _children(token, "agent") or _base(token) not in _STATIVE_PASSIVES
        ):
            found.extend(_children(token, "nsubjpass"))
        for obj in _children(token, "dobj", "obj", "dative"):
            if _base(obj) in _MESSAGE_NOUNS:
                author = _message_author(obj)
                if author is not None:
                    found.append(author)
            found.append(obj)
    for prep in _children(token, "prep"):
        if prep.lower_ not in _TARGET_PREPS or (not noun and prep.lower_ == "by"):
            continue
        for pobj in _children(prep, "pobj"):
            if _base(pobj) in _MESSAGE_NOUNS:
                author = _message_author(pobj)
                if author is not None:
                    found.append(author)
            found.append(pobj)
    for comp in _children(token, "ccomp"):
        found.extend(s for s in _children(comp, "nsubj", "nsubjpass") if s.lower_ not in _PRONOUNS)
    if not noun:
        for comp in _children(token, "xcomp"):
            found.extend(_direct_targets(comp))
    return found


def _named(token: Token, named: set[int]) -> bool:
    return token.i in named or (
        (token.ent_type_ in ("PERSON", "ORG", "GPE", "NORP", "FAC", "LOC") and token.pos_ != "ADJ")
        or token.ent_type_ == "NORP"
    )


def _find_named(root: Token, named: set[int], *, depth: int = 3) -> Token | None:
    """The first named actor in the noun phrase under ``root`` (breadth first)."""
    layer = [root]
    for _ in range(depth):
        for tok in layer:
            if _named(tok, named) and _actorish(tok):
                return tok
        layer = [
            c
            for tok in layer
            for c in tok.children
            if c.dep_ in ("poss", "compound", "amod", "prep", "pobj", "nmod", "appos", "conj")
            and not (c.dep_ == "prep" and c.lower_ in ("in", "during", "after", "before", "since"))
        ]
        if not layer:
            break
    return None


def _targets(
    token: Token, named: set[int], *, noun: bool = False, exclude: Token | None = None
) -> list[Token]:
    """Target heads of trigger ``token``: the first named actor, else the first object."""
    candidates = [_descend_quantity(t) for t in _direct_targets(token, noun=noun)]
    skip = set() if exclude is None else {t.i for t in exclude.subtree}
    candidates = [_resolve_relative(c) for c in candidates if c.i not in skip]
    chosen: Token | None = None
    for cand in candidates:
        hit = _find_named(cand, named)
        if hit is not None and hit.i not in skip:
            chosen = hit
            break
    if chosen is None:
        chosen = _named_in_scope(token, named, skip)
    if chosen is None:
        chosen = next((c for c in candidates if _actorish(c) and c.lower_ not in _PRONOUNS), None)
    if chosen is None:
        return []
    result = [chosen]
    for conj in chosen.conjuncts:
        if conj.i > chosen.i and _actorish(conj):
            result.append(conj)
    return result


def _named_in_scope(token: Token, named: set[int], skip: set[int]) -> Token | None:
    """The closest named actor in the clause of ``token`` (``protested in Beijing``).

    PLOVER/CAMEO code the place as the target when nothing else is targeted.  Breadth
    first over the trigger's dependents, without entering the source or other subjects.
    """
    layer = [c for c in token.children if c.dep_ not in ("nsubj", "nsubjpass", "csubj", "agent")]
    for _ in range(5):
        nxt: list[Token] = []
        for tok in layer:
            if tok.i in skip:
                continue
            if _named(tok, named) and _actorish(tok) and tok.ent_type_ not in ("LOC", "FAC"):
                return tok
            nxt.extend(c for c in tok.children if c.dep_ not in ("nsubj", "nsubjpass", "relcl"))
        if not nxt:
            break
        layer = nxt
    return None


def _descend_quantity(token: Token) -> Token:
    """``thousands of students`` -> ``students``."""
    for _ in range(3):
        if token.lower_ not in _QUANTITY_HEADS and token.ent_type_ != "CARDINAL":
            break
        pobjs = [
            p
            for prep in _children(token, "prep")
            if prep.lower_ == "of"
            for p in _children(prep, "pobj")
        ]
        if not pobjs:
            break
        token = pobjs[0]
    return token


def phrase_offsets(token: Token) -> tuple[int, int]:
    """Character offsets of the noun phrase core headed by ``token``.

    The core is the head with its compounds, possessor and proper-noun modifiers;
    leading descriptive adjectives, determiners, clauses and PPs are left out.
    """
    doc = token.doc
    start, end = token.i, token.i + 1
    for ent in doc.ents:
        if ent.start <= token.i < ent.end and ent.label_ not in _NON_ACTOR_ENTS:
            start, end = ent.start, ent.end
            break
    keep = ("compound", "poss", "case", "flat", "nmod", "amod")
    left = sorted((c for c in token.lefts if c.dep_ in keep), key=lambda c: -c.i)
    for child in left:  # closest first; stop at the first descriptive adjective
        descriptive = child.dep_ == "amod" and not (child.ent_type_ or child.pos_ == "PROPN")
        if descriptive or child.right_edge.i < start - 1:
            break
        start = min(start, child.left_edge.i)
    for child in token.rights:
        if child.dep_ in ("compound", "flat", "case") and child.i == end:
            end = child.i + 1
    while start < end - 1 and (doc[start].is_punct or doc[start].dep_ == "det"):
        start += 1
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1])


# ---------------------------------------------------------------------------
# Finding and resolving acts in one sentence
# ---------------------------------------------------------------------------


def _hostile(code: str) -> bool:
    return code.startswith(lex.HOSTILE_PREFIXES)


def _noun_anchor(token: Token) -> Token:
    """The token whose position decides whether event noun ``token`` happened."""
    if token.dep_ == "compound" and token.head.pos_ == "NOUN":
        return token.head
    return token


def _find_candidates(doc: Doc, named: set[int]) -> dict[int, Candidate]:
    acts: dict[int, Candidate] = {}
    for token in doc:
        code: str | None = None
        if token.dep_ in ("amod", "compound") and token.pos_ != "NOUN":
            continue  # "Syrian-backed", "alleged crimes": modifiers, not acts
        if token.pos_ == "VERB" or (token.tag_.startswith("VB") and token.pos_ != "AUX"):
            if token.tag_ == "VB" and token.dep_ == "ROOT" and not _children(token, "nsubj", "aux"):
                continue  # an imperative ("Talk to a teenager ...") reports no act
            code = _verb_code(token)
        elif token.pos_ == "NOUN":
            code = _noun_code(token)
        elif token.pos_ == "ADJ" and token.lower_ == "opposed" and _children(token, "prep"):
            code = "120"
        if code is None:
            continue
        report = code == "010" and _base(token) in lex.REPORT_VERBS | {"claim"}
        act = Candidate(token=token, code=code, report=report)
        if token.pos_ != "NOUN":
            act.extra = _phrasal_extra(token)
        if token.pos_ == "NOUN":
            act.source = _noun_source(_noun_anchor(token))
            act.targets = _targets(token, named, noun=True, exclude=act.source)
            act.confidence = 0.7
        else:
            act.source = _subject(token)
            act.targets = _targets(token, named, exclude=act.source)
        if act.source is not None:
            act.source = _descend_quantity(act.source)
        act.negated = _negated(token)
        acts[token.i] = act
    # A light verb that carries an event noun is not an act of its own.
    for act in list(acts.values()):
        tok = act.token
        if tok.pos_ != "NOUN":
            continue
        anchor = _noun_anchor(tok)
        governor = anchor.head if anchor.dep_ != "pobj" else anchor.head.head
        if anchor.dep_ == "conj":
            governor = anchor.head.head
        other = acts.get(governor.i)
        if other is not None and not other.report and other.code[:2] != act.code[:2]:
            if other.cls is SpeechActClass.OTHER or _base(governor) in lex.LIGHT_VERBS:
                del acts[governor.i]
                act.source = act.source or other.source
                act.negated = act.negated or other.negated
                act.targets = act.targets or other.targets
    return acts


def _frame_governor(token: Token) -> Token | None:
    head = token.head
    if token.dep_ == "xcomp" and head is not token:
        return head
    if (
        token.dep_ == "pcomp"
        and head.lower_ == "to"
        and head.head.lower_ in lex.INTENT_ADJECTIVES | {"committed"}
    ):
        return head.head
    if token.dep_ == "ccomp" and _base(head) in ("demand", "insist", "urge", "ask"):
        return head
    return None


def _in_report(
    token: Token, acts: dict[int, Candidate], statement_ranges: list[tuple[int, int, Statement]]
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
    for start, end, statement in statement_ranges:
        if start <= token.idx < end:
            return statement
    return None


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
    acts: dict[int, Candidate], statement_ranges: list[tuple[int, int, Statement]], named: set[int]
) -> None:
    """Absorb complements into their frames; code modality inside reported speech."""
    for act in sorted(acts.values(), key=lambda a: a.token.i):
        tok = act.token
        gov = _frame_governor(tok)
        if gov is None or gov.pos_ not in ("VERB", "ADJ", "AUX"):
            continue
        gbase = _base(gov)
        code: str | None = None
        if gov.pos_ == "ADJ" or gov.lower_ == "committed":
            if gov.lower_ in lex.INTENT_ADJECTIVES | {"committed"}:
                code = "030"
        elif gbase in ("threaten", "warn"):
            code = "130"
        elif gbase in lex.REFUSAL_FRAMES:
            code = "011" if _base(tok) in _COMMENT_VERBS and gbase == "decline" else "120"
        elif gbase in lex.APPEAL_FRAMES and (gbase != "want" or _children(gov, "dobj", "obj")):
            code = "100" if gbase == "demand" else "020"
        elif gbase in lex.INTENT_FRAMES:
            code = "130" if gbase in ("vow", "pledge", "promise") and _hostile(act.code) else "030"
        if code is None:
            continue
        frame = acts.get(gov.i)
        if frame is None:
            frame = Candidate(token=gov, code=code, source=_subject(gov), negated=_negated(gov))
            acts[gov.i] = frame
        elif frame.code[:2] != code[:2]:
            frame.code = code
        frame.report = False
        own = _targets(gov, named, exclude=frame.source)
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
                and act.source.lower_ in _PRONOUNS
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
            and act.source.lower_ not in _PRONOUNS
        ):
            act.code, act.targets, act.source = "100", [act.source], reporter.source
            act.modality = "obligation"
        rbase = _base(reporter.token)
        if reporter.cls is SpeechActClass.REJECT_DENY and not reporter.negated:
            act.modality = "denied"
        elif rbase in ("accuse", "allege", "blame", "claim") and act.cls is SpeechActClass.OTHER:
            act.modality = "alleged"
            if rbase == "claim" and _hostile(act.code) and not act.negated:
                own_act = (
                    act.source is None
                    or act.source.lower_ in _PRONOUNS
                    or (reporter.source is not None and act.source.lower_ == reporter.source.lower_)
                )
                reporter.code = "015" if own_act else "112"
                reporter.report = False
                if not own_act and act.source is not None:
                    reporter.targets = [act.source]


def _future_intents(
    doc: Doc, acts: dict[int, Candidate], statement_ranges: list[tuple[int, int, Statement]]
) -> None:
    """``X said it would allow Y``: a promise by the speaker even with an uncoded verb."""
    for token in doc:
        if token.i in acts or token.pos_ != "VERB" or _base(token) in ("be", "have"):
            continue
        if not ({c.lower_ for c in token.children if c.dep_ == "aux"} & lex.FUTURE_AUX):
            continue
        subjects = _children(token, "nsubj")
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
        act.targets = [t for t in _direct_targets(token) if _actorish(t)][:1]
        acts[token.i] = act


def code_acts(doc: Doc, statements: list[Statement], named: set[int]) -> list[Candidate]:
    ranges = []
    for statement in statements:
        for piece in statement.content.pieces():
            ranges.append((piece.start, piece.end, statement))
    acts = _find_candidates(doc, named)
    _apply_frames(acts, ranges, named)
    _future_intents(doc, acts, ranges)
    result = [a for a in acts.values() if not a.suppressed]
    result.extend(_reciprocal(result))
    return sorted(result, key=lambda a: (a.token.idx, a.code, a.source.i if a.source else -1))


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
        for appos in _children(act.source, "appos"):  # "The US, Russia, and Switzerland"
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
