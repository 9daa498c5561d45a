"""Entity linking rules (claimgraph.store.entities) on a lookup without a database."""

from __future__ import annotations

import pytest

from claimgraph.model import Actor, ActorType, Entity
from claimgraph.store.entities import compatible, fold_name, link_actor, new_entity


class Lookup:
    """An in-memory stand-in for the store's entity tables."""

    def __init__(self, *entities: Entity) -> None:
        self.entities = list(entities)

    def by_dictionary_key(self, key: str) -> Entity | None:
        return next((e for e in self.entities if e.dictionary_key == key), None)

    def by_alias(self, folded: str) -> list[Entity]:
        return [e for e in self.entities if folded in {fold_name(a) for a in e.aliases}]

    def by_last_word(self, word: str) -> list[Entity]:
        return [
            e
            for e in self.entities
            if any(len(fold_name(a).split()) > 1 and fold_name(a).endswith(" " + word)
                   for a in e.aliases)
        ]  # fmt: skip


def actor(name: str, type_: ActorType = ActorType.PERSON, *, code=None, key=None) -> Actor:
    return Actor(id=f"actor_{name}", name=name, type=type_, code=code, dictionary_key=key,
                 aliases=[name])  # fmt: skip


def test_store_entities_dictionary_entry_wins_over_type() -> None:
    kremlin = new_entity(actor("Kremlin", ActorType.ORGANIZATION, code="RUSGOV", key="KREMLIN"))
    link = link_actor(actor("the Kremlin", ActorType.GROUP, code="RUSGOV", key="KREMLIN"),
                      Lookup(kremlin))  # fmt: skip
    assert link.entity.id == kremlin.id and not link.new and link.confidence == 1.0
    assert "the Kremlin" in link.entity.aliases


def test_store_entities_two_dictionary_entries_never_merge() -> None:
    putin = new_entity(actor("Vladimir Putin", code="RUSGOV", key="VLADIMIR PUTIN"))
    link = link_actor(actor("Putin", code="RUSGOV", key="ANOTHER PUTIN"), Lookup(putin))
    assert link.new and link.entity.id != putin.id


def test_store_entities_surname_links_to_the_one_full_name() -> None:
    okafor = new_entity(actor("Renata Okafor"))
    link = link_actor(actor("Okafor"), Lookup(okafor))
    assert link.entity.id == okafor.id and link.reason == "short form of Renata Okafor"
    assert link.confidence == 0.8 and link.entity.aliases == ["Okafor", "Renata Okafor"]


def test_store_entities_ambiguous_surname_stays_apart() -> None:
    bill, hillary = new_entity(actor("Bill Clinton")), new_entity(actor("Hillary Clinton"))
    link = link_actor(actor("Clinton"), Lookup(bill, hillary))
    assert link.new and link.entity.id not in {bill.id, hillary.id}


@pytest.mark.parametrize(
    ("other_type", "code", "linked"),
    [
        (ActorType.PERSON, None, True),
        (ActorType.PERSON, "USAGOV", True),
        (ActorType.PERSON, "GBRGOV", False),  # the codes disagree
        (ActorType.ORGANIZATION, None, False),  # a person is not an organisation
    ],
)
def test_store_entities_same_name_needs_compatible_type_and_code(other_type, code, linked) -> None:
    known = new_entity(actor("Maria Lopez", other_type, code=code))
    link = link_actor(actor("María López", code="USAGOV"), Lookup(known))  # accents folded
    assert (link.entity.id == known.id) is linked


def test_store_entities_collective_types_are_compatible() -> None:
    assert compatible(ActorType.ORGANIZATION, ActorType.GROUP)
    assert not compatible(ActorType.PERSON, ActorType.GROUP)
    assert compatible(ActorType.UNKNOWN, ActorType.COUNTRY)


def test_store_entities_full_name_several_entities_carry_goes_to_the_most_linked() -> None:
    # the lookup lists the most linked entity first, as the store does
    busy, namesake = new_entity(actor("Donald Trump")), new_entity(actor("Donald Trump"))
    link = link_actor(actor("Donald Trump"), Lookup(busy, namesake))
    assert link.entity.id == busy.id and "most linked of 2" in link.reason


def test_store_entities_other_full_name_of_the_article_links() -> None:
    trump = new_entity(actor("Donald Trump"))
    named = Actor(id="a1", name="Donald J. Trump", type=ActorType.PERSON,
                  aliases=["Donald J. Trump", "Donald Trump", "Trump"])  # fmt: skip
    assert link_actor(named, Lookup(trump)).entity.id == trump.id


def test_store_entities_short_form_is_for_people_only() -> None:
    party = new_entity(actor("Republican Party", ActorType.ORGANIZATION))
    link = link_actor(actor("Party", ActorType.ORGANIZATION), Lookup(party))
    assert link.new


