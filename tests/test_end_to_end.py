"""End-to-end: the canonical example page through ingest and every stage."""

from __future__ import annotations

import pytest

from claimgraph.config import Config
from claimgraph.ingest import load_inputs
from claimgraph.model import ArticleAnalysis, Statement
from claimgraph.pipeline import Pipeline

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def analysis(example_html) -> ArticleAnalysis:
    config = Config()
    (article,) = list(load_inputs([str(example_html)], config=config.ingest))
    (result,) = list(Pipeline(config).analyze([article]))
    assert isinstance(result, ArticleAnalysis), result
    result.check_spans()
    return result


def _speaker(statement: Statement) -> str:
    return statement.speaker.name if statement.speaker else ""


def _find(analysis: ArticleAnalysis, *, content: str) -> Statement:
    found = [s for s in analysis.statements if content in s.content.text]
    assert found, f"no statement with content containing {content!r}: " + "; ".join(
        f"{s.source.text if s.source else None} | {s.cue.text} | {s.content.text[:60]}"
        for s in analysis.statements
    )
    return found[0]


def test_end_to_end_text_excludes_page_furniture(analysis):
    article = analysis.article
    assert "Alexander Bortnikov, head of the FSB" in article.text
    assert "In conclusion" in article.text
    assert "As a content writer at" not in article.text
    assert "Leave a Reply" not in article.text
    bios = [b for b in article.metadata_blocks if b.kind == "author_bio"]
    assert bios and "As a content writer at, I am dedicated" in bios[0].text
    assert article.title == "Lukashenko goes against Putin, claims terrorists escaping to Belarus"
    assert article.byline == "Sophia Gonzalez"
    assert article.site == "World Daily Digest"


def test_end_to_end_bortnikov_accuses_ukraine_and_western_services(analysis):
    statement = _find(analysis, content="Western secret services")
    assert "Bortnikov" in _speaker(statement)
    assert "accused" in statement.cue.text


@pytest.mark.parametrize(
    ("source", "content"),
    [
        ("He", "the suspects planned to travel to Ukraine"),
        ("The FSB head", "identifying those responsible"),
    ],
)
def test_end_to_end_pronoun_and_role_noun_resolve_to_bortnikov(analysis, source, content):
    statement = _find(analysis, content=content)
    assert statement.source is not None and statement.source.text == source
    assert "Bortnikov" in _speaker(statement)
    assert statement.speaker is not None and statement.speaker.method in {"pronoun", "role"}


def test_end_to_end_ukraine_denies(analysis):
    denials = [s for s in analysis.statements if "denied" in s.cue.text or "dismissed" in s.cue.text]
    assert denials
    assert all(_speaker(s) == "Ukraine" for s in denials)


def test_end_to_end_putin_window_claim(analysis):
    statement = _find(analysis, content="window")
    assert "Putin" in _speaker(statement)
    assert statement.kind.value in {"mixed", "indirect"}


def test_end_to_end_lukashenko_flee_to_belarus(analysis):
    statement = _find(analysis, content="tried to flee to Belarus")
    assert "Lukashenko" in _speaker(statement)


def test_end_to_end_provenance_recorded(analysis):
    provenance = analysis.provenance
    assert provenance is not None
    assert provenance.spacy_model_version == "3.8.0"
    assert "attribution" in provenance.stages
    assert provenance.config_hash == Config().digest()
