"""The store's rows of one analysis, as plain dicts keyed by the columns of
:mod:`~claimgraph.store.schema`: what :class:`~claimgraph.store.sql.SqlStore` inserts and
what the Spark job (:mod:`claimgraph.spark`) writes as Parquet, built in one place so the
two stay the same.

``links`` maps an actor id to its corpus entity id.  The store links actors as it stores
an article; a job that has no entity table yet passes ``{}`` and leaves the entity
columns empty (``claimgraph ingest --from-parquet`` links them when it loads the rows).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from claimgraph import __version__
from claimgraph.model import Actor, ArticleAnalysis, Failure


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def published_at(value: str | None) -> dt.datetime | None:
    """``Article.published`` (``YYYY-MM-DD`` or ISO 8601) as a timestamp, if it is one."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def text_hash(text_: str) -> str:
    """The hash that identifies an article's (normalised) text in the store."""
    return hashlib.sha256(text_.encode("utf-8", "surrogatepass")).hexdigest()


def canonical_url(url: str | None) -> str | None:
    """``url`` without fragment, default port, ``www.`` and trailing slash, lower-cased
    scheme and host: the form under which two links to one page compare equal."""
    if not url:
        return None
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().removeprefix("www.")
        port = parts.port
    except ValueError:
        return url.strip()
    if port and (parts.scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), host, path, parts.query, ""))


def article_row(
    analysis: ArticleAnalysis,
    *,
    run_id: int | None,
    weights_hash: str,
    stored_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The ``articles`` row of one analysis (the whole analysis in its ``analysis``)."""
    article = analysis.article
    provenance = analysis.provenance
    return {
        "id": article.id,
        "text_sha256": text_hash(article.text),
        "canonical_url": canonical_url(article.url),
        "url": article.url,
        "title": article.title,
        "byline": article.byline,
        "site": article.site,
        "published": published_at(article.published),
        "language": article.language,
        "source_kind": article.source_kind,
        "source_name": article.source_name,
        "raw_sha256": article.raw_sha256,
        "text": article.text,
        "metadata": [block.model_dump(mode="json") for block in article.metadata_blocks],
        "analysis": analysis.model_dump(mode="json"),
        "claimgraph_version": provenance.claimgraph_version if provenance else __version__,
        "config_hash": provenance.config_hash if provenance else "",
        "weights_hash": weights_hash,
        "run_id": run_id,
        "stored_at": stored_at or now(),
    }


def actor_row(article_id: str, actor: Actor) -> dict[str, Any]:
    """An ``actors`` row without its entity link (``entity_id``, ``link_reason``,
    ``link_confidence``)."""
    return {
        "article_id": article_id,
        "actor_id": actor.id,
        "name": actor.name,
        "type": actor.type.value,
        "code": actor.code,
        "dictionary_key": actor.dictionary_key,
        "roles": list(actor.roles),
        "affiliations": list(actor.affiliations),
        "aliases": list(actor.aliases),
        "mentions": len(actor.mentions),
    }


def unlinked_actor_rows(analysis: ArticleAnalysis) -> list[dict[str, Any]]:
    """The ``actors`` rows of an analysis whose actors are not linked to entities yet."""
    return [
        {
            **actor_row(analysis.article.id, actor),
            "entity_id": None,
            "link_reason": None,
            "link_confidence": None,
        }
        for actor in analysis.actors
    ]


def analysis_rows(
    analysis: ArticleAnalysis, links: dict[str, str]
) -> dict[str, list[dict[str, Any]]]:
    """The rows of the article's statements, speech acts (and their target entities),
    evidence and credibility signals, by table name."""
    article_id = analysis.article.id
    statement_rows = [
        {
            "id": s.id,
            "article_id": article_id,
            "kind": s.kind.value,
            "cue_start": s.cue.start,
            "cue_end": s.cue.end,
            "cue": s.cue.text,
            "content_start": s.content.start,
            "content_end": s.content.end,
            "content": s.content.text,
            "source": s.source.text if s.source else None,
            "speaker": s.speaker.name if s.speaker else None,
            "speaker_actor_id": s.speaker.actor_id if s.speaker else None,
            "speaker_entity_id": links.get(s.speaker.actor_id or "") if s.speaker else None,
            "confidence": s.confidence,
        }
        for s in analysis.statements
    ]
    act_rows, target_rows = [], []
    for act in analysis.speech_acts:
        targets = sorted({links[a] for a in act.target_actors if a in links})
        act_rows.append(
            {
                "id": act.id,
                "article_id": article_id,
                "act": act.act.value,
                "cameo": act.cameo,
                "trigger": act.trigger.text,
                "trigger_start": act.trigger.start,
                "trigger_end": act.trigger.end,
                "source_actor_id": act.source_actor,
                "source_entity_id": links.get(act.source_actor or ""),
                "source_text": act.source_span.text if act.source_span else None,
                "target_actor_ids": list(act.target_actors),
                "target_entity_ids": targets,
                "statement_id": act.statement_id,
                "negated": act.negated,
                "modality": act.modality,
                "confidence": act.confidence,
            }
        )
        target_rows += [
            {"speech_act_id": act.id, "entity_id": e, "article_id": article_id} for e in targets
        ]
    evidence_rows = [
        {
            "claim_id": item.claim_id,
            "article_id": article_id,
            "statement_id": item.statement_id,
            "claim_start": item.claim.start,
            "claim_end": item.claim.end,
            "claim": item.claim.text,
            "statuses": [status.value for status in item.statuses],
            "denied_by": [links.get(a, a) for a in item.denied_by],
        }
        for item in analysis.evidence
    ]
    signal_rows = [
        {
            "article_id": article_id,
            "name": signal.name,
            "value": signal.value,
            "explanation": signal.explanation,
        }
        for signal in analysis.credibility
    ]
    return {
        "statements": statement_rows,
        "speech_acts": act_rows,
        "speech_act_targets": target_rows,
        "evidence": evidence_rows,
        "credibility": signal_rows,
    }


def failure_row(
    failure: Failure, *, run_id: int | None, at: dt.datetime | None = None
) -> dict[str, Any]:
    """A ``failures`` row (its ``id`` is the database's to give)."""
    return {
        "run_id": run_id,
        "input": failure.input,
        "code": failure.code,
        "message": failure.message,
        "stage": failure.stage,
        "article_id": failure.article_id,
        "at": at or now(),
    }


__all__ = [
    "actor_row",
    "analysis_rows",
    "article_row",
    "canonical_url",
    "failure_row",
    "now",
    "published_at",
    "text_hash",
    "unlinked_actor_rows",
]
