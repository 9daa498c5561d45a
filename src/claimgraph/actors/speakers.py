"""Speakers: who said each statement, as an actor of the article.

Step 5 of the actors stage (:mod:`claimgraph.actors`).  A source that names an actor
resolves to it; "he/she/they" to the most recent compatible subject or the previous
speaker; role nouns ("the FSB head") to the actor holding that role; a quote-only
sentence without a source continues the previous speaker; an unnamed source ("a
government spokesman") becomes an actor of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claimgraph.actors.mentions import (
    ActorContext,
    Cluster,
    add_named,
    add_person,
    is_role_noun,
    phrase_tokens,
)
from claimgraph.actors.roles import role_candidates
from claimgraph.model import ActorType, ResolutionMethod, Span, Statement

if TYPE_CHECKING:
    from spacy.tokens import Token

_MALE = frozenset({"he", "him", "his", "himself"})
_FEMALE = frozenset({"she", "her", "hers", "herself"})
_PLURAL = frozenset({"they", "them", "their", "we", "us", "our"})
_NEUTER = frozenset({"it", "its"})
_FIRST_PERSON = frozenset({"i", "me", "my", "we", "us", "our"})
_QUOTES = "\"“”«»„"

#: A statement's speaker: the actor, how it was found, and the name it refers back to.
Resolution = tuple[Cluster, ResolutionMethod, Span | None]


def resolve_speakers(ctx: ActorContext, statements: list[Statement]) -> dict[str, Resolution]:
    """The speaker of each statement that has one, by statement id.

    Statements are read in text order, so a pronoun or a quote-only continuation can
    refer back to the previous speaker.  New mentions (pronouns, role nouns) and
    unnamed-source actors are added to ``ctx`` on the way.
    """
    out: dict[str, Resolution] = {}
    previous: tuple[Cluster, Span | None] | None = None
    for statement in sorted(statements, key=lambda s: (s.cue.start, s.id)):
        resolved = _resolve_one(ctx, statement, previous)
        if resolved is not None:
            out[statement.id] = resolved
            previous = (resolved[0], resolved[2])
    return out


def _name_antecedent(cluster: Cluster, before: int) -> Span | None:
    names = [n for n in cluster.names if n[0] < before] or cluster.names
    if not names:
        return None
    start, end, text = max(names, key=lambda n: n[0]) if names[0][0] < before else names[0]
    return Span(start=start, end=end, text=text)


def _compatible(cluster: Cluster, pronoun: str) -> bool:
    if pronoun in _MALE or pronoun in _FEMALE:
        if cluster.type is not ActorType.PERSON:
            return False
        want = "m" if pronoun in _MALE else "f"
        return cluster.gender in (None, want)
    if pronoun in _NEUTER:
        return cluster.type in (ActorType.ORGANIZATION, ActorType.COUNTRY)
    if pronoun in _PLURAL:
        return cluster.type is not ActorType.PERSON
    return True


def _inside_quotes(text: str, pos: int) -> bool:
    """Whether ``pos`` lies inside a quotation opened earlier in its paragraph."""
    para = text[text.rfind("\n", 0, pos) + 1 : pos]
    opened = para.count("“") + para.count("«") - para.count("”") - para.count("»")
    return opened > 0 or para.count('"') % 2 == 1


def _resolve_pronoun(ctx: ActorContext, token: Token, previous: Cluster | None) -> Cluster | None:
    pronoun = token.lower_
    if pronoun in _FIRST_PERSON:
        return previous
    if pronoun not in _MALE | _FEMALE | _PLURAL | _NEUTER:
        return None
    sent = ctx.sent_of(token.i)
    first_token = ctx.sent_starts[max(0, sent - 2)]
    subjects = [(i, c) for c in ctx.clusters if _compatible(c, pronoun)
                for i in c.subject_tokens if first_token <= i < token.i]
    if subjects:
        return max(subjects, key=lambda s: s[0])[1]
    if previous is not None and _compatible(previous, pronoun):
        return previous
    first_token = ctx.sent_starts[max(0, sent - 3)]
    recent = [(s, c) for c in ctx.clusters if _compatible(c, pronoun)
              for s, _ in c.mentions if ctx.doc[first_token].idx <= s < token.idx]
    return max(recent, key=lambda r: r[0])[1] if recent else None


def _is_quote_only(ctx: ActorContext, statement: Statement) -> bool:
    content = statement.content.text.lstrip()
    if content[:1] in _QUOTES:
        return True
    span = ctx.doc.char_span(statement.cue.start, statement.cue.end, alignment_mode="expand")
    if span is None:
        return False
    sent = ctx.sent_of(span.start)
    first = ctx.doc[ctx.sent_starts[sent]]
    return ctx.text[first.idx : first.idx + 2].lstrip()[:1] in _QUOTES


def _resolve_one(ctx: ActorContext, statement: Statement,
                 previous: tuple[Cluster, Span | None] | None
                 ) -> Resolution | None:
    source = statement.source
    prev_cluster = previous[0] if previous else None
    if source is None:
        if previous is not None and _is_quote_only(ctx, statement):
            return previous[0], "continuation", previous[1]
        return None
    span = ctx.doc.char_span(source.start, source.end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    # a name inside the source: the root's actor, else the first person, else any actor
    inside = [ctx.token_cluster[t.i] for t in span if t.i in ctx.token_cluster]
    root_cluster = ctx.token_cluster.get(span.root.i)
    named = root_cluster or next((c for c in inside if c.type is ActorType.PERSON),
                                 inside[0] if inside else None)
    starts = [t.idx for t in span if t.idx >= source.start]
    within = named.names_within(starts, source.end) if named is not None else []
    if named is not None and within:
        method: ResolutionMethod = "apposition" if any(t.dep_ == "appos" for t in span) \
            else "name"
        s, e, t = within[0]
        return named, method, Span(start=s, end=e, text=t)
    root = span.root
    if len(span) == 1 and root.tag_ in ("WP", "WP$", "WDT") and root.head.dep_ == "relcl":
        cluster = ctx.token_cluster.get(root.head.head.i)  # "X, who said ..."
        if cluster is None:
            return None
        cluster.add_mention(source.start, source.end, "pronoun")
        return cluster, "pronoun", _name_antecedent(cluster, source.start)
    if len(span) == 1 and root.tag_ in ("PRP", "PRP$"):
        if root.lower_ in _FIRST_PERSON and not _inside_quotes(ctx.text, source.start):
            return None  # the author's own voice
        cluster = _resolve_pronoun(ctx, root, prev_cluster)
        if cluster is None:
            return None
        cluster.add_mention(source.start, source.end, "pronoun")
        if root.lower_ in _MALE:
            cluster.gender = cluster.gender or "m"
        elif root.lower_ in _FEMALE:
            cluster.gender = cluster.gender or "f"
        return cluster, "pronoun", _name_antecedent(cluster, source.start)
    if root_cluster is not None:  # a role noun resolved earlier ("the FSB head")
        return root_cluster, "role", _name_antecedent(root_cluster, source.start)
    if is_role_noun(root) and root.tag_ != "NNS":
        found = role_candidates(ctx, root, source.start)
        if found:
            cluster = found[0][1]
            cluster.add_mention(source.start, source.end, "role")
            return cluster, "role", _name_antecedent(cluster, source.start)
    # an unnamed source ("a government spokesman", "officials"): an actor of its own
    words = phrase_tokens(list(span))
    if not words or not any(t.is_alpha for t in words):
        return None
    actor_type = ActorType.GROUP if root.tag_ in ("NNS", "NNPS") else ActorType.PERSON
    if root.pos_ not in ("NOUN", "PROPN"):
        return None
    phrase = ctx.doc[words[0].i : words[-1].i + 1]
    if actor_type is ActorType.PERSON and all(t.tag_ == "NNP" for t in phrase):
        person = add_person(ctx, phrase)  # a name the recogniser missed ("Okafor said")
        if person is not None:
            return person, "name", _name_antecedent(person, source.start)
    cluster = add_named(ctx, phrase, actor_type)
    cluster.type = actor_type
    return cluster, "name", None


__all__ = ["Resolution", "resolve_speakers"]
