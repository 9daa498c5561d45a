"""What the store knows of one entity, for ``claimgraph entities`` (and the web app):
its aliases, the articles that name it, what it said, and the speech acts aimed at it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from claimgraph.model import Entity

if TYPE_CHECKING:
    from claimgraph.store.sql import SqlStore


def entity_report(store: SqlStore, entity: Entity, *, limit: int = 50) -> dict[str, Any]:
    """``entity`` with its links, articles, statements made and speech acts made and
    received (at most ``limit`` of each list), as plain JSON-ready data."""
    from claimgraph.store.browse import entity_names, rows_in

    links = store.links(entity.id)
    said = store.rows("statements", speaker_entity_id=entity.id)
    made = store.rows("speech_acts", source_entity_id=entity.id)
    target_rows = store.rows("speech_act_targets", entity_id=entity.id)
    received_ids = {row["speech_act_id"] for row in target_rows}
    received = rows_in(store, "speech_acts", "id", received_ids)
    named = {entity.id}
    for row in [*made, *received]:
        named.update(row["target_entity_ids"] or [])
        if row["source_entity_id"]:
            named.add(row["source_entity_id"])
    names = {key: value["name"] for key, value in entity_names(store, named).items()}
    article_rows = rows_in(store, "articles", "id", {link.article_id for link in links},
                           columns=["id", "title", "source_name"])  # fmt: skip
    articles = {a["id"]: a for a in article_rows}

    def title(article_id: str) -> str:
        article = articles.get(article_id) or {}
        return str(article.get("title") or article.get("source_name") or article_id)

    def act(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "act": row["act"],
            "cameo": row["cameo"],
            "trigger": row["trigger"],
            "source": names.get(row["source_entity_id"] or "", row["source_text"] or ""),
            "targets": [names.get(t, t) for t in row["target_entity_ids"] or []],
            "negated": row["negated"],
            "article_id": row["article_id"],
            "statement_id": row["statement_id"],
        }

    return {
        "entity": entity.model_dump(mode="json"),
        "links": [link.model_dump(mode="json") for link in links[:limit]],
        "articles": [
            {"id": article_id, "title": title(article_id)}
            for article_id in sorted({link.article_id for link in links})[:limit]
        ],
        "statements": [
            {"content": s["content"], "cue": s["cue"], "article_id": s["article_id"], "id": s["id"]}
            for s in sorted(said, key=lambda s: (s["article_id"], s["cue_start"]))[:limit]
        ],
        "speech_acts_made": [act(a) for a in sorted(made, key=lambda a: a["id"])[:limit]],
        "speech_acts_received": [act(a) for a in sorted(received, key=lambda a: a["id"])[:limit]],
    }


def print_entity_reports(reports: list[dict[str, Any]]) -> None:
    """Print :func:`entity_report` results as readable text on a rich console."""
    from rich.console import Console

    from claimgraph.outputs.escape import escape_console as esc

    console = Console()
    for report in reports:
        entity = report["entity"]
        code = f" {entity['code']}" if entity["code"] else ""
        console.rule(f"[bold]{esc(entity['name'])}[/bold] ({entity['type']}{code})")
        console.print(f"[dim]aliases:[/dim] {esc('; '.join(entity['aliases']))}")
        console.print(f"[dim]articles:[/dim] {len(report['articles'])}")
        for statement in report["statements"]:
            console.print(f"  [green]said[/green] ({esc(statement['cue'])}): "
                          f"{esc(statement['content'])}")
        for item in report["speech_acts_made"]:
            if item["targets"]:
                console.print(f"  [yellow]{item['act']}[/yellow] → "
                              f"{esc(', '.join(item['targets']))} ({esc(item['trigger'])})")
        for item in report["speech_acts_received"]:
            console.print(f"  [red]{item['act']}[/red] from {esc(item['source'] or '?')} "
                          f"({esc(item['trigger'])})")


__all__ = ["entity_report", "print_entity_reports"]
