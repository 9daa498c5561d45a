"""Counts of what ingest read, beyond the documents it yields: for the run summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class IngestStats:
    """What the readers passed over on purpose, by reason (e.g. WARC records that are not
    HTML pages).  Documents and failures are counted by whoever reads the results."""

    skipped: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        """``"120 WARC records that are not HTML pages skipped"``, or ``""``."""
        return "; ".join(f"{n:,} {reason} skipped" for reason, n in sorted(self.skipped.items()))


__all__ = ["IngestStats"]
