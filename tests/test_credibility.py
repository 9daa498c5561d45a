"""Tests of the credibility stage on hand-built articles and analyses."""

from __future__ import annotations

import pytest
from spacy.tokens import Doc

from claimgraph.config import Config
from claimgraph.credibility import (
    CredibilityConfig,
    credibility_signals,
    headline_signal,
    opinion_signal,
    residue_signal,
    run_stage,
    sourcing_signals,
)
from claimgraph.model import (
    Actor,
    Article,
    ArticleAnalysis,
    ClaimEvidence,
    EvidenceStatus,
    FragmentedSpan,
    MetadataBlock,
    Span,
    Speaker,
    SpeechAct,
    SpeechActClass,
    Statement,
    StatementKind,
)

TEXT = (
    "The mayor said the bridge was safe. Officials said repairs were late. "
    "The river rose overnight. The council accused the mayor of negligence."
)


def _span(text: str, phrase: str) -> Span:
    start = text.index(phrase)
    return Span.of(text, start, start + len(phrase))


def _statement(text: str, cue: str, content: str, speaker: Speaker | None) -> Statement:
    c = _span(text, content)
    return Statement(
        id=f"s_{cue}",
        kind=StatementKind.INDIRECT,
        cue=_span(text, cue),
        content=FragmentedSpan(start=c.start, end=c.end, text=c.text),
        speaker=speaker,
        confidence=0.9,
    )


def _analysis(*, mayor_responds: bool = False) -> ArticleAnalysis:
    article = Article(id="a1", text=TEXT, title="Mayor says bridge is safe")
    mayor = Speaker(name="The mayor", actor_id="act_mayor")
    statements = [
        _statement(TEXT, "said the", "the bridge was safe", mayor if mayor_responds else None),
        _statement(TEXT, "Officials said", "repairs were late", None),
    ]
    if not mayor_responds:
        statements[0] = _statement(TEXT, "said the", "the bridge was safe", Speaker(name="Council"))
    evidence = [
        ClaimEvidence(
            claim_id="c1",
            claim=_span(TEXT, "the bridge was safe"),
            statuses=[EvidenceStatus.ATTRIBUTED],
        ),
        ClaimEvidence(
            claim_id="c2",
            claim=_span(TEXT, "repairs were late"),
            statuses=[EvidenceStatus.ANONYMOUS],
        ),
        ClaimEvidence(
            claim_id="c3",
            claim=_span(TEXT, "The river rose overnight"),
            statuses=[EvidenceStatus.AUTHOR_VOICE],
        ),
        ClaimEvidence(
            claim_id="c4",
            claim=_span(TEXT, "the mayor of negligence"),
            statuses=[EvidenceStatus.ATTRIBUTED],
        ),
    ]
    acts = [
        SpeechAct(
            id="sa1",
            act=SpeechActClass.ACCUSE_CRITICIZE,
            trigger=_span(TEXT, "accused"),
            source_actor="act_council",
            target_actors=["act_mayor"],
        )
    ]
    actors = [
        Actor(id="act_mayor", name="Mayor Smith"),
        Actor(id="act_council", name="City Council"),
    ]
    return ArticleAnalysis(
        article=article, statements=statements, evidence=evidence, speech_acts=acts, actors=actors
    )


def _by_name(signals):
    return {s.name: s for s in signals}


def test_credibility_sourcing_shares_from_evidence():
    signals = _by_name(sourcing_signals(_analysis()))
    assert signals["sourcing_named_share"].value == 0.5
    assert signals["sourcing_anonymous_share"].value == 0.25
    assert signals["sourcing_author_voice_share"].value == 0.25
    assert [s.text for s in signals["sourcing_anonymous_share"].spans] == ["repairs were late"]
    assert signals["sourcing_distinct_sources"].value == 1


def test_credibility_sourcing_accused_without_response_is_flagged():
    signal = _by_name(sourcing_signals(_analysis()))["sourcing_accused_response"]
    assert signal.value == 0.0
    assert "Mayor Smith" in signal.explanation
    assert [s.text for s in signal.spans] == ["accused"]


def test_credibility_sourcing_accused_with_response():
    signal = _by_name(sourcing_signals(_analysis(mayor_responds=True)))["sourcing_accused_response"]
    assert signal.value == 1.0
    assert signal.spans == []


def test_credibility_sourcing_degrades_on_empty_analysis():
    analysis = ArticleAnalysis(article=Article(id="a", text="Nothing to see."))
    signals = _by_name(sourcing_signals(analysis))
    assert signals["sourcing_named_share"].value is None
    assert signals["sourcing_accused_response"].value is None
    assert signals["sourcing_distinct_sources"].value == 0


def test_credibility_sourcing_falls_back_to_statements():
    analysis = _analysis().model_copy(update={"evidence": []})
    signals = _by_name(sourcing_signals(analysis))
    assert signals["sourcing_named_share"].value == 0.5
    assert signals["sourcing_anonymous_share"].value == 0.5


