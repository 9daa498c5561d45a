"""Reading the store page by page, for the HTML report and the web app: articles and
entities with counts and offsets, one article's analysis by id, and the speech acts
between entities that the corpus graph draws (each with the statement behind it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select

from claimgraph.model import ArticleAnalysis, Entity
from claimgraph.store import schema as t
from claimgraph.store.entities import fold_name
from claimgraph.store.linking import entity_from_row

if TYPE_CHECKING:
    from claimgraph.store.sql import SqlStore

#: The fewest other stored articles of an outlet, with a signal, for that signal's place
#: among them, and the most (the latest stored) it is compared with (:func:`outlet_ranks`).
MIN_OUTLET_ARTICLES = 20
MAX_OUTLET_ARTICLES = 2000

#: The speech acts the corpus graph draws, and the edge kind each becomes.
GRAPH_ACTS = {
    "ACCUSE_CRITICIZE": "accuse",
    "REJECT_DENY": "deny",
    "COOPERATE_PRAISE": "support",
    "APPEAL_REQUEST": "appeal",
}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def article_page(
    store: SqlStore,
    *,
    offset: int = 0,
    limit: int = 20,
    ids: Iterable[str] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of stored articles (newest published first, then by id) and how many
    there are in all; only those in ``ids`` when given."""
    a = t.articles
    statements = (
        select(func.count())
        .where(t.statements.c.article_id == a.c.id)
        .correlate(a)
        .scalar_subquery()
    )
    query = select(
        a.c.id,
        a.c.title,
        a.c.site,
        a.c.url,
        a.c.published,
        a.c.source_name,
        statements.label("statements"),
    )
    total = select(func.count()).select_from(a)
    if ids is not None:
        wanted = sorted(set(ids))
        query = query.where(a.c.id.in_(wanted))
        total = total.where(a.c.id.in_(wanted))
    query = query.order_by(a.c.published.desc().nulls_last(), a.c.id).offset(offset).limit(limit)
    with store._read() as connection:
        rows = [dict(row) for row in connection.execute(query).mappings()]
        count = int(connection.execute(total).scalar() or 0)
    for row in rows:
        row["published"] = _iso(row["published"])
    return rows, count


def article_ids(store: SqlStore) -> list[str]:
    """Every stored article's id."""
    with store._read() as connection:
        return [row[0] for row in connection.execute(select(t.articles.c.id).order_by("id"))]


def get_analysis_data(store: SqlStore, article_id: str) -> dict[str, Any] | None:
    """The stored analysis of ``article_id`` as JSON data, or ``None`` when there is none."""
    with store._read() as connection:
        data = connection.execute(
            select(t.articles.c.analysis).where(t.articles.c.id == article_id)
        ).scalar()
    return dict(data) if data is not None else None


def get_analysis(store: SqlStore, article_id: str) -> ArticleAnalysis | None:
    """The stored analysis of ``article_id``, or ``None`` when there is none."""
    data = get_analysis_data(store, article_id)
    return ArticleAnalysis.model_validate(data) if data is not None else None


def _numeric(value: Any) -> bool:
    # a number (SQLite keeps whatever a column is given)
    return isinstance(value, int | float) and not isinstance(value, bool)


