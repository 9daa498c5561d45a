"""Exports of a store for other tools: JSONL analyses, CSV and Parquet tables, a GraphML
graph for Gephi, and schema.org ``Claim`` objects in JSON-LD.

- ``jsonl``: one :class:`~claimgraph.model.ArticleAnalysis` per line, the schema of
  ``claimgraph analyze -f jsonl``.
- ``csv`` / ``parquet``: a directory with one file per table (articles, statements,
  actors, entities, speech acts, evidence, credibility, failures), for pandas, R, DuckDB.
- ``graphml``: entities as nodes; speech acts between them (accuse, deny, appeal,
  praise, threaten, ...) as directed edges, one per source, target and act, with the
  count, the first and last article dates and the statement ids behind it (networkx);
  and the propositions of the narrative layer (``claimgraph narratives``) as nodes with
  ``kind="proposition"``, with an edge from each speaker entity to each proposition it
  supports, denies or reports (``act`` = ``STANCE_SUPPORTS``/``_DENIES``/``_REPORTS``,
  counted, with the claim ids behind it).
- ``jsonld``: one schema.org ``Claim`` per statement: ``text`` the content,
  ``author`` the speaker, ``appearance`` and ``firstAppearance`` the article, the shape
  ClaimReview tools read.

Every writer takes a :class:`~claimgraph.store.sql.SqlStore` and a path, and writes to a
temporary file renamed into place at the end.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimgraph.errors import ConfigError
from claimgraph.outputs.files import atomic_output

if TYPE_CHECKING:
    from claimgraph.store.sql import SqlStore

#: Tables that ``csv`` and ``parquet`` write, in order; the full analysis JSON and the
#: article text stay out of the tables (``jsonl`` has them).
TABLES = (
    "articles",
    "statements",
    "actors",
    "entities",
    "speech_acts",
    "evidence",
    "credibility",
    "failures",
)
_LEFT_OUT = {"articles": ("analysis", "text", "metadata")}


def _plain(value: Any) -> Any:
    """A cell value for CSV and Parquet: lists and dicts as JSON, times as ISO 8601."""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _table(store: SqlStore, name: str) -> list[dict[str, Any]]:
    dropped = _LEFT_OUT.get(name, ())
    return [
        {k: _plain(v) for k, v in row.items() if k not in dropped} for row in store.rows(name)
    ]


def export_jsonl(store: SqlStore, path: Path) -> int:
    """Every stored analysis as a JSONL line; returns the number of lines."""
    from claimgraph.outputs.json import to_jsonl_line

    n = 0
    with atomic_output(path) as out:
        for analysis in store.analyses():
            out.write(to_jsonl_line(analysis) + "\n")
            n += 1
    return n


def export_csv(store: SqlStore, path: Path) -> int:
    """One CSV file per table in the directory ``path``; returns the number of rows."""
    path.mkdir(parents=True, exist_ok=True)
    n = 0
    for name in TABLES:
        rows = _table(store, name)
        columns = [c.name for c in store_columns(name) if c.name not in _LEFT_OUT.get(name, ())]
        with atomic_output(path / f"{name}.csv") as out:
            writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        n += len(rows)
    return n


def export_parquet(store: SqlStore, path: Path) -> int:
    """One Parquet file per table in the directory ``path`` (pyarrow)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.mkdir(parents=True, exist_ok=True)
    n = 0
    for name in TABLES:
        rows = _table(store, name)
        columns = [c.name for c in store_columns(name) if c.name not in _LEFT_OUT.get(name, ())]
        table = pa.Table.from_pylist(rows) if rows else pa.table({c: [] for c in columns})
        target = path / f"{name}.parquet"
        partial = target.with_name(f".{target.name}.part")
        pq.write_table(table, partial)
        partial.replace(target)
        n += len(rows)
    return n


def store_columns(name: str) -> list[Any]:
    from claimgraph.store import schema

    return list(schema.metadata.tables[name].columns)


