"""Roles and affiliations of the person actors of one article.

Step 3 of the actors stage (:mod:`claimgraph.actors`), after the mentions are clustered
(:mod:`claimgraph.actors.mentions`): roles and affiliations come from title compounds
("Belarus president X"), appositions ("X, head of the FSB, Russia’s security service")
and copular relative clauses ("X, who is a close ally of Y"); definite role nouns ("the
FSB head") become mentions of the actor holding that role.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claimgraph.actors.mentions import (
    PERSON_ROLES,
    ActorContext,
    Cluster,
    add_role,
    is_role_noun,
    phrase_tokens,
)
from claimgraph.model import ActorType

if TYPE_CHECKING:
    from spacy.tokens import Span as SpacySpan
    from spacy.tokens import Token

#: Role nouns that name the same office.
_ROLE_SYNONYMS = {
    "leader": {"president", "premier", "chancellor", "minister", "king", "head", "chief",
               "chairman", "leader", "secretary"},
    "head": {"head", "chief", "director", "chairman", "leader", "president"},
    "chief": {"head", "chief", "director", "chairman", "leader"},
    "premier": {"premier", "minister"},
}


def _affiliate(ctx: ActorContext, cluster: Cluster, tokens: list[Token]) -> None:
    for token in tokens:
        other = ctx.token_cluster.get(token.i)
        if other is not None and other is not cluster and other not in cluster.affiliations \
                and other.type is not ActorType.PERSON:
            cluster.affiliations.append(other)


def _appos_tokens(token: Token) -> list[Token]:
    """The apposition's own words, without nested appositions or clauses."""
    out: list[Token] = []
    stack = [token]
    while stack:
        t = stack.pop()
        out.append(t)
        stack.extend(c for c in t.children if c.dep_ not in ("appos", "relcl", "punct", "acl")
                     or c.tag_ == "POS")
    return phrase_tokens(sorted(out, key=lambda t: t.i))


def read_roles(ctx: ActorContext) -> None:
    doc = ctx.doc
    seen: set[int] = set()
    for cluster in [c for c in ctx.clusters if c.type is ActorType.PERSON]:
        for start, end, _ in list(cluster.names):
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None or span.root.i in seen:
                continue
            root = span.root
            seen.add(root.i)
            # title compounds: "Belarus president X", "Russian President X"
            sent_start = ctx.sent_starts[ctx.sent_of(root.i)]
            mods = [t for t in doc[max(sent_start, span.start - 6) : span.start]
                    if t.head.i in range(span.start, span.end + 1) or t.head.i == root.i
                    or (t.head.dep_ == "compound" and t.head.i < span.start)]
            mods = [t for t in mods if t.dep_ in ("compound", "amod", "nmod", "poss")]
            role_tokens = [t for t in mods if t.i not in ctx.token_cluster and t.tag_ != "POS"]
            if role_tokens and any(is_role_noun(t) for t in role_tokens):
                head = next(t for t in reversed(role_tokens) if is_role_noun(t))
                add_role(cluster, " ".join(t.lower_ for t in role_tokens), head.lower_,
                          doc[mods[0].i : span.start])
                _affiliate(ctx, cluster, mods)
            # "King Hassan of Morocco": the country or organisation of a titled name
            if cluster.role_heads:
                _affiliate(ctx, cluster, [p for prep in root.children
                                          if prep.dep_ == "prep" and prep.lower_ == "of"
                                          for p in prep.children if p.dep_ == "pobj"])
            # appositions: "X, head of the FSB, Russia's security service"
            apps = [c for c in root.children if c.dep_ == "appos"]
            if root.dep_ == "appos" and is_role_noun(root.head):
                apps.append(root.head)
            last_org: Cluster | None = None
            for app in apps:
                words = _appos_tokens(app)
                if not words:
                    continue
                if is_role_noun(app):
                    add_role(cluster, " ".join(t.text for t in words), app.lower_,
                              doc[words[0].i : words[-1].i + 1])
                    # the role noun is this person, not an institution of its own
                    ctx.token_cluster.setdefault(app.i, cluster)
                    _affiliate(ctx, cluster, words)
                    orgs = [ctx.token_cluster[t.i] for t in words if t.i in ctx.token_cluster
                            and ctx.token_cluster[t.i].type is ActorType.ORGANIZATION]
                    last_org = orgs[-1] if orgs else last_org
                elif last_org is not None:  # describes the organisation just named
                    _affiliate(ctx, last_org, words)
                    _affiliate(ctx, cluster, words)
            # relative clause: "X, who is a close ally of Y"
            for rel in (c for c in root.children if c.dep_ == "relcl"):
                attrs = [c for c in rel.children if c.dep_ == "attr"]
                if rel.lower_ in ("is", "was", "'s", "remains", "became") and attrs:
                    words = phrase_tokens(list(attrs[0].subtree))
                    if words:
                        add_role(cluster, " ".join(t.text for t in words), attrs[0].lower_,
                                  doc[words[0].i : words[-1].i + 1])


def role_candidates(ctx: ActorContext, head: Token, before: int) -> list[tuple[float, Cluster]]:
    """Person clusters that hold the role named by ``head`` (with its modifiers)."""
    word = head.lower_.rstrip("s") if head.tag_ == "NNS" else head.lower_
    wanted = _ROLE_SYNONYMS.get(word, {word})
    mods = [t for t in head.subtree if t.i != head.i and t.i in ctx.token_cluster]
    mod_clusters = {id(ctx.token_cluster[t.i]) for t in mods}
    out: list[tuple[float, Cluster]] = []
    for cluster in ctx.clusters:
        if cluster.type is not ActorType.PERSON or cluster.first >= before:
            continue
        if not (cluster.role_heads & wanted):
            continue
        score = 2.0 if word in cluster.role_heads else 1.0
        if mod_clusters:
            affiliated = {id(a) for a in cluster.affiliations}
            for a in cluster.affiliations:
                affiliated.update(id(b) for b in a.affiliations)
            if not (mod_clusters & affiliated):
                continue
            score += 2.0
        last = max((s for s, _ in cluster.mentions if s < before), default=0)
        out.append((score + last / 1e9, cluster))
    return sorted(out, key=lambda item: -item[0])


def _role_phrase(head: Token) -> SpacySpan:
    left = min([head.i, *(t.i for t in head.lefts if t.dep_ in ("det", "compound", "amod",
                                                                  "poss", "nmod"))])
    return head.doc[left : head.i + 1]


def resolve_role_nouns(ctx: ActorContext) -> None:
    from spacy.attrs import LOWER

    strings = ctx.doc.vocab.strings
    lowers = ctx.doc.to_array(LOWER).tolist()
    for i, lower in enumerate(lowers):
        if strings[lower] not in PERSON_ROLES:
            continue
        token = ctx.doc[i]
        if not is_role_noun(token) or token.i in ctx.token_cluster or token.tag_ == "NNS":
            continue
        if token.dep_ in ("compound", "appos") or token.head.i in ctx.token_cluster:
            continue  # a title or apposition of a name, read by read_roles
        if not any(c.dep_ in ("det", "poss") for c in token.lefts):
            continue  # "a minister": not a definite reference
        found = role_candidates(ctx, token, token.idx)
        if found:
            phrase = _role_phrase(token)
            found[0][1].add_mention(phrase.start_char, phrase.end_char, "role")
            ctx.token_cluster[token.i] = found[0][1]


__all__ = ["read_roles", "resolve_role_nouns", "role_candidates"]
