"""The result of one evaluation run."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class EvalReport:
    """Metrics of one evaluation; ``render()`` gives the text the CLI prints.

    ``headline`` names the metric printed last as ``name=value``.
    """

    task: str
    n_documents: int
    metrics: dict[str, float]
    headline: str
    table: list[tuple[str, ...]] = field(default_factory=list)
    table_header: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)

    def render(self) -> str:
        """Human-readable lines: the table, notes, then ``headline=value``."""
        lines: list[str] = [f"{self.task}: {self.n_documents} documents"]
        if self.table:
            rows = [self.table_header, *self.table] if self.table_header else self.table
            widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
            for row in rows:
                lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)))
        lines.extend(self.notes)
        lines.append(f"{self.headline}={self.metrics[self.headline]:.4f}")
        return "\n".join(lines)
