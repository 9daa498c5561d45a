"""Tabular views of an analysis, shared by the Markdown and terminal renderers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from claimgraph.model import ArticleAnalysis


@dataclass(frozen=True)
class View:
    title: str
    header: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def article_facts(analysis: ArticleAnalysis) -> list[tuple[str, str]]:
    """Key facts about the article (title, site, byline, date, id, size)."""
    article = analysis.article
    facts = [
        ("title", article.title or ""),
        ("site", article.site or ""),
        ("byline", article.byline or ""),
        ("published", article.published or ""),
        ("url", article.url or ""),
        ("source", article.source_name or ""),
        ("id", article.id),
        ("words", str(len(article.text.split()))),
    ]
    return [(k, v) for k, v in facts if v]


def statement_view(analysis: ArticleAnalysis, *, width: int = 90) -> View:
    """Who said what: one row per statement."""
    actor_names = {a.id: a.name for a in analysis.actors}
    rows: list[tuple[str, ...]] = []
    for n, st in enumerate(analysis.statements, 1):
        if st.speaker is not None:
            who = actor_names.get(st.speaker.actor_id or "", st.speaker.name)
            if st.source is not None and st.source.text.strip() != who:
                who = f"{who} ({_short(st.source.text, 30)})"
        elif st.source is not None:
            who = _short(st.source.text, 40)
        else:
            who = "—"
        rows.append(
            (
                str(n),
                who,
                _short(st.cue.text, 25),
                _short(" … ".join(p.text for p in st.content.pieces()), width),
                st.kind.value,
                f"{st.confidence:.2f}",
            )
        )
    return View("Statements", ("#", "source", "cue", "content", "kind", "conf"), rows)


def actor_view(analysis: ArticleAnalysis) -> View:
    rows: list[tuple[str, ...]] = [
        (
            actor.name,
            actor.type.value,
            actor.code or "",
            _short("; ".join(actor.roles), 40),
            _short("; ".join(actor.affiliations), 40),
            str(len(actor.mentions)),
        )
        for actor in analysis.actors
    ]
    return View("Actors", ("actor", "type", "code", "roles", "affiliations", "mentions"), rows)


def act_view(analysis: ArticleAnalysis) -> View:
    """Who did what to whom."""
    names = {a.id: a.name for a in analysis.actors}
    rows: list[tuple[str, ...]] = []
    for act in analysis.speech_acts:
        targets = [names.get(t, t) for t in act.target_actors]
        if not targets:
            targets = [s.text for s in act.target_spans]
        source = names.get(act.source_actor or "", act.source_actor or "—")
        via = names.get(act.attributed_by or "", "")
        if not via and act.attributed_by_span is not None:
            via = act.attributed_by_span.text
        rows.append(
            (
                source,
                act.act.value + (" (negated)" if act.negated else ""),
                _short("; ".join(targets), 40) or "—",
                act.cameo or "",
                _short(act.trigger.text, 30),
                via,
            )
        )
    return View("Speech acts", ("source", "act", "targets", "CAMEO", "trigger", "per"), rows)


def evidence_view(analysis: ArticleAnalysis, *, width: int = 70) -> View:
    rows: list[tuple[str, ...]] = [
        (
            _short(item.claim.text, width),
            ", ".join(s.value for s in item.statuses),
            _short("; ".join(h.text for h in item.hedges), 30),
            _short("; ".join(j.text for j in item.justification), 50),
        )
        for item in analysis.evidence
    ]
    return View("Evidence", ("claim", "status", "hedges", "why"), rows)


def contradiction_view(analysis: ArticleAnalysis, *, width: int = 60) -> View:
    """Claims of the article that cannot both be true, side by side."""
    rows: list[tuple[str, ...]] = [
        (
            f"{c.kind} ({c.about})",
            _short(f"{c.a.speaker or 'the article'}: {c.a.span.text}", width),
            _short(f"{c.b.speaker or 'the article'}: {c.b.span.text}", width),
            f"{c.score:.2f}",
        )
        for c in analysis.contradictions
    ]
    return View("Contradictions", ("kind", "one side", "the other", "score"), rows)


def credibility_view(analysis: ArticleAnalysis) -> View:
    rows: list[tuple[str, ...]] = []
    for signal in analysis.credibility:
        value = signal.value
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        rows.append((signal.name, shown, _short(signal.explanation, 100)))
    return View("Credibility signals", ("signal", "value", "explanation"), rows)


def all_views(analysis: ArticleAnalysis) -> list[View]:
    """Every non-empty view, in reading order."""
    views = [
        statement_view(analysis),
        actor_view(analysis),
        act_view(analysis),
        evidence_view(analysis),
        contradiction_view(analysis),
        credibility_view(analysis),
    ]
    return [v for v in views if v.rows or v.title == "Statements"]
