"""Narratives across articles: claims grouped into propositions.

Reads claims (statement contents, headlines) from many articles and adds the proposition
each belongs to (:mod:`.propositions`), incrementally: a new article's claims join the
propositions already built or open new ones, without recomputing the corpus.
"""

from claimgraph.narratives.propositions import (
    DEFAULT_THRESHOLD,
    Proposition,
    PropositionIndex,
    embed_claims,
)

__all__ = ["DEFAULT_THRESHOLD", "Proposition", "PropositionIndex", "embed_claims"]
