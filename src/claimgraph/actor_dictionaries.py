"""CAMEO/Phoenix actor and agent dictionaries: loading, name normalisation and matching.

The bundled PETRARCH2 "Phoenix" dictionaries (``data/actors/``) map surface phrases to
CAMEO actor codes (``RUSSIA_ [RUS]``, ``ALEKSANDR_BORTNIKOV_ [RUSGOVMIL >080601]``) and
role nouns to agent codes (``PRESIDENT [~GOV]``).  :func:`load_dictionaries` parses them
once per process, plus any user dictionaries (same syntax, or a CSV ``phrase,code[,type]``),
into token-tuple hash tables; :meth:`ActorDictionary.match` finds the longest entries in a
``Doc`` and :meth:`ActorDictionary.lookup` codes a free-standing name such as
"the Russian government" (``RUS`` + ``GOV``).

Names are compared through :func:`fold_token`: lower case, accents folded and common
transliteration variants unified, so "Alexander" matches the dictionary's "Aleksandr".
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from .errors import ConfigError
from .model import ActorType

if TYPE_CHECKING:
    from spacy.tokens import Doc

logger = logging.getLogger(__name__)

#: Directory of the bundled dictionaries.
DATA_DIR = Path(__file__).parent / "data" / "actors"
#: Bundled actor dictionaries, in priority order (earlier files win on a tie).
BUILTIN_ACTOR_FILES: tuple[str, ...] = (
    "Phoenix.Countries.actors.txt",
    "Phoenix.International.actors.txt",
    "Phoenix.MilNonState.actors.txt",
)
#: Bundled agent (role noun) dictionaries.
BUILTIN_AGENT_FILES: tuple[str, ...] = ("Phoenix.agents.txt", "claimgraph.agents.txt")

EntryKind = Literal["actor", "agent", "composed"]

# ---------------------------------------------------------------------------
# Name normalisation
# ---------------------------------------------------------------------------

#: Transliteration variants of common given names, folded to one spelling.
_NAME_VARIANTS: dict[str, str] = {
    "alexander": "aleksandr", "alexandr": "aleksandr", "aleksander": "aleksandr",
    "alyaksandr": "aleksandr", "oleksandr": "aleksandr", "olexander": "aleksandr",
    "alexei": "aleksey", "alexey": "aleksey", "aleksei": "aleksey", "alexeï": "aleksey",
    "yevgeny": "evgeny", "yevgeni": "evgeny", "evgeni": "evgeny", "yevgeniy": "evgeny",
    "evgeniy": "evgeny", "eugene": "evgeny",
    "sergei": "sergey", "serhiy": "sergey", "serhii": "sergey",
    "yuri": "yury", "yuriy": "yury", "yurii": "yury",
    "dmitri": "dmitry", "dmitriy": "dmitry", "dmytro": "dmitry",
    "andrei": "andrey", "andriy": "andrey", "andrii": "andrey",
    "nikolai": "nikolay", "mykola": "nikolay",
    "vasili": "vasily", "vasiliy": "vasily", "vassily": "vasily",
    "mikhail": "mikhail", "mykhailo": "mikhail",
    "volodymyr": "vladimir", "vladymyr": "vladimir",
    "mohammed": "muhammad", "mohammad": "muhammad", "mohamed": "muhammad",
    "muhammed": "muhammad", "mohamad": "muhammad", "mahmoud": "mahmud",
    "hussein": "husayn", "hussain": "husayn", "husain": "husayn", "hosein": "husayn",
    "osama": "usama", "qaddafi": "gaddafi", "qadhafi": "gaddafi", "kadhafi": "gaddafi",
    "gadhafi": "gaddafi", "khadafi": "gaddafi",
    "yulia": "yuliya", "iulia": "yuliya", "julia": "yuliya",
    "kiev": "kyiv", "kharkov": "kharkiv", "odessa": "odesa",
}

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "–": "-", "—": "-"})


@functools.lru_cache(maxsize=200_000)
def fold_token(word: str) -> str:
    """The matching key of one word: lower case, accents folded, variants unified.

    Both dictionary phrases and document tokens go through this, so it only has to be
    consistent, not linguistically exact: "Alexander" and "Aleksandr" both become
    ``aleksandr``; "Yevgeny"/"Evgeniy" become ``evgeny``.
    """
    text = word.translate(_APOSTROPHES).lower()
    if not text.isascii():
        text = "".join(
            ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
        )
    text = _NAME_VARIANTS.get(text, text)
    if len(text) >= 5 and text.isalpha():
        text = text.replace("x", "ks")
        for ending in ("iy", "ii", "yi", "ij", "ei", "ey"):
            if text.endswith(ending):
                text = text[: -len(ending)] + "y"
                break
        text = _NAME_VARIANTS.get(text, text)
    return text


# Words, dotted abbreviations (U.N.), possessive 's, and single punctuation marks:
# close to how spaCy's English tokenizer splits names.
_WORD_RE = re.compile(r"'s\b|[^\W_]+(?:\.[^\W_]+)*\.?|[^\w\s]")


def phrase_key(phrase: str) -> tuple[str, ...]:
    """The token-tuple key of a phrase (``_`` and spaces separate words)."""
    text = phrase.replace("_", " ").translate(_APOSTROPHES).lower()
    return tuple(fold_token(w) for w in _WORD_RE.findall(text))


_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "its", "their"})


# ---------------------------------------------------------------------------
# Entries and matches
# ---------------------------------------------------------------------------


class DatedCode(NamedTuple):
    """One CAMEO code with its optional validity range (``YYYYMMDD`` integers)."""

    code: str
    start: int | None = None
    end: int | None = None


class DictionaryEntry(NamedTuple):
    """One dictionary phrase and the code it gives.

    ``code`` is the chosen code (the most recent or open-ended one of ``codes``);
    ``phrase`` is the phrase as written in the file (underscores as spaces), ``primary``
    the first phrase of its block, ``source`` ``"file:line"`` where it was read.
    """

    phrase: str
    primary: str
    code: str | None
    kind: EntryKind
    source: str
    codes: tuple[DatedCode, ...] = ()
    type: ActorType | None = None
    user: bool = False
    plural: bool = False

    @property
    def country(self) -> str | None:
        """The 3-letter country block of ``code`` when it has one (``RUSGOV`` → ``RUS``)."""
        if self.code and len(self.code) >= 3 and self.code[:3].isalpha() and self.kind != "agent":
            return self.code[:3]
        return None


class DictionaryMatch(NamedTuple):
    """A dictionary entry found in a ``Doc``: character and token offsets."""

    start: int
    end: int
    text: str
    token_start: int
    token_end: int
    entry: DictionaryEntry


@dataclass
class LoadReport:
    """What loading the dictionaries read and what it had to skip."""

    entries: int = 0
    files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

_CODE_RE = re.compile(r"\[([^\]]*)\]")
_CODE_BODY_RE = re.compile(
    r"^(?P<code>~?[A-Za-z0-9!-]+)"
    r"(?:\s+(?:(?P<op>[<>]?)\s*(?P<d1>\d{6,10})|(?P<s>\d{6,10})\s*-\s*(?P<e>\d{6,10})))?$"
)
_SUBST_RE = re.compile(r"^(![A-Z]+!)\s*=\s*(.+)$")
_PLURAL_RE = re.compile(r"\{([^}]*)\}")


def _parse_date(text: str) -> int:
    if len(text) == 10:  # a typo seen in the files: "1920030320" for 20030320
        text = text[2:]
    if len(text) == 6:  # TABARI YYMMDD; years 00-30 are 20xx
        year = int(text[:2])
        return (2000 + year if year <= 30 else 1900 + year) * 10000 + int(text[2:])
    return int(text[:8].ljust(8, "0"))


def _parse_code(body: str) -> DatedCode | None:
    m = _CODE_BODY_RE.match(body.strip())
    if m is None:
        return None
    code = m.group("code").lstrip("~").upper()
    if m.group("op") == ">":
        return DatedCode(code, start=_parse_date(m.group("d1")))
    if m.group("op") == "" and m.group("d1"):
        return DatedCode(code, start=_parse_date(m.group("d1")))
    if m.group("op") == "<":
        return DatedCode(code, end=_parse_date(m.group("d1")))
    if m.group("s"):
        return DatedCode(code, start=_parse_date(m.group("s")), end=_parse_date(m.group("e")))
    return DatedCode(code)


def choose_code(codes: Sequence[DatedCode]) -> str | None:
    """The most recent code: open-ended beats ended; then the latest end, then start."""
    if not codes:
        return None
    best = max(codes, key=lambda c: (c.end if c.end is not None else 99999999, c.start or 0))
    return best.code


def _regular_plurals(phrase: str) -> list[str]:
    words = phrase.rstrip("_ ").split("_")
    last = words[-1]
    if not last.isalpha() or len(last) < 3:
        return []
    if last.endswith("MAN"):
        plural = last[:-3] + "MEN"
    elif last.endswith("Y") and last[-2:-1] not in "AEIOU":
        plural = last[:-1] + "IES"
    elif last.endswith(("S", "SH", "CH", "X", "Z")):
        plural = last + "ES"
    else:
        plural = last + "S"
    return ["_".join([*words[:-1], plural])]


class _Builder:
    """Accumulates entries from several files into the lookup tables."""

    def __init__(self) -> None:
        self.actors: dict[tuple[str, ...], DictionaryEntry] = {}
        self.agents: dict[tuple[str, ...], DictionaryEntry] = {}
        self.report = LoadReport()

    def add(self, key: tuple[str, ...], entry: DictionaryEntry) -> None:
        if not key or (len(key) == 1 and not any(ch.isalnum() for ch in key[0])):
            return
        table = self.agents if entry.kind == "agent" else self.actors
        if entry.user or key not in table:
            table[key] = entry
            self.report.entries += 1

    def problem(self, message: str, *, user: bool) -> None:
        self.report.problems.append(message)
        if user:
            logger.warning("%s", message)
        else:
            logger.debug("%s", message)

    # -- TABARI/PETRARCH actor files -------------------------------------------------

    def read_actor_file(self, path: Path, *, user: bool) -> None:
        lines = _read_lines(path)
        block: list[tuple[str, int]] = []
        codes: list[DatedCode] = []
        previous: list[DatedCode] = []

        def flush(final: bool = False) -> None:
            # TABARI lets several uncoded primaries share the code lines that follow them
            nonlocal block, codes, previous
            if block and not codes and not final:
                return
            if block:
                use = codes or previous
                if not codes:
                    self.problem(
                        f"{path.name}:{block[0][1]}: entry {block[0][0]!r} has no code; "
                        f"using the previous entry's {choose_code(use)!r}",
                        user=user,
                    )
                if use:
                    chosen = choose_code(use)
                    primary = block[0][0].replace("_", " ").strip()
                    for phrase, lineno in block:
                        entry = DictionaryEntry(
                            phrase=phrase.replace("_", " ").strip(),
                            primary=primary,
                            code=chosen,
                            kind="actor",
                            source=f"{path.name}:{lineno}",
                            codes=tuple(use),
                            user=user,
                        )
                        key = phrase_key(phrase)
                        self.add(key, entry)
                        if len(key) > 2 and key[0] == "the":
                            self.add(key[1:], entry)
                    previous = list(use)
            block, codes = [], []

        for lineno, raw in enumerate(lines, 1):
            line = raw.split("#", 1)[0].strip()
            if not line or line.startswith("<"):
                continue
            head = line.split("[", 1)[0].strip()
            line_codes: list[DatedCode] = []
            for body in _CODE_RE.findall(line):
                code = _parse_code(body)
                if code is None:
                    self.problem(
                        f"{path.name}:{lineno}: cannot read code [{body}]; kept as text",
                        user=user,
                    )
                    code = DatedCode(body.strip().split()[0].upper()) if body.strip() else None
                if code is not None:
                    line_codes.append(code)
            if not head:
                if "[" not in line:
                    self.problem(f"{path.name}:{lineno}: cannot read {raw.strip()!r}", user=user)
                codes.extend(line_codes)
                continue
            phrases = [p.strip() for p in re.split(r"\s+\+", head) if p.strip()]
            if head.startswith("+"):
                codes.extend(line_codes)
            else:
                flush()
                codes = line_codes
            for phrase in phrases:
                block.append((phrase.lstrip("+").strip(), lineno))
        flush(final=True)

    # -- agents files ---------------------------------------------------------------

    def read_agent_file(self, path: Path, *, user: bool) -> None:
        substitutions: dict[str, list[str]] = {}
        for lineno, raw in enumerate(_read_lines(path), 1):
            line = raw.split("#", 1)[0].strip()
            if not line or line.startswith("<"):
                continue
            sub = _SUBST_RE.match(line)
            if sub:
                substitutions[sub.group(1)] = [w.strip() for w in sub.group(2).split(",")]
                continue
            bodies = _CODE_RE.findall(line)
            code = _parse_code(bodies[0]) if bodies else None
            head = _PLURAL_RE.sub("", line.split("[", 1)[0]).strip()
            if code is None or not head:
                self.problem(f"{path.name}:{lineno}: cannot read agent line {raw.strip()!r}",
                             user=user)
                continue
            plural_m = _PLURAL_RE.search(line)
            variants = _expand(head, substitutions)
            plurals: list[str] = []
            if plural_m is None:
                for variant in variants:
                    plurals.extend(_regular_plurals(variant))
            else:
                for form in plural_m.group(1).split():
                    plurals.extend(_expand(form, substitutions))
            for phrases, is_plural in ((variants, False), (plurals, True)):
                for phrase in phrases:
                    entry = DictionaryEntry(
                        phrase=phrase.replace("_", " ").strip().lower(),
                        primary=head.replace("_", " ").strip().lower(),
                        code=code.code,
                        kind="agent",
                        source=f"{path.name}:{lineno}",
                        codes=(code,),
                        user=user,
                        plural=is_plural,
                    )
                    self.add(phrase_key(phrase), entry)

    # -- user CSV -------------------------------------------------------------------

    def read_csv(self, path: Path) -> None:
        text = "\n".join(_read_lines(path))
        for lineno, row in enumerate(csv.reader(text.splitlines()), 1):
            if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                continue
            if lineno == 1 and [c.strip().lower() for c in row[:2]] == ["phrase", "code"]:
                continue
            if len(row) not in (2, 3) or not row[0].strip() or not row[1].strip():
                self.problem(
                    f"{path}:{lineno}: expected 'phrase,code[,type]', got {','.join(row)!r}; "
                    "line skipped",
                    user=True,
                )
                continue
            phrase, code = row[0].strip(), row[1].strip().upper()
            actor_type: ActorType | None = None
            if len(row) == 3 and row[2].strip():
                try:
                    actor_type = ActorType(row[2].strip().upper())
                except ValueError:
                    self.problem(
                        f"{path}:{lineno}: unknown type {row[2].strip()!r} (use one of "
                        f"{', '.join(t.value for t in ActorType)}); loaded without a type",
                        user=True,
                    )
            kind: EntryKind = "agent" if code.startswith("~") else "actor"
            entry = DictionaryEntry(
                phrase=phrase,
                primary=phrase,
                code=code.lstrip("~"),
                kind=kind,
                source=f"{path.name}:{lineno}",
                codes=(DatedCode(code.lstrip("~")),),
                type=actor_type,
                user=True,
            )
            self.add(phrase_key(phrase), entry)


def _read_lines(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ConfigError(f"cannot read actor dictionary: {err.strerror}", input=str(path)) from err
    return data.decode("utf-8", errors="replace").splitlines()


def _common_prefix(words: Sequence[str]) -> str:
    if not words:
        return ""
    first, last = min(words), max(words)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def _expand(phrase: str, substitutions: dict[str, list[str]]) -> list[str]:
    words = phrase.split("_")
    for name, alternatives in substitutions.items():
        # a TABARI stem such as "DEFENCE_MINIST" stands for the whole set !MINIST!
        stem = _common_prefix(alternatives)
        if len(stem) >= 4 and words[-1] == stem:
            phrase = "_".join([*words[:-1], name])
    out = [phrase]
    for name, words in substitutions.items():
        if name in phrase:
            out = [p.replace(name, w) for p in out for w in words]
    return [p.replace(" ", "_") for p in out]


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
            common = len(_common_prefix([word, folded]))
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

    def agent(self, phrase: str) -> DictionaryEntry | None:
        """The agent (role noun) entry for ``phrase`` ("president", "defence ministers")."""
        return self.agents.get(phrase_key(phrase))

    def lookup(self, name: str) -> DictionaryEntry | None:
        """The entry that codes ``name``, or ``None``.

        Tries, in order: the whole name as an actor ("Ukraine" → ``UKR``); the name
        without leading determiners or a trailing possessive; a country followed by a
        role noun ("the Russian government" → ``RUS`` + ``GOV``, "the Azerbaijani
        parliament" → ``AZELEG``) or a role noun followed by "of" and a country
        ("the president of Belarus"); otherwise ``None``.
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


def _builtin_paths() -> tuple[list[Path], list[Path]]:
    return ([DATA_DIR / name for name in BUILTIN_ACTOR_FILES],
            [DATA_DIR / name for name in BUILTIN_AGENT_FILES])


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


#: Bump when parsing or :func:`fold_token` changes: it invalidates the index file.
INDEX_FORMAT = 1
#: Compact JSON index of the bundled dictionaries (built by ``build_index``).
INDEX_PATH = DATA_DIR / "phoenix.index.json"


def _builtin_digest() -> str:
    actor_files, agent_files = _builtin_paths()
    digest = hashlib.sha256(f"format {INDEX_FORMAT}".encode())
    for path in [*actor_files, *agent_files]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _parse_builtin(builder: _Builder) -> None:
    actor_files, agent_files = _builtin_paths()
    for path in actor_files:
        builder.read_actor_file(path, user=False)
    for path in agent_files:
        builder.read_agent_file(path, user=False)


def _encode(entry: DictionaryEntry) -> list[object]:
    codes = ";".join(f"{c.code}|{c.start or ''}|{c.end or ''}" for c in entry.codes)
    return [entry.phrase, entry.primary, entry.code, entry.source, codes, int(entry.plural)]


def _decode(row: list[Any], kind: EntryKind, memo: dict[str, tuple[DatedCode, ...]]
            ) -> DictionaryEntry:
    phrase, primary, code, source, codes, plural = row
    dated = memo.get(codes)
    if dated is None:  # entries of one block share their codes
        dated = memo[codes] = tuple(
            DatedCode(c, int(a) if a else None, int(b) if b else None)
            for c, a, b in (item.split("|") for item in codes.split(";") if item)
        )
    return DictionaryEntry(phrase, primary, code, kind, source, dated, None, False, bool(plural))


def build_index(path: Path = INDEX_PATH) -> Path:
    """Parse the bundled dictionaries and write the compact JSON index they load from.

    Run ``python -m claimgraph.actor_dictionaries`` after changing a bundled file or the
    parser (and bump :data:`INDEX_FORMAT`); a stale index is detected by its digest and
    ignored, so this only affects load time.
    """
    builder = _Builder()
    _parse_builtin(builder)
    payload = {
        "format": INDEX_FORMAT,
        "digest": _builtin_digest(),
        "problems": builder.report.problems,
        "actors": {"\x1f".join(k): _encode(e) for k, e in builder.actors.items()},
        "agents": {"\x1f".join(k): _encode(e) for k, e in builder.agents.items()},
    }
    path.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                    encoding="utf-8")
    return path


