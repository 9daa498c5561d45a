"""Trained weights say what they were fitted on, and evaluation warns about seen data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from claimgraph.config import load_config

TEXT = 'The senator said the bill would fail. "It is dead," she added. Critics fear a shutdown.'


def _span(sub: str) -> dict[str, object]:
    start = TEXT.index(sub)
    return {"start": start, "end": start + len(sub), "text": sub}


def _attribution_data(path: Path, n: int = 4) -> Path:
    record = {
        "source": _span("The senator"),
        "cue": _span("said"),
        "content": _span("the bill would fail"),
        "kind": "indirect",
    }
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(json.dumps({"id": f"doc-{i}", "text": TEXT, "attributions": [record]}) + "\n")
    return path


def test_attribution_training_writes_its_fold_and_loads_from_config(tmp_path: Path) -> None:
    from claimgraph.attribution.tagger import CLUSTERS, MODEL_DIR, TRAINING, load_taggers
    from claimgraph.nlp.encoder_spec import ENCODER_META, ENCODER_WEIGHTS
    from claimgraph.training.attribution import train

    data = _attribution_data(tmp_path / "dev.jsonl")
    out = tmp_path / "weights"
    out.mkdir()
    for name in (ENCODER_META, ENCODER_WEIGHTS):  # another fold's encoder, now stale
        (out / name).write_text("{}")
    counts = train(
        data, out_dir=out, fold="all", clusters=MODEL_DIR / CLUSTERS, rerank=False, encoder=False
    )
    assert counts["documents"] == 4
    assert not (out / ENCODER_META).exists() and not (out / ENCODER_WEIGHTS).exists()
    record = json.loads((out / TRAINING).read_text())
    assert record["fold"] == "all" and record["documents"] == 4
    assert len(record["data_sha256"]) == 64
    taggers = load_taggers(str(out))
    assert taggers.fitted_on == "all"
    config_file = tmp_path / "cg.toml"
    config_file.write_text(f'[attribution]\nweights = "{out}"\n')
    assert load_config(config_file).attribution.weights == str(out)


def test_attribution_second_stage_needs_documents_in_every_part(tmp_path: Path) -> None:
    from claimgraph.attribution.tagger import CLUSTERS, MODEL_DIR
    from claimgraph.errors import ModelError
    from claimgraph.training.attribution import train

    data = _attribution_data(tmp_path / "dev.jsonl", n=2)
    with pytest.raises(ModelError, match="--no-rerank"):
        train(
            data, out_dir=tmp_path / "w", fold="all", clusters=MODEL_DIR / CLUSTERS, encoder=False
        )


def test_attribution_weights_without_a_record_are_of_unknown_fold(tmp_path: Path) -> None:
    # issue 13: weights that do not say what they were fitted on must not pass as train-fold
    from claimgraph.attribution.tagger import CLUSTERS, CUE_MODEL, MODEL_DIR, ROLE_MODEL, Taggers

    for name in (CUE_MODEL, ROLE_MODEL, CLUSTERS):
        shutil.copy(MODEL_DIR / name, tmp_path / name)
    assert Taggers(tmp_path).fitted_on == "unknown"


@pytest.mark.parametrize(
    ("fold", "fitted_on", "seen"),
    [
        ("heldout", "train", False),
        ("heldout", "all", True),
        ("heldout", "unknown", True),
        ("train", "train", True),
        ("all", "train", True),
        ("all", "heldout", True),
        ("train", "heldout", False),
    ],
)
def test_folds_know_when_a_score_includes_fitted_documents(fold, fitted_on, seen) -> None:
    from claimgraph.evaluation.folds import in_sample_note, scores_fitted_documents

    assert scores_fitted_documents(fold, fitted_on) is seen
    assert bool(in_sample_note("w", fold=fold, fitted_on=fitted_on, refit="x")) is seen


def _hedging_model(path: Path, fold: str | None) -> Path:
    payload: dict[str, object] = {
        "name": "test",
        "threshold": 0.5,
        "weights": {"bias": -2.0, "L0_modal=possible": 4.0},
    }
    if fold is not None:
        payload["training"] = {"fold": fold}
    path.write_text(json.dumps(payload))
    return path


@pytest.mark.parametrize(
    ("fitted_on", "warning"),
    [("all", "was fitted on fold='all'"), (None, "carries no record of what it was fitted on")],
)
def test_hedging_eval_uses_configured_weights_and_warns_about_seen_data(
    tmp_path: Path, fitted_on: str | None, warning: str
) -> None:
    from claimgraph.evaluation.hedging import evaluate

    text = "The contract may be signed in September ."
    start = text.index("signed")
    rows = [
        {"id": f"e{i}", "doc": f"doc{i}", "sentence_index": 0, "text": text, "event": "signed",
         "event_char_start": start, "event_char_end": start + 6, "label": "uncertain"}
        for i in range(6)
    ]
    data = tmp_path / "dev.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    config_dir = tmp_path / "conf"
    config_dir.mkdir()
    _hedging_model(config_dir / "model.json", fitted_on)
    config_file = config_dir / "cg.toml"
    # issue 13: a relative path in a config file is relative to the file, not the cwd
    config_file.write_text('[hedging]\nweights = "model.json"\n')
    report = evaluate(data, fold="all", config=load_config(config_file))
    assert "model=test" in report.render()
    assert report.metrics["hedging_f1"] == 1.0  # the modal feature's weight decides
    assert warning in report.render()
    assert "the hedged reading alone" in report.render()
    assert report.metrics["hedged_uncertain_f1"] == 1.0  # "may" is a claim hedge on "signed"


def test_shipped_weights_are_fitted_on_all_of_dev() -> None:
    from claimgraph.attribution.tagger import load_taggers
    from claimgraph.evidence.certainty import load_model

    # docs/quality.md's held-out numbers come from train-fold weights (make heldout-models)
    assert load_taggers().training["documents"] == 403
    encoder = json.loads((load_taggers().model_dir / "cue_encoder.json").read_text())
    assert encoder["documents"] == 403
    assert load_taggers().fitted_on == "all"
    assert load_model().fitted_on == "all"


def test_machine_text_detector_records_its_fold() -> None:
    from claimgraph.credibility.machine_text import load_detector

    assert load_detector().fitted_on == "train"
    assert load_detector(embeddings=True).fitted_on == "train"
