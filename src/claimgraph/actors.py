"""Actors stage: one canonical actor per person, organisation, country or group, and speakers.

Reads the spaCy ``Doc`` of one article (entities, parse) and the statements found by the
attribution stage, and returns the analysis with ``actors`` filled and every statement's
``speaker`` resolved:

1. **Mentions** come from NER (PERSON, ORG, GPE, NORP) and from the CAMEO/Phoenix
   dictionaries (:mod:`claimgraph.actor_dictionaries`) where NER missed a proper name.
2. **Merging.** Person names merge by surname ("Alexander Bortnikov" / "Bortnikov’s");
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
"""

from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .actor_dictionaries import (
    ActorDictionary,
    DictionaryEntry,
    compose_code,
    fold_token,
    load_dictionaries,
)
from .config import Config
from .model import (
    Actor,
    ActorMention,
    ActorType,
    ArticleAnalysis,
    CodeEvidence,
    MentionKind,
    ResolutionMethod,
    Span,
    Speaker,
    Statement,
    stable_id,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

logger = logging.getLogger(__name__)

#: Versioned name of this implementation (recorded in provenance).
IMPLEMENTATION = "claimgraph.actors.rules.v1"

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
_PERSON_ROLES = frozenset("""
president premier minister chancellor leader head chief director secretary spokesman
spokeswoman spokesperson official ambassador envoy diplomat senator congressman
congresswoman lawmaker legislator governor mayor king queen prince emir sultan general
commander colonel admiral officer prosecutor judge attorney candidate nominee chairman
chairwoman chair founder ceo executive adviser advisor aide deputy speaker representative
mp analyst expert professor scientist researcher activist campaigner lawyer economist
journalist reporter editor correspondent manager boss owner
""".split())
#: Role nouns that may stand for one another when resolving "the leader", "the head".
_ROLE_SYNONYMS = {
    "leader": {"president", "premier", "chancellor", "minister", "king", "head", "chief",
               "chairman", "leader", "secretary"},
    "head": {"head", "chief", "director", "chairman", "leader", "president"},
    "chief": {"head", "chief", "director", "chairman", "leader"},
    "premier": {"premier", "minister"},
}
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those"})
#: Common given names with a clear gender (a weak cue, used only when no pronoun or
#: honorific has said otherwise).
_FEMALE_NAMES = frozenset("""
mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa betty
margaret sandra ashley kimberly emily donna michelle carol amanda melissa deborah stephanie
rebecca laura sharon cynthia kathleen amy angela anna ann anne helen brenda pamela nicole
emma samantha katherine christine debra rachel catherine carolyn janet maria heather diane
julie joyce victoria kelly christina joan evelyn lauren judith olivia martha cheryl megan
andrea hannah jacqueline ann gloria teresa kathryn sara janice julia marie madison grace
judy theresa beverly denise marilyn amber danielle rose brittany diana abigail natalie jane
lori alexis tiffany kayla hillary sophia sophie ursula angela theresa nikki kamala nancy
elena irina olga natalia tatiana svetlana yulia yuliya marine giorgia ursula kristi
""".split())
_MALE_NAMES = frozenset("""
james robert john michael william david richard joseph thomas charles christopher daniel
matthew anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy
ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin
scott brandon benjamin samuel gregory alexander frank patrick raymond jack dennis jerry
tyler aaron jose adam nathan henry douglas zachary peter kyle ethan walter noah jeremy
christian keith roger terry gerald harold sean austin carl arthur lawrence dylan jesse
jordan bryan billy joe bruce gabriel logan albert willie alan juan wayne elijah randy roy
vincent ralph eugene russell bobby mason philip louis barack bill ted marco jeb bernie
mike chris tom jim bob vladimir dmitry sergey aleksandr aleksey nikolay yury evgeny boris
emmanuel olaf rishi xi recep benjamin ali mohammed muhammad ahmed hassan omar ibrahim
volodymyr viktor igor oleg ivan pavel andrey mikhail
""".split())
_GENERIC_TAIL = frozenset({"group", "organization", "organisation", "movement", "militia"})
_MALE = frozenset({"he", "him", "his", "himself"})
_FEMALE = frozenset({"she", "her", "hers", "herself"})
_PLURAL = frozenset({"they", "them", "their", "we", "us", "our"})
_NEUTER = frozenset({"it", "its"})
_FIRST_PERSON = frozenset({"i", "me", "my", "we", "us", "our"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
_QUOTES = "\"“”«»„"


@dataclass
class _Cluster:
    """One actor under construction."""

    type: ActorType
    names: list[tuple[int, int, str]] = field(default_factory=list)
    mentions: dict[tuple[int, int], MentionKind] = field(default_factory=dict)
    keys: set[tuple[str, ...]] = field(default_factory=set)
    roles: list[str] = field(default_factory=list)
    role_heads: set[str] = field(default_factory=set)
    affiliations: list[_Cluster] = field(default_factory=list)
    evidence: list[CodeEvidence] = field(default_factory=list)
    entry: DictionaryEntry | None = None
    gender: str | None = None
    subject_tokens: list[int] = field(default_factory=list)  # token indices of subject mentions
    label_votes: dict[ActorType, int] = field(default_factory=dict)
    adjective_name: str | None = None
    uid: int = 0

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

    def add_mention(self, start: int, end: int, kind: MentionKind) -> None:
        if (start, end) not in self.mentions or kind == "name":
            self.mentions[(start, end)] = kind


@dataclass
class _Context:
    doc: Doc
    text: str
    dictionary: ActorDictionary
    clusters: list[_Cluster] = field(default_factory=list)
    token_cluster: dict[int, _Cluster] = field(default_factory=dict)
    sent_starts: list[int] = field(default_factory=list)

    def sent_of(self, token_i: int) -> int:
        return bisect.bisect_right(self.sent_starts, token_i) - 1

    def new_cluster(self, actor_type: ActorType) -> _Cluster:
        cluster = _Cluster(type=actor_type, uid=len(self.clusters))
        self.clusters.append(cluster)
        return cluster


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
    ctx = _Context(doc=doc, text=analysis.article.text, dictionary=dictionary,
                   sent_starts=[s.start for s in doc.sents])
    _collect_names(ctx)
    _read_roles(ctx)
    _resolve_role_nouns(ctx)
    resolved = _resolve_speakers(ctx, analysis.statements)
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


def actor_id(actor_type: ActorType, name: str) -> str:
    """The stable id of an actor: a hash of its type and folded canonical name.

    The same person named the same way gets the same id in every article, so stores can
    get-or-create on it.
    """
    key = " ".join(fold_token(w) for w in name.replace("’", "'").split())
    return stable_id(actor_type.value, key, prefix="actor_")


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
        elif low in _TITLES or (low in _PERSON_ROLES and end - start > 1
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


def _collect_names(ctx: _Context) -> None:
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
        if label == "PERSON":
            persons.append((trimmed, gender, titles))
        elif label == "NORP" or (label == "GPE" and is_adjective):
            adjectives.append((trimmed, is_adjective))
        else:
            _add_named(ctx, trimmed, _LABEL_TYPES[label])
    # national adjectives after the names, so that "Russian" finds a later "Russia"
    for trimmed, is_adjective in adjectives:
        _add_adjective(ctx, trimmed, is_adjective)
    # persons: full names first so that surnames find them
    for trimmed, gender, titles in sorted(persons, key=lambda p: (-len(p[0]), p[0].start)):
        _add_person(ctx, trimmed, gender, titles)


def _register(ctx: _Context, cluster: _Cluster, span: SpacySpan, kind: MentionKind = "name",
              actor_type: ActorType | None = None) -> None:
    if kind == "name":
        cluster.names.append((span.start_char, span.end_char, span.text))
        cluster.keys.add(_key(span))
    cluster.add_mention(span.start_char, span.end_char, kind)
    if actor_type is not None:
        cluster.label_votes[actor_type] = cluster.label_votes.get(actor_type, 0) + 1
    for token in span:
        ctx.token_cluster[token.i] = cluster
    if span.root.dep_ in _SUBJECT_DEPS:
        cluster.subject_tokens.append(span.root.i)


def _add_person(ctx: _Context, span: SpacySpan, gender: str | None, titles: list[str]) -> None:
    key = _key(span)
    if not key:
        return
    best: _Cluster | None = None
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
        gender = "f" if key[0] in _FEMALE_NAMES else "m" if key[0] in _MALE_NAMES else None
    if gender and cluster.gender is None:
        cluster.gender = gender
    for title in titles:
        if title in _PERSON_ROLES:
            _add_role(cluster, title, title, None)


def _add_named(ctx: _Context, span: SpacySpan, actor_type: ActorType) -> _Cluster:
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


def _add_adjective(ctx: _Context, span: SpacySpan, is_adjective: bool) -> None:
    entry = ctx.dictionary.lookup(span.text)
    country = entry.code if entry and entry.code and len(entry.code) == 3 else None
    if country is None:
        if not is_adjective:  # "Islamists", "Democrats": a group
            _add_named(ctx, span, ActorType.GROUP)
        return
    word = fold_token(span.text)
    target: _Cluster | None = None
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
# 3. Roles and affiliations
# ---------------------------------------------------------------------------


def _is_role_noun(token: Token) -> bool:
    return token.pos_ in ("NOUN", "PROPN") and token.lower_ in _PERSON_ROLES


def _add_role(cluster: _Cluster, role: str, head: str, source: SpacySpan | None) -> None:
    role = role.strip(" ,")
    if role and role not in cluster.roles:
        cluster.roles.append(role)
        span = Span(start=source.start_char, end=source.end_char, text=source.text) \
            if source is not None else None
        cluster.evidence.append(CodeEvidence(source="text", detail=f"role: {role}", span=span))
    cluster.role_heads.add(head)


def _affiliate(ctx: _Context, cluster: _Cluster, tokens: list[Token]) -> None:
    for token in tokens:
        other = ctx.token_cluster.get(token.i)
        if other is not None and other is not cluster and other not in cluster.affiliations \
                and other.type is not ActorType.PERSON:
            cluster.affiliations.append(other)


def _phrase(tokens: list[Token]) -> list[Token]:
    while tokens and (tokens[0].lower_ in _DETERMINERS or tokens[0].is_punct):
        tokens = tokens[1:]
    while tokens and (tokens[-1].is_punct or tokens[-1].is_space):
        tokens = tokens[:-1]
    return tokens


def _appos_tokens(token: Token) -> list[Token]:
    """The apposition's own words, without nested appositions or clauses."""
    out: list[Token] = []
    stack = [token]
    while stack:
        t = stack.pop()
        out.append(t)
        stack.extend(c for c in t.children if c.dep_ not in ("appos", "relcl", "punct", "acl")
                     or c.tag_ == "POS")
    return _phrase(sorted(out, key=lambda t: t.i))


def _read_roles(ctx: _Context) -> None:
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
            if role_tokens and any(_is_role_noun(t) for t in role_tokens):
                head = next(t for t in reversed(role_tokens) if _is_role_noun(t))
                _add_role(cluster, " ".join(t.lower_ for t in role_tokens), head.lower_,
                          doc[mods[0].i : span.start])
                _affiliate(ctx, cluster, mods)
            # appositions: "X, head of the FSB, Russia's security service"
            apps = [c for c in root.children if c.dep_ == "appos"]
            if root.dep_ == "appos" and _is_role_noun(root.head):
                apps.append(root.head)
            last_org: _Cluster | None = None
            for app in apps:
                words = _appos_tokens(app)
                if not words:
                    continue
                if _is_role_noun(app):
                    _add_role(cluster, " ".join(t.text for t in words), app.lower_,
                              doc[words[0].i : words[-1].i + 1])
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
                    words = _phrase(list(attrs[0].subtree))
                    if words:
                        _add_role(cluster, " ".join(t.text for t in words), attrs[0].lower_,
                                  doc[words[0].i : words[-1].i + 1])


def _role_candidates(ctx: _Context, head: Token, before: int) -> list[tuple[float, _Cluster]]:
    """Person clusters that hold the role named by ``head`` (with its modifiers)."""
    word = head.lower_.rstrip("s") if head.tag_ == "NNS" else head.lower_
    wanted = _ROLE_SYNONYMS.get(word, {word})
    mods = [t for t in head.subtree if t.i != head.i and t.i in ctx.token_cluster]
    mod_clusters = {id(ctx.token_cluster[t.i]) for t in mods}
    out: list[tuple[float, _Cluster]] = []
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


def _resolve_role_nouns(ctx: _Context) -> None:
    from spacy.attrs import LOWER

    strings = ctx.doc.vocab.strings
    lowers = ctx.doc.to_array(LOWER).tolist()
    for i, lower in enumerate(lowers):
        if strings[lower] not in _PERSON_ROLES:
            continue
        token = ctx.doc[i]
        if not _is_role_noun(token) or token.i in ctx.token_cluster or token.tag_ == "NNS":
            continue
        if token.dep_ in ("compound", "appos") or token.head.i in ctx.token_cluster:
            continue  # a title or apposition of a name, read by _read_roles
        if not any(c.dep_ in ("det", "poss") for c in token.lefts):
            continue  # "a minister": not a definite reference
        found = _role_candidates(ctx, token, token.idx)
        if found:
            phrase = _role_phrase(token)
            found[0][1].add_mention(phrase.start_char, phrase.end_char, "role")
            ctx.token_cluster[token.i] = found[0][1]


# ---------------------------------------------------------------------------
# 4. Codes
# ---------------------------------------------------------------------------


def _entry_evidence(entry: DictionaryEntry, span: tuple[int, int, str] | None) -> CodeEvidence:
    return CodeEvidence(
        source="user_dictionary" if entry.user else "dictionary",
        detail=f"{entry.phrase} → {entry.code} ({entry.source})",
        span=Span(start=span[0], end=span[1], text=span[2]) if span else None,
    )


def _country_of(cluster: _Cluster, seen: set[int] | None = None) -> str | None:
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


def _assign_code(ctx: _Context, cluster: _Cluster) -> None:
    names = sorted(cluster.names, key=lambda n: (-len(n[2]), n[0]))
    if cluster.entry is None and names:
        # a person's surname alone may belong to someone else in the dictionary
        full = [n for n in names if len(n[2].split()) > 1]
        candidates = full if cluster.type is ActorType.PERSON and full else names
        for name in candidates:
            entry = ctx.dictionary.lookup(name[2])
            if entry is not None:
                cluster.entry = entry
                cluster.evidence.insert(0, _entry_evidence(entry, name))
                return
    elif cluster.entry is not None:
        cluster.evidence.insert(0, _entry_evidence(cluster.entry, names[0] if names else None))
        return
    if cluster.type is not ActorType.PERSON:
        return
    orgs = [a for a in cluster.affiliations if a.type is ActorType.ORGANIZATION and a.entry]
    country = _country_of(cluster)
    agent = None
    for role in cluster.roles:
        agent = ctx.dictionary.agent(role) or ctx.dictionary.agent(role.split()[-1])
        if agent is not None:
            break
    code: str | None
    if orgs and orgs[0].entry is not None and orgs[0].entry.code:
        code = orgs[0].entry.code
        detail = f"affiliation {orgs[0].canonical()} → {code}"
    elif country and agent is not None:
        code = compose_code(country, agent.code)
        detail = f"country {country} + role {agent.phrase!r} → {agent.code} ({agent.source})"
    elif country:
        code = country
        detail = f"affiliation country {country}"
    else:
        return
    cluster.entry = DictionaryEntry(phrase=cluster.canonical(), primary=cluster.canonical(),
                                    code=code, kind="composed", source="inferred")
    cluster.evidence.insert(0, CodeEvidence(source="inferred", detail=detail))


# ---------------------------------------------------------------------------
# 5. Speakers
# ---------------------------------------------------------------------------


def _name_antecedent(cluster: _Cluster, before: int) -> Span | None:
    names = [n for n in cluster.names if n[0] < before] or cluster.names
    if not names:
        return None
    start, end, text = max(names, key=lambda n: n[0]) if names[0][0] < before else names[0]
    return Span(start=start, end=end, text=text)


def _compatible(cluster: _Cluster, pronoun: str) -> bool:
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


def _resolve_pronoun(ctx: _Context, token: Token, previous: _Cluster | None) -> _Cluster | None:
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


def _is_quote_only(ctx: _Context, statement: Statement) -> bool:
    content = statement.content.text.lstrip()
    if content[:1] in _QUOTES:
        return True
    span = ctx.doc.char_span(statement.cue.start, statement.cue.end, alignment_mode="expand")
    if span is None:
        return False
    sent = ctx.sent_of(span.start)
    first = ctx.doc[ctx.sent_starts[sent]]
    return ctx.text[first.idx : first.idx + 2].lstrip()[:1] in _QUOTES


_Resolution = tuple[_Cluster, ResolutionMethod, Span | None]


def _resolve_speakers(ctx: _Context, statements: list[Statement]) -> dict[str, _Resolution]:
    out: dict[str, _Resolution] = {}
    previous: tuple[_Cluster, Span | None] | None = None
    for statement in sorted(statements, key=lambda s: (s.cue.start, s.id)):
        resolved = _resolve_one(ctx, statement, previous)
        if resolved is not None:
            out[statement.id] = resolved
            previous = (resolved[0], resolved[2])
    return out


def _resolve_one(ctx: _Context, statement: Statement,
                 previous: tuple[_Cluster, Span | None] | None
                 ) -> _Resolution | None:
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
    if named is not None and any(n[0] >= source.start and n[1] <= source.end
                                 for n in named.names):
        method: ResolutionMethod = "apposition" if any(t.dep_ == "appos" for t in span) \
            else "name"
        ante = next(Span(start=s, end=e, text=t) for s, e, t in sorted(named.names)
                    if s >= source.start and e <= source.end)
        return named, method, ante
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
    if _is_role_noun(root) and root.tag_ != "NNS":
        found = _role_candidates(ctx, root, source.start)
        if found:
            cluster = found[0][1]
            cluster.add_mention(source.start, source.end, "role")
            return cluster, "role", _name_antecedent(cluster, source.start)
    # an unnamed source ("a government spokesman", "officials"): an actor of its own
    words = _phrase(list(span))
    if not words or not any(t.is_alpha for t in words):
        return None
    actor_type = ActorType.GROUP if root.tag_ in ("NNS", "NNPS") else ActorType.PERSON
    if root.pos_ not in ("NOUN", "PROPN"):
        return None
    phrase = ctx.doc[words[0].i : words[-1].i + 1]
    cluster = _add_named(ctx, phrase, actor_type)
    cluster.type = actor_type
    return cluster, "name", None


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def _build_actors(ctx: _Context) -> tuple[list[Actor], dict[int, str]]:
    """The final actors, and the actor id of every cluster uid."""
    text = ctx.text
    by_id: dict[str, list[_Cluster]] = {}
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
            mentions=[ActorMention(span=Span(start=s, end=e, text=text[s:e]), kind=k)
                      for (s, e), k in sorted(mentions.items())],
        ))
    actors.sort(key=lambda a: (a.mentions[0].span.start, a.id))
    return actors, ids


__all__ = ["IMPLEMENTATION", "actor_id", "resolve_actors", "run_stage"]
