"""Tests of the attribution stage on real sentences (uses the shipped CRF weights)."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimgraph.attribution import attribute_statements, run_stage
from claimgraph.attribution.features import doc_features, quote_states
from claimgraph.attribution.tagger import Taggers, structural_content
from claimgraph.config import Config
from claimgraph.errors import ModelError
from claimgraph.model import Article, ArticleAnalysis, Statement, StatementKind


def _statements(nlp, text: str) -> list[Statement]:
    article = Article(id=Article.make_id(text), text=text)
    statements = attribute_statements(nlp(text), article, config=Config())
    for statement in statements:
        statement.cue.check(text)
        statement.content.check(text)
        if statement.source is not None:
            statement.source.check(text)
    return statements


def _by_cue(statements: list[Statement], cue_word: str) -> Statement:
    for statement in statements:
        if cue_word in statement.cue.text:
            return statement
    raise AssertionError(f"no statement with cue {cue_word!r} in {statements}")


@pytest.mark.parametrize(
    ("text", "cue", "source", "content_words"),
    [
        (
            "The senator said the bill would fail in the House next week.",
            "said",
            "The senator",
            "the bill would fail",
        ),
        (
            '"We have no plans to raise taxes," the governor told reporters on Monday.',
            "told",
            "the governor",
            "We have no plans to raise taxes",
        ),
    ],
)
def test_attribution_reported_speech(nlp, text, cue, source, content_words) -> None:
    statement = _by_cue(_statements(nlp, text), cue)
    assert statement.source is not None and statement.source.text == source
    assert content_words in statement.content.text
    assert 0.0 < statement.confidence <= 1.0


def test_attribution_direct_quote_with_interrupting_cue_has_two_fragments(nlp) -> None:
    text = '"We will not give up," she said, "and we will win this fight."'
    statements = _statements(nlp, text)
    assert len(statements) == 1
    (statement,) = statements
    assert statement.source is not None and statement.source.text == "she"
    pieces = [p.text for p in statement.content.pieces()]
    assert len(pieces) == 2
    assert "We will not give up" in pieces[0] and "we will win this fight" in pieces[1]
    assert "said" not in " ".join(pieces)
    assert statement.kind is StatementKind.DIRECT


def test_attribution_according_to(nlp) -> None:
    text = "According to the police report, the driver was not wearing a seat belt."
    statement = _by_cue(_statements(nlp, text), "According")
    assert statement.source is not None and "police report" in statement.source.text
    assert "the driver was not wearing a seat belt" in statement.content.text
    assert statement.kind is StatementKind.INDIRECT


@pytest.mark.parametrize(
    ("text", "cue", "source", "content_words"),
    [
        ("Clinton wants a higher minimum wage for all workers.", "wants", "Clinton", "wage"),
        (
            "Many economists believe that the recession will end soon.",
            "believe",
            "Many economists",
            "the recession will end soon",
        ),
    ],
)
def test_attribution_beliefs_and_intentions(nlp, text, cue, source, content_words) -> None:
    statement = _by_cue(_statements(nlp, text), cue)
    assert statement.source is not None and statement.source.text == source
    assert content_words in statement.content.text


def test_attribution_quote_continues_over_sentences(nlp) -> None:
    text = (
        'The mayor said: "The plan is dead. Nobody in this city supports it. '
        'We will start again next year."'
    )
    statement = _by_cue(_statements(nlp, text), "said")
    assert "Nobody in this city supports it" in statement.content.text
    assert "We will start again next year" in statement.content.text
    assert statement.kind is StatementKind.DIRECT


def test_attribution_mixed_quote_kind(nlp) -> None:
    text = 'He said that the deal was "a disaster for American workers" and should be scrapped.'
    statement = _by_cue(_statements(nlp, text), "said")
    assert statement.kind is StatementKind.MIXED


def test_attribution_plain_factual_sentence_has_no_statement(nlp) -> None:
    assert _statements(nlp, "The river flows through the old town and into the lake.") == []


def test_attribution_run_stage_sorts_and_ids(nlp, example_txt: Path) -> None:
    text = example_txt.read_text(encoding="utf-8")
    article = Article(id=Article.make_id(text), text=text)
    analysis = run_stage(nlp(text), ArticleAnalysis(article=article), config=Config())
    analysis.check_spans()
    statements = analysis.statements
    assert len(statements) >= 5
    assert [s.cue.start for s in statements] == sorted(s.cue.start for s in statements)
    assert len({s.id for s in statements}) == len(statements)
    assert statements[0].id == Statement.make_id(article.id, statements[0].cue)
    cues = " ".join(s.cue.text for s in statements)
    for cue in ("accused", "denied", "claims", "mentioned"):
        assert cue in cues
    mentioned = [s for s in statements if "mentioned" in s.cue.text]
    assert {s.source.text for s in mentioned if s.source} >= {"He", "The FSB head"}
    assert all(s.speaker is None for s in statements)


def test_attribution_quote_state_resets_at_newline() -> None:
    words = ["“", "Yes", "\n", "no", '"', "maybe", '"', "x"]
    spaces = [False, False, True, False, False, False, False, False]
    assert quote_states(words, spaces) == [True, True, False, False, True, True, True, False]


def test_attribution_missing_weights_raise_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="missing"):
        Taggers(tmp_path)


def test_attribution_confident_cue_without_tagged_content_falls_back_to_structure(nlp) -> None:
    text = "The mayor said on Tuesday that the harbor would reopen next week."
    statement = _by_cue(_statements(nlp, text), "said")
    assert statement.source is not None and statement.source.text == "The mayor"
    assert "the harbor would reopen next week" in statement.content.text


def test_attribution_structural_content_reads_complement_and_according_to(nlp) -> None:
    text = "The mayor said on Tuesday that the harbor would reopen next week."
    feats = doc_features(nlp(text))
    said = feats.lower.index("said")
    content = " ".join(feats.lower[i] for i in structural_content(feats, (said, said + 1)))
    assert content == "that the harbor would reopen next week"
    text = "According to the police report, the driver was not wearing a seat belt."
    feats = doc_features(nlp(text))
    content = " ".join(feats.lower[i] for i in structural_content(feats, (0, 2)))
    assert content == "the driver was not wearing a seat belt"


def test_attribution_saying_verb_in_by_clause_is_a_cue(nlp) -> None:
    text = (
        "Belarus president Alexander Lukashenko has challenged Russia's narrative by "
        "stating that the terrorists initially tried to flee to Belarus, not Ukraine."
    )
    statement = _by_cue(_statements(nlp, text), "stating")
    assert "the terrorists initially tried to flee to Belarus" in statement.content.text


def test_attribution_negated_passive_is_not_an_attribution(nlp) -> None:
    text = "However, no evidence has been provided to support these accusations."
    statements = _statements(nlp, text)
    assert all(s.source is None or "evidence" not in s.source.text for s in statements)


def test_attribution_cluster_features_only_for_the_trained_pipeline():
    from claimgraph.attribution import TRAINED_ON, _centroids_for
    from claimgraph.attribution.tagger import load_taggers

    taggers = load_taggers()
    assert len(_centroids_for(TRAINED_ON, taggers)) == len(taggers.centroids) > 0
    # another pipeline's token vectors live in another space: no cluster features there
    assert _centroids_for("md", taggers) == ()


def test_attribution_weak_source_fills_an_untagged_source(nlp) -> None:
    from claimgraph.attribution.postprocess import postprocess
    from claimgraph.attribution.tagger import RawAttribution

    text = "Officials in the capital insisted on Friday that the talks were over."
    feats = doc_features(nlp(text))
    cue = feats.lower.index("insisted")
    content = tuple(range(feats.lower.index("that"), feats.lower.index("over") + 1))
    weak = (feats.lower.index("officials"),)
    raw = RawAttribution((cue, cue + 1), content, (), 0.9, 0.9, weak_source=weak)
    (fixed,) = postprocess(feats, [raw])
    assert fixed.source == weak
    # a tagged source always wins over the weak one
    tagged = (0, 1, 2, 3)
    raw = RawAttribution((cue, cue + 1), content, tagged, 0.9, 0.9, weak_source=weak)
    (fixed,) = postprocess(feats, [raw])
    assert fixed.source == tagged


def test_attribution_tag_roles_gives_a_weak_source_only_without_a_tagged_one(nlp) -> None:
    from claimgraph.attribution.tagger import load_taggers, tag_roles

    text = "The senator said the bill would fail in the House next week."
    feats = doc_features(nlp(text), load_taggers().centroids)
    said = feats.lower.index("said")
    content, source, confidence, weak, probs = tag_roles(load_taggers(), feats, (said, said + 1))
    assert [feats.lower[i] for i in source] == ["the", "senator"]
    assert weak == [] and content and 0.0 < confidence <= 1.0
    assert min(probs[i] for i in source) > 0.5 and probs.get(said, 0.0) < 0.5


def test_attribution_orphan_source_for_a_subjectless_finite_cue(nlp) -> None:
    from claimgraph.attribution.postprocess import _orphan_source

    def orphan(text: str, cue_word: str, content_end: str | None = None) -> list[str]:
        feats = doc_features(nlp(text))
        cue = feats.lower.index(cue_word)
        if content_end is None:  # content: the rest of the sentence after the cue
            content = tuple(range(cue + 1, len(feats.lower) - 1))
        else:  # content: the quotation before the cue
            content = tuple(range(1, feats.lower.index(content_end) + 1))
        return [feats.lower[i] for i in _orphan_source(feats, (cue, cue + 1), content)]

    # the small parser attaches the speaker of this inversion as an object of "opined"
    text = '"Leave your weapons at home," opined the Plain Dealer.'
    assert orphan(text, "opined", "home") == ["the", "plain", "dealer"]
    # ... and this subject to the participle's prepositional object
    text = "Speaking in Harlem, Clinton, without naming him, also accused Sanders of lying."
    assert orphan(text, "accused") == ["clinton"]
    # a verb the parser gave a subject is the subject fallback's business
    assert orphan("Clinton, without naming him, also accused Sanders of lying.", "accused") == []


@pytest.mark.parametrize("text", ["Said", "He said", "He said so", "Officials said on Monday."])
def test_attribution_static_features_mark_document_edges(nlp, text: str) -> None:
    doc = nlp(text)
    feats = doc_features(doc)
    lower = [t.lower_ for t in doc]
    n = len(doc)
    for i in range(n):
        cue = feats.cue_static[i]
        assert "w=" + lower[i] in cue
        assert ("w-1=" + (lower[i - 1] if i > 0 else "<s>")) in cue
        assert ("w+1=" + (lower[i + 1] if i + 1 < n else "</s>")) in cue
        assert ("w-2=" + (lower[i - 2] if i > 1 else "<s>")) in cue
        assert ("w+2=" + (lower[i + 2] if i + 2 < n else "</s>")) in cue
        assert ("hw=" + doc[i].head.lower_) in cue
        assert feats.role_static[i][:5] == cue[:5]
    assert feats.starts == [t.idx for t in doc]
    assert feats.tags == [t.tag_ for t in doc]
