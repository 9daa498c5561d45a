"""Contradictions: each kind on sentences written for these tests, the polarity model,
the in-article stage, and the evaluation on the contradiction DEV pairs."""

from __future__ import annotations

import json

import pytest

from claimgraph.narratives.contradictions import (
    claim_values,
    conflicting_values,
    denial_probability,
    pair_contradiction,
)

# --- conflicting values --------------------------------------------------------------


def test_places_of_a_movement_conflict():
    a = claim_values("The gunmen tried to escape to Georgia after the raid")
    b = claim_values("the gunmen were fleeing towards Armenia when police stopped them")
    assert conflicting_values(a, b) == "place"


def test_a_negated_place_conflicts_with_the_same_place_asserted():
    a = claim_values("the convoy was heading to Serbia, not Hungary")
    b = claim_values("Witnesses said the convoy crossed into Hungary at night")
    assert a.negated_places and conflicting_values(a, b) == "place"


def test_shared_place_is_no_conflict():
    a = claim_values("the suspects fled towards the border with Poland and Lithuania")
    b = claim_values("the suspects tried to flee to Lithuania")
    assert conflicting_values(a, b) is None


def test_places_without_a_movement_are_not_compared():
    a = claim_values("Kenya signed the agreement")
    b = claim_values("Uganda signed the agreement")
    assert conflicting_values(a, b) is None


def test_different_counts_of_the_same_noun_conflict():
    a = claim_values("The flood killed 42 people in the valley")
    b = claim_values("officials said the flood killed 35 people")
    assert conflicting_values(a, b) == "number"
    same = claim_values("a flood that killed 42 people")
    assert conflicting_values(a, same) is None


def test_bounds_estimates_roundings_and_measures_are_not_conflicting_counts():
    exact = claim_values("The flood killed 42 people in the valley")
    for other in (
        "The flood killed at least 35 people",  # a bound
        "The flood could have killed 35 people",  # an estimate
        "The flood killed 40 people",  # 42 given to the ten
    ):
        assert conflicting_values(exact, claim_values(other)) is None, other
    assert not claim_values("a 39-foot wide crater").numbers  # a measure, not a count
    assert not claim_values("they spent $6 million on ads").numbers


def test_only_destinations_of_a_movement_are_compared():
    a = claim_values("the family crossed from Syria and was detained")
    b = claim_values("the family travelled to Lebanon")
    assert not a.places and conflicting_values(a, b) is None


def test_counts_of_different_nouns_and_years_are_not_compared():
    a = claim_values("In 2019 the company hired 300 workers")
    b = claim_values("In 2019 the company opened 12 stores")
    assert conflicting_values(a, b) is None


# --- explicit: report polarity ---------------------------------------------------------


def test_a_quote_two_articles_repeat_never_contradicts_itself():
    import numpy as np

    from claimgraph.narratives.build import find_contradictions, same_claim

    quote = '"We will negotiate with the rebels only after they disarm," the minister said.'
    assert same_claim(quote, quote.replace('"', "").upper())
    assert not same_claim(quote, "The rebels said the minister had agreed to negotiate.")
    vector = np.ones(4, dtype=np.float32) / 2
    row = {"claim_id": "c1", "article_id": "a1", "text": quote, "signals": [],
           "stance": "supports", "stance_score": 0.9, "vector_array": vector,
           "proposition_id": 0, "speaker": "minister", "speaker_entity_id": "e1"}
    repeated = {**row, "claim_id": "c2", "article_id": "a2", "stance": "denies"}
    assert find_contradictions(row, [repeated], []) == []
    other = {**repeated, "text": "The minister said talks with the rebels would start on Monday.",
             "speaker": "rebel commander", "speaker_entity_id": "e2"}
    assert find_contradictions(row, [other], [])  # a different claim of opposite stance
    # The same speaker's claims of opposite stance are not reported (the stance model's
    # errors, not self-contradictions).
    assert find_contradictions(row, [{**other, "speaker": "minister", "speaker_entity_id": "e1"}],
                               []) == []
    # Two claims of opposite stance on one topic but with too few words in common are
    # about two things.
    unrelated = {**other, "text": "The rebels have taken the airport in the north."}
    assert find_contradictions(row, [unrelated], []) == []
    # A "supporting" claim that reads as a denial itself agrees with the denial.
    doubting = {**row, "text": "The minister said reports of talks with the rebels are false."}
    assert find_contradictions(doubting, [other], []) == []


def test_pair_contradiction_is_exactly_one_denial():
    assert pair_contradiction(0.9, 0.1) > 0.8
    assert pair_contradiction(0.9, 0.9) < 0.2
    assert pair_contradiction(0.1, 0.1) < 0.2


