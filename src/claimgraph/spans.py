"""Finding the spans at a position without scanning all of them.

Several stages ask, for each of many items, which statements, mentions or sentences
overlap a stretch of text.  Scanning every span for every question made their cost grow
with the square of the document's length; :class:`SpanIndex` answers from a sorted list.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


class SpanIndex(Generic[T]):
    """``(start, end, value)`` items, answering which overlap a range.

    Answers keep the items' original order, so code that picks the first (or the best,
    first on ties) of them behaves exactly as a loop over all items would.  A question
    costs the logarithm of the number of items plus the number of items that start
    within the longest item's length before the range: small unless one item is huge.
    """

    def __init__(self, items: Iterable[tuple[int, int, T]]) -> None:
        self._items = list(items)
        self._by_start = sorted(range(len(self._items)), key=lambda i: self._items[i][0])
        self._starts = [self._items[i][0] for i in self._by_start]
        self._longest = max((end - start for start, end, _ in self._items), default=0)

    def __len__(self) -> int:
        return len(self._items)

    def overlapping(self, start: int, end: int) -> list[tuple[int, int, T]]:
        """Items with ``item_start < end`` and ``start < item_end``, in original order."""
        lo = bisect.bisect_left(self._starts, start - self._longest)
        hi = bisect.bisect_left(self._starts, end)
        hits = sorted(i for i in self._by_start[lo:hi] if self._items[i][1] > start)
        return [self._items[i] for i in hits]

    def containing(self, position: int) -> list[tuple[int, int, T]]:
        """Items with ``item_start <= position < item_end``, in original order."""
        return self.overlapping(position, position + 1)


__all__ = ["SpanIndex"]
