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


def test_nlp_parse_with_bounds_the_characters_of_a_batch(monkeypatch):
    # issue 17: a long document met fifteen others in one spaCy batch, and spaCy's
    # memory grows with the text of a batch (1.2 MB of text peaked at 5.6 GB)
    import spacy

    nlp = spacy.blank("en")
    batches: list[int] = []
    real_pipe = nlp.pipe

    def recording_pipe(texts, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("as_tuples"):  # spaCy calls pipe again inside, without tuples
            texts = list(texts)
            batches.append(sum(len(text) for text, _ in texts))
        return real_pipe(texts, **kwargs)

    monkeypatch.setattr(nlp, "pipe", recording_pipe)
    items = [("word " * 50, i) for i in range(10)] + [("long " * 2000, 10)]
    docs = list(parse_with(nlp, items, batch_size=4, max_chars=4000, max_batch_chars=1000))
    assert [context for _, context in docs] == list(range(11))
    assert [doc.text for doc, _ in docs] == [text for text, _ in items]  # pieces joined back
    assert all(size <= 4000 for size in batches)  # a piece alone may fill a batch
    assert sum(1 for size in batches if size <= 1000) >= 3  # short texts: <= 1,000 per batch
