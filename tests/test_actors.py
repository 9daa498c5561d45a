"""Tests for the actors stage: canonical actors, roles, codes and speaker resolution."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from claimgraph.actors import actor_id, resolve_actors, run_stage
from claimgraph.config import Config
from claimgraph.model import (
    ActorType,
    Article,
    ArticleAnalysis,
    FragmentedSpan,
    Span,
    Statement,
    StatementKind,
)


def _statement(text: str, cue: str, content: str, source: str | None, *, after: int = 0):
    c = text.index(cue, after)
    j = text.index(content, after)
    s = None
    if source is not None:
        k = text.rindex(source, 0, c + 1) if source in text[:c + 1] else text.index(source, after)
        s = Span.of(text, k, k + len(source))
    cue_span = Span.of(text, c, c + len(cue))
    return Statement(
        id=Statement.make_id("a", cue_span),
        kind=StatementKind.INDIRECT,
        cue=cue_span,
        content=FragmentedSpan.of(text, j, j + len(content)),
        source=s,
        confidence=1.0,
    )


def _analyze(nlp, text: str, statements=()):
    analysis = ArticleAnalysis(article=Article(id="a", text=text), statements=list(statements))
    out = resolve_actors(nlp(text), analysis, config=Config())
    out.check_spans()
    return out


def _actor(analysis, name: str):
    return next(a for a in analysis.actors if a.name == name)


def test_actors_apposition_gives_role_hand_built():
    # English lexical attributes (is_alpha, is_punct) need the English vocab
    vocab = spacy.blank("en").vocab
    words = ["Jane", "Doe", ",", "head", "of", "the", "Agency", ",", "said", "no", "."]
    heads = [1, 8, 1, 1, 3, 6, 4, 1, 8, 8, 8]
    deps = ["compound", "nsubj", "punct", "appos", "prep", "det", "pobj", "punct", "ROOT",
            "dobj", "punct"]
    tags = ["NNP", "NNP", ",", "NN", "IN", "DT", "NNP", ",", "VBD", "UH", "."]
    pos = ["PROPN", "PROPN", "PUNCT", "NOUN", "ADP", "DET", "PROPN", "PUNCT", "VERB", "INTJ",
           "PUNCT"]
    doc = Doc(vocab, words=words, heads=heads, deps=deps, tags=tags, pos=pos)
    doc.ents = [SpacySpan(doc, 0, 2, label="PERSON"), SpacySpan(doc, 6, 7, label="ORG")]
    analysis = ArticleAnalysis(article=Article(id="a", text=doc.text))
    out = resolve_actors(doc, analysis, config=Config())
    person = next(a for a in out.actors if a.name == "Jane Doe")
    assert person.type is ActorType.PERSON
    assert person.roles == ["head of the Agency"]
    assert person.affiliations == ["Agency"]


@pytest.mark.parametrize(
    ("text", "name", "role", "affiliation", "code"),
    [
        ("Belarus president Alexander Lukashenko has challenged the claim.",
         "Alexander Lukashenko", "president", "Belarus", "BLRGOV"),
        ("Russian President Vladimir Putin continues to point fingers at Ukraine.",
         "Vladimir Putin", "president", "Russia", "RUSGOV"),
        ("Alexander Bortnikov, head of the FSB, Russia’s security service, has accused Ukraine.",
         "Alexander Bortnikov", "head of the FSB", "FSB", "RUSGOVMIL"),
    ],
)
def test_actors_roles_affiliations_and_codes(nlp, text, name, role, affiliation, code):
    actor = _actor(_analyze(nlp, text), name)
    assert role in actor.roles
    assert affiliation in actor.affiliations
    assert actor.code == code
    assert actor.evidence[0].source in ("dictionary", "inferred")


def test_actors_relative_clause_role(nlp):
    text = "Lukashenko, who is a close ally of Putin, stated that the two countries coordinated."
    assert "close ally of Putin" in _actor(_analyze(nlp, text), "Lukashenko").roles


def test_actors_merge_name_variants_and_role_noun(nlp):
    text = (
        "Alexander Bortnikov, head of the FSB, Russia’s security service, has accused Ukraine. "
        "Bortnikov has reiterated his belief in a conspiracy. "
        "The FSB head also mentioned that the investigation continues. "
        "Bortnikov’s comments reflect the Kremlin’s narrative."
    )
    analysis = _analyze(nlp, text)
    people = [a for a in analysis.actors if a.type is ActorType.PERSON]
    assert [a.name for a in people] == ["Alexander Bortnikov"]
    actor = people[0]
    mentions = [(m.span.text, m.kind) for m in actor.mentions]
    assert ("Bortnikov", "name") in mentions
    assert ("The FSB head", "role") in mentions
    assert len([m for m in mentions if m[0] == "Bortnikov"]) == 2
    assert {"FSB", "Russia"} <= set(actor.affiliations)
    assert actor.id == actor_id(ActorType.PERSON, "Alexander Bortnikov")


def test_actors_merge_organisation_variants(nlp):
    text = ("The Islamic State has claimed responsibility for the attack. "
            "Officials said Islamic State fighters fled. "
            "The deaths were claimed by Islamic State group.")
    analysis = _analyze(nlp, text)
    orgs = [a for a in analysis.actors if "Islamic" in a.name]
    assert len(orgs) == 1
    assert orgs[0].name == "Islamic State" or orgs[0].name == "The Islamic State"
    assert orgs[0].code == "IMGMUSISI"


def test_actors_surname_source_the_recogniser_missed_joins_the_person(nlp):
    text = ('"We have been patient," said Renata Okafor, president of the union. '
            "Okafor accused the authority of hiding a plan.")
    statement = _statement(text, "accused", "the authority of hiding a plan", "Okafor",
                           after=text.index("Okafor accused"))
    doc = nlp(text)
    assert not any(e.text == "Okafor" for e in doc.ents)  # the recogniser misses this one
    analysis = _analyze(nlp, text, [statement])
    people = [a for a in analysis.actors if a.type is ActorType.PERSON]
    # one person: the apposition's role noun ("president") is not an actor of its own
    assert [a.name for a in people] == ["Renata Okafor"]
    assert people[0].roles == ["president of the union"]
    speaker = analysis.statements[0].speaker
    assert speaker is not None and speaker.actor_id == people[0].id
    assert ("Okafor", "name") in [(m.span.text, m.kind) for m in people[0].mentions]


def test_actors_name_mislabelled_as_place_with_a_role_apposition_is_a_person(nlp):
    text = "Renata Okafor, president of the union, said the strike would go on."
    assert [e.label_ for e in nlp(text).ents] == ["GPE"]  # the recogniser's mistake
    analysis = _analyze(nlp, text)
    assert [(a.name, a.type, a.roles) for a in analysis.actors] == [
        ("Renata Okafor", ActorType.PERSON, ["president of the union"])
    ]
    # places with an apposition that is not a person's role stay places
    analysis = _analyze(nlp, "Paris, the capital of France, was quiet.")
    assert _actor(analysis, "Paris").type is not ActorType.PERSON


def test_actors_short_organisation_name_joins_the_long_one(nlp):
    text = ("Dockworkers left the Calloway Harbor Authority's terminals on Friday. "
            "The Harbor Authority denied any plan to automate the cranes.")
    analysis = _analyze(nlp, text)
    orgs = [a for a in analysis.actors if "Authority" in a.name]
    assert [a.name for a in orgs] == ["Calloway Harbor Authority"]
    assert len(orgs[0].mentions) == 2


def test_actors_definite_agent_noun_refers_to_the_named_organisation(nlp):
    text = ("Workers blocked the gates of the Calloway Harbor Authority on Friday. "
            "They accused the authority of hiding a plan. An authority elsewhere agreed.")
    analysis = _analyze(nlp, text)
    org = _actor(analysis, "Calloway Harbor Authority")
    mentions = [(m.span.text, m.kind) for m in org.mentions]
    assert ("authority", "role") in mentions
    # only the definite mention: "An authority elsewhere" is somebody else
    assert len([m for m in mentions if m[0] == "authority"]) == 1


def test_actors_countries_and_adjectives(nlp):
    text = "Ukraine denied it. Russian officials and Russia’s army blamed Kyiv."
    analysis = _analyze(nlp, text)
    russia = _actor(analysis, "Russia")
    assert russia.type is ActorType.COUNTRY and russia.code == "RUS"
    assert {m.span.text for m in russia.mentions} >= {"Russia", "Russian"}
    assert _actor(analysis, "Ukraine").code == "UKR"


@pytest.mark.parametrize(
    ("text", "source", "cue", "content", "speaker", "method"),
    [
        ("Maria Lopez, the mayor, opened the bridge. Tom Smith watched. "
         "Later she said that the bridge was safe.",
         "she", "said", "that the bridge was safe", "Maria Lopez", "pronoun"),
        ("Senator John Miller criticised the plan on Monday. He said it would fail.",
         "He", "said", "it would fail", "John Miller", "pronoun"),
        ("Mrs. Anna Kowalski met John Brown on Tuesday. She said the talks went well.",
         "She", "said", "the talks went well", "Anna Kowalski", "pronoun"),
    ],
)
def test_actors_pronoun_speaker(nlp, text, source, cue, content, speaker, method):
    statement = _statement(text, cue, content, source, after=text.index(source + " " + cue))
    analysis = _analyze(nlp, text, [statement])
    resolved = analysis.statements[0].speaker
    assert resolved is not None
    assert resolved.name == speaker
    assert resolved.method == method
    assert resolved.actor_id == _actor(analysis, speaker).id
    assert resolved.antecedent is not None
    assert any(m.kind == "pronoun" for m in _actor(analysis, speaker).mentions)


def test_actors_continuation_for_quote_only_sentence(nlp):
    text = ('Governor Ann Lee said the budget was balanced. '
            '“We will not raise taxes,” she said.\n\n“Not this year.”')
    first = _statement(text, "said", "the budget was balanced", "Governor Ann Lee")
    quote_start = text.index("“Not")
    cue = Span.of(text, quote_start, quote_start + 1)
    second = Statement(id=Statement.make_id("a", cue), kind=StatementKind.DIRECT, cue=cue,
                       content=FragmentedSpan.of(text, quote_start, len(text)), source=None,
                       confidence=0.5)
    analysis = _analyze(nlp, text, [first, second])
    assert analysis.statements[0].speaker.name == "Ann Lee"
    assert analysis.statements[1].speaker.method == "continuation"
    assert analysis.statements[1].speaker.actor_id == analysis.statements[0].speaker.actor_id


def test_actors_example_article_speakers(nlp, example_txt):
    text = example_txt.read_text(encoding="utf-8")
    statements = [
        _statement(text, "has accused", "Ukraine and Western secret services",
                   "Alexander Bortnikov, head of the FSB, Russia’s security service"),
        _statement(text, "also mentioned", "that the suspects planned", "He",
                   after=text.index("He also mentioned")),
        _statement(text, "also mentioned", "that identifying those responsible", "The FSB head",
                   after=text.index("The FSB head")),
        _statement(text, "stated", "that Belarus and Russia coordinated", "Lukashenko",
                   after=text.index("Lukashenko, who")),
    ]
    analysis = _analyze(nlp, text, statements)
    bortnikov = _actor(analysis, "Alexander Bortnikov")
    speakers = [s.speaker for s in analysis.statements]
    assert all(s is not None for s in speakers)
    assert speakers[0].actor_id == bortnikov.id and speakers[0].method == "apposition"
    assert speakers[1].actor_id == bortnikov.id and speakers[1].method == "pronoun"
    assert speakers[1].antecedent.text == "Bortnikov"
    assert speakers[2].actor_id == bortnikov.id and speakers[2].method == "role"
    assert speakers[3].name == "Alexander Lukashenko"
    assert {"FSB", "Russia"} <= set(bortnikov.affiliations)
    assert bortnikov.code == "RUSGOVMIL"
    assert _actor(analysis, "Alexander Lukashenko").code == "BLRGOV"
    # deterministic: same input, same output
    again = _analyze(nlp, text, statements)
    assert again.model_dump_json() == analysis.model_dump_json()


def test_actors_run_stage_without_statements(nlp):
    text = "Ukraine has denied any involvement."
    analysis = ArticleAnalysis(article=Article(id="a", text=text))
    out = run_stage(nlp(text), analysis, config=Config())
    assert [a.code for a in out.actors] == ["UKR"]
    assert out.statements == []


@pytest.mark.parametrize(
    ("text", "name", "actor_type", "code"),
    [
        ("The Azerbaijani parliament threatened to break relations with Russia.",
         "Azerbaijani parliament", ActorType.ORGANIZATION, "AZELEG"),
        ("Russia’s army shelled the town.", "Russia’s army", ActorType.ORGANIZATION, "RUSMIL"),
        ("Syrian rebels engaged the peacekeepers on Saturday.",
         "Syrian rebels", ActorType.GROUP, "SYRREB"),
        ("Insurgents bombarded the city overnight.", "Insurgents", ActorType.GROUP, "---REB"),
    ],
)
def test_actors_institution_of_a_country(nlp, text, name, actor_type, code):
    analysis = _analyze(nlp, text)
    actor = _actor(analysis, name)
    assert actor.type is actor_type
    assert actor.code == code


def test_actors_unnamed_people_are_not_actors(nlp):
    analysis = _analyze(nlp, "The attack killed eight people and wounded two students.")
    assert analysis.actors == []


def test_actors_institution_noun_used_as_a_place_is_not_an_actor(nlp):
    held = _analyze(nlp, "Eight suspects are being held in preventive prison, the court said.")
    assert [a.name for a in held.actors] == ["court"]
    speaking = _analyze(nlp, "The prison said the inmates were released on Monday.")
    assert [a.name for a in speaking.actors] == ["prison"]


def test_actors_one_word_name_follows_the_text_country(nlp):
    # the dictionary knows another "Hassan"; the text says he is Morocco's king
    analysis = _analyze(nlp, "King Hassan of Morocco said he would host a meeting.")
    hassan = _actor(analysis, "Hassan")
    assert hassan.code == "MARGOV"
    assert "Morocco" in hassan.affiliations
