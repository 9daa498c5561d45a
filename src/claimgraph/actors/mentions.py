"""Actor mentions: the names of one article clustered into actors, with roles.

Steps 1-2 of the actors stage (:mod:`claimgraph.actors`), over the spaCy ``Doc``:

1. **Mentions** come from NER (PERSON, ORG, GPE, NORP) and from the CAMEO/Phoenix
   dictionaries (:mod:`claimgraph.actors.dictionary`) where NER missed a proper name.
2. **Merging.** Person names merge by surname ("Maria Lopez" / "Lopez’s");
   other names by a key without articles, possessives and generic words ("The Islamic
   State" / "Islamic State group"), by acronym ("FSB" / "Federal Security Service") and
   by dictionary entry; national adjectives join their country ("Russian" → Russia).
3. **Roles and affiliations** are read by :mod:`claimgraph.actors.roles`.

The clusters are working state of one article's pass: :mod:`claimgraph.actors` codes
and outputs them, :mod:`claimgraph.actors.speakers` resolves statement sources to them.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from claimgraph.actors.dictionary import ActorDictionary, DictionaryEntry, compose_code, fold_token
from claimgraph.model import ActorType, CodeEvidence, MentionKind, Span
from claimgraph.nlp.token_strings import token_pos
from claimgraph.resources import DATA_DIR

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

_LABEL_TYPES = {
    "PERSON": ActorType.PERSON,
    "ORG": ActorType.ORGANIZATION,
    "GPE": ActorType.COUNTRY,
    "NORP": ActorType.GROUP,
}
_HONORIFICS = {"mr": "m", "mr.": "m", "sir": "m", "mrs": "f", "mrs.": "f", "ms": "f",
               "ms.": "f", "miss": "f", "madam": "f", "dame": "f", "lady": "f", "lord": "m"}
_TITLES = frozenset({"dr", "dr.", "prof", "prof.", "gen", "gen.", "sen", "sen.", "rep", "rep.",
                     "gov", "gov.", "pres", "pres.", "lt", "lt.", "col", "col.", "sgt", "sgt.",
                     "capt", "capt.", "adm", "adm.", "rev", "rev.", "st", "st."})
#: Head nouns that name a person by office or function.
PERSON_ROLES = frozenset("""
president premier minister chancellor leader head chief director secretary spokesman
spokeswoman spokesperson official ambassador envoy diplomat senator congressman
congresswoman lawmaker legislator governor mayor king queen prince emir sultan general
commander colonel admiral officer prosecutor judge attorney candidate nominee chairman
chairwoman chair founder ceo executive adviser advisor aide deputy speaker representative
mp analyst expert professor scientist researcher activist campaigner lawyer economist
journalist reporter editor correspondent manager boss owner
""".split())
#: Role nouns that may stand for one another when resolving "the leader", "the head".
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those"})
#: Given names with a clear gender, one section per gender (see the file's header).
GIVEN_NAMES_PATH = DATA_DIR / "given_names.txt"
_GENERIC_TAIL = frozenset({"group", "organization", "organisation", "movement", "militia"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
#: Dependencies that attach a country to an institution noun ("Russia's army",
#: "the Azerbaijani parliament", "Algerian government forces").
_COUNTRY_MOD_DEPS = frozenset({"amod", "compound", "poss", "nmod"})
#: Agent codes of organised actors, coded even without a country ("the government",
#: "insurgents" → ``---GOV``, ``---REB``); civilians, workers and the like are not.
_ORGANISED_SECTORS = ("GOV", "MIL", "REB", "COP", "LEG", "JUD", "OPP", "UAF", "SPY", "RAD",
                      "INS")


@functools.cache
def _given_names() -> dict[str, str]:
    """Given name → ``"f"`` or ``"m"``, read once from :data:`GIVEN_NAMES_PATH`."""
    out: dict[str, str] = {}
    gender = ""
    for raw in GIVEN_NAMES_PATH.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line in ("[female]", "[male]"):
            gender = line[1]
        elif line:
            for name in line.split():
                out.setdefault(name, gender)
    return out


@dataclass
class Cluster:
    """One actor under construction."""

    type: ActorType
    names: list[tuple[int, int, str]] = field(default_factory=list)
    mentions: dict[tuple[int, int], MentionKind] = field(default_factory=dict)
    keys: set[tuple[str, ...]] = field(default_factory=set)
    roles: list[str] = field(default_factory=list)
    role_heads: set[str] = field(default_factory=set)
    affiliations: list[Cluster] = field(default_factory=list)
    evidence: list[CodeEvidence] = field(default_factory=list)
    entry: DictionaryEntry | None = None
    gender: str | None = None
    subject_tokens: list[int] = field(default_factory=list)  # token indices of subject mentions
    label_votes: dict[ActorType, int] = field(default_factory=dict)
    adjective_name: str | None = None
    uid: int = 0
    #: ``names`` by start offset (kept by :meth:`add_name`), so that the names inside a
    #: short stretch are found without scanning all of them.
    names_by_start: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)

    @property
    def first(self) -> int:
        return min(self.mentions)[0] if self.mentions else 0

    @property
    def surname(self) -> str:
        return self.longest_key()[-1]

    def longest_key(self) -> tuple[str, ...]:
        return max(self.keys, key=lambda k: (len(k), k)) if self.keys else ("",)

    def canonical(self) -> str:
        if self.names:
            return max(self.names, key=lambda n: (len(n[2].split()), len(n[2]), -n[0]))[2]
        return self.adjective_name or "?"

    def add_name(self, start: int, end: int, text: str) -> None:
        if "\n" in text:  # a phrase the parse ran over a line break: keep the longest line
            line = max(text.split("\n"), key=lambda part: len(part.strip()))
            offset = text.index(line)
            start, end = start + offset, start + offset + len(line)
            stripped = line.strip()
            start, end = start + line.index(stripped), start + line.index(stripped) + len(stripped)
            text = stripped
        name = (start, end, text)
        self.names.append(name)
        self.names_by_start.setdefault(start, []).append(name)

    def names_within(self, starts: Iterable[int], end: int) -> list[tuple[int, int, str]]:
        """The names that start at one of ``starts`` (ascending token offsets) and end by
        ``end``, in offset order."""
        return [
            name
            for start in starts
            for name in sorted(self.names_by_start.get(start, ()))
            if name[1] <= end
        ]

    def add_mention(self, start: int, end: int, kind: MentionKind) -> None:
        if (start, end) not in self.mentions or kind == "name":
            self.mentions[(start, end)] = kind


@dataclass
class ActorContext:
    doc: Doc
    text: str
    dictionary: ActorDictionary
    clusters: list[Cluster] = field(default_factory=list)
    token_cluster: dict[int, Cluster] = field(default_factory=dict)
    sent_starts: list[int] = field(default_factory=list)

    def sent_of(self, token_i: int) -> int:
        return bisect.bisect_right(self.sent_starts, token_i) - 1

    def new_cluster(self, actor_type: ActorType) -> Cluster:
        cluster = Cluster(type=actor_type, uid=len(self.clusters))
        self.clusters.append(cluster)
        return cluster


# ---------------------------------------------------------------------------
# 1-2. Names and merging
# ---------------------------------------------------------------------------


def _trim(span: SpacySpan) -> tuple[SpacySpan, str | None, list[str]]:
    """Strip articles, possessives, honorifics and titles; return gender and titles seen."""
    doc = span.doc
    start, end = span.start, span.end
    gender: str | None = None
    titles: list[str] = []
    while start < end:
        low = doc[start].lower_
        if low in _DETERMINERS:
            start += 1
        elif low in _HONORIFICS:
            gender = _HONORIFICS[low]
            start += 1
        elif low in _TITLES or (low in PERSON_ROLES and end - start > 1
                                and span.label_ == "PERSON"):
            titles.append(low)
            start += 1
        else:
            break
    while end > start and (doc[end - 1].tag_ == "POS" or doc[end - 1].is_punct
                           or doc[end - 1].is_space):
        end -= 1
    return doc[start:end], gender, titles


def _key(span: SpacySpan) -> tuple[str, ...]:
    words = [fold_token(t.text) for t in span if not t.is_punct and not t.is_space]
    while len(words) > 1 and words[-1] in _GENERIC_TAIL:
        words.pop()
    return tuple(words)


def _acronym(key: tuple[str, ...]) -> str:
    return "".join(w[0] for w in key if w not in {"of", "the", "and", "for"} and w)


def collect_names(ctx: ActorContext) -> None:
    doc = ctx.doc
    ents: list[tuple[SpacySpan, str]] = [(e, e.label_) for e in doc.ents
                                         if e.label_ in _LABEL_TYPES]
    taken = {i for e, _ in ents for i in range(e.start, e.end)}
    for match in ctx.dictionary.match(doc):
        span = doc[match.token_start : match.token_end]
        if any(i in taken for i in range(span.start, span.end)):
            continue
        if not any(t.is_title or (t.is_upper and len(t) > 1) for t in span):
            continue
        sent_start = ctx.sent_starts[ctx.sent_of(span.start)]
        if span.start == sent_start and len(span) == 1 and not span[0].is_upper:
            continue  # a capitalised common word at the start of a sentence
        label = "GPE" if match.entry.code and len(match.entry.code) == 3 else "ORG"
        if match.entry.type is ActorType.PERSON:
            label = "PERSON"
        ents.append((span, label))
    ents.sort(key=lambda item: (item[0].start, item[0].end))

    persons: list[tuple[SpacySpan, str | None, list[str]]] = []
    adjectives: list[tuple[SpacySpan, bool]] = []
    for span, label in ents:
        trimmed, gender, titles = _trim(span)
        if not len(trimmed) or not any(t.is_alpha for t in trimmed):
            continue
        is_adjective = all(t.tag_ in ("JJ", "JJR", "JJS") for t in trimmed)
        if label != "PERSON" and _looks_like_person(ctx, trimmed):
            label = "PERSON"  # "Renata Okafor, president of the union": mislabelled GPE
        if label == "PERSON":
            persons.append((trimmed, gender, titles))
        elif label == "NORP" or (label == "GPE" and is_adjective):
            adjectives.append((trimmed, is_adjective))
        else:
            add_named(ctx, trimmed, _LABEL_TYPES[label])
    # national adjectives after the names, so that "Russian" finds a later "Russia"
    for trimmed, is_adjective in adjectives:
        _add_adjective(ctx, trimmed, is_adjective)
    # persons: full names first so that surnames find them
    for trimmed, gender, titles in sorted(persons, key=lambda p: (-len(p[0]), p[0].start)):
        _add_person(ctx, trimmed, gender, titles)


def _looks_like_person(ctx: ActorContext, span: SpacySpan) -> bool:
    """A non-person entity that is a person's name: proper nouns with no dictionary entry
    and a person's role noun in apposition ("X Y, president of ..."), which places and
    organisations do not take."""
    if not all(t.tag_ == "NNP" for t in span):
        return False
    if ctx.dictionary.lookup(span.text) is not None:
        return False
    root = span.root
    return any(c.dep_ == "appos" and is_role_noun(c) for c in root.children)


def _register(ctx: ActorContext, cluster: Cluster, span: SpacySpan, kind: MentionKind = "name",
              actor_type: ActorType | None = None) -> None:
    if kind == "name":
        cluster.add_name(span.start_char, span.end_char, span.text)
        cluster.keys.add(_key(span))
    cluster.add_mention(span.start_char, span.end_char, kind)
    if actor_type is not None:
        cluster.label_votes[actor_type] = cluster.label_votes.get(actor_type, 0) + 1
    for token in span:
        ctx.token_cluster[token.i] = cluster
    if span.root.dep_ in _SUBJECT_DEPS:
        cluster.subject_tokens.append(span.root.i)


def add_person(ctx: ActorContext, span: SpacySpan) -> Cluster | None:
    """Register a person's name found outside the entity recogniser (a source "Okafor"):
    it joins the person with that surname, as a recognised name would."""
    _add_person(ctx, span, None, [])
    return ctx.token_cluster.get(span.root.i)


def _add_person(ctx: ActorContext, span: SpacySpan, gender: str | None, titles: list[str]) -> None:
    key = _key(span)
    if not key:
        return
    best: Cluster | None = None
    best_distance = 10**9
    for cluster in ctx.clusters:
        if cluster.type is not ActorType.PERSON or cluster.surname != key[-1]:
            continue
        given = [k[0] for k in cluster.keys if len(k) > 1]
        if len(key) > 1 and given and not any(g[0] == key[0][0] for g in given):
            continue  # another person with the same surname
        distance = abs(cluster.first - span.start_char)
        before = [n for n in cluster.names if n[0] < span.start_char]
        if before:
            distance = span.start_char - max(n[0] for n in before)
        if distance < best_distance:
            best, best_distance = cluster, distance
    cluster = best or ctx.new_cluster(ActorType.PERSON)
    _register(ctx, cluster, span, "name", ActorType.PERSON)
    if gender is None and len(key) > 1:
        gender = _given_names().get(key[0])
    if gender and cluster.gender is None:
        cluster.gender = gender
    for title in titles:
        if title in PERSON_ROLES:
            add_role(cluster, title, title, None)


def _tail_of(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """Whether a name of two or more words ends a longer one ("Harbor Authority" of
    "Calloway Harbor Authority")."""
    return 2 <= len(short) < len(long) and long[-len(short):] == short


def add_named(ctx: ActorContext, span: SpacySpan, actor_type: ActorType) -> Cluster:
    key = _key(span)
    entry = ctx.dictionary.lookup(span.text)
    if entry is not None and entry.code and len(entry.code) == 3 and entry.code.isalpha() \
            and actor_type is ActorType.ORGANIZATION:
        actor_type = ActorType.COUNTRY  # NER sometimes tags a country as ORG
    for cluster in ctx.clusters:
        if cluster.type is ActorType.PERSON:
            continue
        same = key in cluster.keys
        if not same and len(key) == 1 and len(key[0]) >= 2:
            same = any(_acronym(k) == key[0] for k in cluster.keys if len(k) > 1)
        if not same and len(key) > 1:
            same = any(len(k) == 1 and _acronym(key) == k[0] for k in cluster.keys)
        if not same and actor_type is ActorType.ORGANIZATION \
                and cluster.type is ActorType.ORGANIZATION:
            same = any(_tail_of(key, k) or _tail_of(k, key) for k in cluster.keys)
        if not same and entry is not None and cluster.entry is not None:
            same = (entry.primary == cluster.entry.primary and entry.code == cluster.entry.code
                    and actor_type is not ActorType.COUNTRY)
        if same:
            _register(ctx, cluster, span, "name", actor_type)
            return cluster
    cluster = ctx.new_cluster(actor_type)
    cluster.entry = entry
    _register(ctx, cluster, span, "name", actor_type)
    return cluster


def _add_adjective(ctx: ActorContext, span: SpacySpan, is_adjective: bool) -> None:
    entry = ctx.dictionary.lookup(span.text)
    country = entry.code if entry and entry.code and len(entry.code) == 3 else None
    if country is None:
        if not is_adjective:  # "Islamists", "Democrats": a group
            add_named(ctx, span, ActorType.GROUP)
        return
    word = fold_token(span.text)
    target: Cluster | None = None
    for cluster in ctx.clusters:
        if cluster.type is ActorType.PERSON or cluster.entry is None:
            continue
        if cluster.entry.code == country and any(k and k[0][:4] == word[:4] for k in cluster.keys):
            target = cluster
            break
    if target is None:
        target = next((c for c in ctx.clusters if c.adjective_name and c.entry
                       and c.entry.code == country), None)
    if target is None and entry is not None:
        target = ctx.new_cluster(ActorType.COUNTRY)
        target.entry = entry
        target.adjective_name = ctx.dictionary.country_name(entry, span.text)
    if target is not None:
        _register(ctx, target, span, "name" if not is_adjective else "other", ActorType.COUNTRY)


# ---------------------------------------------------------------------------
# 2b. Institutions: a country and an agent noun
# ---------------------------------------------------------------------------


def _country_cluster(ctx: ActorContext, token: Token) -> Cluster | None:
    cluster = ctx.token_cluster.get(token.i)
    if cluster is None or cluster.type is not ActorType.COUNTRY or cluster.entry is None:
        return None
    return cluster if cluster.entry.country else None


def _agent_phrase(ctx: ActorContext, head: Token) -> tuple[int, int, DictionaryEntry] | None:
    """The longest agent entry ending at noun ``head`` ("government forces", "army")."""
    if not ctx.dictionary.may_end_agent(head.lower_) and not any(
        c.dep_ == "prep" and c.lower_ == "of" for c in head.rights
    ):
        return None  # most nouns: no agent phrase can end here, nor an "of" phrase follow
    doc = ctx.doc
    start = head.i
    while (start - 1 >= head.left_edge.i and doc[start - 1].dep_ in ("compound", "amod")
           and start <= doc[start - 1].head.i <= head.i
           and doc[start - 1].i not in ctx.token_cluster):
        start -= 1
    for prep in (c for c in head.rights if c.dep_ == "prep" and c.lower_ == "of"):
        pobjs = [c for c in prep.children if c.dep_ == "pobj" and c.i not in ctx.token_cluster]
        if pobjs and pobjs[0].i == prep.i + 1:  # "secretary of state"
            entry = ctx.dictionary.agent(doc[start : pobjs[0].i + 1].text)
            if entry is not None:
                return start, pobjs[0].i + 1, entry
    for left in range(start, head.i + 1):
        entry = ctx.dictionary.agent(doc[left : head.i + 1].text)
        if entry is not None:
            return left, head.i + 1, entry
    return None


def _institution_country(ctx: ActorContext, head: Token, start: int, end: int
                         ) -> tuple[int, int, Cluster] | None:
    """The country that owns the agent phrase ``doc[start:end]``, and the widened phrase."""
    for token in reversed(list(head.lefts)):
        if token.i >= start or token.dep_ not in _COUNTRY_MOD_DEPS:
            continue
        country = _country_cluster(ctx, token)
        if country is not None:
            return token.left_edge.i if token.dep_ == "poss" else token.i, end, country
    for prep in (c for c in head.rights if c.dep_ == "prep" and c.lower_ == "of"):
        for pobj in (c for c in prep.children if c.dep_ == "pobj"):
            country = _country_cluster(ctx, pobj)
            if country is not None and prep.i == end:  # "the government of Sudan"
                return start, pobj.i + 1, country
    return None


#: Prepositions after which a bare institution noun names a place ("in prison", "in court").
_LOCATIVE_PREPOSITIONS = frozenset({"in", "into", "inside"})


def _place_use(head: Token) -> bool:
    """Whether common noun ``head`` is a bare singular object of a locative preposition."""
    return (
        head.pos_ == "NOUN"
        and head.tag_ == "NN"
        and head.dep_ == "pobj"
        and head.head.lower_ in _LOCATIVE_PREPOSITIONS
        and not any(c.dep_ in ("det", "poss", "nummod") for c in head.children)
    )


def collect_institutions(ctx: ActorContext) -> None:
    """Actors for a country's institution or group: "Russia's army", "Syrian rebels".

    A noun phrase whose head is an agent noun of the dictionaries, owned by a country
    mention (national adjective, compound, possessive or "of" phrase), becomes an actor
    coded country + agent ("the Azerbaijani parliament" → ``AZE`` + ``LEG``); an
    organised actor with no country named is coded ``---`` + agent.  Runs
    after role resolution, so "the Russian president" is an actor of its own only
    where no named president was found.
    """
    for i, part in enumerate(token_pos(ctx.doc)):
        if part not in ("NOUN", "PROPN") or i in ctx.token_cluster:
            continue  # no Token object for the other tokens
        head = ctx.doc[i]
        if head.dep_ == "compound" and head.head.pos_ in ("NOUN", "PROPN"):
            continue
        plural = head.tag_ in ("NNS", "NNPS")
        agent = _agent_phrase(ctx, head)
        if agent is None:
            continue
        country_code: str | None
        owner = _institution_country(ctx, head, agent[0], agent[1])
        if owner is None:
            if _place_use(head):
                continue  # "held in preventive prison": a place, not the institution
            if not (agent[2].code or "").startswith(_ORGANISED_SECTORS):
                continue  # "people", "students": not an organised actor without a name
            if any(t.i in ctx.token_cluster or t.pos_ == "PROPN" for t in head.subtree):
                continue  # "Hezbollah guerrillas": not a country's
            span = ctx.doc[agent[0] : agent[1]]
            named = _named_organisation(ctx, head, span)
            if named is not None:  # "the authority" after "the Calloway Harbor Authority"
                named.add_mention(span.start_char, span.end_char, "role")
                for token in span:
                    ctx.token_cluster.setdefault(token.i, named)
                if span.root.dep_ in _SUBJECT_DEPS:
                    named.subject_tokens.append(span.root.i)
                continue
            country_code = "---"  # CAMEO's unknown country: "insurgents" → ---REB
        else:
            start, end, country = owner
            country_code = country.entry.country if country.entry is not None else None
            span = ctx.doc[min(start, agent[0]) : end]
        entry = ctx.dictionary.lookup(span.text)
        if entry is None or entry.country != country_code:
            code = compose_code(country_code, agent[2].code)
            entry = DictionaryEntry(phrase=span.text, primary=span.text, code=code,
                                    kind="composed", source=agent[2].source)
        if plural:
            actor_type = ActorType.GROUP
        elif head.lower_ in PERSON_ROLES:
            actor_type = ActorType.PERSON  # "the US Secretary of State": one person
        else:
            actor_type = ActorType.ORGANIZATION
        _add_institution(ctx, span, actor_type, entry)


_DEFINITE = frozenset({"the", "this", "that"})


def _named_organisation(ctx: ActorContext, head: Token, span: SpacySpan) -> Cluster | None:
    """The named organisation a bare definite agent noun refers back to.

    "the authority" (nothing but a definite determiner before it) refers to the latest
    organisation named before it whose name ends in that noun ("Calloway Harbor
    Authority"); ``None`` when there is none.
    """
    if head.tag_ != "NN" or len(span) != 1:
        return None
    if not any(c.dep_ == "det" and c.lower_ in _DEFINITE for c in head.children):
        return None
    if any(c.i < head.i and c.dep_ != "det" for c in head.children):
        return None  # "the port authority": another authority
    best: Cluster | None = None
    latest = -1
    for cluster in ctx.clusters:
        if cluster.type is not ActorType.ORGANIZATION:
            continue
        starts = [s for s, _, _ in cluster.names if s < head.idx]
        if not starts or not any(k and k[-1] == head.lower_ for k in cluster.keys):
            continue
        if max(starts) > latest:
            best, latest = cluster, max(starts)
    return best


def _add_institution(ctx: ActorContext, span: SpacySpan, actor_type: ActorType,
                     entry: DictionaryEntry) -> None:
    key = _key(span)
    person = actor_type is ActorType.PERSON
    cluster = next((c for c in ctx.clusters
                    if key in c.keys and (c.type is ActorType.PERSON) == person), None)
    if cluster is None:
        cluster = ctx.new_cluster(actor_type)
        cluster.entry = entry
    cluster.add_name(span.start_char, span.end_char, span.text)
    cluster.keys.add(key)
    cluster.add_mention(span.start_char, span.end_char, "name")
    cluster.label_votes[actor_type] = cluster.label_votes.get(actor_type, 0) + 1
    for token in span:  # the country keeps its own words ("Russian" stays Russia)
        ctx.token_cluster.setdefault(token.i, cluster)
    if span.root.dep_ in _SUBJECT_DEPS:
        cluster.subject_tokens.append(span.root.i)


# ---------------------------------------------------------------------------
# 3. Roles and affiliations
# ---------------------------------------------------------------------------


def is_role_noun(token: Token) -> bool:
    return token.pos_ in ("NOUN", "PROPN") and token.lower_ in PERSON_ROLES


def add_role(cluster: Cluster, role: str, head: str, source: SpacySpan | None) -> None:
    role = role.strip(" ,")
    if role and role not in cluster.roles:
        cluster.roles.append(role)
        span = Span(start=source.start_char, end=source.end_char, text=source.text) \
            if source is not None else None
        cluster.evidence.append(CodeEvidence(source="text", detail=f"role: {role}", span=span))
    cluster.role_heads.add(head)


def phrase_tokens(tokens: list[Token]) -> list[Token]:
    while tokens and (tokens[0].lower_ in _DETERMINERS or tokens[0].is_punct):
        tokens = tokens[1:]
    while tokens and (tokens[-1].is_punct or tokens[-1].is_space):
        tokens = tokens[:-1]
    return tokens


__all__ = [
    "PERSON_ROLES",
    "ActorContext",
    "Cluster",
    "add_named",
    "add_person",
    "add_role",
    "collect_institutions",
    "collect_names",
    "is_role_noun",
    "phrase_tokens",
]
