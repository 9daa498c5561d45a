"""Everything that fits weights; run-time code never imports this package.

One module per model: :mod:`~claimgraph.training.attribution` (the whole attribution
recipe: :mod:`~claimgraph.training.taggers` for the CRFs,
:mod:`~claimgraph.training.reranker` for the second stage,
:mod:`~claimgraph.training.encoder` for the cue-and-entity encoder, whose torch loop
:mod:`~claimgraph.training.encoder_loop` also runs on its own on a GPU machine),
:mod:`~claimgraph.training.hedging`, :mod:`~claimgraph.training.machine_text` and
:mod:`~claimgraph.training.actor_index`.  Each runs as ``python -m
claimgraph.training.NAME`` and writes under ``build/`` unless ``--out`` says otherwise,
so a training run never overwrites the weights shipped in the package.  Training needs
the ``train`` extra (scikit-learn).
"""

from __future__ import annotations

from pathlib import Path

#: Where training commands write by default (relative to the working directory).
BUILD_DIR = Path("build")

__all__ = ["BUILD_DIR"]
