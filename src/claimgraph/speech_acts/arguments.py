"""Arguments of a trigger word: who acts (the source) and on whom (the targets).

Used by :mod:`claimgraph.speech_acts.rules`.  Works on spaCy tokens only (``lower_``,
``tag_``, ``pos_``, ``dep_``, entities).  Sources are subjects, passive agents and
possessors of event nouns; targets are the trigger's objects and prepositional objects,
preferring the one that names an actor.  :func:`phrase_offsets` gives the words of an
argument.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claimgraph.speech_acts import lexicon as lex

if TYPE_CHECKING:
    from spacy.tokens import Span as DocSpan
    from spacy.tokens import Token

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
    "between",
    "among",
)
#: Nouns naming a message or a move: their author, not the noun, is the target.
_MESSAGE_NOUNS = frozenset(
    """proposal offer appeal demand demands call calls ultimatum request plan statement
    policy efforts effort bid decision idea suggestion invitation plea warning threat
    accusation accusations allegation allegations claim claims mediation move remarks
    comments initiative resolution position stance wish""".split()
)
PRONOUNS = frozenset("he she it they we i you who which that this these those".split())
_STATIVE_PASSIVES = frozenset({"oppose", "commit", "determine", "prepare", "engage"})
#: Verbs of giving: the recipient ("to X") is the target rather than the thing given.
_TRANSFER_VERBS = frozenset(
    "give provide contribute grant send offer donate deliver supply extend sell lend hand "
    "pledge allocate transfer".split()
)
_QUANTITY_HEADS = frozenset(
    "tens hundreds thousands millions dozens scores group groups some many most all "
    "number members part majority".split()
)


def base_of(token: Token) -> str:
    """The base form of ``token`` (from the lexicon, never spaCy's lemmas)."""
    return lex.base_form(token.lower_)


def children(token: Token, *deps: str) -> list[Token]:
    """The children of ``token`` attached by one of ``deps``."""
    return [c for c in token.children if c.dep_ in deps]


def is_passive(token: Token) -> bool:
    """Whether verb ``token`` is passive."""
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in token.children)


def resolve_relative(token: Token) -> Token:
    if token.lower_ in ("who", "which", "that") and token.head.dep_ == "relcl":
        return token.head.head
    return token


#: Punctuation that closes a dateline ("GUWAHATI:", "HONG KONG, March 21 (Xinhua) --").
_DATELINE_ENDS = frozenset({":", "--", "—", "–"})


def dateline_end(sent: DocSpan) -> int:
    """The index after the dateline that opens ``sent`` (``sent.start`` when none).

    A dateline is up to ten capitalised words, numbers and punctuation before a colon
    or a dash at the start of a sentence; the parser often takes its place name for the
    subject or the object of the first clause.
    """
    for tok in sent[:10]:
        if tok.text in _DATELINE_ENDS:
            return int(tok.i) + 1 if tok.i > sent.start else int(sent.start)
        if not (tok.is_title or tok.is_upper or tok.like_num or tok.is_punct):
            break
    return int(sent.start)


def in_dateline(token: Token) -> bool:
    """Whether ``token`` belongs to the dateline that opens its sentence."""
    return bool(token.i < dateline_end(token.sent))


def subject(token: Token) -> Token | None:
    """The agent of verb ``token``: its subject, passive agent, or an inherited one."""
    current = token
    for _ in range(6):
        for agent in children(current, "agent"):
            for pobj in children(agent, "pobj"):
                return pobj
        subjects = [c for c in current.children if c.dep_ in ("nsubj", "csubj")]
        if len(subjects) > 1:
            subjects = [c for c in subjects if not in_dateline(c)] or subjects
        if subjects:
            return resolve_relative(subjects[0])
        passive_subjects = children(current, "nsubjpass")
        if passive_subjects:
            # "is scheduled to attend", "is opposed to": the passive subject acts.
            if current.i != token.i or base_of(token) in _STATIVE_PASSIVES:
                return resolve_relative(passive_subjects[0])
            return None
        if current.dep_ in ("xcomp", "conj", "advcl", "acomp") and current.head.i != current.i:
            current = current.head
            continue
        if current.dep_ == "pcomp" and current.head.dep_ == "prep":
            current = current.head.head  # "resorted to [throwing]"
            continue
        if current.dep_ == "acl" and current.head.pos_ in ("NOUN", "PROPN"):
            noun = current.head
            if noun.dep_ in ("dobj", "obj", "pobj") and noun.head.i != noun.i:
                owner = noun.head.head if noun.dep_ == "pobj" else noun.head
                current = owner
                continue
            return noun
        break
    return None


