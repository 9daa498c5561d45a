"""CAMEO/Phoenix actor and agent dictionaries: loading, matching and lookup.

The bundled PETRARCH2 "Phoenix" dictionaries (``data/actors/``) map surface phrases to
CAMEO actor codes (``RUSSIA_ [RUS]``, ``SERGEY_LAVROV_ [RUSGOV >20040309]``) and
role nouns to agent codes (``PRESIDENT [~GOV]``).  :func:`load_dictionaries` reads them
once per process, plus any user dictionaries (same syntax, or a CSV ``phrase,code[,type]``),
into token-tuple hash tables; :meth:`ActorDictionary.match` finds the longest entries in a
``Doc`` and :meth:`ActorDictionary.lookup` codes a free-standing name such as
"the Russian government" (``RUS`` + ``GOV``).

Names are compared through :func:`fold_token`: lower case, accents folded and common
transliteration variants unified, so "Alexander" matches the dictionary's "Aleksandr".
File parsing, normalisation and the JSON index live in
:mod:`claimgraph.actors.dictionary_parsing`; ``python -m claimgraph.training.actor_index``
rebuilds the index.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from claimgraph.actors.dictionary_parsing import (
    BUILTIN_ACTOR_FILES,
    BUILTIN_AGENT_FILES,
    DATA_DIR,
    INDEX_FORMAT,
    INDEX_PATH,
    DatedCode,
    DictionaryBuilder,
    DictionaryEntry,
    EntryKind,
    LoadReport,
    choose_code,
    common_prefix,
    fold_token,
    parse_builtin,
    phrase_key,
    read_index,
)
from claimgraph.errors import ConfigError

if TYPE_CHECKING:
    from spacy.tokens import Doc

logger = logging.getLogger(__name__)

_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "its", "their"})


class DictionaryMatch(NamedTuple):
    """A dictionary entry found in a ``Doc``: character and token offsets."""

    start: int
    end: int
    text: str
    token_start: int
    token_end: int
    entry: DictionaryEntry


# ---------------------------------------------------------------------------
# The dictionary
# ---------------------------------------------------------------------------


class ActorDictionary:
    """Actor and agent phrases keyed by folded token tuples.

    Build it with :func:`load_dictionaries`; it is read-only afterwards.
    """

    def __init__(
        self,
        actors: dict[tuple[str, ...], DictionaryEntry],
        agents: dict[tuple[str, ...], DictionaryEntry],
        report: LoadReport,
    ) -> None:
        self.actors = actors
        self.agents = agents
        self.report = report
        self._synonyms: dict[tuple[str, str | None], list[str]] | None = None
        self._orth_memo: dict[int, str] = {}
        self._max_len: dict[str, int] = {}
        for key in actors:
            if len(key) > self._max_len.get(key[0], 0):
                self._max_len[key[0]] = len(key)
        self._agent_max_len: dict[str, int] = {}
        for key in agents:
            if len(key) > self._agent_max_len.get(key[0], 0):
                self._agent_max_len[key[0]] = len(key)
        self._agent_last_words = frozenset(key[-1] for key in agents)

    def country_name(self, entry: DictionaryEntry, adjective: str) -> str:
        """A country's name for a national adjective: "Russian" → "Russia".

        Picks, among the one-word synonyms of ``entry``'s block, the one sharing the
        longest prefix with ``adjective`` (the block's first phrase on a tie).
        """
        if self._synonyms is None:
            self._synonyms = {}
            for key, other in self.actors.items():
                if len(key) == 1 and other.kind == "actor":
                    self._synonyms.setdefault((other.primary, other.code), []).append(other.phrase)
        folded = fold_token(adjective)
        best = entry.primary
        best_len = -1
        for phrase in self._synonyms.get((entry.primary, entry.code), []):
            word = fold_token(phrase)
            if word == folded:
                continue
            common = len(common_prefix([word, folded]))
            if common > best_len:
                best, best_len = phrase, common
        return best.title()

    def __len__(self) -> int:
        return len(self.actors) + len(self.agents)

    def match(self, doc: Doc, *, agents: bool = False) -> list[DictionaryMatch]:
        """Longest non-overlapping actor entries in ``doc`` (agent entries if ``agents``).

        Matching is on folded tokens, so case, accents and name variants do not matter.
        Returns matches sorted by position.
        """
        table = self.agents if agents else self.actors
        max_len = self._agent_max_len if agents else self._max_len
        keys = self._doc_keys(doc)
        out: list[DictionaryMatch] = []
        i, n = 0, len(keys)
        while i < n:
            longest = max_len.get(keys[i], 0)
            found = None
            for length in range(min(longest, n - i), 0, -1):
                entry = table.get(tuple(keys[i : i + length]))
                if entry is not None:
                    found = (length, entry)
                    break
            if found is None:
                i += 1
                continue
            length, entry = found
            span = doc[i : i + length]
            out.append(DictionaryMatch(span.start_char, span.end_char, span.text, i, i + length,
                                       entry))
            i += length
        return out

    def _doc_keys(self, doc: Doc) -> list[str]:
        # via ORTH ids rather than Token objects: creating tokens dominates the cost
        from spacy.attrs import ORTH

        strings = doc.vocab.strings
        memo = self._orth_memo
        out: list[str] = []
        for orth in doc.to_array(ORTH).tolist():
            key = memo.get(orth)
            if key is None:
                key = memo[orth] = fold_token(strings[orth])
            out.append(key)
        return out

    def lookup_key(self, key: Sequence[str], *, agents: bool = False) -> DictionaryEntry | None:
        """The entry for an already folded key, or ``None``."""
        return (self.agents if agents else self.actors).get(tuple(key))

    def may_end_agent(self, word: str) -> bool:
        """Whether some agent phrase ends with ``word`` (a cheap filter before :meth:`agent`)."""
        return fold_token(word) in self._agent_last_words

    def agent(self, phrase: str) -> DictionaryEntry | None:
        """The agent (role noun) entry for ``phrase`` ("president", "defence ministers")."""
        return self.agents.get(phrase_key(phrase))

    def lookup(self, name: str) -> DictionaryEntry | None:
        """The entry that codes ``name``, or ``None``.

        Tries, in order: the whole name as an actor ("Ukraine" → ``UKR``); the name
        without leading determiners or a trailing possessive; the plural of a national
        adjective ("Ghanaians" → ``GHA``); a country followed by a role noun ("the
        Russian government" → ``RUS`` + ``GOV``, "the Azerbaijani parliament" →
        ``AZELEG``) or a role noun followed by "of" and a country ("the president of
        Belarus"); otherwise ``None``.
        """
        key = list(phrase_key(name))
        while key and key[0] in _DETERMINERS:
            key.pop(0)
        while key and key[-1] in ("'s", "'", ".", ","):
            key.pop()
        if not key:
            return None
        entry = self.actors.get(tuple(key))
        if entry is not None:
            return entry
        if len(key) == 1 and len(key[0]) > 4 and key[0].endswith("s"):
            # the people of a country by its adjective: "Ghanaians" → "Ghanaian"
            entry = self.actors.get((key[0][:-1],))
            if entry is not None and entry.code and len(entry.code) == 3:
                return entry
        return self._compose(key, name)

    def _compose(self, key: list[str], name: str) -> DictionaryEntry | None:
        # "<country> [’s] <agent>"
        for split in range(len(key) - 1, 0, -1):
            head = self.actors.get(tuple(key[:split]))
            if head is None or head.country is None:
                continue
            rest = key[split:]
            if rest and rest[0] == "'s":
                rest = rest[1:]
            agent = self.agents.get(tuple(rest)) if rest else None
            if agent is not None:
                return _composed(head, agent, name)
        # "<agent> of [the] <country>"
        if "of" in key:
            at = key.index("of")
            agent = self.agents.get(tuple(key[:at]))
            rest = key[at + 1 :]
            while rest and rest[0] in _DETERMINERS:
                rest = rest[1:]
            head = self.actors.get(tuple(rest)) if rest else None
            if agent is not None and head is not None and head.country is not None:
                return _composed(head, agent, name)
        return None


def compose_code(country: str | None, agent: str | None) -> str | None:
    """Country block plus agent code (``RUS`` + ``GOV``), without doubling the agent."""
    if not country:
        return agent
    if not agent or country.endswith(agent):
        return country
    return country[:3] + agent


def _composed(head: DictionaryEntry, agent: DictionaryEntry, name: str) -> DictionaryEntry:
    code = compose_code(head.country, agent.code)
    return DictionaryEntry(
        phrase=name.strip(),
        primary=f"{head.primary} + {agent.primary}",
        code=code,
        kind="composed",
        source=f"{head.source} + {agent.source}",
        codes=(DatedCode(code),) if code else (),
        plural=agent.plural,
    )


def load_dictionaries(paths: Sequence[Path | str] = (), *, builtin: bool = True) -> ActorDictionary:
    """Load the bundled dictionaries plus user dictionaries ``paths`` (cached per process).

    A user file ending in ``.csv`` holds ``phrase,code[,type]`` rows (a code starting
    with ``~`` is an agent); any other file uses the TABARI/PETRARCH actor syntax, or the
    agents syntax when its name contains "agents".  User entries override bundled ones.
    Malformed lines are skipped with a warning naming file and line (also kept in
    ``report.problems``).  Raises :class:`ConfigError` when a user file cannot be read
    or yields no entry at all.
    """
    resolved = tuple(str(Path(p).expanduser().resolve()) for p in paths)
    return _load_cached(resolved, builtin)


@functools.lru_cache(maxsize=8)
def _load_cached(paths: tuple[str, ...], builtin: bool) -> ActorDictionary:
    builder = DictionaryBuilder()
    if builtin:
        if not read_index(builder):
            parse_builtin(builder)
        builder.report.files.extend([*BUILTIN_ACTOR_FILES, *BUILTIN_AGENT_FILES])
    # user files last: their entries override bundled ones
    for name in paths:
        path = Path(name)
        before = builder.report.entries
        builder.read_user_file(path)
        if builder.report.entries == before:
            problems = [p for p in builder.report.problems if p.startswith((str(path), path.name))]
            raise ConfigError(
                "no entry could be loaded from this actor dictionary"
                + (f"; first problem: {problems[0]}" if problems else "")
                + ". Expected CSV rows 'phrase,code[,type]' or TABARI lines 'PHRASE_ [CODE]'",
                input=str(path),
            )
        builder.report.files.append(str(path))
    logger.debug("loaded %d dictionary entries from %d files (%d problems)",
                 builder.report.entries, len(builder.report.files), len(builder.report.problems))
    return ActorDictionary(builder.actors, builder.agents, builder.report)


def iter_entries(dictionary: ActorDictionary) -> Iterable[DictionaryEntry]:
    """Every actor and agent entry (for inspection and tests)."""
    yield from dictionary.actors.values()
    yield from dictionary.agents.values()


__all__ = [
    "BUILTIN_ACTOR_FILES",
    "BUILTIN_AGENT_FILES",
    "DATA_DIR",
    "INDEX_FORMAT",
    "INDEX_PATH",
    "ActorDictionary",
    "DatedCode",
    "DictionaryEntry",
    "DictionaryMatch",
    "EntryKind",
    "LoadReport",
    "choose_code",
    "compose_code",
    "fold_token",
    "iter_entries",
    "load_dictionaries",
    "phrase_key",
]
