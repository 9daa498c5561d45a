"""Actors stage: one canonical actor per person, organisation, country or group, and speakers.

Reads the spaCy ``Doc`` of one article (entities, parse) and the statements found by the
attribution stage, and returns the analysis with ``actors`` filled and every statement's
``speaker`` resolved:

1. **Mentions** come from NER (PERSON, ORG, GPE, NORP) and from the CAMEO/Phoenix
   dictionaries (:mod:`claimgraph.actors.dictionary`) where NER missed a proper name.
2. **Merging.** Person names merge by surname ("Maria Lopez" / "Lopez’s");
   other names by a key without articles, possessives and generic words ("The Islamic
   State" / "Islamic State group"), by acronym ("FSB" / "Federal Security Service") and
   by dictionary entry; national adjectives join their country ("Russian" → Russia).
3. **Roles and affiliations** come from title compounds ("Belarus president X"),
   appositions ("X, head of the FSB, Russia’s security service") and copular relative
   clauses ("X, who is a close ally of Y").
4. **Codes.** A dictionary entry for the name wins; otherwise the affiliation's
   organisation code, or its country code plus the role noun's agent code
   (a Belarusian "president" → ``BLR`` + ``GOV``).
5. **Speakers.** A source that names an actor resolves to it; "he/she/they" to the most
   recent compatible subject or the previous speaker; role nouns ("the FSB head") to the
   actor holding that role; a quote-only sentence without a source continues the
   previous speaker.

Steps 1-2 live in :mod:`claimgraph.actors.mentions`, step 3 in :mod:`claimgraph.actors.roles`,
step 5 in :mod:`claimgraph.actors.speakers`, the dictionaries in
:mod:`claimgraph.actors.dictionary`; this module runs them, assigns codes and builds the
output actors.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from claimgraph.actors import countries
from claimgraph.actors.countries import fold_phrase
from claimgraph.actors.dictionary import (
    DictionaryEntry,
    compose_code,
    fold_token,
    load_dictionaries,
)
from claimgraph.actors.mentions import (
    ActorContext,
    Cluster,
    collect_institutions,
    collect_names,
)
from claimgraph.actors.roles import read_roles, resolve_role_nouns
from claimgraph.actors.speakers import resolve_speakers
from claimgraph.config import Config
from claimgraph.model import (
    Actor,
    ActorMention,
    ActorType,
    ArticleAnalysis,
    CodeEvidence,
    MentionKind,
    Span,
    Speaker,
    Statement,
    stable_id,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc

logger = logging.getLogger(__name__)

#: Versioned name of this implementation (recorded in provenance).
STAGE_NAME = "claimgraph.actors.rules.v1"


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def resolve_actors(doc: Doc, analysis: ArticleAnalysis, *, config: Config | None = None
                   ) -> ArticleAnalysis:
    """Find the article's actors and resolve the speaker of every statement.

    ``doc`` is the parsed ``analysis.article.text``.  Returns a new analysis with
    ``actors`` (sorted by first mention) and statements whose ``speaker`` is filled where
    it can be resolved.  Raises :class:`~claimgraph.errors.ConfigError` when a user
    dictionary named in ``config.actors.user_dictionaries`` cannot be loaded.
    """
    config = config or Config()
    dictionary = load_dictionaries(config.actors.user_dictionaries)
    ctx = ActorContext(doc=doc, text=analysis.article.text, dictionary=dictionary,
                   sent_starts=[s.start for s in doc.sents])
    collect_names(ctx)
    read_roles(ctx)
    resolve_role_nouns(ctx)
    collect_institutions(ctx)
    resolved = resolve_speakers(ctx, analysis.statements)
    for cluster in ctx.clusters:
        _assign_code(ctx, cluster)
    actors, ids = _build_actors(ctx)
    names = {a.id: a.name for a in actors}
    statements: list[Statement] = []
    for statement in analysis.statements:
        found = resolved.get(statement.id)
        if found is None or found[0].uid not in ids:
            statements.append(statement)
            continue
        cluster, method, antecedent = found
        aid = ids[cluster.uid]
        speaker = Speaker(name=names[aid], actor_id=aid, method=method, antecedent=antecedent)
        statements.append(statement.model_copy(update={"speaker": speaker}))
    return analysis.model_copy(update={"actors": actors, "statements": statements})


def run_stage(doc: Doc, analysis: ArticleAnalysis, *, config: Config | None = None
              ) -> ArticleAnalysis:
    """Pipeline entry point: :func:`resolve_actors`."""
    return resolve_actors(doc, analysis, config=config)


def _one_line(text: str, start: int, end: int) -> tuple[int, int]:
    """``start, end`` cut to the longest line of ``text[start:end]`` (a mention never runs
    over a line break: a headline's last word, a blank line, then a name)."""
    piece = text[start:end]
    if "\n" not in piece:
        return start, end
    line = max(piece.split("\n"), key=lambda part: len(part.strip()))
    left = start + piece.index(line)
    stripped = line.strip()
    left += line.index(stripped)
    return left, left + len(stripped)


def actor_id(actor_type: ActorType, name: str) -> str:
    """The stable id of an actor: a hash of its type and folded canonical name.

    The same person named the same way gets the same id in every article, so stores can
    get-or-create on it.
    """
    key = " ".join(fold_token(w) for w in name.replace("’", "'").split())
    return stable_id(actor_type.value, key, prefix="actor_")


# ---------------------------------------------------------------------------
# 4. Codes
# ---------------------------------------------------------------------------


def _entry_evidence(entry: DictionaryEntry, span: tuple[int, int, str] | None) -> CodeEvidence:
    return CodeEvidence(
        source="user_dictionary" if entry.user else "dictionary",
        detail=f"{entry.phrase} → {entry.code} ({entry.source})",
        span=Span(start=span[0], end=span[1], text=span[2]) if span else None,
    )


def _country_of(cluster: Cluster, seen: set[int] | None = None) -> str | None:
    if cluster.entry is not None and cluster.entry.country:
        return cluster.entry.country
    seen = seen or set()
    seen.add(cluster.uid)
    for other in cluster.affiliations:
        if other.uid not in seen:
            found = _country_of(other, seen)
            if found:
                return found
    return None


def _assign_code(ctx: ActorContext, cluster: Cluster) -> None:
    names = sorted(cluster.names, key=lambda n: (-len(n[2]), n[0]))
    if cluster.entry is not None:
        cluster.evidence.insert(0, _entry_evidence(cluster.entry, names[0] if names else None))
        return
    inferred = _inferred_code(ctx, cluster) if cluster.type is ActorType.PERSON else None
    if names:
        # a person's surname alone may belong to someone else in the dictionary: a
        # one-word name is trusted only where it agrees with the country the text gives
        full = [n for n in names if len(n[2].split()) > 1]
        candidates = full if cluster.type is ActorType.PERSON and full else names
        for name in candidates:
            entry = ctx.dictionary.lookup(name[2])
            if entry is None:
                continue
            if not full and inferred is not None and entry.country != inferred[0][:3]:
                continue
            cluster.entry = entry
            cluster.evidence.insert(0, _entry_evidence(entry, name))
            return
    if inferred is None:
        return
    code, detail = inferred
    cluster.entry = DictionaryEntry(phrase=cluster.canonical(), primary=cluster.canonical(),
                                    code=code, kind="composed", source="inferred")
    cluster.evidence.insert(0, CodeEvidence(source="inferred", detail=detail))


def _inferred_code(ctx: ActorContext, cluster: Cluster) -> tuple[str, str] | None:
    """A person's code from the text: affiliation, or country plus role; and why."""
    orgs = [a for a in cluster.affiliations if a.type is ActorType.ORGANIZATION and a.entry]
    country = _country_of(cluster)
    agent = None
    for role in cluster.roles:
        agent = ctx.dictionary.agent(role) or ctx.dictionary.agent(role.split()[-1])
        if agent is not None:
            break
    if orgs and orgs[0].entry is not None and orgs[0].entry.code:
        code = orgs[0].entry.code
        return code, f"affiliation {orgs[0].canonical()} → {code}"
    if country and agent is not None:
        composed = compose_code(country, agent.code) or country
        return composed, (f"country {country} + role {agent.phrase!r} → {agent.code} "
                          f"({agent.source})")
    if country:
        return country, f"affiliation country {country}"
    return None


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def entity_key(entry: DictionaryEntry) -> str:
    """The dictionary key under which the corpus store gathers an actor: its entry's block
    (``"VLADIMIR PUTIN"`` for "Putin" too).  A country's block also lists its cities,
    states and capitals ("FLORIDA", "MOSCOW" under the country's code); those are places
    of their own, so only the country's own names (:func:`country_form`) take the
    block's key."""
    if entry.code and len(entry.code) == 3 and entry.code.isalpha():
        own = country_form(entry.phrase, entry.primary, entry.code)
        return entry.primary if own else entry.phrase
    return entry.primary


def country_form(phrase: str, primary: str, code: str | None = None) -> bool:
    """Whether ``phrase`` of a country's dictionary block names the country itself rather
    than a place inside it ("UTAH", "D.C."): the block name or one of the names that
    :mod:`~claimgraph.actors.countries` knows for ``code`` ("GREAT BRITAIN", "BRITISH",
    "HOLLAND"), a leading or final part of one ("UNITED STATES", "AMERICA", "BRITAIN"),
    its initials ("U.S.", "USA") or a word that shares its stem ("RUSSIA", "RUSSIAN"
    beside "RUSSIAN FEDERATION")."""
    name = fold_phrase(phrase)
    if not name or countries.is_capital(phrase, code):
        return False
    known = countries.country(code)
    return _names_country(name, fold_phrase(primary)) or any(
        name == other or other.startswith(name + " ") or other.endswith(" " + name)
        for other in (known.names if known else ())
    )


def _names_country(name: str, block: str) -> bool:
    if not block:
        return False
    if (
        name == block
        or block.startswith(name + " ")
        or block.endswith(" " + name)
        or (" " not in name and len(name) >= 4 and name[:4] == block[:4])
        or (" " not in name and any(len(w) >= 5 and name.startswith(w) for w in block.split()))
    ):
        return True
    letters = "".join(c for c in name if c.isalpha())
    words = block.split()
    initials = "".join(w[0] for w in words)
    content = "".join(w[0] for w in words if w not in {"of", "the", "and"})
    return len(words) > 1 and 2 <= len(letters) <= 5 and (
        initials.startswith(letters) or content.startswith(letters)
    )


def government_key(actor: Actor) -> str | None:
    """The dictionary key of the country whose capital ``actor`` is ("MOSCOW" →
    ``"RUSSIAN FEDERATION"``), or ``None``.  A capital that speaks, or is accused or
    praised, stands for its government ("Moscow denied"); the corpus store links such an
    actor to the country, and leaves the capital of a dateline a place."""
    if not actor.dictionary_key or not countries.is_capital(actor.dictionary_key, actor.code):
        return None
    entry = load_dictionaries().lookup(actor.dictionary_key)
    if entry is None or entry.code is None or entry.code[:3] != (actor.code or "")[:3]:
        return None
    return entry.primary


def _build_actors(ctx: ActorContext) -> tuple[list[Actor], dict[int, str]]:
    """The final actors, and the actor id of every cluster uid."""
    text = ctx.text
    by_id: dict[str, list[Cluster]] = {}
    for cluster in ctx.clusters:
        if not cluster.mentions:
            continue
        if cluster.label_votes and cluster.type is not ActorType.PERSON:
            cluster.type = max(cluster.label_votes.items(),
                               key=lambda kv: (kv[1], kv[0] is ActorType.COUNTRY))[0]
        code = cluster.entry.code if cluster.entry else None
        if cluster.type is ActorType.COUNTRY and code and len(code) == 3 and cluster.adjective_name:
            aid = actor_id(cluster.type, cluster.adjective_name)
        else:
            aid = actor_id(cluster.type, cluster.canonical())
        by_id.setdefault(aid, []).append(cluster)
    ids: dict[int, str] = {}
    actors: list[Actor] = []
    for aid, group in by_id.items():
        mentions: dict[tuple[int, int], MentionKind] = {}
        roles: list[str] = []
        affiliations: list[str] = []
        evidence: list[CodeEvidence] = []
        for cluster in group:  # same type and name: one actor
            ids[cluster.uid] = aid
            for where, kind in cluster.mentions.items():
                if where not in mentions or kind == "name":
                    mentions[where] = kind
            roles.extend(r for r in cluster.roles if r not in roles)
            affiliations.extend(a.canonical() for a in cluster.affiliations
                                if a.canonical() not in affiliations)
            evidence.extend(e for e in cluster.evidence if e not in evidence)
        main = group[0]
        actors.append(Actor(
            id=aid,
            name=main.canonical(),
            type=main.type,
            roles=roles,
            affiliations=affiliations,
            code=next((c.entry.code for c in group if c.entry and c.entry.code), None),
            evidence=evidence,
            mentions=[ActorMention(span=Span.of(text, *_one_line(text, s, e)), kind=k)
                      for (s, e), k in sorted(mentions.items())],
            aliases=sorted(
                {main.canonical()} | {" ".join(n[2].split()) for c in group for n in c.names}
            ),
            dictionary_key=next((entity_key(c.entry) for c in group
                                 if c.entry and c.entry.kind != "composed"), None),
        ))
    actors.sort(key=lambda a: (a.mentions[0].span.start, a.id))
    return actors, ids


__all__ = [
    "STAGE_NAME",
    "actor_id",
    "country_form",
    "entity_key",
    "government_key",
    "resolve_actors",
    "run_stage",
]