def outlet_ranks_of(
    store: SqlStore,
    article_ids: Iterable[str],
    *,
    min_articles: int = MIN_OUTLET_ARTICLES,
    max_articles: int = MAX_OUTLET_ARTICLES,
) -> dict[str, dict[str, dict[str, Any]]]:
    """:func:`outlet_ranks` of several articles (the report's), reading each outlet's
    latest scores once: ``{article_id: ranks}`` for the stored ones."""
    import numpy as np

    a, c = t.articles, t.credibility
    wanted = list(dict.fromkeys(article_ids))
    out: dict[str, dict[str, dict[str, Any]]] = {}
    with store._read() as connection:
        sites = {
            str(row[0]): row[1]
            for chunk in _chunks(wanted)
            for row in connection.execute(select(a.c.id, a.c.site).where(a.c.id.in_(chunk)))
        }
        own: dict[str, dict[str, float]] = {}
        for chunk in _chunks([i for i in wanted if sites.get(i)]):
            query = select(c.c.article_id, c.c.name, c.c.value).where(c.c.article_id.in_(chunk))
            for article_id, name, value in connection.execute(query):
                if _numeric(value):
                    own.setdefault(str(article_id), {})[str(name)] = float(value)
        for site in sorted({str(sites[i]) for i in own}):
            mine = [i for i in wanted if i in own and sites[i] == site]
            # the latest stored, one more than compared (the article itself may be among them)
            latest = [
                str(row[0])
                for row in connection.execute(
                    select(a.c.id)
                    .where(a.c.site == site)
                    .order_by(a.c.stored_at.desc(), a.c.id)
                    .limit(max_articles + len(mine))
                )
            ]
            names = {n: k for k, n in enumerate(sorted({n for i in mine for n in own[i]}))}
            index = {article_id: k for k, article_id in enumerate(latest)}
            scores = np.full((len(names), len(latest)), np.nan)
            for chunk in _chunks(latest):
                query = select(c.c.article_id, c.c.name, c.c.value).where(
                    c.c.article_id.in_(chunk), c.c.name.in_(list(names))
                )
                for article_id, name, value in connection.execute(query).all():
                    if _numeric(value):
                        scores[names[name], index[article_id]] = value
            for article_id in mine:
                others = [k for k, other in enumerate(latest) if other != article_id]
                others = others[:max_articles]
                ranks: dict[str, dict[str, Any]] = {}
                for name, value in own[article_id].items():
                    row = scores[names[name], others]
                    row = row[~np.isnan(row)]
                    if len(row) < max(min_articles, 1):
                        continue
                    lower = int((row < value).sum()) + int((row == value).sum()) / 2
                    ranks[name] = {
                        "site": site, "articles": len(row), "lower": lower,
                        "share": lower / len(row),
                    }  # fmt: skip
                out[article_id] = ranks
    return {i: out.get(i, {}) for i in wanted if i in sites}


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def outlet_ranks(
    store: SqlStore,
    article_id: str,
    *,
    min_articles: int = MIN_OUTLET_ARTICLES,
    max_articles: int = MAX_OUTLET_ARTICLES,
) -> dict[str, dict[str, Any]] | None:
    """Where each numeric credibility signal of ``article_id`` stands among the other
    stored articles of its outlet (the same ``site``; the latest ``max_articles`` stored),
    for the signals that at least ``min_articles`` of them have: ``{name: {"site",
    "articles", "lower", "share"}}``, where ``articles`` is how many were compared,
    ``lower`` how many of them score lower (ties count half) and ``share`` that count as a
    fraction.  Scores such as the machine-text likelihood order one outlet's articles well
    but do not carry across outlets (docs/quality.md), so this is the comparison to read
    them by.  ``None`` when no article has this id."""
    found = outlet_ranks_of(
        store, [article_id], min_articles=min_articles, max_articles=max_articles
    )
    return found.get(article_id)


def get_entity(store: SqlStore, entity_id: str) -> Entity | None:
    """The entity ``entity_id``, or ``None``."""
    with store._read() as connection:
        row = (
            connection.execute(select(t.entities).where(t.entities.c.id == entity_id))
            .mappings()
            .first()
        )
    return entity_from_row(row) if row is not None else None


