"""Tests of the transformer cue encoder and how it joins the cue CRF."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from claimgraph.attribution import attribute_statements
from claimgraph.attribution.features import doc_features
from claimgraph.attribution.tagger import (
    CLUSTERS,
    CRF_SHARE,
    CUE_MODEL,
    ENCODER_CUE_THRESHOLD,
    MODEL_DIR,
    ROLE_MODEL,
    cue_marginals,
    load_taggers,
    tag_cues,
    token_probs,
)
from claimgraph.config import Config, load_config
from claimgraph.errors import ModelError
from claimgraph.evaluation.attribution import parse_doc
from claimgraph.model import Article
from claimgraph.nlp.encoder import CueEncoder, PieceProbs, char_probs, load_encoder, windows_of
from claimgraph.nlp.encoder_runner import USER_DATA_KEY
from claimgraph.nlp.encoder_spec import ENCODER_META, ENCODER_WEIGHTS

TEXT = "The minister said on Monday the talks had failed, and the rain kept falling."


def test_encoder_windows_cover_every_piece_and_end_flush() -> None:
    for n in (1, 5, 256, 257, 300, 1000):
        starts = windows_of(n, 256, 128)
        covered = np.zeros(n, dtype=int)
        for s in starts:
            covered[s : s + 256] += 1
        assert covered.min() >= 1
        assert starts[0] == 0 and starts[-1] + 256 >= n
        assert all(s + 256 <= max(n, 256) for s in starts)


def test_encoder_token_probs_take_the_highest_piece_and_the_first_split(nlp) -> None:
    text = "Officials reiterated it."
    feats = doc_features(nlp(text))
    word = feats.lower.index("reiterated")
    s, e = feats.starts[word], feats.ends[word]
    # two word pieces for "reiterated": B at the first, I (stronger) at the second
    pieces = PieceProbs(
        starts=np.array([0, s, s + 5]),
        ends=np.array([9, s + 5, e]),
        probs=np.array([[0.0, 0.0], [0.6, 0.1], [0.1, 0.8]], dtype=np.float32),
    )
    probs = token_probs(char_probs(pieces, len(text)), feats)
    assert probs.shape == (feats.n, 2)
    assert probs[word].sum() == pytest.approx(0.9)  # the highest P(B)+P(I) of its pieces
    assert probs[word, 0] > probs[word, 1]  # split as at its first piece: a beginning
    assert probs[feats.lower.index("officials")].sum() == 0.0
    assert probs[feats.lower.index("it")].sum() == 0.0  # no piece covers it


def test_shipped_encoder_finds_a_reporting_verb() -> None:
    encoder = load_encoder(str(MODEL_DIR))
    pieces = encoder.probs(TEXT)
    by_word = {
        TEXT[s:e]: float(p.sum())
        for s, e, p in zip(pieces.starts, pieces.ends, pieces.probs, strict=True)
    }
    assert by_word["said"] > 0.7
    assert by_word["rain"] < 0.1 and by_word["talks"] < 0.1
    assert encoder.probs("").probs.shape == (0, 2)


def test_encoder_probabilities_are_averaged_with_the_crf(nlp) -> None:
    taggers = load_taggers()
    feats = doc_features(nlp(TEXT), taggers.centroids)
    said, rain = feats.lower.index("said"), feats.lower.index("rain")
    crf = cue_marginals(taggers, feats).sum(axis=1)
    assert crf[said] > ENCODER_CUE_THRESHOLD > crf[rain]
    alone = dict(tag_cues(taggers, feats))
    assert (said, said + 1) in alone and not any(a <= rain < b for a, b in alone)
    # an encoder sure that "rain" begins a cue and silent elsewhere
    loud = np.zeros((feats.n, 2))
    loud[rain, 0] = 1.0
    mixed = dict(tag_cues(taggers, feats, loud))
    assert mixed[(rain, rain + 1)] == pytest.approx(CRF_SHARE * crf[rain] + (1 - CRF_SHARE))
    assert mixed.get((said, said + 1), 0.0) == pytest.approx(
        CRF_SHARE * crf[said] if CRF_SHARE * crf[said] >= ENCODER_CUE_THRESHOLD else 0.0
    )


def test_prefetched_and_inline_encoder_give_the_same_statements(nlp) -> None:
    from claimgraph.pipeline import Pipeline

    config = Config()
    article = Article(id=Article.make_id(TEXT), text=TEXT)
    inline = attribute_statements(nlp(TEXT), article, config=config)
    (analysis,) = list(Pipeline(config, stages=["attribution"]).analyze([article]))
    assert [s.model_dump() for s in analysis.statements] == [s.model_dump() for s in inline]
    assert any(s.cue.text == "said" for s in inline)


def test_attribution_reads_a_prefetched_result_from_the_doc(nlp) -> None:
    article = Article(id=Article.make_id(TEXT), text=TEXT)
    inline = attribute_statements(nlp(TEXT), article, config=Config())
    assert max(s.confidence for s in inline) > CRF_SHARE
    doc = nlp(TEXT)
    # a prefetched result that sees no cue anywhere: only the CRF's share is left
    doc.user_data[USER_DATA_KEY] = np.zeros((len(TEXT) + 1, 2), dtype=np.float32)
    statements = attribute_statements(doc, article, config=Config())
    assert all(s.confidence <= CRF_SHARE for s in statements)


def test_encoder_off_runs_the_crf_alone(nlp, tmp_path: Path) -> None:
    for name in (CUE_MODEL, ROLE_MODEL, CLUSTERS):
        shutil.copy(MODEL_DIR / name, tmp_path / name)
    article = Article(id=Article.make_id(TEXT), text=TEXT)
    with_encoder = load_config(None, **{"attribution.weights": str(tmp_path)})
    with pytest.raises(ModelError, match="no cue encoder"):
        attribute_statements(nlp(TEXT), article, config=with_encoder)
    without = load_config(
        None, **{"attribution.weights": str(tmp_path), "attribution.cue_encoder": False}
    )
    statements = attribute_statements(nlp(TEXT), article, config=without)
    assert [s.cue.text for s in statements] == ["said"]


def test_encoder_training_writes_a_loadable_encoder(tmp_path: Path) -> None:
    from claimgraph.nlp.encoder_spec import EncoderSpec
    from claimgraph.training.encoder import fit_encoder, piece_labels

    record = {
        "id": "d0",
        "text": '"No," the mayor said, "never." Rain fell.',
        "attributions": [
            {
                "source": {"start": 6, "end": 15, "text": "the mayor"},
                "cue": {"start": 16, "end": 20, "text": "said"},
                "content": {
                    "start": 1,
                    "end": 28,
                    "text": 'No," the mayor said, "never',
                    "fragments": [
                        {"start": 1, "end": 3, "text": "No"},
                        {"start": 23, "end": 28, "text": "never"},
                    ],
                },
                "kind": "direct",
            }
        ],
    }
    doc = parse_doc(record)
    from claimgraph.nlp.encoder import load_tokenizer

    ids, labels = piece_labels(doc, load_tokenizer())
    assert len(ids) == len(labels) and labels.count(1) == 1 and labels.count(2) == 0
    spec = EncoderSpec(epochs=1, layers=1, batch_size=2)
    extra = ["Angela Merkel met Emmanuel Macron in Paris on Tuesday."]
    written = fit_encoder([doc] * 3, tmp_path, spec=spec, extra_texts=extra)
    assert written["documents"] == 3 and written["entity_texts"] == 1
    assert written["layers"] == 1 and "PERSON" in written["entity_labels"]
    encoder = CueEncoder(tmp_path)
    assert encoder.spec.layers == 1 and encoder.spec.shapes and encoder.entities
    pieces = encoder.probs(record["text"])
    assert pieces.probs.shape == (len(ids), 2)
    assert pieces.entity_tags is not None and pieces.entity_tags.shape == (len(ids),)
    output = encoder.output(extra[0])
    assert output.chars.shape == (len(extra[0]) + 1, 2)
    assert output.entities is not None
    for start, end, label in output.entities:
        assert 0 <= start < end <= len(extra[0]) and label in encoder.spec.entity_labels
    assert CueEncoder(tmp_path, entities=False).output(extra[0]).entities is None
    # weights that do not match the stored spec are refused with a clear error
    meta = json.loads((tmp_path / ENCODER_META).read_text())
    (tmp_path / ENCODER_META).write_text(json.dumps({**meta, "layers": 2}))
    with pytest.raises(ModelError, match="do not match"):
        CueEncoder(tmp_path)
    (tmp_path / ENCODER_WEIGHTS).unlink()
    with pytest.raises(ModelError, match="no cue encoder"):
        CueEncoder(tmp_path)


def test_runtime_encoder_computes_what_transformers_computes() -> None:
    import torch
    from safetensors.torch import load_file

    from claimgraph.nlp.encoder import runtime_model
    from claimgraph.nlp.encoder_spec import EncoderSpec
    from claimgraph.training.encoder import trainable_model

    spec = EncoderSpec.from_json(json.loads((MODEL_DIR / ENCODER_META).read_text()))
    tuned = load_file(str(MODEL_DIR / ENCODER_WEIGHTS))
    reference = trainable_model(spec)  # transformers' BERT with our heads
    reference.load_state_dict({k: v.float() for k, v in tuned.items()}, strict=False)
    reference.eval()
    light = runtime_model(spec, tuned)
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(1000, 20000, (3, 40), generator=generator)
    shapes = torch.randint(0, 7, (3, 40), generator=generator)
    mask = torch.ones_like(ids)
    mask[2, 25:] = 0  # a padded row
    with torch.inference_mode():
        cues, entities = reference(ids, shapes, mask)
        got = light(ids, shapes, mask)
    assert got.shape[-1] == 3 + len(spec.entity_tags)
    # only the float16 word-piece embeddings differ
    assert (cues.softmax(-1) - got[..., :3].softmax(-1))[mask.bool()].abs().max() < 2e-3
    if entities is not None:
        assert (entities.softmax(-1) - got[..., 3:].softmax(-1))[mask.bool()].abs().max() < 2e-3


def test_encoder_precisions_agree_with_float32() -> None:
    from claimgraph.nlp.encoder import native_bfloat16, resolve_precision

    exact = load_encoder(str(MODEL_DIR), 1, "float32").probs(TEXT).probs
    assert resolve_precision("float32") == "float32"
    assert resolve_precision("auto") == ("bfloat16" if native_bfloat16() else "int8")
    with pytest.raises(ModelError):
        resolve_precision("float8")
    for precision, tolerance in (("bfloat16", 0.05), ("int8", 0.35)):
        encoder = load_encoder(str(MODEL_DIR), 1, precision)
        assert encoder.precision == precision
        probs = encoder.probs(TEXT).probs
        assert probs.shape == exact.shape
        assert np.abs(probs - exact).max() < tolerance
        assert np.argmax(probs.sum(axis=1)) == np.argmax(exact.sum(axis=1))  # "said"


def test_onnx_graphs_compute_what_the_torch_encoder_computes(tmp_path: Path) -> None:
    from claimgraph.nlp.encoder_onnx import ONNX_FILES
    from claimgraph.training.encoder_onnx import export

    for name in (ENCODER_META, ENCODER_WEIGHTS):
        shutil.copy(MODEL_DIR / name, tmp_path / name)
    assert export(tmp_path, float32=True) == [
        tmp_path / ONNX_FILES["onnx-int8"], tmp_path / ONNX_FILES["onnx-float32"]
    ]
    exact = CueEncoder(tmp_path, precision="float32").probs(TEXT)
    graph = CueEncoder(tmp_path, precision="onnx-float32")
    assert graph.precision == "onnx-float32"
    got = graph.probs(TEXT)
    assert np.abs(got.probs - exact.probs).max() < 1e-4
    assert (got.entity_tags == exact.entity_tags).all()
    # the shipped int8 graph is the export of the shipped weights
    shipped = CueEncoder(MODEL_DIR, precision="onnx-int8").probs(TEXT)
    again = CueEncoder(tmp_path, precision="onnx-int8").probs(TEXT)
    assert np.abs(shipped.probs - again.probs).max() < 1e-6
    assert np.abs(shipped.probs - exact.probs).max() < 0.35
    assert np.argmax(shipped.probs.sum(axis=1)) == np.argmax(exact.probs.sum(axis=1))  # "said"


def test_a_graph_of_other_weights_is_never_used(tmp_path: Path, caplog) -> None:
    from claimgraph.nlp.encoder import AUTO_ONNX
    from claimgraph.nlp.encoder_onnx import ONNX_FILES

    for name in (ENCODER_META, ENCODER_WEIGHTS, ONNX_FILES[AUTO_ONNX]):
        shutil.copy(MODEL_DIR / name, tmp_path / name)
    assert CueEncoder(tmp_path).precision == AUTO_ONNX  # auto: the graph where it is
    from safetensors.numpy import load_file, save_file

    weights = load_file(str(tmp_path / ENCODER_WEIGHTS))
    weights["classifier.bias"] = weights["classifier.bias"] + 1  # other weights than the graph's
    save_file(weights, str(tmp_path / ENCODER_WEIGHTS))
    with pytest.raises(ModelError, match="exported from other weights"):
        CueEncoder(tmp_path, precision=AUTO_ONNX)
    with caplog.at_level("WARNING"):
        fallback = CueEncoder(tmp_path)
    assert fallback.precision in ("bfloat16", "int8") and "runs on torch" in caplog.text


def test_analysis_with_the_shipped_graph_never_imports_torch() -> None:
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from claimgraph.pipeline import analyze_text\n"
        "analyze_text('The minister said on Monday that the talks had failed and that "
        "the government would not sign the treaty this year.')\n"
        "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_encoder_precision_is_a_validated_setting() -> None:
    assert Config().attribution.encoder_precision == "auto"
    with pytest.raises(Exception, match="encoder_precision"):
        load_config(None, **{"attribution.encoder_precision": "float8"})


def test_encoder_results_add_a_future_per_text_unless_the_encoder_is_off() -> None:
    from claimgraph.nlp.encoder_runner import encoder_results

    with encoder_results(Config(), iter([(TEXT, "first")])) as items:
        ((text, (context, future)),) = list(items)
        assert context == "first"
        assert future is not None and future.result().chars.shape == (len(text) + 1, 2)
    with encoder_results(Config(), iter([(TEXT, 2)]), enabled=False) as items:
        assert list(items) == [(TEXT, (2, None))]
    off = load_config(None, **{"attribution.cue_encoder": False})
    with encoder_results(off, iter([(TEXT, 3)])) as items:
        assert list(items) == [(TEXT, (3, None))]


def test_encoder_in_the_callers_thread_gives_done_futures_with_the_same_output() -> None:
    import threading

    from claimgraph.nlp.encoder_runner import EncoderPrefetch, encoder_for

    encoder = encoder_for(Config())
    threads: list[str] = []

    class Recording:
        entities = encoder.entities

        def output(self, text: str):  # type: ignore[no-untyped-def]
            threads.append(threading.current_thread().name)
            if not text:
                raise ValueError("no text")
            return encoder.output(text)

    inline = EncoderPrefetch(Recording(), background=False)  # type: ignore[arg-type]
    done = inline.submit(TEXT)
    assert done.done() and threads == [threading.current_thread().name]
    background = EncoderPrefetch(encoder)
    expected = background.submit(TEXT).result()
    background.close()
    np.testing.assert_array_equal(done.result().chars, expected.chars)
    assert done.result().entities == expected.entities
    failed = inline.submit("")
    assert failed.done() and isinstance(failed.exception(), ValueError)
    inline.close()


def test_piece_shapes_tell_capitalisation_apart() -> None:
    from claimgraph.nlp.encoder_spec import SHAPES, piece_shapes

    text = "NATO chief Jens said 42 iPhones; Ünal ok"
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    starts, ends = (np.array(x) for x in zip(*words, strict=True))
    got = [SHAPES[k] for k in piece_shapes(text, starts, ends)]
    assert got == ["upper", "lower", "title", "lower", "digit", "mixed", "title", "lower"]
    assert piece_shapes("", np.zeros(0, int), np.zeros(0, int)).shape == (0,)


def test_entity_tags_and_spans_round_trip() -> None:
    from claimgraph.nlp.encoder import entity_spans
    from claimgraph.nlp.encoder_spec import EncoderSpec
    from claimgraph.training.encoder import entity_tags

    spec = EncoderSpec(entity_labels=("GPE", "PERSON"))
    assert spec.entity_tags == ("O", "B-GPE", "I-GPE", "B-PERSON", "I-PERSON")
    text = "Alexander Bortnikov visited Belarus and Russia."
    # word pieces, with "bortnikov" in two
    offsets = [(0, 9), (10, 15), (15, 19), (20, 27), (28, 35), (36, 39), (40, 46), (46, 47)]
    gold = [(0, 19, "PERSON"), (28, 35, "GPE"), (40, 46, "GPE")]
    tags = entity_tags(offsets, gold, spec)
    assert [spec.entity_tags[t] for t in tags] == [
        "B-PERSON", "I-PERSON", "I-PERSON", "O", "B-GPE", "O", "B-GPE", "O",
    ]
    starts, ends = (np.array(x) for x in zip(*offsets, strict=True))
    pieces = PieceProbs(starts, ends, np.zeros((len(offsets), 2), np.float32), np.array(tags))
    assert entity_spans(pieces, spec.entity_tags) == tuple(gold)
    assert [text[s:e] for s, e, _ in gold] == ["Alexander Bortnikov", "Belarus", "Russia"]
    # read per word: a continuation piece follows its word's first piece, whatever its tag
    continues = np.array([False, False, True, False, False, False, False, False])
    odd = np.array(tags)
    odd[2] = spec.entity_tags.index("B-GPE")
    pieces = PieceProbs(starts, ends, pieces.probs, odd, continues)
    assert entity_spans(pieces, spec.entity_tags) == tuple(gold)
    # an I- tag that continues nothing starts an entity; a type change starts another
    tags[1] = spec.entity_tags.index("I-GPE")
    pieces = PieceProbs(starts, ends, pieces.probs, np.array(tags))
    assert entity_spans(pieces, spec.entity_tags)[:3] == (
        (0, 9, "PERSON"), (10, 15, "GPE"), (15, 19, "PERSON"),
    )


def test_encoder_entities_become_the_docs_entities(nlp) -> None:
    from claimgraph.nlp.encoder_entities import set_entities

    text = "Alexander Bortnikov, head of the FSB, spoke in Moscow."
    doc = nlp.make_doc(text)
    # a span cut inside a token is widened to the token; overlaps keep the longer
    set_entities(doc, ((0, 19, "PERSON"), (35, 36, "ORG"), (33, 36, "ORG"), (47, 53, "GPE")))
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Alexander Bortnikov", "PERSON"), ("FSB", "ORG"), ("Moscow", "GPE"),
    ]
    assert doc.has_annotation("ENT_IOB")


def test_spacy_ner_is_left_out_only_where_the_encoder_gives_entities() -> None:
    from claimgraph.nlp.encoder_runner import encoder_for, spacy_exclusions

    config = Config()
    has_head = encoder_for(config).entities
    assert ("ner" in spacy_exclusions(config)) == has_head
    assert "ner" not in spacy_exclusions(config, attribution=False)
    for setting, value in (
        ("attribution.encoder_entities", False),
        ("attribution.cue_encoder", False),
        ("nlp.model", "md"),  # another pipeline: its own entities
    ):
        off = load_config(None, **{setting: value})
        assert "ner" not in spacy_exclusions(off)
        if setting != "attribution.cue_encoder":
            # and the encoder gives no entities that would overwrite spaCy's
            assert not encoder_for(off).entities


def test_encoder_entities_are_repaired_with_the_parse(nlp) -> None:
    from claimgraph.nlp.encoder_entities import set_entities

    text = (
        "The Islamic State has claimed the attack. Alexander Bortnikov said Lukashenko "
        "agreed. Bortnikov added that Lukashenko and Lukashenko's aides knew."
    )
    doc = nlp(text)

    def at(word: str, nth: int = 0) -> tuple[int, int]:
        start = -1
        for _ in range(nth + 1):
            start = text.index(word, start + 1)
        return start, start + len(word)

    encoder_says = (
        (*at("Islamic"), "ORG"),  # the name runs on over its compound head, "State"
        (*at("Alexander Bortnikov"), "PERSON"),
        (*at("Lukashenko"), "PERSON"),
        (*at("Bortnikov", 1), "ORG"),  # a surname of a person named in full
        (*at("Lukashenko", 1), "GPE"),  # outvoted by the other two mentions
        (*at("Lukashenko", 2), "PERSON"),
    )
    set_entities(doc, encoder_says)
    got = [(e.text, e.label_) for e in doc.ents]
    assert got == [
        ("Islamic State", "ORG"),
        ("Alexander Bortnikov", "PERSON"),
        ("Lukashenko", "PERSON"),
        ("Bortnikov", "PERSON"),
        ("Lukashenko", "PERSON"),
        ("Lukashenko", "PERSON"),
    ]
    # without a parse (no tags) the encoder's spans and types are kept as they are
    bare = nlp.make_doc(text)
    set_entities(bare, encoder_says)
    assert ("Islamic", "ORG") in [(e.text, e.label_) for e in bare.ents]


def test_pipeline_runs_without_spacy_ner_and_takes_the_encoders_entities() -> None:
    from claimgraph.model import ActorType
    from claimgraph.pipeline import Pipeline

    text = "Angela Merkel said on Tuesday that Germany would send more aid to Ukraine."
    article = Article(id=Article.make_id(text), text=text)
    pipeline = Pipeline(Config())
    assert "ner" not in pipeline.nlp.pipe_names
    (analysis,) = list(pipeline.analyze([article]))
    types = {actor.name: actor.type for actor in analysis.actors}
    assert types.get("Angela Merkel") == ActorType.PERSON
    assert types.get("Germany") == ActorType.COUNTRY
    (statement,) = analysis.statements
    assert statement.speaker is not None and statement.speaker.name == "Angela Merkel"
    # spaCy's own entities where the encoder's are turned off
    spacy_ner = load_config(None, **{"attribution.encoder_entities": False})
    assert "ner" in Pipeline(spacy_ner).nlp.pipe_names
    # the encoder in the parsing thread (a Spark task's one core): the same analysis
    (same,) = list(Pipeline(Config(), encoder_thread=False).analyze([article]))
    assert same.model_dump() == analysis.model_dump()
