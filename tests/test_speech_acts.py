"""Speech-act coding on real sentences."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from claimgraph.model import (
    Actor,
    ActorMention,
    Article,
    ArticleAnalysis,
    Span,
    SpeechAct,
    SpeechActClass,
)
from claimgraph.speech_acts import cameo_class, cameo_name, code_speech_acts
from claimgraph.speech_acts.lexicon import base_form, inflections

C = SpeechActClass


def _analysis(text: str, actors: list[Actor] | None = None) -> ArticleAnalysis:
    return ArticleAnalysis(
        article=Article(id=Article.make_id(text), text=text), actors=actors or []
    )


def _acts(nlp, text: str) -> list[SpeechAct]:
    analysis = _analysis(text)
    acts = code_speech_acts(nlp(text), analysis)
    for act in acts:
        act.trigger.check(text)
        for span in act.target_spans:
            span.check(text)
    return acts


def _positive(acts: list[SpeechAct]) -> set[SpeechActClass]:
    return {a.act for a in acts if not a.negated}


def _one(acts: list[SpeechAct], cls: SpeechActClass) -> SpeechAct:
    found = [a for a in acts if a.act is cls]
    assert len(found) == 1, acts
    return found[0]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("0352", C.INTEND),
        ("015", C.CLAIM_RESPONSIBILITY),
        ("016", C.REJECT_DENY),
        ("017", C.OTHER),
        ("112", C.ACCUSE_CRITICIZE),
        ("14", C.PROTEST),
        ("999", None),
    ],
)
def test_speech_acts_cameo_class_falls_back_to_parent_code(code, expected):
    assert cameo_class(code) is expected


def test_speech_acts_cameo_name():
    assert cameo_name("042") == "Make a visit"


@pytest.mark.parametrize(
    ("word", "base"),
    [
        ("accused", "accuse"),
        ("denied", "deny"),
        ("met", "meet"),
        ("agreed", "agree"),
        ("banned", "ban"),
        ("threatens", "threaten"),
        ("demonstrations", "demonstration"),
    ],
)
def test_speech_acts_base_form_undoes_inflection(word, base):
    assert base_form(word) == base


def test_speech_acts_inflections_are_regular():
    assert {"urges", "urged", "urging"} <= inflections("urge")


def test_speech_acts_negation_on_hand_built_parse():
    en_vocab = spacy.blank("en").vocab  # English lexical attributes (lower_, like_num)
    words = ["Ukraine", "did", "not", "deny", "the", "report", "."]
    doc = Doc(
        en_vocab,
        words=words,
        spaces=[True, True, True, True, True, False, False],
        heads=[3, 3, 3, 3, 5, 3, 3],
        deps=["nsubj", "aux", "neg", "ROOT", "det", "dobj", "punct"],
        tags=["NNP", "VBD", "RB", "VB", "DT", "NN", "."],
        pos=["PROPN", "AUX", "PART", "VERB", "DET", "NOUN", "PUNCT"],
    )
    acts = code_speech_acts(doc, _analysis(doc.text))
    deny = _one(acts, C.REJECT_DENY)
    assert deny.negated
    assert deny.trigger.text == "deny"
    assert deny.source_span is not None and deny.source_span.text == "Ukraine"


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    ["Ukraine did not deny the report.", "The ministry never denied the allegations."],
)
def test_speech_acts_negated_denial_is_marked(nlp, text):
    acts = _acts(nlp, text)
    assert C.REJECT_DENY not in _positive(acts)
    assert any(a.act is C.REJECT_DENY and a.negated for a in acts)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("Iran threatened to attack the tankers in the Gulf.", "tankers"),
        (
            "President Museveni has threatened to ban opposition candidates from the elections.",
            "opposition candidates",
        ),
    ],
)
def test_speech_acts_threat_absorbs_threatened_action(nlp, text, target):
    acts = _acts(nlp, text)
    threat = _one(acts, C.THREATEN)
    assert C.OTHER not in _positive(acts)  # the attack or ban did not happen
    assert target in [s.text for s in threat.target_spans]


@pytest.mark.slow
def test_speech_acts_embedded_accusation_is_attributed(nlp):
    text = "The minister said Russia accused Ukraine of the attack."
    acts = _acts(nlp, text)
    report = _one(acts, C.ASSERT)
    accuse = _one(acts, C.ACCUSE_CRITICIZE)
    assert report.source_span is not None and report.source_span.text == "minister"
    assert accuse.source_span is not None and accuse.source_span.text == "Russia"
    assert [s.text for s in accuse.target_spans] == ["Ukraine"]
    assert accuse.attributed_by_span is not None and accuse.attributed_by_span.text == "minister"
    assert C.OTHER not in _positive(acts)  # the attack is only alleged


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "cls", "cameo"),
    [
        ("Islamic State has claimed responsibility for the attack.", C.CLAIM_RESPONSIBILITY, "015"),
        ("Ukraine has denied any involvement in the explosion.", C.REJECT_DENY, "016"),
        ("Serbia flatly rejected an Australian ultimatum.", C.REJECT_DENY, "120"),
        ("The United Nations urged both sides to return to talks.", C.APPEAL_REQUEST, "020"),
        (
            "The United States demanded that North Korea abandon its nuclear program.",
            C.APPEAL_REQUEST,
            "100",
        ),
        ("The French president met the German chancellor in Berlin on Monday.", C.CONSULT, "040"),
        ("Palestinians blamed Israel for the bombing.", C.ACCUSE_CRITICIZE, "112"),
        (
            "The president continues to point fingers at Ukraine and the West.",
            C.ACCUSE_CRITICIZE,
            "112",
        ),
        ("Thousands of students staged demonstrations in the capital.", C.PROTEST, "141"),
        ("Czechia and China signed an agreement to increase trade.", C.COOPERATE_PRAISE, "057"),
    ],
)
def test_speech_acts_classifies_reported_acts(nlp, text, cls, cameo):
    acts = [a for a in _acts(nlp, text) if a.act is cls]
    assert acts
    assert {a.cameo for a in acts} == {cameo}
    assert not any(a.negated for a in acts)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Hamas claimed the rocket strike on Tel Aviv.", "Hamas"),
        ("The bombing was claimed by the Pakistani Taliban.", "Taliban"),
        (
            "Gunmen stormed the hall in an attack that was claimed by Islamic State.",
            "Islamic State",
        ),
    ],
)
def test_speech_acts_claiming_an_attack_is_a_claim_of_responsibility(nlp, text, source):
    claim = _one(_acts(nlp, text), C.CLAIM_RESPONSIBILITY)
    assert claim.cameo == "015"
    assert claim.source_span is not None and source in claim.source_span.text


@pytest.mark.slow
def test_speech_acts_claimed_statement_stays_an_assertion(nlp):
    acts = _acts(nlp, "The company claimed the report was false.")
    assert C.CLAIM_RESPONSIBILITY not in _positive(acts)


@pytest.mark.slow
def test_speech_acts_joint_act_targets_each_partner(nlp):
    acts = _acts(nlp, "Czechia and China signed an agreement to increase trade.")
    pairs = {(a.source_span.text, a.target_spans[0].text) for a in acts if a.source_span}
    assert pairs == {("Czechia", "China"), ("China", "Czechia")}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "cls"),
    [
        ("Hungary has said it will support the resolution.", C.INTEND),
        ("Putin offered to negotiate with the president of Armenia.", C.INTEND),
        ("Obama said he would not provide support to Israel.", C.REJECT_DENY),
        (
            "The party said it will boycott the elections unless the president steps down.",
            C.THREATEN,
        ),
    ],
)
def test_speech_acts_future_in_reported_speech(nlp, text, cls):
    acts = _acts(nlp, text)
    assert cls in _positive(acts)
    assert C.OTHER not in _positive(acts)


@pytest.mark.slow
def test_speech_acts_uses_actor_ids(nlp):
    text = "Palestinians blamed Israel for the bombing."
    start = text.index("Israel")
    israel = Actor(
        id="actor_isr",
        name="Israel",
        code="ISR",
        mentions=[ActorMention(span=Span.of(text, start, start + len("Israel")))],
    )
    acts = code_speech_acts(nlp(text), _analysis(text, [israel]))
    accuse = _one(acts, C.ACCUSE_CRITICIZE)
    assert accuse.target_actors == ["actor_isr"]
    assert accuse.target_spans == []


@pytest.mark.slow
def test_speech_acts_output_is_deterministic_and_sorted(nlp):
    text = "Iran threatened Iraq. Iraq rejected the threat and urged talks."
    first, second = _acts(nlp, text), _acts(nlp, text)
    assert first == second
    assert [a.trigger.start for a in first] == sorted(a.trigger.start for a in first)


def _coded_targets(nlp, text: str, cls: SpeechActClass) -> set[str]:
    """Target words and actor codes of the one act of ``cls``, actors resolved first."""
    from claimgraph.actors import resolve_actors

    doc = nlp(text)
    analysis = resolve_actors(doc, _analysis(text))
    act = _one(code_speech_acts(doc, analysis), cls)
    actors = {a.id: a for a in analysis.actors}
    out = {s.text for s in act.target_spans}
    for actor_id in act.target_actors:
        out.add(actors[actor_id].code or "")
        out.update(m.span.text for m in actors[actor_id].mentions)
    return out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "cls", "target"),
    [
        # the subject of the condition, not the thing threatened
        ("Russia has threatened to stop negotiations if the United States goes ahead "
         "with the deployment.", C.THREATEN, "USA"),
        # an actor inside the object's phrase beats the object itself
        ("Palestinian police confiscated weapons and explosives from Palestinian armed "
         "groups.", C.OTHER, "PSEUAF"),
        ("Croatia is investigating alleged war crimes by Croatian extremists.", C.OTHER,
         "HRVRAD"),
        ("The Israeli army lifted a day-old blockade on Palestinian lorries.", C.OTHER, "PSE"),
        # the light verb carries the target of its event noun
        ("President Francois Mitterand gave a warm welcome to South African leader "
         "F.W. de Klerk.", C.CONSULT, "ZAFGOV"),
        # the recipient of a transfer, not the thing given
        ("The government will provide subsidies to disabled persons.", C.OTHER, "persons"),
        # a dateline is neither source nor target
        ("SINGAPORE: The government will provide new funds to the schools.", C.OTHER,
         "schools"),
    ],
)
def test_speech_acts_target_prefers_the_actor(nlp, text, cls, target):
    assert target in _coded_targets(nlp, text, cls)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "cls", "source"),
    [
        # the place of a dateline is not the subject
        ("Guwahati: Former chief minister Prafulla Kumar Mahanta has said the party was "
         "not informed.", C.ASSERT, "Mahanta"),
        # an organisation named before its head noun, across a parenthesis
        ("The Asia-Pacific Economic Cooperation (APEC) forum has agreed to set up an "
         "energy research center.", C.INTEND, "Asia-Pacific Economic Cooperation"),
    ],
)
def test_speech_acts_source_phrase(nlp, text, cls, source):
    act = _one(_acts(nlp, text), cls)
    assert act.source_span is not None and source in act.source_span.text
