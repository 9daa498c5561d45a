"""Building the narratives of a store, incrementally.

:func:`update` reads the stored articles that the narratives have not read yet, in
batches, and for each claim (every evidence item: statements and author-voice claims):

1. embeds it (MiniLM; a claim shorter than :data:`SHORT_CLAIM` words is embedded with
   its sentence, so "denied any involvement" carries what was denied) and places it in a
   proposition (:class:`~claimgraph.narratives.PropositionIndex`, rebuilt from the
   stored centroid sums, never from the old claims);
2. gives it a stance toward its proposition's label (:func:`claim_stance`): the stance
   model reads the label and the claim, and a denial speech act of the claim's speaker
   turns it around;
3. compares it with the claims already stored in its proposition (opposite stances of
   two speakers about one thing: ``explicit``) and with the claims that share an event
   signal (a movement to a place, the noun a number counts) for ``conflicting_values``
   (``self_contradiction`` when one speaker gives both values), reading back at most a
   few hundred rows per claim.  Two claims must be about one state of affairs: a cosine
   of at least :data:`EXPLICIT_SIMILARITY` or :data:`VALUES_SIMILARITY` and content words
   in common (:func:`~claimgraph.narratives.contradictions.same_event`).

Each batch is written in one transaction, so an interrupted build resumes where it
stopped.  Adding articles costs time in proportion to their claims.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from claimgraph.model import ArticleAnalysis, Contradiction, SpeechActClass, stable_id
from claimgraph.narratives.contradictions import (
    Values,
    claim_values,
    content_set,
    reads_as_denial,
    same_event,
    values_conflict,
)
from claimgraph.narratives.propositions import (
    DEFAULT_THRESHOLD,
    Proposition,
    PropositionIndex,
    embed_claims,
)
from claimgraph.narratives.within import find_contradictions as within_article

if TYPE_CHECKING:
    from claimgraph.store import SqlStore

logger = logging.getLogger(__name__)

#: Claims with fewer words are embedded together with their sentence.
SHORT_CLAIM = 7
#: Claims with fewer words are left out (too little to group).
MIN_WORDS = 3
#: Articles read per batch (one transaction each).
BATCH_ARTICLES = 100
#: Cosine two claims of different articles need to be compared for conflicting values
#: (the same event; they must also share
#: :data:`~claimgraph.narratives.contradictions.MIN_SHARED_WORDS` content words).
VALUES_SIMILARITY = 0.6
#: Contradictions one new claim may open with the claims of its proposition.
MAX_PER_CLAIM = 3
#: Cosine two claims of opposite stance need to be an explicit contradiction: in one
#: proposition, and about the same thing (with
#: :data:`~claimgraph.narratives.contradictions.MIN_SHARED_WORDS` content words in common).
EXPLICIT_SIMILARITY = 0.6
#: Stance probability the supporting side of an explicit contradiction needs.
MIN_STANCE = 0.5
#: Stance probability the denying side needs (a denial act gives 0.8).
MIN_DENIAL = 0.7
#: Stance score of a claim its speaker denies with a REJECT_DENY act.
DENIAL_ACT_SCORE = 0.8

_SENTENCE_END = re.compile(r"[.!?]\s|\n")
#: Share of content words two claims must have in common to be one claim (a quote that
#: two articles repeat): never a contradiction with itself.
SAME_CLAIM_OVERLAP = 0.8
#: Share of the shorter claim's content words found in the longer one, and how many
#: words that must be, for the two to be one quote that one article gives at more length.
SAME_CLAIM_CONTAINED = 0.9
SAME_CLAIM_MIN_WORDS = 5


@functools.lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    """``text``'s words (lower case, no punctuation), read once per text however many
    pairs it is compared in."""
    return tuple(re.findall(r"\w+", text.lower()))


def same_claim(a: str, b: str) -> bool:
    """Whether claim texts ``a`` and ``b`` say the same words: equal but for case, spacing
    and punctuation, sharing :data:`SAME_CLAIM_OVERLAP` of their content words, or one
    holding :data:`SAME_CLAIM_CONTAINED` of the other's (at least
    :data:`SAME_CLAIM_MIN_WORDS`): the same quote, given at more length."""
    if _words(a) == _words(b):
        return True
    wa, wb = content_set(a), content_set(b)
    if not (wa and wb):
        return False
    common = len(wa & wb)
    if common >= SAME_CLAIM_MIN_WORDS and common / min(len(wa), len(wb)) >= SAME_CLAIM_CONTAINED:
        return True
    return common / len(wa | wb) >= SAME_CLAIM_OVERLAP


@dataclass
class NewClaim:
    """A claim read from an article, on its way to the store."""

    row: dict[str, Any]
    embed_text: str
    act: str | None
    values: Values
    vector: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))


@dataclass
class BuildStats:
    """What one :func:`update` did."""

    articles: int = 0
    claims: int = 0
    propositions: int = 0
    new_propositions: int = 0
    contradictions: int = 0


def _sentence(text: str, start: int, end: int) -> str:
    left = max(
        (m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 600), start)),
        default=max(0, start - 600),
    )
    match = _SENTENCE_END.search(text, end)
    right = match.start() + 1 if match else min(len(text), end + 600)
    return text[left:right].strip()


def _published(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return None


def article_claims(
    row: dict[str, Any],
    entities: dict[tuple[str, str], tuple[str, str]],
    analysis: ArticleAnalysis | None = None,
) -> list[NewClaim]:
    """The claims of one stored article (its evidence items)."""
    if analysis is None:
        analysis = ArticleAnalysis.model_validate(row["analysis"])
    text = analysis.article.text
    statements = {s.id: s for s in analysis.statements}
    acts: dict[str, str] = {}
    for act in analysis.speech_acts:
        if act.statement_id and not act.negated:
            if act.act == SpeechActClass.REJECT_DENY or act.statement_id not in acts:
                acts[act.statement_id] = act.act.value
    out = []
    for item in analysis.evidence:
        words = item.claim.text.split()
        if len(words) < MIN_WORDS:
            continue
        statement = statements.get(item.statement_id or "")
        speaker = statement.speaker if statement is not None else None
        entity = (
            entities.get((analysis.article.id, speaker.actor_id))
            if speaker is not None and speaker.actor_id
            else None
        )
        embed_text = item.claim.text
        if len(words) < SHORT_CLAIM:
            embed_text = _sentence(text, item.claim.start, item.claim.end) or embed_text
        values = claim_values(item.claim.text)
        signals = []
        if values.movement and (values.places or values.negated_places or values.mentioned):
            signals.append("movement")
        signals += [f"number:{noun}"[:64] for noun in values.numbers]
        out.append(
            NewClaim(
                row={
                    "claim_id": item.claim_id,
                    "article_id": analysis.article.id,
                    "statement_id": item.statement_id,
                    "speaker": speaker.name if speaker is not None else None,
                    "speaker_entity_id": entity[0] if entity else None,
                    "text": item.claim.text,
                    "start": item.claim.start,
                    "end": item.claim.end,
                    "published": _published(row.get("published")),
                    "site": row.get("site"),
                    "signals": signals,
                },
                embed_text=embed_text,
                act=acts.get(item.statement_id or ""),
                values=values,
            )
        )
    return out


def claim_stance(act: str | None, probabilities: dict[str, float]) -> tuple[str, float]:
    """A claim's stance toward its proposition: ``denies`` when its speaker denies or
    rejects it (a REJECT_DENY act: "the union denied any involvement", "dismissed the
    accusations as lies"), else the stance model's answer among supports/denies/reports."""
    if act == SpeechActClass.REJECT_DENY.value:
        return "denies", max(DENIAL_ACT_SCORE, float(probabilities.get("denies", 0.0)))
    label = max(("supports", "denies", "reports"), key=lambda k: probabilities.get(k, 0.0))
    return label, float(probabilities.get(label, 0.0))


def _opposed(a: str, b: str) -> bool:
    return {a, b} == {"supports", "denies"}


def _same_speaker(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.get("speaker_entity_id") and a.get("speaker_entity_id") == b.get("speaker_entity_id"):
        return True
    return (
        bool(a.get("speaker"))
        and a.get("speaker") == b.get("speaker")
        and a["article_id"] == b["article_id"]
    )


def _contradiction(
    kind: str,
    about: str,
    score: float,
    a: dict[str, Any],
    b: dict[str, Any],
    proposition: int | None,
) -> dict[str, Any]:
    return {
        "id": Contradiction.make_id(a["claim_id"], b["claim_id"]),
        "kind": kind,
        "about": about,
        "score": round(float(score), 4),
        "a_claim_id": a["claim_id"],
        "b_claim_id": b["claim_id"],
        "a_article_id": a["article_id"],
        "b_article_id": b["article_id"],
        "proposition_id": proposition,
    }


def _vector(row: dict[str, Any]) -> np.ndarray:
    if "vector_array" in row:
        return np.asarray(row["vector_array"])
    return np.frombuffer(row["vector"], dtype=np.float32)


def find_contradictions(
    claim: dict[str, Any],
    members: Sequence[dict[str, Any]],
    signal_claims: Sequence[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Contradictions between a new claim and stored (or earlier) claims."""
    out: dict[str, dict[str, Any]] = {}
    vector = _vector(claim)
    if claim["signals"]:
        mine = claim_values(claim["text"])
        for other in signal_claims:
            if other["claim_id"] == claim["claim_id"] or other["article_id"] == claim["article_id"]:
                continue  # within one article: the analysis's own contradictions stage
            similarity = float(vector @ _vector(other))
            if similarity < VALUES_SIMILARITY or same_claim(claim["text"], other["text"]):
                continue
            about = values_conflict(other["text"], claim_values(other["text"]), claim["text"], mine)
            if about is None:
                continue
            kind = "self_contradiction" if _same_speaker(claim, other) else "conflicting_values"
            row = _contradiction(kind, about, similarity, other, claim, None)
            out.setdefault(row["id"], row)
    if float(claim["stance_score"]) < MIN_STANCE:
        return list(out.values())
    if claim["stance"] == "denies" and float(claim["stance_score"]) < MIN_DENIAL:
        return list(out.values())
    opposed = [
        m
        for m in members
        if m["claim_id"] != claim["claim_id"]
        and _opposed(m["stance"], claim["stance"])
        and float(m["stance_score"]) >= (MIN_DENIAL if m["stance"] == "denies" else MIN_STANCE)
        and float(vector @ _vector(m)) >= EXPLICIT_SIMILARITY
        and not same_claim(claim["text"], m["text"])
        and same_event(claim["text"], m["text"])
        and not reads_as_denial(claim["text"] if claim["stance"] == "supports" else m["text"])
    ]
    opposed.sort(key=lambda m: -float(m["stance_score"]))
    seen_speakers: set[str] = set()
    for other in opposed:
        who = _speaker_key(other)
        if who in seen_speakers or len(seen_speakers) >= MAX_PER_CLAIM:
            continue
        seen_speakers.add(who)
        if _same_speaker(claim, other):
            # One speaker's claims of opposite stance toward a proposition were never a
            # self-contradiction in the labelled samples (0 of 52): one speaker's claims on
            # one topic agree, and the stance model's errors are all that is left.
            continue
        kind = "explicit"
        score = min(float(claim["stance_score"]), float(other["stance_score"]))
        row = _contradiction(kind, "denial", score, other, claim, claim["proposition_id"])
        if Contradiction.make_id(row["a_claim_id"], row["b_claim_id"]) in out:
            continue  # the same two claims already differ in a value: more specific
        # one explicit contradiction per proposition and pair of speakers
        row["id"] = stable_id(
            claim["proposition_id"], kind, *sorted((who, _speaker_key(claim))), prefix="c_"
        )
        if row["id"] not in out or out[row["id"]]["score"] < row["score"]:
            out[row["id"]] = row
    return list(out.values())


def _speaker_key(row: dict[str, Any]) -> str:
    return str(
        row.get("speaker_entity_id")
        or (row.get("speaker") and f"{row['article_id']}:{row['speaker']}")
        or f"author:{row.get('site') or row['article_id']}"
    )


def article_contradictions(
    analysis: ArticleAnalysis, claim_ids: set[str], proposition_of: dict[str, int]
) -> list[dict[str, Any]]:
    """The in-article contradictions whose claims are narrative claims: found again by
    the contradictions stage's rules of this version
    (:func:`claimgraph.narratives.within.find_contradictions` reads only the stored
    analysis), so that a store analysed by an older version gets the same pairs as one
    analysed now."""
    out = []
    for c in within_article(analysis):
        if c.a.claim_id in claim_ids and c.b.claim_id in claim_ids:
            a = {"claim_id": c.a.claim_id, "article_id": analysis.article.id}
            b = {"claim_id": c.b.claim_id, "article_id": analysis.article.id}
            pa, pb = proposition_of.get(c.a.claim_id), proposition_of.get(c.b.claim_id)
            row = _contradiction(c.kind, c.about, c.score, a, b, pa if pa == pb else None)
            out.append(row)
    return out


def update(
    store: SqlStore,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    batch_articles: int = BATCH_ARTICLES,
    embed: Callable[[Sequence[str]], np.ndarray] = embed_claims,
    progress: Callable[[int], None] | None = None,
    max_articles: int | None = None,
) -> BuildStats:
    """Read the articles the narratives have not read (module docstring), at most
    ``max_articles`` of them."""
    stats = BuildStats()
    stored = store.propositions()
    label_rows = {
        r["claim_id"]: r
        for r in store.narrative_claims(
            claim_ids=[p["label_claim_id"] for p in stored if p["label_claim_id"]]
        )
    }
    propositions = [
        Proposition(
            id=p["id"],
            label=p["label"],
            label_key=p["label_claim_id"],
            first_seen=_published(p["first_seen"]),
            last_seen=_published(p["last_seen"]),
            size=p["size"],
            words=dict(p["words"] or {}),
        )
        for p in stored
    ]
    sums = [np.frombuffer(p["vector_sum"], dtype=np.float32) for p in stored]
    labels = [
        _vector(label_rows[p["label_claim_id"]]) if p["label_claim_id"] in label_rows else sums[i]
        for i, p in enumerate(stored)
    ]
    index = PropositionIndex.from_state(propositions, sums, labels, threshold)
    before = len(index)
    while max_articles is None or stats.articles < max_articles:
        limit = batch_articles
        if max_articles is not None:
            limit = min(limit, max_articles - stats.articles)
        rows = store.pending_narrative_articles(limit=limit)
        if not rows:
            break
        entities = store.actor_entities([r["id"] for r in rows])
        analyses = [ArticleAnalysis.model_validate(r["analysis"]) for r in rows]
        claims = [
            c for r, a in zip(rows, analyses, strict=True) for c in article_claims(r, entities, a)
        ]
        vectors = embed([c.embed_text for c in claims]) if claims else np.zeros((0, 384))
        index.new_batch()
        for claim, vector in zip(claims, vectors, strict=True):
            claim.vector = np.asarray(vector, dtype=np.float32)
            claim.row["proposition_id"] = index.add(
                claim.row["claim_id"],
                claim.row["text"],
                claim.vector,
                when=claim.row["published"],
                article=claim.row["article_id"],
            )
        assign_stances(index, claims)
        contradictions = _batch_contradictions(store, claims)
        claim_ids = {c.row["claim_id"] for c in claims}
        proposition_of = {c.row["claim_id"]: c.row["proposition_id"] for c in claims}
        known = {(c["a_claim_id"], c["b_claim_id"]) for c in contradictions}
        for analysis in analyses:
            for row in article_contradictions(analysis, claim_ids, proposition_of):
                if (row["a_claim_id"], row["b_claim_id"]) not in known:
                    contradictions.append(row)
        store.save_narratives(
            propositions=[_proposition_row(index, i) for i in sorted(index.touched)],
            claims=[c.row for c in claims],
            contradictions=contradictions,
            article_ids=[r["id"] for r in rows],
        )
        stats.articles += len(rows)
        stats.claims += len(claims)
        stats.contradictions += len(contradictions)
        if progress is not None:
            progress(len(rows))
    stats.propositions = len(index)
    stats.new_propositions = len(index) - before
    return stats


def assign_stances(index: PropositionIndex, claims: Sequence[NewClaim]) -> None:
    """Give each placed claim (``row["proposition_id"]`` set, ``vector`` filled) its
    stance toward its proposition's label (:func:`claim_stance`; a label supports itself)
    and its vector in the row."""
    from claimgraph.narratives.stance import short_probabilities

    if not claims:
        return
    probs = short_probabilities(
        [index.label(c.row["proposition_id"]) for c in claims], [c.row["text"] for c in claims]
    )
    for claim, row in zip(claims, probs, strict=True):
        if claim.row["claim_id"] == index.propositions[claim.row["proposition_id"]].label_key:
            stance, score = claim_stance(None, {"supports": 1.0})
        else:
            stance, score = claim_stance(claim.act, row)
        claim.row.update(
            stance=stance,
            stance_score=score,
            vector=claim.vector.tobytes(),
            vector_array=claim.vector,
        )


def _batch_contradictions(store: SqlStore, claims: Sequence[NewClaim]) -> list[dict[str, Any]]:
    from claimgraph.store.narratives import MAX_MEMBERS, MAX_SIGNAL_CLAIMS

    stored_members: dict[int, list[dict[str, Any]]] = {}
    propositions = list({c.row["proposition_id"] for c in claims})
    if propositions:
        for row in store.narrative_claims(
            proposition_ids=propositions, per_proposition=MAX_MEMBERS
        ):
            stored_members.setdefault(row["proposition_id"], []).append(row)
    signals = {signal for c in claims for signal in c.row["signals"]}
    stored_signals = {
        signal: store.narrative_claims(signal=signal, limit=MAX_SIGNAL_CLAIMS)
        for signal in sorted(signals)
    }
    return contradictions_among([c.row for c in claims], stored_members, stored_signals)


def contradictions_among(
    rows: Sequence[dict[str, Any]],
    stored_members: dict[Any, list[dict[str, Any]]] | None = None,
    stored_signals: dict[str, list[dict[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """The contradictions of a batch of placed claims (rows with a stance and a vector),
    in order: each claim against the other claims of its proposition (those stored, then
    the batch's) and against the claims before it that share an event signal (those
    stored, then the batch's), at most a few hundred of each."""
    from claimgraph.store.narratives import MAX_MEMBERS, MAX_SIGNAL_CLAIMS

    stored_members = stored_members or {}
    stored_signals = stored_signals or {}
    by_proposition: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        by_proposition.setdefault(row["proposition_id"], []).append(row)
    batch_by_signal: dict[str, list[dict[str, Any]]] = {}
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        signal_claims: dict[str, dict[str, Any]] = {}  # by id: a claim may share two
        for signal in row["signals"]:
            for other in (
                stored_signals.get(signal, [])
                + batch_by_signal.get(signal, [])[-MAX_SIGNAL_CLAIMS:]
            ):
                signal_claims.setdefault(other["claim_id"], other)
        pid = row["proposition_id"]
        members = (
            stored_members.get(pid, [])[:MAX_MEMBERS]
            + [m for m in by_proposition[pid] if m is not row][-MAX_MEMBERS:]
        )
        for found in find_contradictions(row, members, list(signal_claims.values())):
            out.setdefault(found["id"], found)
        for signal in row["signals"]:
            batch_by_signal.setdefault(signal, []).append(row)
    return list(out.values())


def _proposition_row(index: PropositionIndex, proposition_id: int) -> dict[str, Any]:
    proposition = index.propositions[proposition_id]
    return {
        "id": proposition_id,
        "label": proposition.label,
        "label_claim_id": proposition.label_key,
        "size": proposition.size,
        "first_seen": proposition.first_seen,
        "last_seen": proposition.last_seen,
        "vector_sum": index.sum_vector(proposition_id).astype(np.float32).tobytes(),
        "words": proposition.words,
    }


__all__ = [
    "BuildStats",
    "NewClaim",
    "article_claims",
    "assign_stances",
    "claim_stance",
    "contradictions_among",
    "find_contradictions",
    "update",
]
