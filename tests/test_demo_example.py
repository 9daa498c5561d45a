"""End-to-end on the bundled example that ``make demo`` shows: who said what, to whom."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimgraph.config import Config
from claimgraph.ingest import load_inputs
from claimgraph.model import ArticleAnalysis, EvidenceStatus, SpeechActClass, Statement
from claimgraph.pipeline import Pipeline

pytestmark = pytest.mark.slow

HARBOR_HTML = Path(__file__).resolve().parents[1] / "examples" / "harbor-strike.html"


@pytest.fixture(scope="module")
def analysis() -> ArticleAnalysis:
    config = Config()
    (article,) = list(load_inputs([str(HARBOR_HTML)], config=config.ingest))
    (result,) = list(Pipeline(config).analyze([article]))
    assert isinstance(result, ArticleAnalysis), result
    result.check_spans()
    return result


def _statement(analysis: ArticleAnalysis, *, cue: str, content: str) -> Statement:
    found = [s for s in analysis.statements if s.cue.text == cue and content in s.content.text]
    assert found, "; ".join(f"{s.cue.text} | {s.content.text[:50]}" for s in analysis.statements)
    return found[0]


def _actor_name(analysis: ArticleAnalysis, actor_id: str | None) -> str | None:
    return next((a.name for a in analysis.actors if a.id == actor_id), None)


def test_demo_example_page_metadata(analysis):
    article = analysis.article
    assert article.title == "Dockworkers walk out at Port Calloway as talks collapse"
    assert article.byline == "Mara Ellison"
    assert article.site == "The Calloway Ledger"


@pytest.mark.parametrize(
    ("speaker", "cue", "content", "kind"),
    [
        ("Renata Okafor", "said", "We have been patient for eighteen months", "direct"),
        ("Renata Okafor", "accused", "the authority of hiding a plan", "indirect"),
        ("Renata Okafor", "said", "the union had seen internal documents", "indirect"),
        ("Calloway Harbor Authority", "denied", "any automation contract had been signed", None),
        ("Desmond Vale", "said", "a four per cent pay rise over two years", "indirect"),
        ("Theo Lindqvist", "urged", "both sides to accept independent mediation", "indirect"),
        ("Theo Lindqvist", "warned", "a long strike could cost local businesses", "indirect"),
    ],
)
def test_demo_example_who_said_what(analysis, speaker, cue, content, kind):
    statement = _statement(analysis, cue=cue, content=content)
    assert statement.speaker is not None and statement.speaker.name == speaker
    if kind is not None:
        assert statement.kind.value == kind


def test_demo_example_accusation_is_denied_by_the_accused(analysis):
    accusation = _statement(analysis, cue="accused", content="hiding a plan")
    acts = [a for a in analysis.speech_acts if a.statement_id == accusation.id]
    accuse = next(a for a in acts if a.act is SpeechActClass.ACCUSE_CRITICIZE)
    assert _actor_name(analysis, accuse.source_actor) == "Renata Okafor"
    assert [_actor_name(analysis, t) for t in accuse.target_actors] == ["Calloway Harbor Authority"]
    denial = next(a for a in analysis.speech_acts if a.act is SpeechActClass.REJECT_DENY)
    assert denial.trigger.text == "denied"
    assert _actor_name(analysis, denial.source_actor) == "Calloway Harbor Authority"
    evidence = next(e for e in analysis.evidence if e.statement_id == accusation.id)
    assert EvidenceStatus.DENIED in evidence.statuses
    assert [_actor_name(analysis, d) for d in evidence.denied_by] == ["Calloway Harbor Authority"]


def test_demo_example_warning_is_a_hedged_threat(analysis):
    warning = _statement(analysis, cue="warned", content="could cost")
    acts = {a.act for a in analysis.speech_acts if a.statement_id == warning.id}
    assert SpeechActClass.THREATEN in acts
    evidence = next(e for e in analysis.evidence if e.statement_id == warning.id)
    assert EvidenceStatus.HEDGED in evidence.statuses
    assert [h.text for h in evidence.hedges] == ["could"]


def test_demo_example_unnamed_official_is_anonymous(analysis):
    statement = _statement(analysis, cue="said", content="officials were monitoring")
    evidence = next(e for e in analysis.evidence if e.statement_id == statement.id)
    assert EvidenceStatus.ANONYMOUS in evidence.statuses


def test_demo_example_credibility_signals(analysis):
    signals = {s.name: s.value for s in analysis.credibility}
    assert signals["sourcing_accused_response"] == 1.0  # the accused authority answers
    assert signals["sourcing_distinct_sources"] >= 6
    assert signals["template_residue"] == 0.0  # a newsroom page, no content-farm residue
    assert signals["headline_support"] > 0.5
