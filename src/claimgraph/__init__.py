"""claimgraph: who claims what, about whom, on what evidence, in news text.

The library API::

    from claimgraph import Config, Pipeline, analyze_text, load_inputs

    analysis = analyze_text('"We will not back down," the union leader said.')
    pipeline = Pipeline(Config())                # loads spaCy and the models once
    for result in pipeline.analyze(load_inputs(["a.html"], config=pipeline.config.ingest)):
        print(result.model_dump_json())          # an ArticleAnalysis, or a Failure

Names load on first use, so ``import claimgraph`` stays cheap (it loads no model).
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from claimgraph.config import Config, load_config
    from claimgraph.errors import ClaimgraphError
    from claimgraph.ingest import load_inputs
    from claimgraph.model import Article, ArticleAnalysis, Failure
    from claimgraph.pipeline import Pipeline, analyze_text, load_pipeline

#: Public names and the module each one lives in.
_EXPORTS = {
    "Article": "claimgraph.model",
    "ArticleAnalysis": "claimgraph.model",
    "ClaimgraphError": "claimgraph.errors",
    "Config": "claimgraph.config",
    "Failure": "claimgraph.model",
    "Pipeline": "claimgraph.pipeline",
    "analyze_text": "claimgraph.pipeline",
    "load_config": "claimgraph.config",
    "load_inputs": "claimgraph.ingest",
    "load_pipeline": "claimgraph.pipeline",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'claimgraph' has no attribute {name!r}")


__all__ = [
    "Article",
    "ArticleAnalysis",
    "ClaimgraphError",
    "Config",
    "Failure",
    "Pipeline",
    "__version__",
    "analyze_text",
    "load_config",
    "load_inputs",
    "load_pipeline",
]
