"""Shared fixtures (the only place fixtures live)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests check behaviour, never timing: a loaded CI machine must not fail them.
settings.register_profile("claimgraph", deadline=None)
settings.load_profile("claimgraph")

ROOT = Path(__file__).resolve().parents[1]
#: Third-party data lives beside the repository, never inside it.
SHARED = Path(os.environ.get("CLAIMGRAPH_SHARED", ROOT.parent / "shared"))
EXAMPLE_HTML = SHARED / "examples" / "lukashenko-putin.html"
EXAMPLE_TXT = SHARED / "examples" / "lukashenko-putin.txt"
DATA = SHARED / "data"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def example_html(shared_dir: Path) -> Path:
    return EXAMPLE_HTML


@pytest.fixture(scope="session")
def example_txt(shared_dir: Path) -> Path:
    return EXAMPLE_TXT


@pytest.fixture(scope="session")
def nlp():
    """The real pinned spaCy pipeline, as the analysis loads it."""
    from claimgraph.config import Config
    from claimgraph.nlp import load_nlp

    config = Config()
    return load_nlp(config.nlp.model, tuple(config.nlp.exclude))


@pytest.fixture(scope="session")
def en_vocab():
    from spacy.vocab import Vocab

    return Vocab()
