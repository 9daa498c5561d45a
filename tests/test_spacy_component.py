"""The ``claimgraph`` spaCy component: the same stages, set on ``doc._``."""

from __future__ import annotations

import pytest

TEXT = (
    '"We will not back down," the union leader Maria Lopez said on Monday. '
    "The mayor accused the union of blocking the port, which the union denied."
)


@pytest.fixture(scope="module")
def component_nlp():
    import spacy

    from claimgraph.config import Config

    nlp = spacy.load(Config().nlp.model)
    nlp.add_pipe("claimgraph")  # resolved through the spacy_factories entry point
    return nlp


@pytest.mark.slow
def test_spacy_component_sets_the_analysis_on_the_doc(component_nlp):
    doc = component_nlp(TEXT)
    statements = doc._.statements
    said = next(s for s in statements if s.cue.text == "said")
    assert said.speaker is not None and said.speaker.name == "Maria Lopez"
    assert said.content.text.startswith('"We will not back down')
    assert any(s.cue.text == "accused" for s in statements)
    assert {a.name for a in doc._.actors} >= {"Maria Lopez"}
    assert "ACCUSE_CRITICIZE" in {a.act.value for a in doc._.speech_acts}
    assert doc._.claimgraph.statements == statements
    assert doc._.evidence and doc._.credibility
    for statement in statements:  # spans index the Doc's own text
        assert TEXT[statement.content.start : statement.content.end] == statement.content.text


@pytest.mark.slow
def test_spacy_component_matches_the_pipeline(component_nlp):
    from claimgraph.pipeline import analyze_text

    analysis = analyze_text(TEXT)
    doc = component_nlp(TEXT)
    assert [(s.cue.text, s.content.text) for s in doc._.statements] == [
        (s.cue.text, s.content.text) for s in analysis.statements
    ]


def test_spacy_component_is_registered_as_an_entry_point():
    from importlib.metadata import entry_points

    names = {ep.name: ep.value for ep in entry_points(group="spacy_factories")}
    assert names.get("claimgraph") == "claimgraph.spacy_component:make_component"


def test_spacy_component_entry_point_module_stays_light():
    """spaCy imports every spacy_factories entry point whenever it builds any pipeline:
    the module must not pull in claimgraph's stages (or their models) at import."""
    import subprocess
    import sys

    code = (
        "import sys, claimgraph.spacy_component\n"
        "heavy = [m for m in ('claimgraph.pipeline', 'claimgraph.attribution', 'claimgraph.nlp')\n"
        "         if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
