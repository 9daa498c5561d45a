"""The spaCy loader and parser: long texts are parsed in pieces with exact offsets."""

from __future__ import annotations

import pytest

from claimgraph.nlp import parse_with, split_text


@pytest.mark.parametrize(
    ("text", "max_chars"),
    [
        ("One. Two.\n\nThree four five six. Seven eight.\nNine ten eleven.", 12),
        ("a" * 50, 7),  # no separator at all: a hard cut
        ("word " * 40, 16),
        ("short", 100),
        ("", 5),
    ],
)
def test_split_text_pieces_join_back_and_fit(text, max_chars):
    pieces = split_text(text, max_chars)
    assert "".join(pieces) == text
    assert all(len(p) <= max_chars for p in pieces)
    assert all(pieces) or pieces == [""]


def test_split_text_prefers_paragraph_breaks():
    text = "First paragraph here.\n\nSecond one. It goes on and on."
    assert split_text(text, 30)[0] == "First paragraph here.\n\n"


@pytest.mark.slow
def test_parse_with_parses_a_text_longer_than_the_limit_as_one_exact_doc(nlp, monkeypatch):
    # Regression: a text over nlp.max_length made spaCy raise E088 inside nlp.pipe,
    # which stopped the whole batch (nlp.max_chars was documented but never applied).
    long_text = "\n\n".join(
        f"“Talks failed on day {i},” the mayor said. She added that the strike went on."
        for i in range(40)
    )
    monkeypatch.setattr(nlp, "max_length", 1000)  # spaCy's own limit, as for a 1M-char text
    items = [("A short one. He said so.", "a"), (long_text, "b"), ("Another short.", "c")]
    out = list(parse_with(nlp, items, batch_size=2))
    assert [ctx for _, ctx in out] == ["a", "b", "c"]
    for (doc, _), (text, _) in zip(out, items, strict=True):
        assert doc.text == text
        assert all(text[t.idx : t.idx + len(t)] == t.text for t in doc)
    doc = out[1][0]
    assert len(list(doc.sents)) >= 80
    assert {t.dep_ for t in doc} > {"ROOT", "nsubj"}
