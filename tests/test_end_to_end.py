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
    denials = [
        s for s in analysis.statements if "denied" in s.cue.text or "dismissed" in s.cue.text
    ]
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


# --- actors and speech acts -------------------------------------------------------------


def _actor(analysis: ArticleAnalysis, name: str):
    found = [a for a in analysis.actors if name in a.name]
    assert found, f"no actor named like {name!r}: {[a.name for a in analysis.actors]}"
    return found[0]


def _acts(analysis: ArticleAnalysis, act: str, source: str):
    names = {a.id: a.name for a in analysis.actors}
    return [
        a
        for a in analysis.speech_acts
        if a.act.value == act and source in names.get(a.source_actor or "", "") and not a.negated
    ]


def _targets(analysis: ArticleAnalysis, acts) -> set[str]:
    names = {a.id: a.name for a in analysis.actors}
    return {names.get(t, t) for act in acts for t in act.target_actors} | {
        s.text for act in acts for s in act.target_spans
    }


def test_end_to_end_bortnikov_and_fsb_head_are_one_actor(analysis):
    bortnikov = _actor(analysis, "Bortnikov")
    mentions = {m.span.text for m in bortnikov.mentions}
    assert {"Bortnikov", "The FSB head"} <= mentions
    assert any("FSB" in a for a in bortnikov.affiliations)
    assert "Russia" in bortnikov.affiliations
    assert (bortnikov.code or "").startswith("RUS")


def test_end_to_end_accusations_denial_and_responsibility(analysis):
    accusations = _acts(analysis, "ACCUSE_CRITICIZE", "Bortnikov")
    assert "Ukraine" in _targets(analysis, accusations)
    assert any("secret services" in t for t in _targets(analysis, accusations))
    denials = _acts(analysis, "REJECT_DENY", "Ukraine")
    assert denials and "Russia" in _targets(analysis, denials)
    assert _acts(analysis, "CLAIM_RESPONSIBILITY", "Islamic State")
    putin = _acts(analysis, "ACCUSE_CRITICIZE", "Putin")
    assert {"Ukraine"} <= _targets(analysis, putin)
    assert any("West" in t for t in _targets(analysis, putin))


def test_end_to_end_lukashenko_asserts_as_belarus_government(analysis):
    lukashenko = _actor(analysis, "Lukashenko")
    assert lukashenko.code == "BLRGOV"
    assert _acts(analysis, "ASSERT", "Lukashenko")


# --- evidence and credibility -----------------------------------------------------------


def _evidence_for(analysis: ArticleAnalysis, phrase: str):
    found = [e for e in analysis.evidence if phrase in e.claim.text]
    assert found, f"no evidence item for {phrase!r}"
    return {s.value for e in found for s in e.statuses}


def test_end_to_end_evidence_statuses(analysis):
    assert "unsupported" in _evidence_for(analysis, "Western secret services")
    assert "unsupported" in _evidence_for(analysis, "Western and Ukrainian special services")
    window = _evidence_for(analysis, "window")
    assert {"attributed", "denied"} <= window
    assert "author_voice" in _evidence_for(analysis, "appears determined")
    assert "author_voice" in _evidence_for(analysis, "In conclusion")


def test_end_to_end_template_residue_in_author_bio(analysis):
    (signal,) = [s for s in analysis.credibility if s.name == "template_residue"]
    bio_index = next(
        i for i, b in enumerate(analysis.article.metadata_blocks) if b.kind == "author_bio"
    )
    slots = [b for b in signal.block_spans if b.block == bio_index]
    bio = analysis.article.metadata_blocks[bio_index].text
    assert any(
        bio[b.start : b.end] == b.text and "writer at," in bio[b.start - 20 : b.end + 1]
        for b in slots
    )
