"""Reading the CAMEO/Phoenix dictionary files into token-tuple tables.

Everything that decides what the dictionary tables hold lives here: name normalisation
(:func:`fold_token`, :func:`phrase_key`), the entry types, the parsers of the
TABARI/PETRARCH actor and agent syntax and of user CSV files (:class:`DictionaryBuilder`),
and the reading of the compact JSON index of the bundled files (:func:`read_index`;
:mod:`claimgraph.training.actor_index` builds it).  Matching and lookup live in
:mod:`claimgraph.actors.dictionary`.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

from claimgraph import resources
from claimgraph.errors import ConfigError
from claimgraph.model import ActorType

logger = logging.getLogger(__name__)

#: Directory of the bundled dictionaries.
DATA_DIR = resources.DATA_DIR / "actors"
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


# ---------------------------------------------------------------------------
# Entries
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


class DictionaryBuilder:
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
        lines = read_lines(path)
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
        for lineno, raw in enumerate(read_lines(path), 1):
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

    # -- user files -----------------------------------------------------------------

    def read_user_file(self, path: Path) -> None:
        """Read one user dictionary: CSV by suffix, agents syntax by name, else actors."""
        if path.suffix.lower() == ".csv":
            self.read_csv(path)
        elif "agents" in path.name.lower():
            self.read_agent_file(path, user=True)
        else:
            self.read_actor_file(path, user=True)

    def read_csv(self, path: Path) -> None:
        text = "\n".join(read_lines(path))
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


def read_lines(path: Path) -> list[str]:
    """The lines of a dictionary file; raises :class:`ConfigError` when it is unreadable."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ConfigError(f"cannot read actor dictionary: {err.strerror}", input=str(path)) from err
    return data.decode("utf-8", errors="replace").splitlines()


def common_prefix(words: Sequence[str]) -> str:
    """The longest prefix shared by all ``words``."""
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
        stem = common_prefix(alternatives)
        if len(stem) >= 4 and words[-1] == stem:
            phrase = "_".join([*words[:-1], name])
    out = [phrase]
    for name, words in substitutions.items():
        if name in phrase:
            out = [p.replace(name, w) for p in out for w in words]
    return [p.replace(" ", "_") for p in out]


def builtin_paths() -> tuple[list[Path], list[Path]]:
    """The bundled actor files and agent files, in priority order."""
    return ([DATA_DIR / name for name in BUILTIN_ACTOR_FILES],
            [DATA_DIR / name for name in BUILTIN_AGENT_FILES])


# ---------------------------------------------------------------------------
# The index of the bundled files
# ---------------------------------------------------------------------------

#: Bump when parsing or :func:`fold_token` changes: it invalidates the index file.
INDEX_FORMAT = 1
#: Compact JSON index of the bundled dictionaries (built by
#: ``python -m claimgraph.training.actor_index``).
INDEX_PATH = DATA_DIR / "phoenix.index.json"


def builtin_digest() -> str:
    actor_files, agent_files = builtin_paths()
    digest = hashlib.sha256(f"format {INDEX_FORMAT}".encode())
    for path in [*actor_files, *agent_files]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def parse_builtin(builder: DictionaryBuilder) -> None:
    """Parse the bundled files into ``builder`` (slow; :func:`read_index` is the fast way)."""
    actor_files, agent_files = builtin_paths()
    for path in actor_files:
        builder.read_actor_file(path, user=False)
    for path in agent_files:
        builder.read_agent_file(path, user=False)


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


def read_index(builder: DictionaryBuilder) -> bool:
    """Fill ``builder`` from the index; ``False`` when it is missing or stale."""
    try:
        payload = json.loads(INDEX_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if payload.get("format") != INDEX_FORMAT or payload.get("digest") != builtin_digest():
        logger.info("actor dictionary index %s is stale; parsing the dictionaries", INDEX_PATH)
        return False
    memo: dict[str, tuple[DatedCode, ...]] = {}
    for kind, table in (("actor", builder.actors), ("agent", builder.agents)):
        for key, row in payload[kind + "s"].items():
            table[tuple(key.split("\x1f"))] = _decode(row, kind, memo)  # type: ignore[arg-type]
    builder.report.entries = len(builder.actors) + len(builder.agents)
    builder.report.problems.extend(payload.get("problems", []))
    return True


__all__ = [
    "BUILTIN_ACTOR_FILES",
    "BUILTIN_AGENT_FILES",
    "DATA_DIR",
    "INDEX_FORMAT",
    "INDEX_PATH",
    "DatedCode",
    "DictionaryBuilder",
    "DictionaryEntry",
    "EntryKind",
    "LoadReport",
    "builtin_digest",
    "builtin_paths",
    "choose_code",
    "common_prefix",
    "fold_token",
    "parse_builtin",
    "phrase_key",
    "read_index",
]
