"""Propositions: B-cubed scoring, the incremental index, and `claimgraph eval propositions`."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from click.testing import CliRunner

from claimgraph.evaluation.metrics import bcubed
from claimgraph.narratives import PropositionIndex


def test_bcubed_scores_known_clusterings() -> None:
    gold = ["a", "a", "b", "b"]
    assert bcubed([1, 1, 2, 2], gold) == (1.0, 1.0, 1.0)
    precision, recall, _ = bcubed([1, 1, 1, 1], gold)  # one cluster: recall 1, precision 1/2
    assert (precision, recall) == (0.5, 1.0)
    precision, recall, _ = bcubed([1, 2, 3, 4], gold)  # singletons: precision 1, recall 1/2
    assert (precision, recall) == (1.0, 0.5)
    with pytest.raises(ValueError):
        bcubed([1], gold)


def _unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_proposition_index_joins_similar_claims_and_opens_new_ones() -> None:
    index = PropositionIndex(0.8, dimensions=3)
    day = dt.datetime(2024, 3, 22, tzinfo=dt.UTC)
    assert index.add("a1", "strike at the port", _unit(1, 0, 0), when=day) == 0
    assert index.add("b1", "storm closes schools", _unit(0, 1, 0)) == 1
    later = day + dt.timedelta(days=2)
    assert index.add("a2", "port strike goes on", _unit(1, 0.2, 0), when=later) == 0
    assert index.add("c1", "rates go up", _unit(0, 0, 1)) == 2
    first = index.propositions[0]
    assert first.keys == ["a1", "a2"] and (first.first_seen, first.last_seen) == (day, later)
    # the label is the member nearest the centroid
    assert index.add("a3", "dock workers walk out", _unit(1, 0.1, 0)) == 0
    assert index.label(0) == "dock workers walk out"


def test_claims_of_one_article_join_only_as_near_paraphrases() -> None:
    """An article states a proposition once: a second claim of it that is merely close
    (another aspect of the story) opens a proposition; from another article it joins."""
    base = np.zeros(384, dtype=np.float32)
    base[0] = 1.0
    close = np.zeros(384, dtype=np.float32)
    close[0], close[1] = 0.8, 0.6  # cosine 0.8: above the threshold, below it less the penalty
    index = PropositionIndex(lexical_weight=0.0)
    assert index.add("a1", "", base, article="A") == 0
    assert index.add("a2", "", close, article="A") == 1
    other = PropositionIndex(lexical_weight=0.0)
    other.add("a1", "", base, article="A")
    assert other.add("b1", "", close, article="B") == 0
    other.new_batch()  # a new batch of articles: nothing of A is pending
    assert other.add("a4", "", close, article="A") == 0
    # the same claim again in one article (a headline repeated in its lede) still joins
    again = PropositionIndex(lexical_weight=0.0)
    again.add("a1", "", base, article="A")
    assert again.add("a5", "", base, article="A") == 0


def test_proposition_index_grows_past_its_first_allocation() -> None:
    index = PropositionIndex(0.99, dimensions=40)
    ids = [index.add(str(i), str(i), np.eye(40, dtype=np.float32)[i]) for i in range(40)]
    assert ids == list(range(40)) and len(index) == 40
    assert index.add("again", "0 again", np.eye(40, dtype=np.float32)[7]) == 7


def test_proposition_index_refuses_a_threshold_it_can_never_reach() -> None:
    with pytest.raises(ValueError):
        PropositionIndex(1.5, lexical_weight=0.0)
    with pytest.raises(ValueError):
        PropositionIndex(1.7, lexical_weight=0.6)


def test_shared_rare_words_join_a_claim_the_vectors_alone_would_not() -> None:
    first, second = _unit(1, 0, 0), _unit(0.55, 0.835, 0)  # cosine 0.55
    alone = PropositionIndex(0.6, dimensions=3, lexical_weight=0.0)
    alone.add("a", "Zlatograd mayor Petrova resigns", first)
    assert alone.add("b", "Petrova quits as Zlatograd mayor", second) == 1
    with_words = PropositionIndex(0.6, dimensions=3, lexical_weight=0.6)
    with_words.add("a", "Zlatograd mayor Petrova resigns", first)
    assert with_words.add("b", "Petrova quits as Zlatograd mayor", second) == 0
    assert with_words.add("c", "Storm floods the lowlands", _unit(0.55, 0, 0.835)) == 1


HEADLINES = {
    "port": [
        "Dock workers strike at Calloway harbor over pay",
        "Calloway harbor dock workers walk out in pay dispute",
        "Strike by harbor workers halts the port of Calloway",
    ],
    "storm": [
        "Winter storm closes schools across the northern valley",
        "Schools shut in the northern valley as the storm hits",
        "Heavy snowstorm forces school closures in the north valley",
    ],
    "rates": [
        "Central bank raises interest rates by half a point",
        "Interest rates go up half a percentage point, central bank says",
        "The central bank lifts its key rate by 0.5 points",
    ],
}


@pytest.mark.slow
def _clustered(clusters: int, per: int, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, 384)).astype(np.float32)
    vectors = np.repeat(centres, per, axis=0) + rng.normal(
        scale=0.02, size=(clusters * per, 384)
    ).astype(np.float32)
    vectors = vectors[rng.permutation(len(vectors))]
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_approximate_candidates_group_claims_as_the_exact_search_does() -> None:
    vectors = _clustered(300, 4)
    texts = [f"claim {i}" for i in range(len(vectors))]
    keys = [str(i) for i in range(len(vectors))]
    exact = PropositionIndex(lexical_weight=0.0)
    approximate = PropositionIndex(lexical_weight=0.0, ann_min=40)
    grouped_exactly = exact.add_all(keys, texts, vectors)
    grouped = approximate.add_all(keys, texts, vectors)
    assert exact.ann is None and approximate.ann is not None
    # built at 40 propositions, trained again at 160: every proposition is in it
    assert approximate.ann.trained_at >= 160 and len(approximate.ann) == len(approximate) == 300
    assert bcubed(grouped, grouped_exactly)[2] == pytest.approx(1.0)


def test_approximate_index_follows_a_moving_centroid() -> None:
    from claimgraph.narratives.ann import CentroidIndex

    centroids = _clustered(200, 1)
    index = CentroidIndex(centroids)
    moved = -centroids[7]
    centroids[7] = moved
    index.set(7, moved, centroids)
    assert 7 in index.search(moved, 5).tolist()
    fresh = _clustered(1, 1, seed=9)[0]
    centroids = np.vstack([centroids, fresh])
    index.set(200, fresh, centroids)
    assert index.search(fresh, 1).tolist() == [200]
    with pytest.raises(ValueError, match="added after"):
        index.set(205, fresh, centroids)


def test_eval_propositions_groups_headlines_without_their_claims(tmp_path) -> None:
    from claimgraph.cli import cli

    data = tmp_path / "headlines.jsonl"
    rows = [
        {"id": f"{claim}-{i}", "claim_id": claim, "headline": text}
        for claim, texts in HEADLINES.items()
        for i, text in enumerate(texts)
    ]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "predictions.jsonl"
    result = CliRunner().invoke(
        cli, ["eval", "propositions", str(data), "--predictions", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)["metrics"]
    assert metrics["propositions_bcubed_f1"] >= 0.8 and metrics["claims"] == 3
    predicted = [json.loads(line) for line in out.read_text().splitlines()]
    assert [p["id"] for p in predicted] == [r["id"] for r in rows]
    by_claim = {}
    for row, p in zip(rows, predicted, strict=True):
        by_claim.setdefault(row["claim_id"], set()).add(p["cluster"])
    # no proposition mixes two of these stories
    clusters = [c for claim in by_claim.values() for c in claim]
    assert len(clusters) == len(set(clusters))


def test_blocked_narrative_step_stays_linear_in_its_work() -> None:
    from claimgraph.spark.propositions import bucket_bits, simulate_blocks

    assert bucket_bits(1_500) == 0 and bucket_bits(8_000) == 2
    small = simulate_blocks(600, block_size=200)
    assert small["claims"] == 600 and small["blocks"] >= 3
    assert 0 < small["propositions"] < 600 and small["contradictions"] > 0
    bare = simulate_blocks(600, block_size=200, narratives=False)
    assert bare["contradictions"] == 0 and bare["blocks"] == small["blocks"]
