"""The learned speech-act coder: features, the weights format, and re-coding real parses."""

from __future__ import annotations

import pytest

from claimgraph.config import Config
from claimgraph.errors import ConfigError
from claimgraph.model import Article, ArticleAnalysis, SpeechActClass
from claimgraph.speech_acts import code_speech_acts, run_stage
from claimgraph.speech_acts.learned import (
    LABELS,
    ActModel,
    act_features,
    candidates,
    codable_acts,
    load_model,
    pair_features,
    recode,
)

TEXT = "The opposition leader said the government had lied about the budget."


def _analysis(nlp, text: str = TEXT):
    doc = nlp(text)
    analysis = ArticleAnalysis(article=Article(id=Article.make_id(text), text=text))
    acts = code_speech_acts(doc, analysis)
    return doc, analysis.model_copy(update={"speech_acts": acts})


def test_speech_acts_learned_pair_features_share_agreement_across_classes():
    feats = {"bias": 1.0, "rule=ASSERT": 1.0, "dict=ACCUSE_CRITICIZE": 1.0}
    accuse = pair_features(feats, "ACCUSE_CRITICIZE")
    assert accuse["agree:dict"] == 1.0 and "agree:rule" not in accuse
    assert accuse["ACCUSE_CRITICIZE|rule=ASSERT"] == 1.0
    assert pair_features(feats, "ASSERT")["agree:rule"] == 1.0


def test_speech_acts_learned_only_statements_change_class():
    assert candidates("THREATEN") == ("THREATEN",)
    assert "ACCUSE_CRITICIZE" in candidates("ASSERT") and "ASSERT" in candidates("ASSERT")
    assert "OTHER" not in candidates("ASSERT")


def test_speech_acts_learned_malformed_weights_are_a_config_error(tmp_path):
    with pytest.raises(ConfigError):
        ActModel.from_json({"labels": ["NOT_A_CLASS"], "weights": {}})
    with pytest.raises(ConfigError):
        ActModel.from_json({"weights": {}})
    bad = tmp_path / "w.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_model(str(bad))


def test_speech_acts_learned_recodes_a_statement_by_its_evidence(nlp):
    doc, analysis = _analysis(nlp)
    codable = codable_acts(analysis)
    statement = next(a for a in codable if a.act is SpeechActClass.ASSERT)
    feats = act_features(doc, statement, codable)
    assert feats["trig=say"] == 1.0 and feats["rule=ASSERT"] == 1.0
    assert feats["c_ccomp=lied"] == 1.0  # the complement of "said"
    # A model that reads "said ... lied" as an accusation.
    model = ActModel(LABELS, {"ACCUSE_CRITICIZE|c_ccomp=lied": 3.0, "agree:rule": 1.0})
    acts = recode(doc, analysis, model)
    recoded = next(a for a in acts if a.id == statement.id)
    assert recoded.act is SpeechActClass.ACCUSE_CRITICIZE and recoded.cameo == "112"
    assert len(acts) == len(analysis.speech_acts)
    # Trusting the rules instead keeps the statement as it was.
    kept = recode(doc, analysis, ActModel(LABELS, {"agree:rule": 3.0}))
    assert kept == analysis.speech_acts


def test_speech_acts_learned_stage_uses_the_shipped_model_only_when_asked(nlp):
    doc, analysis = _analysis(nlp)
    bare = analysis.model_copy(update={"speech_acts": []})
    rules = run_stage(doc, bare, config=Config())
    assert rules.speech_acts == analysis.speech_acts
    config = Config.model_validate({"speech_acts": {"coder": "learned"}})
    learned = run_stage(doc, bare, config=config).speech_acts
    assert [a.id for a in learned] == [a.id for a in analysis.speech_acts]
    assert load_model().training and load_model().training["fold"] == "all"