def entity_page(
    store: SqlStore, name: str | None = None, *, offset: int = 0, limit: int = 20
) -> tuple[list[dict[str, Any]], int]:
    """One page of entities (the most linked first) whose name or an alias contains
    ``name``, with how many match in all."""
    e = t.entities
    query = select(e.c.id, e.c.name, e.c.type, e.c.code, e.c.linked)
    total = select(func.count()).select_from(e)
    if name:
        aliased = select(t.entity_aliases.c.entity_id).where(
            t.entity_aliases.c.folded.like(f"%{fold_name(name)}%")
        )
        query = query.where(or_(e.c.id.in_(aliased)))
        total = total.where(or_(e.c.id.in_(aliased)))
    query = query.order_by(e.c.linked.desc(), e.c.name, e.c.id).offset(offset).limit(limit)
    with store._read() as connection:
        rows = [dict(row) for row in connection.execute(query).mappings()]
        count = int(connection.execute(total).scalar() or 0)
    return rows, count


def entity_names(store: SqlStore, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``{id: {"name", "type", "code"}}`` of the entities in ``ids``."""
    wanted = sorted(set(ids))
    found: dict[str, dict[str, Any]] = {}
    e = t.entities
    with store._read() as connection:
        for start in range(0, len(wanted), 500):
            rows = connection.execute(
                select(e.c.id, e.c.name, e.c.type, e.c.code).where(
                    e.c.id.in_(wanted[start : start + 500])
                )
            ).mappings()
            found.update({row["id"]: dict(row) for row in rows})
    return found


def rows_in(
    store: SqlStore,
    table: str,
    column: str,
    values: Iterable[Any],
    *,
    columns: list[str] | None = None,
) -> list[dict[str, Any]]:
    """The rows of ``table`` whose ``column`` is one of ``values`` (only ``columns`` when
    given), read in chunks of 500 values."""
    source = t.metadata.tables[table]
    wanted = sorted(set(values))
    chosen = [source.c[name] for name in columns] if columns else [source]
    found: list[dict[str, Any]] = []
    with store._read() as connection:
        for start in range(0, len(wanted), 500):
            query = select(*chosen).where(source.c[column].in_(wanted[start : start + 500]))
            found += [dict(row) for row in connection.execute(query).mappings()]
    return found


def speech_act_links(
    store: SqlStore, *, article_ids: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Every accuse, deny, support or appeal act from one entity to another: ``{"act",
    "kind", "source", "target", "negated", "trigger", "article_id", "statement_id",
    "statement", "title", "site", "published"}``, in a stable order."""
    sa, tg, a, st = t.speech_acts, t.speech_act_targets, t.articles, t.statements
    query = (
        select(
            sa.c.id,
            sa.c.act,
            sa.c.source_entity_id,
            tg.c.entity_id,
            sa.c.negated,
            sa.c.trigger,
            sa.c.article_id,
            sa.c.statement_id,
            st.c.content,
            a.c.title,
            a.c.site,
            a.c.published,
        )
        .join(tg, tg.c.speech_act_id == sa.c.id)
        .join(a, a.c.id == sa.c.article_id)
        .outerjoin(st, st.c.id == sa.c.statement_id)
        .where(sa.c.act.in_(list(GRAPH_ACTS)), sa.c.source_entity_id.is_not(None))
        .order_by(sa.c.article_id, sa.c.trigger_start, sa.c.id, tg.c.entity_id)
    )
    if article_ids is not None:
        query = query.where(sa.c.article_id.in_(sorted(set(article_ids))))
    with store._read() as connection:
        rows = connection.execute(query).all()
    return [
        {
            "act": row[1],
            "kind": GRAPH_ACTS[row[1]],
            "source": row[2],
            "target": row[3],
            "negated": bool(row[4]),
            "trigger": row[5],
            "article_id": row[6],
            "statement_id": row[7],
            "statement": row[8],
            "title": row[9],
            "site": row[10],
            "published": _iso(row[11]),
        }
        for row in rows
        if row[2] != row[3]
    ]


__all__ = [
    "GRAPH_ACTS",
    "MAX_OUTLET_ARTICLES",
    "MIN_OUTLET_ARTICLES",
    "article_ids",
    "article_page",
    "entity_names",
    "entity_page",
    "get_analysis",
    "get_analysis_data",
    "get_entity",
    "outlet_ranks",
    "outlet_ranks_of",
    "rows_in",
    "speech_act_links",
]
