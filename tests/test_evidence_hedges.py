"""Tests of hedge cues, their scope, and the packaged certainty model."""

from __future__ import annotations

import pytest

from claimgraph.errors import ModelError
from claimgraph.evidence.certainty import (
    CertaintyModel,
    event_token,
    is_uncertain,
    load_model,
    read,
    uncertainty,
)
from claimgraph.evidence.certainty_features import event_features
from claimgraph.evidence.hedges import claim_hedges, hedge_cues


def _range(text: str, sub: str) -> tuple[int, int]:
    start = text.index(sub)
    return start, start + len(sub)


@pytest.mark.parametrize(
    ("text", "target", "cue"),
    [
        ("The suspect may have fled across the border.", "fled across the border", "may"),
        ("The convoy was reportedly hit by a drone.", "hit by a drone", "reportedly"),
        ("The regime appears determined to crush dissent.", "determined to crush dissent",
         "appears"),
        ("It is likely that the vote will be delayed.", "the vote will be delayed", "likely"),
        ("The minister is said to have approved the deal.", "approved the deal", "said"),
        ("If the talks fail, the strike will continue.", "the talks fail", "If"),
    ],
)
def test_hedging_cue_in_scope(nlp, text, target, cue):
    doc = nlp(text)
    assert cue in [s.text for s in hedge_cues(doc, *_range(text, target))]


@pytest.mark.parametrize(
    "text",
    ["The suspect fled across the border on Monday.",
     "The ministry said the convoy was hit by a drone."],
)
def test_hedging_no_cue_in_plain_or_reported_fact(nlp, text):
    doc = nlp(text)
    assert hedge_cues(doc, 0, len(text)) == []


def test_hedging_cue_scope_stays_in_its_clause(nlp):
    text = "The dam may burst, and the army evacuated the valley."
    doc = nlp(text)
    assert hedge_cues(doc, *_range(text, "evacuated the valley")) == []
    assert [s.text for s in hedge_cues(doc, *_range(text, "burst"))] == ["may"]


def test_hedging_spans_are_offsets_into_text(nlp):
    text = "Officials said that the fire was possibly started deliberately."
    for span in hedge_cues(nlp(text), 0, len(text)):
        span.check(text)


@pytest.mark.parametrize(
    ("text", "event", "uncertain"),
    [
        ("Analysts said the merger could push the price as high as ten dollars.", "push", True),
        ("The company plans to cut 4,000 jobs next year.", "cut", True),
        ("The index fell 344 points at the close of trading on Thursday.", "fell", False),
        ("The board named Mary Barra as its new chief executive.", "named", False),
    ],
)
def test_hedging_model_event_certainty(nlp, text, event, uncertain):
    doc = nlp(text)
    start, end = _range(text, event)
    assert is_uncertain(doc, start, end) is uncertain
    assert 0.0 <= uncertainty(doc, start, end) <= 1.0


def test_hedging_features_capture_modal_scope(nlp):
    text = "The contract may be signed in September."
    doc = nlp(text)
    token = event_token(doc, *_range(text, "signed"))
    assert token is not None and token.text == "signed"
    assert "L0_modal=possible" in event_features(token)


def test_hedging_model_json_roundtrip():
    model = load_model()
    again = CertaintyModel.from_json(model.to_json())
    assert again.threshold == model.threshold
    assert again.probability({"bias": 1.0}) == pytest.approx(model.probability({"bias": 1.0}),
                                                             abs=1e-5)


def test_hedging_model_malformed_raises():
    with pytest.raises(ModelError):
        CertaintyModel.from_json({"weights": {}})


@pytest.mark.parametrize(
    ("text", "target", "cues"),
    [
        ("Officials said the dam may fail within days.", "the dam may fail", ["may"]),
        ("I think the strike will end soon.", "the strike will end", ["think"]),
        ("The mayor said the plant would close if prices fell.", "the plant would close", []),
        ("Rubio still believes that the nominee is unfit.", "the nominee is unfit", []),
        ("Voters asked whether the count could be trusted.", "the count could be trusted", []),
    ],
)
def test_evidence_hedges_claim_cues_leave_out_conditionals_and_others_beliefs(
    nlp, text, target, cues
):
    doc = nlp(text)
    found = [s.text for s in hedge_cues(doc, *_range(text, target), claim=True)]
    assert found == cues
    # Without ``claim`` the conditional, "would" and the third party's belief still count.
    assert len(hedge_cues(doc, *_range(text, target))) >= len(cues)


@pytest.mark.parametrize(
    ("text", "target", "cues"),
    [
        ("It looks like we are in a virtual tie.", "we are in a virtual tie", ["looks"]),
        ("Do I think we can win?", "we can win", []),
        ("And I do think there is a shift.", "there is a shift", []),
    ],
)
def test_evidence_hedges_claim_cues_seeming_questions_and_insistence(nlp, text, target, cues):
    found = [s.text for s in hedge_cues(nlp(text), *_range(text, target), claim=True)]
    assert found == cues