def noun_source(token: Token) -> Token | None:
    poss = [p for p in children(token, "poss") if p.lower_ not in _POSSESSIVE_PRONOUNS]
    if poss:
        return poss[0]
    for prep in children(token, "prep"):
        if prep.lower_ == "by":
            for pobj in children(prep, "pobj"):
                return pobj
    for mod in children(token, "amod", "compound"):
        if mod.ent_type_ in ("NORP", "GPE", "ORG"):
            return mod
    head = token.head
    while head.dep_ in ("prep", "pobj", "dobj", "conj") and head.head.i != head.i:
        head = head.head  # "during demonstrations", "on its demands": the clause's agent
    return subject(head) if head.i != token.i else None


_POSSESSIVE_PRONOUNS = frozenset("its their his her our my your".split())


def actorish(token: Token) -> bool:
    """Whether ``token`` may stand for an actor: a noun, pronoun or national adjective."""
    national = token.pos_ == "ADJ" and token.ent_type_ in ("NORP", "GPE")
    return (
        (token.pos_ in ("PROPN", "NOUN", "PRON") or national)
        and token.ent_type_ not in _NON_ACTOR_ENTS
        and token.lower_ not in ("it", "this", "that")
        and token.lower_ not in lex.DENIAL_OBJECTS | lex.RESPONSIBILITY_NOUNS
    )


def _message_author(noun: Token) -> Token | None:
    for child in noun.children:
        if child.dep_ == "poss":
            return child
    for prep in children(noun, "prep"):
        if prep.lower_ in ("by", "from", "of"):
            for pobj in children(prep, "pobj"):
                if actorish(pobj):
                    return pobj
    for mod in children(noun, "amod", "compound"):
        if mod.ent_type_ in ("NORP", "GPE", "ORG", "PERSON"):
            return mod
    return None


def direct_targets(token: Token, *, noun: bool = False) -> list[Token]:
    """Argument heads of trigger ``token`` that may hold its target, best first."""
    found: list[Token] = []
    if not noun:
        if is_passive(token) and (
            children(token, "agent") or base_of(token) not in _STATIVE_PASSIVES
        ):
            found.extend(children(token, "nsubjpass"))
        for obj in children(token, "dobj", "obj", "dative"):
            if base_of(obj) in _MESSAGE_NOUNS:
                author = _message_author(obj)
                if author is not None:
                    found.append(author)
            found.append(obj)
    for prep in children(token, "prep"):
        if prep.lower_ not in _TARGET_PREPS or (not noun and prep.lower_ == "by"):
            continue
        for pobj in children(prep, "pobj"):
            if base_of(pobj) in _MESSAGE_NOUNS:
                author = _message_author(pobj)
                if author is not None:
                    found.append(author)
            found.append(pobj)
    # "said that X ...", "demands that X grant ...": the subject of the content clause
    clauses = children(token, "ccomp", "acl") if noun else children(token, "ccomp")
    for comp in clauses:
        found.extend(s for s in children(comp, "nsubj", "nsubjpass") if s.lower_ not in PRONOUNS)
    if not noun:
        for comp in children(token, "xcomp"):
            found.extend(direct_targets(comp))
    return found


def is_named(token: Token, named: set[int]) -> bool:
    """Whether ``token`` is inside an actor mention or a named entity."""
    return token.i in named or (
        (token.ent_type_ in ("PERSON", "ORG", "GPE", "NORP", "FAC", "LOC") and token.pos_ != "ADJ")
        or token.ent_type_ == "NORP"
    )


#: Prepositions whose object is a place or a time, not a party to the act.
_SCENE_PREPS = frozenset({"in", "during", "after", "before", "since", "near", "outside", "at"})


def _np_steps(token: Token) -> list[Token]:
    """The words one step further into the noun phrase of ``token``.

    A preposition and its object are one step ("the computers [of] officers"), and so
    is a participle's agent ("crimes [committed by] Croat forces").
    """
    out: list[Token] = []
    for child in token.children:
        if child.dep_ in ("poss", "compound", "amod", "nmod", "appos", "conj"):
            out.append(child)
        elif child.dep_ == "prep" and child.lower_ not in _SCENE_PREPS:
            out.extend(children(child, "pobj"))
        elif child.dep_ == "acl":
            for agent in children(child, "agent"):
                out.extend(children(agent, "pobj"))
    return out


def _find_named(root: Token, named: set[int], *, depth: int = 3) -> Token | None:
    """The first named actor in the noun phrase under ``root`` (breadth first)."""
    layer = [root]
    for _ in range(depth):
        for tok in layer:
            if is_named(tok, named) and actorish(tok):
                return tok
        layer = [c for tok in layer for c in _np_steps(tok)]
        if not layer:
            break
    return None


