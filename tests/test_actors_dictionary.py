"""Tests for the CAMEO/Phoenix dictionary loader and matcher."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from claimgraph.actors.dictionary import (
    DATA_DIR,
    choose_code,
    fold_token,
    load_dictionaries,
    phrase_key,
)
from claimgraph.errors import ConfigError


@pytest.fixture(scope="module")
def dictionary():
    return load_dictionaries()


def test_actors_dictionary_bundled_files_and_notice():
    for name in ("Phoenix.Countries.actors.txt", "Phoenix.International.actors.txt",
                 "Phoenix.MilNonState.actors.txt", "Phoenix.agents.txt", "NOTICE", "LICENSE"):
        assert (DATA_DIR / name).is_file()
    assert "MIT License" in (DATA_DIR / "NOTICE").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Ukraine", "UKR"),
        ("Russian government", "RUSGOV"),
        ("the Azerbaijani parliament", "AZELEG"),
        ("the Russian minister", "RUSGOV"),
        ("the president of Belarus", "BLRGOV"),
        ("Russia's foreign minister", "RUSGOV"),
        ("FSB", "RUSCOP"),
        ("The Islamic State", "IMGMUSISI"),
        ("Islamic State", "IMGMUSISI"),
        ("U.N.", "IGOUNO"),
    ],
)
def test_actors_dictionary_lookup_codes(dictionary, name, code):
    entry = dictionary.lookup(name)
    assert entry is not None
    assert entry.code == code


@pytest.mark.parametrize(
    "name", ["Aleksandr Bortnikov", "Alexander Bortnikov", "ALEXANDR BORTNIKOV"]
)
def test_actors_dictionary_transliteration_variants(dictionary, name):
    entry = dictionary.lookup(name)
    assert entry is not None
    # dated "[RUSGOVMIL >080601]": the open-ended code is chosen
    assert entry.code == "RUSGOVMIL"
    assert entry.source.startswith("Phoenix.Countries.actors.txt:")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Yevgeny", "Evgeniy"),
        ("Sergei", "Sergey"),
        ("Márquez", "Marquez"),
        ("Bortnikov’s", "bortnikov's"),
    ],
)
def test_actors_dictionary_fold_token_unifies_variants(a, b):
    assert fold_token(a) == fold_token(b)


def test_actors_dictionary_choose_most_recent_code(tmp_path):
    path = tmp_path / "leaders.actors.txt"
    path.write_text(
        "# a comment\n"
        "JANE_DOE_  # inline comment\n"
        "+J._DOE_\n"
        "\t[XYZELI 900101-991231]\n"
        "\t[XYZGOV >000101]\n"
        "\t[XYZOPP 000101-050101]\n",
        encoding="utf-8",
    )
    dictionary = load_dictionaries([path])
    assert dictionary.lookup("Jane Doe").code == "XYZGOV"
    assert dictionary.lookup("J. Doe").code == "XYZGOV"
    assert choose_code([]) is None


def test_actors_dictionary_user_csv_with_malformed_line(tmp_path, caplog):
    path = tmp_path / "mine.csv"
    path.write_text(
        "phrase,code,type\n"
        "Wagner Group,RUSMILMER,ORGANIZATION\n"
        "this line is broken\n"
        "Yevgeny Prigozhin,RUSMIL,PERSON\n"
        "Acme Gazette,~MED\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="claimgraph.actors.dictionary"):
        dictionary = load_dictionaries([path])
    assert "mine.csv:3" in caplog.text
    assert any("mine.csv:3" in p for p in dictionary.report.problems)
    assert dictionary.lookup("Wagner Group").code == "RUSMILMER"
    entry = dictionary.lookup("Evgeny Prigozhin")  # variant spelling of a user entry
    assert entry is not None and entry.code == "RUSMIL" and entry.user
    assert dictionary.agent("acme gazette").code == "MED"
    # bundled entries are still there
    assert dictionary.lookup("Ukraine").code == "UKR"


def test_actors_dictionary_unknown_code_kept_as_text(tmp_path):
    path = tmp_path / "odd.actors.txt"
    path.write_text("SOME_MILITIA_ [LOCAL MILITIA CODE]\n", encoding="utf-8")
    dictionary = load_dictionaries([path])
    assert dictionary.lookup("some militia").code == "LOCAL"
    assert any("odd.actors.txt:1" in p for p in dictionary.report.problems)


def test_actors_dictionary_nothing_loaded_raises(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("not,a,valid,row\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"empty\.csv"):
        load_dictionaries([path])
    with pytest.raises(ConfigError):
        load_dictionaries([tmp_path / "missing.csv"])


def test_actors_dictionary_match_doc(dictionary, nlp):
    doc = nlp("The FSB said the Russian Federation and the U.N. disagree, sources told Reuters.")
    found = {m.text: m.entry.code for m in dictionary.match(doc)}
    assert found["FSB"] == "RUSCOP"
    assert found["Russian Federation"] == "RUS"
    assert found["U.N."] == "IGOUNO"
    for m in dictionary.match(doc):
        assert doc.text[m.start : m.end] == m.text


def test_actors_dictionary_agents_plural_and_substitution(dictionary):
    assert dictionary.agent("defence ministers").code == "GOVMIL"
    assert dictionary.agent("policemen").code == "COP"
    assert dictionary.agent("president").code == "GOV"
    assert phrase_key("KI-MOON") == ("ki", "-", "moon")


def test_actors_dictionary_load_is_cached():
    assert load_dictionaries() is load_dictionaries(())
    assert load_dictionaries([Path(DATA_DIR / "claimgraph.agents.txt")]) is not load_dictionaries()


def test_actors_dictionary_index_is_current():
    # the bundled JSON index must match the bundled files (rebuild with
    # `python -m claimgraph.training.actor_index` after editing them)
    from claimgraph.actors.dictionary_parsing import DictionaryBuilder, parse_builtin, read_index

    indexed, parsed = DictionaryBuilder(), DictionaryBuilder()
    assert read_index(indexed)
    parse_builtin(parsed)
    assert indexed.actors == parsed.actors
    assert indexed.agents == parsed.agents


def test_actor_index_rebuilds_the_shipped_index(tmp_path):
    from claimgraph.actors.dictionary_parsing import INDEX_PATH
    from claimgraph.training.actor_index import main

    out = tmp_path / "index.json"
    assert main(["--out", str(out)]) == 0
    assert out.read_bytes() == INDEX_PATH.read_bytes()


@pytest.mark.parametrize(
    ("name", "code"),
    [("Ghanaians", "GHA"), ("Croat forces", "HRVMIL"), ("Qatar's emir", "QATGOV")],
)
def test_actors_dictionary_lookup_plural_demonym_and_agents(dictionary, name, code):
    assert dictionary.lookup(name).code == code


@pytest.mark.parametrize("name", ["analysts", "Talks", "news"])
def test_actors_dictionary_lookup_plural_needs_a_country(dictionary, name):
    assert dictionary.lookup(name) is None