@pytest.mark.parametrize(
    ("text", "target", "cues"),
    [
        ("They aren't sure the new plan has worked.", "the new plan has worked", ["sure"]),
        ("The party will almost certainly nominate the governor.", "nominate the governor",
         ["certainly"]),
        # a third party's belief or expectation inside the claim: the hedge is theirs
        ("Seventy-two percent now believe he could win the election.", None, []),
        ("Democrats cited the expectation that she was almost certain to be the nominee.",
         None, []),
        # capacity, comparison, proposal and circumstance are not doubt
        ("It's possible to be kind and at the same time very tough.", None, []),
        ("Her supporters say they are less likely to vote than others.",
         "they are less likely to vote than others", []),
        ("A retired general suggested that the country should close its borders.",
         "the country should close its borders", []),
        ("The law restored a week when voters could register and vote at the same time.",
         None, []),
        # a hedge on the main clause covers neither its condition nor a fronted clause
        ("If the talks fail, the union could strike next week.", "the union could strike",
         ["could"]),
        ("If the talks fail, the union could strike next week.", "the talks fail", []),
        # signs the text points to hedge; signs someone sees or reads into something do not
        ("Signs are growing that the ceasefire is collapsing.", "the ceasefire is collapsing",
         ["Signs"]),
        ("There are signs that the economy is recovering.", "the economy is recovering",
         ["signs"]),
        ("If we see signs that a machine is vulnerable, we tell the officials.",
         "a machine is vulnerable", []),
        ("Aides cast the win as a sign that her message was working.",
         "her message was working", []),
        # evidence indicates; a person who "indicated" something said it
        ("The poll indicates that the governor is losing support.",
         "the governor is losing support", ["indicates"]),
        ("The senator indicated that she would vote for the bill.",
         "she would vote for the bill", []),
        # idioms of stated uncertainty; an ability in a comparison is no doubt
        ("The jury is still out on the new policy.", None, ["jury is still out"]),
        ("He hired as many workers as he could.", None, []),
        # questions assert nothing: asked, embedded ("who might"), or after a word that asks
        ("Could the strike end before the weekend?", None, []),
        ("The question of who might replace the judge divides the senate.", None, []),
        ("Reporters asked how the plan could work without new taxes.",
         "the plan could work without new taxes", []),
        ("The poll revealed how the state may decide the election.", None, ["may"]),
        ("The man who might win the race spoke on Monday.", None, ["might"]),
        # what someone tries to seem; a poll's "likely voters"
        ("Officers ride bikes in an effort not to appear confrontational.", None, []),
        ("The survey of likely voters was taken last week.", None, []),
    ],
)
def test_evidence_hedges_claim_hedges_scope_and_voice(nlp, text, target, cues):
    start, end = _range(text, target) if target else (0, len(text))
    assert [s.text for s in claim_hedges(nlp(text), start, end)] == cues


@pytest.mark.parametrize(
    ("text", "cue", "content", "cues"),
    [
        ("The minister is also expected to unveil the budget on Monday.", "is also expected",
         "to unveil the budget on Monday", ["expected"]),
        ("She could very well re-nominate him next year.", "could very well re-nominate",
         "him next year", ["could"]),
        ("The memo hints at deep differences.", "hints at", "deep differences", ["hints"]),
        # reported speech: the speaker's own "he wouldn't expect" hedges, others' belief not
        ("Beck said he wouldn't expect the race to change anything.", "said",
         "he wouldn't expect the race to change anything", ["expect"]),
        ("Rubio said voters believe the race is over.", "said", "voters believe the race is over",
         []),
        ("He kept saying what he truly believed about the war.", "saying",
         "what he truly believed about the war", []),
        ("Critics attacked the plan, suggesting that the figures were inflated.", "suggesting",
         "that the figures were inflated", ["suggesting"]),
        ("The new policy sounds unworkable to economists.", "sounds", "unworkable to economists",
         ["sounds"]),
        ("He sounded a rare note of humility.", "sounded", "a rare note of humility", []),
        # a proposal; a past expectation the speaker reports
        ("He suggested boycotting the company until it complied.", "suggested",
         "boycotting the company until it complied", []),
        ("He acknowledged that he expected his campaign to face scrutiny.", "acknowledged",
         "that he expected his campaign to face scrutiny", []),
        # a share of people polled believing something: their belief, not a hedge
        ("Some 20 percent of voters said they believe the senator was born abroad.", "said",
         "they believe the senator was born abroad", []),
    ],
)
def test_evidence_hedges_statement_cue_words(nlp, text, cue, content, cues):
    found = claim_hedges(nlp(text), *_range(text, content), cue=_range(text, cue))
    assert [s.text for s in found] == cues


@pytest.mark.parametrize(
    ("text", "event", "label"),
    [
        ("Police said the suspect may have fled across the river.", "fled", "hedged"),
        ("The company plans to cut 4,000 jobs next year.", "cut", "irrealis"),
        ("The index fell 344 points at the close of trading on Thursday.", "fell", "certain"),
    ],
)
def test_hedging_reading_is_hedged_irrealis_or_certain(nlp, text, event, label):
    reading = read(nlp(text), *_range(text, event))
    assert reading.label == label
    assert reading.uncertain is (label != "certain")
    assert bool(reading.hedges) is (label == "hedged")