def targets(
    token: Token, named: set[int], *, noun: bool = False, exclude: Token | None = None
) -> list[Token]:
    """Target heads of trigger ``token``: the first named actor, else the first object."""
    candidates = [descend_quantity(t) for t in direct_targets(token, noun=noun)]
    skip = set() if exclude is None else {t.i for t in exclude.subtree}
    skip.difference_update(t.i for t in token.subtree)  # a misparse may nest the act
    sent = token.sent
    skip.update(range(sent.start, dateline_end(sent)))
    candidates = [resolve_relative(c) for c in candidates if c.i not in skip]
    chosen: Token | None = None
    for cand in candidates:
        hit = _find_named(cand, named)
        if hit is not None and hit.i not in skip:
            chosen = hit
            break
    if chosen is None:
        chosen = _named_in_scope(token, named, skip)
    if chosen is None and not noun and base_of(token) in _TRANSFER_VERBS:
        # "provided subsidies to disabled persons": the recipient, not the thing given
        holders = [token, *children(token, "dobj", "obj")]  # "subsidies [to X]" too
        recipients = [
            p
            for holder in holders
            for prep in children(holder, "prep")
            if prep.lower_ == "to"
            for p in children(prep, "pobj")
            if p.i not in skip
        ]
        candidates = recipients + candidates
    if chosen is None:
        chosen = next((c for c in candidates if actorish(c) and c.lower_ not in PRONOUNS), None)
    if chosen is None:
        return []
    result = [chosen]
    for conj in chosen.conjuncts:
        if conj.i > chosen.i and actorish(conj):
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
            if is_named(tok, named) and actorish(tok) and tok.ent_type_ not in ("LOC", "FAC"):
                return tok
            nxt.extend(c for c in tok.children if c.dep_ not in ("nsubj", "nsubjpass", "relcl"))
        if not nxt:
            break
        layer = nxt
    return None


def descend_quantity(token: Token) -> Token:
    """``thousands of students`` -> ``students``."""
    for _ in range(3):
        if token.lower_ not in _QUANTITY_HEADS and token.ent_type_ != "CARDINAL":
            break
        pobjs = [
            p
            for prep in children(token, "prep")
            if prep.lower_ == "of"
            for p in children(prep, "pobj")
        ]
        if not pobjs:
            break
        token = pobjs[0]
    return token


def phrase_offsets(token: Token) -> tuple[int, int]:
    """Character offsets of the noun phrase core headed by ``token``.

    The core is the head with its compounds, possessor and proper-noun modifiers, and
    an "of"/"from" phrase naming an organisation or a country ("activists from the
    Fatah Party"); leading descriptive adjectives, determiners, clauses and other PPs
    are left out.
    """
    doc = token.doc
    start, end = _entity_bounds(token)
    keep = ("compound", "poss", "case", "flat", "nmod", "amod")
    left = sorted((c for c in token.lefts if c.dep_ in keep), key=lambda c: -c.i)
    for child in left:  # closest first; stop at the first descriptive adjective
        descriptive = child.dep_ == "amod" and not (child.ent_type_ or child.pos_ == "PROPN")
        gap = doc[child.right_edge.i + 1 : start]
        if descriptive or not all(t.is_punct for t in gap):  # "(APEC) forum" has no gap
            break
        start = min(start, child.left_edge.i)
    for child in token.rights:
        if child.dep_ in ("compound", "flat", "case") and child.i == end:
            end = child.i + 1
        elif child.dep_ == "prep" and child.lower_ in ("of", "from") and child.i == end:
            end = max(end, _named_pobj_end(child))
    while start < end - 1 and (doc[start].is_punct or doc[start].dep_ == "det"):
        start += 1
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1])


def _entity_bounds(token: Token) -> tuple[int, int]:
    """Token bounds of the actor-like entity around ``token``, else the token itself.

    Walks the IOB tags rather than ``doc.ents``, which is rebuilt on every access.
    """
    if not token.ent_type_ or token.ent_type_ in _NON_ACTOR_ENTS:
        return token.i, token.i + 1
    doc = token.doc
    start, end = token.i, token.i + 1
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return start, end


def _named_pobj_end(prep: Token) -> int:
    """The end of the organisation or country named by ``prep``'s object, else 0."""
    for pobj in children(prep, "pobj"):
        if pobj.ent_type_ in ("ORG", "GPE", "NORP"):
            return _entity_bounds(pobj)[1]
    return 0


__all__ = [
    "PRONOUNS",
    "actorish",
    "base_of",
    "children",
    "dateline_end",
    "descend_quantity",
    "direct_targets",
    "in_dateline",
    "is_named",
    "is_passive",
    "noun_source",
    "phrase_offsets",
    "resolve_relative",
    "subject",
    "targets",
]
