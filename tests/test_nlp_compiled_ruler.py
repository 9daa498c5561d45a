"""The compiled attribute component sets what spaCy's attribute_ruler sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimgraph.nlp.compiled_ruler import COMPONENT, compile_ruler, use_fast_attributes

SENTENCES = [
    "There are claims that nobody saw anything, but the minister said it was true.",
    "I'd like that: if you can, call me.\n\nThese were the FSB head's words.",
    "Whether or not he agrees, everyone knows she'll go; it's   settled.",
    "“We won’t pay,” said the union’s leader, who had earlier denied the report.",
]


@pytest.fixture(scope="module")
def pair():
    import spacy

    from claimgraph.config import Config

    model = Config().nlp.model
    ruled = spacy.load(model, exclude=["lemmatizer"])
    fast = spacy.load(model, exclude=["lemmatizer"])
    assert use_fast_attributes(fast)
    return ruled, fast


def _annotations(nlp, text):
    return [(t.text, t.pos_, t.tag_, t.dep_, t.head.i) for t in nlp(text)]


def test_replaces_the_ruler_in_place(pair):
    ruled, fast = pair
    assert "attribute_ruler" not in fast.pipe_names
    position = ruled.pipe_names.index("attribute_ruler")
    assert fast.pipe_names[position] == COMPONENT


@pytest.mark.parametrize("text", SENTENCES)
def test_same_pos_tag_and_dep_as_the_ruler(pair, text):
    ruled, fast = pair
    assert _annotations(fast, text) == _annotations(ruled, text)


def test_same_annotations_on_the_example_article(pair, example_txt: Path):
    ruled, fast = pair
    text = example_txt.read_text(encoding="utf-8")
    a, b = ruled(text), fast(text)
    assert _annotations(fast, text) == _annotations(ruled, text)
    assert [c.text for c in a.noun_chunks] == [c.text for c in b.noun_chunks]
    assert any(t.pos_ == "PROPN" for t in b) and any(t.pos_ == "SPACE" for t in b)


def test_analysis_pipeline_uses_it(nlp):
    assert COMPONENT in nlp.pipe_names
    doc = nlp("Officials said the plan would fail.")
    assert [t.pos_ for t in doc][:2] == ["NOUN", "VERB"]


def test_unsupported_patterns_are_not_compiled():
    supported = {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN"}}
    assert compile_ruler([supported]) is not None
    other_attr = {"patterns": [[{"ORTH": "x"}]], "attrs": {"POS": "X"}}
    other_op = {"patterns": [[{"LOWER": {"REGEX": "^x"}}]], "attrs": {"POS": "X"}}
    assert compile_ruler([supported, other_attr]) is None
    assert compile_ruler([supported, other_op]) is None


def test_lemma_and_morph_only_patterns_are_skipped():
    rules = compile_ruler([{"patterns": [[{"LOWER": "a"}]], "attrs": {"MORPH": "Definite=Ind"}}])
    assert rules == []


def test_untested_values_share_one_cache_key():
    from claimgraph.nlp.compiled_ruler import FastAttributes

    rules = compile_ruler([
        {"patterns": [[{"TAG": "IN", "LOWER": {"IN": ["that", "if"]}}]], "attrs": {"POS": "SCONJ"}},
        {"patterns": [[{"DEP": {"NOT_IN": ["punct"]}, "IS_SPACE": True}]], "attrs": {"DEP": "dep"}},
    ])
    assert rules is not None
    fast = FastAttributes(rules)
    norm = fast._normal
    assert norm(("IN", "whether", "mark", False)) == norm(("IN", "upon", "prep", False))
    assert norm(("IN", "that", "mark", False)) != norm(("IN", "upon", "mark", False))
    assert fast._outcome(fast._normal(("IN", "that", "mark", False)), ()) == {"POS": "SCONJ"}
    assert fast._outcome(fast._normal(("IN", "whether", "mark", False)), ()) == {}
    # NOT_IN: an untested label passes it exactly like the real one would
    assert fast._outcome(fast._normal(("_SP", " ", "nmod", True)), ()) == {"DEP": "dep"}
    assert fast._outcome(fast._normal(("_SP", " ", "punct", True)), ()) == {}
