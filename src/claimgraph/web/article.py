"""The article view: the text cut into segments, each covered by the statement parts
(source, cue, content) and credibility spans over it, plus what a reader sees on hover.

Segments are computed here from character offsets; templates only print them (Jinja2
escapes every value).  Overlapping spans are handled by cutting the text at every span
boundary: each segment lists all the ``statement:role`` marks that cover it, so the text
of one statement's content is the concatenation of the segments marked with it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from claimgraph.model import ArticleAnalysis

#: Spans listed under one credibility signal at most (all are highlighted in the text).
MAX_SIGNAL_SPANS = 8
#: Display priority of the roles (the first one covering a segment gives its colour).
ROLES = ("cue", "source", "content", "signal")


@dataclass(frozen=True)
class Segment:
    """A stretch of the text and the marks over it (none for plain text)."""

    text: str
    marks: tuple[str, ...] = ()
    role: str = ""
    statement: str = ""
    title: str = ""


def _actor_names(analysis: ArticleAnalysis) -> dict[str, str]:
    return {actor.id: actor.name for actor in analysis.actors}


def statement_details(analysis: ArticleAnalysis) -> dict[str, dict[str, Any]]:
    """Per statement id: speaker, kind, speech acts with their targets, evidence statuses,
    and the spans (JSON-ready; the article view's hover and focus read it)."""
    names = _actor_names(analysis)
    details: dict[str, dict[str, Any]] = {}
    for statement in analysis.statements:
        details[statement.id] = {
            "id": statement.id,
            "kind": statement.kind.value,
            "speaker": statement.speaker.name if statement.speaker else None,
            "speaker_method": statement.speaker.method if statement.speaker else None,
            "source": statement.source.text if statement.source else None,
            "cue": statement.cue.text,
            "content": [piece.text for piece in statement.content.pieces()],
            "confidence": round(statement.confidence, 3),
            "acts": [],
            "evidence": [],
        }
    for act in analysis.speech_acts:
        if act.statement_id in details:
            targets = [names.get(a, a) for a in act.target_actors] or [
                span.text for span in act.target_spans
            ]
            details[act.statement_id]["acts"].append(
                {
                    "act": act.act.value,
                    "cameo": act.cameo,
                    "targets": targets,
                    "negated": act.negated,
                    "trigger": act.trigger.text,
                }
            )
    for item in analysis.evidence:
        if item.statement_id in details:
            details[item.statement_id]["evidence"] += [s.value for s in item.statuses]
    return details


def describe(detail: dict[str, Any]) -> str:
    """One line for a statement's tooltip: speaker, acts and targets, evidence."""
    parts = [f"speaker: {detail['speaker'] or 'unresolved'}", f"{detail['kind']} statement"]
    for act in detail["acts"]:
        targets = ", ".join(act["targets"])
        negated = "not " if act["negated"] else ""
        parts.append(f"speech act: {negated}{act['act']}" + (f" → {targets}" if targets else ""))
    if detail["evidence"]:
        parts.append("evidence: " + ", ".join(dict.fromkeys(detail["evidence"])))
    return " · ".join(parts)


def _marks(analysis: ArticleAnalysis) -> list[tuple[int, int, str, str]]:
    """``(start, end, key, role)`` of every highlighted span."""
    marks: list[tuple[int, int, str, str]] = []
    for statement in analysis.statements:
        if statement.source is not None:
            marks.append((statement.source.start, statement.source.end, statement.id, "source"))
        marks.append((statement.cue.start, statement.cue.end, statement.id, "cue"))
        for piece in statement.content.pieces():
            marks.append((piece.start, piece.end, statement.id, "content"))
    for number, signal in enumerate(analysis.credibility):
        for span in signal.spans:
            marks.append((span.start, span.end, f"c{number}", "signal"))
    return [m for m in marks if m[1] > m[0]]


def segments(analysis: ArticleAnalysis) -> list[Segment]:
    """The article text cut at every span boundary, in order; the segments' texts joined
    give the text back exactly."""
    text = analysis.article.text
    marks = _marks(analysis)
    # a short title per highlight (the page shows the full details on hover and focus)
    titles = {
        s.id: f"speaker: {s.speaker.name if s.speaker else 'unresolved'}"
        for s in analysis.statements
    }
    signal_names = {f"c{n}": s.name for n, s in enumerate(analysis.credibility)}
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for number, (start, end, _key, _role) in enumerate(marks):
        starts.setdefault(start, []).append(number)
        ends.setdefault(end, []).append(number)
    points = sorted({0, len(text), *starts, *ends})
    active: set[int] = set()
    result: list[Segment] = []
    for left, right in itertools.pairwise(points):
        active.difference_update(ends.get(left, ()))
        active.update(starts.get(left, ()))
        piece = text[left:right]
        if not active:
            result.append(Segment(piece))
            continue
        covering = sorted(active, key=lambda n: (ROLES.index(marks[n][3]), marks[n][2]))
        top = marks[covering[0]]
        key, role = top[2], top[3]
        if role == "signal":
            title = f"credibility signal: {signal_names[key]}"
            statement = ""
        else:
            title = f"{role} · {titles.get(key, '')}"
            statement = key
        result.append(
            Segment(
                piece,
                marks=tuple(f"{marks[n][2]}:{marks[n][3]}" for n in covering),
                role=role,
                statement=statement,
                title=title,
            )
        )
    return result


def article_context(
    analysis: ArticleAnalysis,
    *,
    contradictions: list[dict[str, Any]] | None = None,
    entity_links: dict[str, str] | None = None,
    outlet_ranks: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Everything the article view template prints for one analysis.

    ``contradictions`` are in-article contradictions in the narrative layer's shape
    (``{"id", "kind", "score", "a": claim, "b": claim}``); ``entity_links`` maps actor
    ids to corpus entity ids (their pages are linked when given); ``outlet_ranks`` gives
    credibility signals their place among the outlet's stored articles
    (:func:`claimgraph.store.browse.outlet_ranks`).
    """
    names = _actor_names(analysis)
    details = statement_details(analysis)
    article = analysis.article
    return {
        "article": article,
        "segments": segments(analysis),
        "statements": [
            {**details[s.id], "title": describe(details[s.id])} for s in analysis.statements
        ],
        "details": details,
        "actors": [
            {
                "id": actor.id,
                "name": actor.name,
                "type": actor.type.value,
                "roles": actor.roles,
                "affiliations": actor.affiliations,
                "code": actor.code,
                "mentions": len(actor.mentions),
                "entity_id": (entity_links or {}).get(actor.id),
            }
            for actor in analysis.actors
        ],
        "acts": [
            {
                "act": act.act.value,
                "cameo": act.cameo,
                "trigger": act.trigger.text,
                "source": names.get(act.source_actor or "")
                or (act.source_span.text if act.source_span else None),
                "targets": [names.get(a, a) for a in act.target_actors]
                or [span.text for span in act.target_spans],
                "negated": act.negated,
                "statement_id": act.statement_id,
            }
            for act in analysis.speech_acts
        ],
        "credibility": [
            {
                "key": f"c{number}",
                "name": signal.name,
                "value": signal.value,
                "explanation": signal.explanation,
                "spans": [span.text for span in signal.spans[:MAX_SIGNAL_SPANS]],
                "block_spans": [span.text for span in signal.block_spans[:MAX_SIGNAL_SPANS]],
                "more_spans": max(0, len(signal.spans) - MAX_SIGNAL_SPANS)
                + max(0, len(signal.block_spans) - MAX_SIGNAL_SPANS),
                "outlet": (outlet_ranks or {}).get(signal.name),
            }
            for number, signal in enumerate(analysis.credibility)
        ],
        "contradictions": list(contradictions or []),
    }


__all__ = ["ROLES", "Segment", "article_context", "describe", "segments", "statement_details"]