def test_polarity_tells_a_debunk_from_a_report():
    texts = [
        "Hospital confirms the mayor was admitted after a heart attack",
        "No, the mayor did not have a heart attack: the rumour is a hoax",
    ]
    p = denial_probability(texts)
    assert p[1] > 0.5 > p[0]


# --- in one article -------------------------------------------------------------------


ARTICLE = (
    "Harbour police chief Lena Ortiz accused the Blue Dock union of organising the riot "
    "on Saturday. The union denied any involvement in the riot. Ortiz said that the "
    "rioters later tried to escape to Portugal by boat. The port's mayor, Tomas Vidal, "
    "said that the rioters fled to Morocco, not Portugal."
)


@pytest.fixture(scope="module")
def article_analysis():
    from claimgraph.pipeline import analyze_text

    return analyze_text(ARTICLE)


def test_analyze_reports_contradictions_between_its_statements(article_analysis):
    found = article_analysis.contradictions
    kinds = {c.kind for c in found}
    assert "explicit" in kinds, found
    assert "conflicting_values" in kinds, found
    values = next(c for c in found if c.kind == "conflicting_values")
    texts = {values.a.span.text, values.b.span.text}
    assert any("Portugal by boat" in t for t in texts)
    assert any("Morocco" in t for t in texts)
    assert values.about == "place"
    for c in found:  # spans point at the article's words
        for side in (c.a, c.b):
            assert ARTICLE[side.span.start : side.span.end] == side.span.text


def test_one_speaker_against_themselves_is_a_self_contradiction():
    from claimgraph.config import Config
    from claimgraph.ingest import article_from_text
    from claimgraph.model import (
        ArticleAnalysis,
        ClaimEvidence,
        EvidenceStatus,
        FragmentedSpan,
        Span,
        Speaker,
        Statement,
        StatementKind,
    )
    from claimgraph.narratives.within import find_contradictions

    text = "Mr Hale said the trucks drove to Chile. Later Mr Hale said the trucks drove to Peru."
    article = article_from_text(text, config=Config().ingest)
    statements = []
    evidence = []
    for start in (0, text.index("Later")):
        cue_start = text.index("said", start)
        content_start = cue_start + 5
        content_end = text.index(".", content_start)
        statement = Statement(
            id=f"s{start}",
            kind=StatementKind.INDIRECT,
            cue=Span.of(text, cue_start, cue_start + 4),
            content=FragmentedSpan.of(text, content_start, content_end),
            speaker=Speaker(name="Mr Hale", actor_id="actor_hale"),
            confidence=1.0,
        )
        statements.append(statement)
        evidence.append(
            ClaimEvidence(
                claim_id=f"c{start}",
                claim=Span.of(text, content_start, content_end),
                statement_id=statement.id,
                statuses=[EvidenceStatus.ATTRIBUTED],
            )
        )
    analysis = ArticleAnalysis(article=article, statements=statements, evidence=evidence)
    (found,) = find_contradictions(analysis)
    assert found.kind == "self_contradiction" and found.about == "place"


# --- evaluation ---------------------------------------------------------------------


def test_eval_contradictions_scores_the_dev_pairs(shared_dir, tmp_path):
    from claimgraph.evaluation.contradictions import evaluate

    data = shared_dir / "data" / "contradictions" / "emergent_pairs_dev.jsonl"
    predictions = tmp_path / "pred.jsonl"
    report = evaluate(data, fold="heldout", predictions=predictions)
    rows = [json.loads(line) for line in predictions.read_text().splitlines()]
    assert len(rows) == report.n_documents > 50
    assert {r["label"] for r in rows} <= {"contradiction", "compatible"}
    # better than the README's rule: exactly one headline carries a denial word
    import re

    from claimgraph.evaluation.contradictions import load_pairs
    from claimgraph.evaluation.metrics import prf

    denial = re.compile(
        r"\b(not|no|false|fake|hoax|denies|denied|rumou?r|myth|debunk\w*)\b", re.IGNORECASE
    )
    pairs = load_pairs(data, fold="heldout")
    pred = [bool(denial.search(p.a)) != bool(denial.search(p.b)) for p in pairs]
    gold = [p.label == "contradiction" for p in pairs]
    hits = sum(1 for g, q in zip(gold, pred, strict=True) if g and q)
    rule_f1 = prf(hits, sum(pred), sum(gold))[2]
    assert report.metrics["contradictions_f1"] > rule_f1


def test_markdown_and_table_show_the_contradictions(article_analysis):
    from claimgraph.outputs.markdown import to_markdown

    text = to_markdown([article_analysis])
    assert "### Contradictions" in text
    assert "conflicting\\_values \\(place\\)" in text