def _read_index(builder: _Builder) -> bool:
    try:
        payload = json.loads(INDEX_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if payload.get("format") != INDEX_FORMAT or payload.get("digest") != _builtin_digest():
        logger.info("actor dictionary index %s is stale; parsing the dictionaries", INDEX_PATH)
        return False
    memo: dict[str, tuple[DatedCode, ...]] = {}
    for kind, table in (("actor", builder.actors), ("agent", builder.agents)):
        for key, row in payload[kind + "s"].items():
            table[tuple(key.split("\x1f"))] = _decode(row, kind, memo)  # type: ignore[arg-type]
    builder.report.entries = len(builder.actors) + len(builder.agents)
    builder.report.problems.extend(payload.get("problems", []))
    return True


@functools.lru_cache(maxsize=8)
def _load_cached(paths: tuple[str, ...], builtin: bool) -> ActorDictionary:
    builder = _Builder()
    if builtin:
        if not _read_index(builder):
            _parse_builtin(builder)
        builder.report.files.extend([*BUILTIN_ACTOR_FILES, *BUILTIN_AGENT_FILES])
    # user files last: their entries override bundled ones
    for name in paths:
        path = Path(name)
        before = builder.report.entries
        if path.suffix.lower() == ".csv":
            builder.read_csv(path)
        elif "agents" in path.name.lower():
            builder.read_agent_file(path, user=True)
        else:
            builder.read_actor_file(path, user=True)
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


if __name__ == "__main__":  # python -m claimgraph.actor_dictionaries: rebuild the index
    print(build_index())  # a maintenance command, not library output


__all__ = [
    "INDEX_PATH",
    "ActorDictionary",
    "DatedCode",
    "DictionaryEntry",
    "DictionaryMatch",
    "LoadReport",
    "build_index",
    "choose_code",
    "compose_code",
    "fold_token",
    "iter_entries",
    "load_dictionaries",
    "phrase_key",
]
