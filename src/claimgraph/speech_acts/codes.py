"""The CAMEO code of one trigger word in its sentence.

A verb's code depends on its object, particle and complements ("claim the attack" is a
claim of responsibility, "claim that ..." an assertion, "deny visas" a refusal); an event
noun's code counts only where the noun denotes an act that happened ("held talks", "took
part in the protest").  Words and codes come from :mod:`claimgraph.speech_acts.lexicon`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claimgraph.speech_acts import lexicon as lex
from claimgraph.speech_acts.arguments import base_of, children, is_passive, resolve_relative

if TYPE_CHECKING:
    from spacy.tokens import Token

#: Verbs of commenting ("declined to comment").
COMMENT_VERBS = frozenset("comment reveal elaborate discuss say confirm give speak".split())


_DEMAND_OBJECTS = frozenset(
    "demand demands requirement requirements deadline target criteria condition "
    "conditions standard standards expectation expectations need needs".split()
)


_EVENT_SUBJECT_VERBS = frozenset("take hold begin continue erupt break spread start".split())


def _obj(token: Token) -> Token | None:
    objs = children(token, "dobj", "obj")
    return objs[0] if objs else None


def _claimed(token: Token, obj: Token | None) -> Token | None:
    """What verb ``token`` ("claim") has claimed: its object, its passive subject (through a
    relative pronoun: "an attack that was claimed by ..."), or the noun it modifies ("the
    attack claimed by ...")."""
    if obj is not None:
        return obj
    subjects = children(token, "nsubjpass")
    if subjects:
        return resolve_relative(subjects[0])
    if token.dep_ == "acl" and token.head.pos_ in ("NOUN", "PROPN"):
        return token.head
    return None


def verb_code(token: Token) -> str | None:
    """The CAMEO code of verb ``token`` in its context, or ``None``."""
    base = base_of(token)
    obj = _obj(token)
    obj_base = lex.base_form(obj.lower_) if obj is not None else ""
    preps = {c.lower_: c for c in token.children if c.dep_ in ("prep", "prt", "agent")}
    for word in [*preps, obj.lower_ if obj is not None else ""]:
        if (base, word) in lex.PHRASAL_CODES:
            return lex.PHRASAL_CODES[(base, word)]
    for prep in preps.values():  # "go on strike"
        for pobj in children(prep, "pobj"):
            if (base, pobj.lower_) in lex.PHRASAL_CODES:
                return lex.PHRASAL_CODES[(base, pobj.lower_)]
    if base in lex.RESPONSIBILITY_VERBS and obj_base in lex.RESPONSIBILITY_NOUNS:
        return "015"
    if base == "express" and obj_base in lex.EXPRESS_OBJECTS:
        return lex.EXPRESS_OBJECTS[obj_base]
    if base == "sign":
        heads = [obj, *(obj.conjuncts if obj is not None else ())]
        return (
            "057"
            if any(h is not None and base_of(h) in lex.AGREEMENT_NOUNS for h in heads)
            else None
        )
    if base == "claim":
        patient = _claimed(token, obj)
        if patient is not None and patient.lower_ in lex.CLAIMED_HARM_NOUNS:
            return "015"
        if patient is not None and patient.lower_ in lex.CLAIMED_LIFE_NOUNS:
            return None
        return "010"
    if base == "deny":
        if children(token, "dative") or (is_passive(token) and obj is not None):
            return "160"  # "were denied visas": a refusal of goods, not a denial
        return "016" if obj is None or obj_base in lex.DENIAL_OBJECTS else "120"
    if base == "charge":
        if "with" in preps or is_passive(token):
            return "173"
        return "112" if children(token, "ccomp") else None
    if base == "protest" and children(token, "ccomp"):
        return "111"
    if base == "strike":
        return "190" if obj is not None else "143"
    if base == "decline":
        comps = children(token, "xcomp")
        if comps and base_of(comps[0]) in COMMENT_VERBS:
            return "011"
    if base == "agree" and "with" in preps and not children(token, "xcomp"):
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
            children(token, "xcomp", "ccomp") or "for" in preps
        ):
            return None
        if base == "seek" and (obj is None or children(token, "xcomp")):
            return None
        if base in ("plan", "want"):
            return None  # only as frames
    if base in lex.REPORT_VERBS:
        content = children(token, "ccomp", "dobj", "obj", "xcomp")
        if not content and base not in ("say", "tell", "announce", "declare", "state"):
            return None
        return lex.VERB_CODES.get(base, "010")
    if base in lex.VERB_CODES:
        return lex.VERB_CODES[base]
    if base in lex.MATERIAL_CODES:
        return lex.MATERIAL_CODES[base]
    return None


def noun_code(token: Token) -> str | None:
    """The CAMEO code of event noun ``token`` when it denotes an act that happened."""
    base = base_of(token)
    if base not in lex.NOUN_CODES:
        return None
    code = lex.NOUN_CODES[base]
    if base == "strike" and any(c.lower_ in ("air", "missile", "drone") for c in token.children):
        return "195"
    token = noun_anchor(token)
    head = token.head
    if token.dep_ == "conj":
        token = token.head
        head = token.head
    if token.dep_ in ("dobj", "obj") and base_of(head) in lex.LIGHT_VERBS:
        if base == "welcome":
            return "043"
        return code
    if token.dep_ == "pobj" and head.dep_ == "prep":
        verb = head.head
        if base_of(verb) in lex.LIGHT_VERBS or verb.lower_ in ("part", "engaged", "engage"):
            return code
        if head.lower_ in lex.EVENT_PREPOSITIONS and code.startswith("14") and verb.pos_ == "VERB":
            return code
    if token.dep_ in ("nsubj", "nsubjpass") and base_of(head) in _EVENT_SUBJECT_VERBS:
        return code
    return None


def phrasal_extra(token: Token) -> list[Token]:
    """The particle or object that completes a multi-word trigger (``point fingers``)."""
    base = base_of(token)
    for child in token.children:
        if (base, child.lower_) in lex.PHRASAL_CODES and child.dep_ in (
            "prt",
            "prep",
            "dobj",
            "obj",
        ):
            return [child]
    return []


def noun_anchor(token: Token) -> Token:
    """The token whose position decides whether event noun ``token`` happened."""
    if token.dep_ == "compound" and token.head.pos_ == "NOUN":
        return token.head
    return token


__all__ = ["COMMENT_VERBS", "noun_anchor", "noun_code", "phrasal_extra", "verb_code"]