def test_credibility_residue_in_bio_block_with_block_span():
    bio = "As a senior writer at, I am passionate about crafting engaging stories. Join me at"
    article = Article(
        id="a",
        text="Rain fell in the capital on Monday.",
        metadata_blocks=[
            MetadataBlock(kind="comments", text="ok"),
            MetadataBlock(kind="author_bio", text=bio),
        ],
    )
    analysis = ArticleAnalysis(article=article)
    signal = residue_signal(analysis)
    assert signal.value >= 3
    assert all(b.block == 1 for b in signal.block_spans)
    assert any(b.text == "at," for b in signal.block_spans)
    assert "author bio" in signal.explanation
    analysis.model_copy(update={"credibility": [signal]}).check_spans()


def test_credibility_residue_clean_article():
    article = Article(
        id="a",
        text="Rain fell in the capital on Monday.",
        metadata_blocks=[
            MetadataBlock(
                kind="author_bio",
                text="Jane Doe is a reporter at The Daily Planet covering courts.",
            )
        ],
    )
    signal = residue_signal(ArticleAnalysis(article=article))
    assert signal.value == 0
    assert signal.spans == [] and signal.block_spans == []


def _sentences(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for i, ch in enumerate(text):
        if ch == "." and (i + 1 == len(text) or text[i + 1] == " "):
            out.append((start, i + 1))
            start = i + 2
    return out


@pytest.mark.parametrize(
    ("title", "supported"),
    [
        ("Flooding closes Danube bridge in Vienna", True),
        ("Earthquake destroys stadium in Lisbon", False),
    ],
)
def test_credibility_headline_support(title, supported):
    text = (
        "Police closed the Danube bridge in Vienna on Tuesday after flooding. "
        "The water level rose by two metres overnight. Traffic was diverted."
    )
    analysis = ArticleAnalysis(article=Article(id="a", text=text, title=title))
    signal = headline_signal(analysis, _sentences(text))
    assert signal.spans and signal.spans[0].text.startswith("Police closed")
    if supported:
        assert signal.value >= 0.7
    else:
        assert signal.value <= 0.2
        assert "Lisbon" in signal.explanation


def test_credibility_headline_repeated_as_first_line_is_skipped():
    title = "Flooding closes Danube bridge"
    text = f"{title}\n\nPolice closed the Danube bridge after flooding."
    analysis = ArticleAnalysis(article=Article(id="a", text=text, title=title))
    sentences = [(0, len(title)), (len(title) + 2, len(text))]
    signal = headline_signal(analysis, sentences)
    assert signal.spans[0].text.startswith("Police")


def _opinion_doc(en_vocab):
    words = ["The", "regime", "is", "utterly", "reckless", ".", "Rain", "fell", "."]
    pos = ["DET", "NOUN", "AUX", "ADV", "ADJ", "PUNCT", "NOUN", "VERB", "PUNCT"]
    spaces = [True, True, True, True, False, True, True, False, False]
    starts = [True, False, False, False, False, False, True, False, False]
    return Doc(en_vocab, words=words, spaces=spaces, pos=pos, sent_starts=starts)


def test_credibility_opinion_in_author_voice(en_vocab):
    doc = _opinion_doc(en_vocab)
    analysis = ArticleAnalysis(article=Article(id="a", text=doc.text))
    signal = opinion_signal(doc, analysis)
    assert signal.value == 0.5
    assert [s.text for s in signal.spans] == ["regime", "utterly", "reckless"]


def test_credibility_opinion_ignores_attributed_sentences(en_vocab):
    doc = _opinion_doc(en_vocab)
    text = doc.text
    statement = _statement(text, "Rain", "The regime is utterly reckless", None)
    analysis = ArticleAnalysis(article=Article(id="a", text=text), statements=[statement])
    signal = opinion_signal(doc, analysis)
    assert signal.value == 0.0
    assert signal.spans == []


def test_credibility_run_stage_without_detector(en_vocab):
    doc = _opinion_doc(en_vocab)
    analysis = ArticleAnalysis(article=Article(id="a", text=doc.text, title="Regime reckless"))
    signals = credibility_signals(doc, analysis, config=CredibilityConfig(machine_text=False))
    names = [s.name for s in signals]
    assert "machine_generated_likelihood" not in names
    assert names[:3] == [
        "sourcing_named_share",
        "sourcing_anonymous_share",
        "sourcing_author_voice_share",
    ]


@pytest.mark.slow
def test_credibility_run_stage_on_example(nlp, example_txt):
    raw = example_txt.read_text(encoding="utf-8")
    body, _, rest = raw.partition("\nBy ")
    bio = rest.split("\n\n")[1].strip()
    title = body.split("\n")[0]
    article = Article(
        id="ex",
        text=body.strip(),
        title=title,
        metadata_blocks=[MetadataBlock(kind="author_bio", text=bio)],
    )
    analysis = run_stage(nlp(article.text), ArticleAnalysis(article=article), config=Config())
    analysis.check_spans()
    signals = _by_name(analysis.credibility)
    residue = signals["template_residue"]
    assert any(b.text == "at," for b in residue.block_spans)
    assert residue.spans  # stock closers in the body
    machine = signals["machine_generated_likelihood"]
    assert isinstance(machine.value, float) and 0.0 <= machine.value <= 1.0
    assert signals["headline_support"].value > 0.3
    assert (
        run_stage(nlp(article.text), ArticleAnalysis(article=article), config=Config()) == analysis
    )