def test_store_entities_shared_one_word_name_stays_apart() -> None:
    a, b = new_entity(actor("Washington", ActorType.COUNTRY)), new_entity(actor("Washington"))
    link = link_actor(actor("Washington", ActorType.UNKNOWN), Lookup(a, b))
    assert link.new and link.reason == "2 entities share this name"


@pytest.mark.parametrize(
    ("phrase", "primary", "code", "own", "country"),
    [
        ("UNITED STATES", "UNITED STATES", "USA", True, True),
        ("AMERICA", "UNITED STATES OF AMERICA", "USA", True, True),
        ("U.S.", "UNITED STATES", "USA", True, True),
        ("USA", "UNITED STATES OF AMERICA", "USA", True, True),
        ("U. S.", "UNITED STATES OF AMERICA", "USA", True, True),
        ("RUSSIAN", "RUSSIAN FEDERATION", "RUS", True, True),
        ("RUSSIA", "RUSSIAN FEDERATION", "RUS", True, True),
        ("MOSCOW", "RUSSIAN FEDERATION", "RUS", False, False),  # a place of its own
        ("WASHINGTON D.C.", "UNITED STATES OF AMERICA", "USA", False, False),
        ("D.C.", "UNITED STATES OF AMERICA", "USA", False, False),
        ("SAINT PETERSBURG", "RUSSIAN FEDERATION", "RUS", False, False),
        ("UTAH", "UNITED STATES OF AMERICA", "USA", False, False),
        ("FLORIDA", "UNITED STATES OF AMERICA", "USA", False, False),
    ],
)
def test_store_entities_country_block_keeps_cities_apart(phrase, primary, code, own, country):
    from claimgraph.actors import country_form, entity_key
    from claimgraph.actors.dictionary_parsing import DictionaryEntry

    assert country_form(phrase, primary) is own
    entry = DictionaryEntry(phrase=phrase, primary=primary, code=code, kind="country",
                            source="test:1")  # fmt: skip
    assert entity_key(entry) == (primary if country else phrase)


@pytest.mark.parametrize(
    ("phrase", "primary", "code", "own"),
    [
        ("BRITAIN", "UNITED KINGDOM", "GBR", True),  # a part of "Great Britain"
        ("BRITISH", "UNITED KINGDOM", "GBR", True),  # the demonym
        ("GREAT BRITAIN", "UNITED KINGDOM", "GBR", True),
        ("HOLLAND", "NETHERLANDS", "NLD", True),
        ("DUTCH", "NETHERLANDS", "NLD", True),
        ("LONDON", "UNITED KINGDOM", "GBR", False),
        ("MANCHESTER", "UNITED KINGDOM", "GBR", False),
        ("TUNIS", "TUNISIA", "TUN", False),  # the capital, though it shares the stem
    ],
)
def test_store_entities_country_names_come_from_country_facts(phrase, primary, code, own):
    from claimgraph.actors import country_form

    assert country_form(phrase, primary, code) is own


@pytest.mark.parametrize(
    ("name", "key", "code", "government"),
    [
        ("Moscow", "MOSCOW", "RUS", "RUSSIAN FEDERATION"),
        ("Washington", "WASHINGTON", "USA", "UNITED STATES OF AMERICA"),
        ("Saint Petersburg", "SAINT PETERSBURG", "RUS", None),  # not the capital
        ("Moscow", None, "RUS", None),  # no dictionary entry
    ],
)
def test_store_entities_government_key_of_a_capital(name, key, code, government) -> None:
    from claimgraph.actors import government_key

    assert government_key(actor(name, ActorType.COUNTRY, code=code, key=key)) == government


def test_store_entities_capital_for_its_government_links_to_the_country() -> None:
    russia = new_entity(actor("Russia", ActorType.COUNTRY, code="RUS", key="RUSSIAN FEDERATION"))
    moscow = actor("Moscow", ActorType.COUNTRY, code="RUS", key="MOSCOW")
    link = link_actor(moscow, Lookup(russia), government="RUSSIAN FEDERATION")
    assert link.entity.id == russia.id and not link.new and link.confidence == 0.85
    assert "Moscow" in link.entity.aliases and "government" in link.reason
    # before the country has an entity, the capital starts it under the country's key
    first = link_actor(moscow, Lookup(), government="RUSSIAN FEDERATION")
    assert first.new and first.entity.id == russia.id
    assert first.entity.dictionary_key == "RUSSIAN FEDERATION"
    # without the government reading (a dateline) the capital is a place of its own
    assert link_actor(moscow, Lookup(russia)).entity.id != russia.id
