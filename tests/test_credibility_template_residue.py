"""Tests of the template-residue detectors."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimgraph.credibility.template_residue import find_residue


def _example_bio(example_txt: Path) -> str:
    text = example_txt.read_text(encoding="utf-8")
    after_byline = text.split("\nBy ", 1)[1]
    return after_byline.split("\n\n")[1].strip()


def test_template_residue_example_bio_empty_site_slot(example_txt):
    bio = _example_bio(example_txt)
    hits = find_residue(bio)
    slots = [h for h in hits if h.kind == "empty_slot"]
    assert slots, "the empty site-name slot was not found"
    first = slots[0]
    assert bio[first.start : first.end] == first.text
    assert first.text.startswith("at")
    # the closing "... at" at the end of the bio is a second empty slot
    assert any(h.end == len(bio) or bio[h.end :].strip() == "" for h in slots)
    assert any(h.kind == "generic_bio" for h in hits)


@pytest.mark.parametrize(
    ("sentence", "kind", "fragment"),
    [
        ("As an AI language model, I cannot browse the internet.", "chatbot_leftover", "As an AI"),
        ("I'm sorry, but I cannot fulfil this request.", "chatbot_leftover", "I cannot fulfil"),
        ("Read the latest news at [Site Name] every morning.", "placeholder", "[Site Name]"),
        ("This story was written by {author} for our desk.", "placeholder", "{author}"),
        ("INSERT HEADLINE HERE", "placeholder", "INSERT"),
        ("Our editor at, we believe, knows best.", "empty_slot", "at,"),
        ("Subscribe to the newsletter for. More soon.", "empty_slot", "for."),
        ("In conclusion, the vote was close.", "boilerplate_closer", "In conclusion,"),
        ("Only time will tell whether the truce holds.", "boilerplate_closer", "Only time"),
    ],
)
def test_template_residue_invented_sentences(sentence, kind, fragment):
    hits = find_residue(sentence)
    matching = [h for h in hits if h.kind == kind]
    assert matching, f"no {kind} in {sentence!r}: {hits}"
    assert any(fragment in h.text or h.text in fragment for h in matching)
    for hit in hits:
        assert sentence[hit.start : hit.end] == hit.text


@pytest.mark.parametrize(
    "text",
    [
        "Jane Doe is a reporter at The Daily Planet covering courts.",
        "She joined the paper in 2015 after six years at Reuters, where she covered energy.",
        "This is what we looked at. He paid for it. What are you looking at?",
        "He was a member of, and later chaired, the committee.",
        "Please insert the card and wait.",
        "I am sorry, she said, but the shop is closed.",
    ],
)
def test_template_residue_no_false_positive_on_normal_text(text):
    assert find_residue(text) == []


def test_template_residue_generic_bio_needs_several_cues():
    one_cue = "I strive to report the council's budget decisions accurately."
    many = (
        "I am passionate about crafting compelling stories. With a knack for detail, "
        "I strive to bring a fresh perspective to every article."
    )
    assert not [h for h in find_residue(one_cue) if h.kind == "generic_bio"]
    assert len([h for h in find_residue(many) if h.kind == "generic_bio"]) >= 3


def test_template_residue_output_sorted_and_deterministic():
    text = "In conclusion, visit [Website Name]. As an AI model I cannot say."
    first = find_residue(text)
    assert first == find_residue(text)
    assert [h.start for h in first] == sorted(h.start for h in first)
