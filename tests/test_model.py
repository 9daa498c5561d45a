from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from claimgraph.model import (
    Article,
    ArticleAnalysis,
    FragmentedSpan,
    Span,
    Statement,
    StatementKind,
    stable_id,
)


def test_model_span_rejects_mismatched_text():
    with pytest.raises(ValidationError):
        Span(start=0, end=3, text="ab")
    with pytest.raises(ValidationError):
        Span(start=5, end=2, text="")


def test_model_span_check_against_text():
    text = "He said it was fine."
    Span.of(text, 3, 7).check(text)
    with pytest.raises(ValueError):
        Span(start=0, end=2, text="it").check(text)


def test_model_models_are_frozen_and_forbid_extra_keys():
    span = Span.of("abc", 0, 1)
    with pytest.raises(ValidationError):
        span.start = 2  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Span(start=0, end=1, text="a", label="x")  # type: ignore[call-arg]


def test_model_fragmented_span_merges_touching_pieces():
    text = '"A," he said, "B."'
    span = FragmentedSpan.from_pieces(text, [(14, 18), (0, 4)])
    assert span.start == 0 and span.end == 18
    assert [p.text for p in span.pieces()] == ['"A,"', '"B."']
    single = FragmentedSpan.from_pieces(text, [(0, 2), (2, 4)])
    assert single.fragments is None and single.text == '"A,"'


def test_model_ids_are_stable_content_hashes():
    assert Article.make_id("text", "http://x") == Article.make_id("text", "http://x")
    assert Article.make_id("text", "http://x") != Article.make_id("text2", "http://x")
    assert stable_id(1, "a") == stable_id(1, "a") and stable_id(1, "a") != stable_id("1a")


@given(st.text(min_size=1, max_size=200), st.data())
def test_model_span_and_analysis_roundtrip(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    article = Article(id=Article.make_id(text), text=text)
    cue = Span.of(text, start, end)
    statement = Statement(
        id=Statement.make_id(article.id, cue),
        kind=StatementKind.INDIRECT,
        cue=cue,
        content=FragmentedSpan.from_pieces(text, [(start, end)]),
        confidence=0.5,
    )
    analysis = ArticleAnalysis(article=article, statements=[statement])
    analysis.check_spans()
    again = ArticleAnalysis.model_validate_json(analysis.model_dump_json())
    assert again == analysis
    assert again.statements[0].cue.text == text[start:end]