def entity_graph(store: SqlStore) -> Any:
    """The speech-act graph of the store: a networkx ``MultiDiGraph``, entities as nodes,
    one edge per (source, target, act) with its count, dates and statement ids."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    for entity in store.rows("entities"):
        graph.add_node(
            entity["id"],
            label=entity["name"],
            type=entity["type"],
            code=entity["code"] or "",
            aliases="; ".join(entity["aliases"] or []),
        )
    published = {a["id"]: a["published"] for a in store.rows("articles")}
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    for act in store.rows("speech_acts"):
        source = act["source_entity_id"]
        if source is None or act["negated"]:
            continue
        for target in act["target_entity_ids"] or []:
            if target == source:
                continue
            edge = edges.setdefault(
                (source, target, act["act"]), {"count": 0, "dates": [], "statements": []}
            )
            edge["count"] += 1
            if published.get(act["article_id"]) is not None:
                edge["dates"].append(published[act["article_id"]].isoformat()[:10])
            if act["statement_id"]:
                edge["statements"].append(act["statement_id"])
    for (source, target, act_name), edge in sorted(edges.items()):
        dates = sorted(edge["dates"])
        graph.add_edge(
            source,
            target,
            key=act_name,
            act=act_name,
            weight=edge["count"],
            first=dates[0] if dates else "",
            last=dates[-1] if dates else "",
            statements=" ".join(sorted(set(edge["statements"]))),
        )
    _add_propositions(store, graph)
    return graph


def _add_propositions(store: SqlStore, graph: Any) -> None:
    """Propositions as nodes and speakers' stances toward them as edges."""
    if not store.has_narrative_tables():
        return
    for proposition in store.propositions():
        graph.add_node(
            f"proposition:{proposition['id']}",
            label=proposition["label"],
            type="PROPOSITION",
            kind="proposition",
            size=proposition["size"],
            first=proposition["first_seen"].isoformat()[:10] if proposition["first_seen"] else "",
            last=proposition["last_seen"].isoformat()[:10] if proposition["last_seen"] else "",
        )
    stances: dict[tuple[str, int, str], list[str]] = {}
    for claim in store.narrative_claims():
        entity = claim["speaker_entity_id"]
        if entity is None or claim["stance"] == "unrelated" or entity not in graph:
            continue
        stances.setdefault((entity, claim["proposition_id"], claim["stance"]), []).append(
            claim["claim_id"]
        )
    for (entity, proposition_id, stance), claim_ids in sorted(stances.items()):
        act = f"STANCE_{stance.upper()}"
        graph.add_edge(
            entity,
            f"proposition:{proposition_id}",
            key=act,
            act=act,
            weight=len(claim_ids),
            first="",
            last="",
            statements=" ".join(sorted(claim_ids)),
        )


def export_graphml(store: SqlStore, path: Path) -> int:
    """The speech-act graph (:func:`entity_graph`) as GraphML; returns the edge count."""
    import networkx as nx

    graph = entity_graph(store)
    with atomic_output(path) as out:
        out.write("\n".join(nx.generate_graphml(graph)) + "\n")
    return int(graph.number_of_edges())


def claims_jsonld(store: SqlStore) -> dict[str, Any]:
    """Every statement as a schema.org ``Claim`` (JSON-LD ``@graph``)."""
    articles = {a["id"]: a for a in store.rows("articles")}
    entities = {e["id"]: e for e in store.rows("entities")}
    first_seen: dict[str, str] = {}
    claims = []
    for statement in sorted(store.rows("statements"), key=lambda s: (s["article_id"], s["id"])):
        article = articles[statement["article_id"]]
        appearance: dict[str, Any] = {
            "@type": "CreativeWork",
            "@id": article["url"] or f"urn:claimgraph:article:{article['id']}",
            "headline": article["title"] or "",
        }
        if article["site"]:
            appearance["publisher"] = {"@type": "Organization", "name": article["site"]}
        if article["published"]:
            appearance["datePublished"] = article["published"].isoformat()[:10]
        entity = entities.get(statement["speaker_entity_id"] or "")
        author: dict[str, Any] | None = None
        if entity is not None:
            author = {
                "@type": "Person" if entity["type"] == "PERSON" else "Organization",
                "@id": f"urn:claimgraph:entity:{entity['id']}",
                "name": entity["name"],
            }
        elif statement["speaker"]:
            author = {"@type": "Thing", "name": statement["speaker"]}
        key = statement["content"].strip().lower()
        first_seen.setdefault(key, appearance["@id"])
        claim = {
            "@type": "Claim",
            "@id": f"urn:claimgraph:statement:{statement['id']}",
            "text": statement["content"],
            "appearance": appearance,
            "firstAppearance": {"@id": first_seen[key]},
        }
        if author is not None:
            claim["author"] = author
        claims.append(claim)
    return {"@context": "https://schema.org", "@graph": claims}


def export_jsonld(store: SqlStore, path: Path) -> int:
    """The statements as schema.org Claims in JSON-LD; returns the claim count."""
    document = claims_jsonld(store)
    with atomic_output(path) as out:
        out.write(json.dumps(document, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    return len(document["@graph"])


#: Export formats and their writers.
EXPORTS: dict[str, Callable[[SqlStore, Path], int]] = {
    "jsonl": export_jsonl,
    "csv": export_csv,
    "parquet": export_parquet,
    "graphml": export_graphml,
    "jsonld": export_jsonld,
}


def export(store: SqlStore, fmt: str, path: Path) -> int:
    """Write the store as ``fmt`` (one of :data:`EXPORTS`) to ``path``."""
    if fmt not in EXPORTS:
        raise ConfigError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORTS)}")
    return EXPORTS[fmt](store, path)


__all__ = ["EXPORTS", "TABLES", "claims_jsonld", "entity_graph", "export"]
