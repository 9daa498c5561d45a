"""What a country is called and where it governs from, by ISO 3166 alpha-3 code (the
country part of a CAMEO code), from the ``countryinfo`` package's data.

The CAMEO/Phoenix country blocks list a country's names together with its capital,
cities and states under one code, and say nothing of which is which; these facts tell
them apart (:func:`claimgraph.actors.country_form`) and name the capital that stands for
a government ("Moscow said", :func:`claimgraph.actors.government_key`).
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

from claimgraph.actors.dictionary_parsing import fold_token


class Country(NamedTuple):
    """A country's names (official and common names, other spellings, demonym), folded,
    and its capital, folded."""

    names: tuple[str, ...]
    capital: str | None


def fold_phrase(phrase: str) -> str:
    """``phrase`` folded word by word (case, accents, transliteration variants)."""
    return " ".join(w for w in (fold_token(t) for t in phrase.replace("_", " ").split()) if w)


@functools.cache
def _countries() -> dict[str, Country]:
    from countryinfo._cache import load_countries

    data: dict[str, Any] = load_countries()["countries"]
    out: dict[str, Country] = {}
    for info in data.values():
        code = str(info.get("ISO", {}).get("alpha3") or "").upper()
        if len(code) != 3 or code in out:
            continue
        names = [info.get("name"), info.get("demonym"), *(info.get("altSpellings") or [])]
        folded = tuple(
            dict.fromkeys(f for n in names if isinstance(n, str) and (f := fold_phrase(n)))
        )
        capital = info.get("capital")
        out[code] = Country(folded, fold_phrase(capital) if isinstance(capital, str) else None)
    return out


def country(code: str | None) -> Country | None:
    """The country of a CAMEO code's first three letters (``"RUSGOV"`` → Russia)."""
    if not code or len(code) < 3 or not code[:3].isalpha():
        return None
    return _countries().get(code[:3].upper())


@functools.cache
def place_codes() -> dict[str, str]:
    """Every country name, demonym and capital (folded; longer than three letters, so
    "US" is not the pronoun "us") with its country's ISO 3166 alpha-3 code."""
    out: dict[str, str] = {}
    for code, info in _countries().items():
        for name in (*info.names, *([info.capital] if info.capital else [])):
            if len(name) > 3:
                out.setdefault(name, code)
    return out


@functools.lru_cache(maxsize=4096)
def is_capital(phrase: str, code: str | None) -> bool:
    """Whether ``phrase`` names the capital of ``code``'s country: its name, or its name
    without a closing abbreviation ("Washington" for "Washington D.C.")."""
    found = country(code)
    if found is None or not found.capital:
        return False
    name = fold_phrase(phrase)
    if not name:
        return False
    if name == found.capital:
        return True
    rest = found.capital.removeprefix(name + " ")
    return rest != found.capital and " " not in rest and "." in rest


__all__ = ["Country", "country", "fold_phrase", "is_capital", "place_codes"]
