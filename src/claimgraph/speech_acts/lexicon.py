"""Trigger lexicon for speech-act coding: words and phrases mapped to CAMEO codes.

The lists follow the CAMEO 1.1b3 category definitions (names in ``data/cameo_map.tsv``)
and were checked against the train fold of the event dev set.  Every entry is a base
form; :func:`base_form` maps an inflected token (``accused``, ``met``, ``talks``) back to
it without spaCy's lemmatizer, which the analysis pipeline excludes for speed.

A trigger maps to a CAMEO code; the coarse class comes from the code via
:func:`claimgraph.speech_acts.cameo_class`, so the two never disagree.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from importlib import resources

from claimgraph.model import SpeechActClass

# ---------------------------------------------------------------------------
# Verb triggers: base form -> CAMEO code
# ---------------------------------------------------------------------------

#: Reporting verbs: a statement with no more specific act is CAMEO 010 (ASSERT).
REPORT_VERBS: frozenset[str] = frozenset(
    """say tell announce state declare report add note stress explain confirm insist
    comment remark reiterate assert write predict estimate disclose reveal emphasize
    emphasise argue suggest indicate signal hint brief observe recall acknowledge
    admit concede maintain contend reply respond answer testify quote
    proclaim affirm aver mention repeat tweet""".split()
)

#: Verbs whose own class outranks "said": base form -> CAMEO code.
VERB_CODES: dict[str, str] = {
    # ASSERT (01x)
    **{v: "010" for v in REPORT_VERBS},
    # APPEAL / DEMAND (02x, 10x)
    "urge": "020",
    "appeal": "020",
    "request": "020",
    "ask": "020",
    "plead": "020",
    "implore": "020",
    "beg": "020",
    "exhort": "020",
    "petition": "020",
    "seek": "020",
    "invite": "020",
    "lobby": "020",
    "press": "020",
    "push": "020",
    "entreat": "020",
    "demand": "100",
    "insist": "010",
    # INTEND (03x)
    "agree": "030",
    "promise": "030",
    "pledge": "030",
    "vow": "030",
    "offer": "030",
    "propose": "030",
    "intend": "030",
    "plan": "030",
    "undertake": "030",
    "volunteer": "030",
    "consent": "030",
    "accept": "030",
    # CONSULT (04x)
    "meet": "040",
    "consult": "040",
    "discuss": "040",
    "confer": "040",
    "talk": "040",
    "negotiate": "046",
    "mediate": "045",
    "telephone": "041",
    "phone": "041",
    "visit": "042",
    "tour": "042",
    "host": "043",
    "receive": "043",
    # COOPERATE / PRAISE (05x)
    "praise": "051",
    "commend": "051",
    "hail": "051",
    "laud": "051",
    "applaud": "051",
    "welcome": "051",
    "endorse": "051",
    "back": "051",
    "thank": "051",
    "congratulate": "051",
    "salute": "051",
    "support": "051",
    "defend": "052",
    "apologize": "055",
    "apologise": "055",
    "forgive": "056",
    "pardon": "056",
    "sign": "057",
    "ratify": "057",
    "recognize": "054",
    "recognise": "054",
    # ACCUSE / CRITICIZE (11x)
    "accuse": "112",
    "blame": "112",
    "allege": "112",
    "criticize": "111",
    "criticise": "111",
    "condemn": "111",
    "denounce": "111",
    "slam": "111",
    "blast": "111",
    "lambaste": "111",
    "castigate": "111",
    "rebuke": "111",
    "censure": "111",
    "deplore": "111",
    "decry": "111",
    "ridicule": "111",
    "mock": "111",
    "assail": "111",
    "chide": "111",
    "berate": "111",
    "scold": "111",
    "fault": "111",
    "disparage": "111",
    "vilify": "111",
    "reproach": "111",
    "complain": "114",
    "sue": "115",
    "convict": "116",
    # REJECT / DENY (12x, 016)
    "deny": "016",
    "reject": "120",
    "dismiss": "120",
    "refuse": "120",
    "rebuff": "120",
    "spurn": "120",
    "repudiate": "120",
    "refute": "016",
    "renege": "120",
    "oppose": "120",
    "veto": "129",
    "defy": "128",
    "violate": "128",
    "decline": "124",
    "disavow": "016",
    # THREATEN (13x)
    "threaten": "130",
    "warn": "130",
    "menace": "130",
    # PROTEST (14x)
    "protest": "140",
    "demonstrate": "141",
    "rally": "141",
    "march": "141",
    "picket": "141",
    "riot": "145",
    "boycott": "143",
    "strike": "143",
}

#: Material (non-verbal) action verbs, coded OTHER; they matter for embedded and
#: modal acts ("threatened to attack" is THREATEN, "said it will attack" is THREATEN).
MATERIAL_CODES: dict[str, str] = {
    "cooperate": "060",
    "share": "064",
    "collaborate": "060",
    "provide": "070",
    "donate": "070",
    "contribute": "070",
    "help": "070",
    "aid": "070",
    "grant": "070",
    "send": "070",
    "deliver": "070",
    "supply": "070",
    "assist": "070",
    "concede": "080",
    "yield": "080",
    "resign": "080",
    "ease": "081",
    "lift": "081",
    "release": "084",
    "free": "084",
    "return": "084",
    "withdraw": "166",
    "investigate": "090",
    "probe": "090",
    "examine": "090",
    "inspect": "090",
    "mobilize": "154",
    "mobilise": "154",
    "deploy": "154",
    "suspend": "160",
    "cut": "160",
    "halt": "160",
    "sever": "161",
    "break": "161",
    "stop": "160",
    "sanction": "163",
    "embargo": "163",
    "expel": "174",
    "deport": "174",
    "ban": "172",
    "restrict": "172",
    "impose": "172",
    "tighten": "172",
    "order": "170",
    "arrest": "173",
    "detain": "173",
    "jail": "173",
    "imprison": "173",
    "indict": "173",
    "prosecute": "173",
    "seize": "171",
    "confiscate": "171",
    "raid": "171",
    "hack": "171",
    "deface": "171",
    "block": "144",
    "attack": "180",
    "kill": "180",
    "murder": "180",
    "bomb": "183",
    "kidnap": "181",
    "abduct": "181",
    "hijack": "181",
    "torture": "182",
    "beat": "182",
    "stab": "182",
    "wound": "180",
    "injure": "180",
    "assassinate": "186",
    "execute": "186",
    "shoot": "193",
    "fire": "190",
    "shell": "194",
    "fight": "190",
    "clash": "190",
    "invade": "192",
    "occupy": "192",
    "retake": "190",
    "capture": "190",
    "bombard": "194",
    "blockade": "191",
    "storm": "190",
    "retaliate": "190",
    "engage": "190",
    "annex": "192",
    "overrun": "190",
    "charge": "173",
    "prevent": "170",
    "evict": "174",
}

#: Codes whose acts are hostile: promised or conditional, they are threats (CAMEO 13x).
HOSTILE_PREFIXES: tuple[str, ...] = ("13", "14", "15", "161", "163", "17", "18", "19", "20")

#: Verbs that frame an action as intended (``agreed to X``): INTEND unless hostile.
INTENT_FRAMES: frozenset[str] = frozenset(
    """agree promise pledge vow offer propose intend plan commit undertake volunteer
    consent want""".split()
)
#: Adjectives that frame an action as intended (``ready to``, ``willing to``).
INTENT_ADJECTIVES: frozenset[str] = frozenset(
    "ready willing prepared committed determined eager keen open".split()
)
#: Verbs that frame an action as refused (``refused to X``): REJECT_DENY.
REFUSAL_FRAMES: frozenset[str] = frozenset("refuse decline reject".split())
#: Verbs whose infinitive complement is requested of their object (``urged X to``).
APPEAL_FRAMES: frozenset[str] = frozenset(
    "urge ask call appeal press push implore beg exhort invite demand request want".split()
)
#: Future and prediction auxiliaries; inside reported speech they mark intent.
FUTURE_AUX: frozenset[str] = frozenset({"will", "would", "shall", "'ll", "wo", "'d"})
#: Obligation modals: ``X must Y`` inside reported speech is a demand on X.
OBLIGATION_AUX: frozenset[str] = frozenset({"must"})
#: Markers of a condition: an intent with ``unless`` is an ultimatum.
CONDITION_MARKERS: frozenset[str] = frozenset({"unless"})

#: Objects that turn "claim/take/accept X" into a claim of responsibility (015).
RESPONSIBILITY_NOUNS: frozenset[str] = frozenset({"responsibility", "credit"})
RESPONSIBILITY_VERBS: frozenset[str] = frozenset(
    "claim take accept assume admit acknowledge bear".split()
)
#: Patients that make ``claim`` a claim of responsibility (015): "claimed the attack",
#: "the bombing was claimed by ...".
CLAIMED_HARM_NOUNS: frozenset[str] = frozenset(
    """attack attacks assault assaults bombing bombings blast blasts explosion explosions
    shooting shootings killing killings massacre massacres assassination assassinations
    kidnapping kidnappings abduction abductions hijacking hijackings raid raids ambush
    ambushes strike strikes atrocity atrocities murder murders beheading beheadings
    sabotage""".split()
)
#: Patients that make ``claim`` mean "took (lives)", not a statement: "the crash claimed 40 lives".
CLAIMED_LIFE_NOUNS: frozenset[str] = frozenset({"life", "lives", "victim", "victims"})
#: Objects that make ``deny`` a denial of responsibility (016) rather than a refusal.
DENIAL_OBJECTS: frozenset[str] = frozenset(
    """responsibility involvement role allegation allegations charge charges claim
    claims report reports accusation accusations link links wrongdoing knowledge
    participation complicity accusations guilt""".split()
)
#: Objects of "express" that give an ASSERT sub-code (012/013/018) or a praise (051).
EXPRESS_OBJECTS: dict[str, str] = {
    "concern": "012",
    "regret": "012",
    "pessimism": "012",
    "doubt": "012",
    "fear": "012",
    "disappointment": "111",
    "outrage": "111",
    "anger": "111",
    "dismay": "111",
    "optimism": "013",
    "hope": "013",
    "confidence": "013",
    "appreciation": "013",
    "gratitude": "013",
    "satisfaction": "013",
    "sympathy": "018",
    "condolences": "018",
    "condolence": "018",
    "solidarity": "018",
    "support": "051",
    "approval": "051",
}

# ---------------------------------------------------------------------------
# Nominal triggers and their light verbs
# ---------------------------------------------------------------------------

#: Event nouns: base (singular) form -> CAMEO code.
NOUN_CODES: dict[str, str] = {
    "protest": "140",
    "demonstration": "141",
    "rally": "141",
    "march": "141",
    "strike": "143",
    "boycott": "143",
    "riot": "145",
    "sit-in": "141",
    "walkout": "143",
    "picket": "141",
    "vigil": "141",
    "talks": "040",
    "talk": "040",
    "meeting": "040",
    "summit": "040",
    "negotiation": "046",
    "negotiations": "046",
    "consultation": "040",
    "consultations": "040",
    "discussion": "040",
    "visit": "042",
    "mediation": "045",
    "conference": "040",
    "accusation": "112",
    "allegation": "112",
    "criticism": "111",
    "condemnation": "111",
    "complaint": "114",
    "lawsuit": "115",
    "suit": "115",
    "appeal": "020",
    "demand": "100",
    "call": "020",
    "request": "020",
    "plea": "020",
    "ultimatum": "139",
    "threat": "130",
    "warning": "130",
    "denial": "016",
    "rejection": "120",
    "veto": "129",
    "apology": "055",
    "praise": "051",
    "welcome": "043",
    "endorsement": "051",
    "offer": "030",
    "proposal": "030",
    "promise": "030",
    "pledge": "030",
    "remarks": "010",
    "statement": "010",
    "speech": "010",
    "declaration": "010",
    "announcement": "010",
    # Material acts announced or imposed (coded OTHER): they make a report specific.
    "sanctions": "163",
    "sanction": "163",
    "embargo": "163",
    "ban": "172",
    "freeze": "163",
    "curfew": "172",
    "blockade": "191",
    "investigation": "090",
    "probe": "090",
    "ceasefire": "087",
    "truce": "087",
    "offensive": "190",
    "attack": "180",
    "crackdown": "175",
    "withdrawal": "166",
}

#: Verbs that carry an event noun as object ("staged a protest", "held talks").
LIGHT_VERBS: frozenset[str] = frozenset(
    """stage hold launch begin start conduct organize organise lead join call issue
    make lodge file deliver give express voice reiterate renew repeat extend level
    bring mount attend resume continue open host convene plan insist announce impose
    declare order threaten prevent ban""".split()
)
#: Prepositions after which a protest or meeting noun is an event the subject joins.
EVENT_PREPOSITIONS: frozenset[str] = frozenset({"in", "during", "for", "at", "into"})
#: Nouns of agreements: ``sign X`` is CAMEO 057, otherwise ``sign`` is not coded.
AGREEMENT_NOUNS: frozenset[str] = frozenset(
    """agreement treaty accord pact deal memorandum protocol declaration charter
    convention contract communique""".split()
)

# ---------------------------------------------------------------------------
# Multi-word triggers: (head base form, particle or object word) -> CAMEO code
# ---------------------------------------------------------------------------

#: Verb + preposition/particle pairs that form one trigger.
PHRASAL_CODES: dict[tuple[str, str], str] = {
    ("call", "for"): "020",
    ("call", "on"): "020",
    ("call", "upon"): "020",
    ("appeal", "to"): "020",
    ("appeal", "for"): "020",
    ("push", "for"): "020",
    ("lash", "out"): "111",
    ("speak", "out"): "111",
    ("hit", "out"): "111",
    ("point", "finger"): "112",
    ("point", "fingers"): "112",
    ("take", "issue"): "111",
    ("find", "fault"): "111",
    ("turn", "down"): "120",
    ("rule", "out"): "120",
    ("brush", "aside"): "120",
    ("walk", "out"): "143",
    ("go", "strike"): "143",
    ("issue", "ultimatum"): "139",
    ("give", "ultimatum"): "139",
    ("hold", "talks"): "040",
    ("sit", "down"): "046",
    ("deliver", "remarks"): "010",
    ("give", "speech"): "010",
    ("present", "evidence"): "112",
    ("establish", "ties"): "054",
    ("establish", "relations"): "054",
    ("restore", "ties"): "050",
    ("restore", "relations"): "050",
    ("normalize", "relations"): "050",
    ("normalise", "relations"): "050",
}

# ---------------------------------------------------------------------------
# Inflection normaliser
# ---------------------------------------------------------------------------

_IRREGULAR: dict[str, tuple[str, ...]] = {
    "say": ("said",),
    "tell": ("told",),
    "meet": ("met",),
    "hold": ("held",),
    "give": ("gave", "given"),
    "take": ("took", "taken"),
    "make": ("made",),
    "speak": ("spoke", "spoken"),
    "strike": ("struck", "stricken"),
    "withdraw": ("withdrew", "withdrawn"),
    "shoot": ("shot",),
    "fight": ("fought",),
    "lead": ("led",),
    "send": ("sent",),
    "bring": ("brought",),
    "begin": ("began", "begun"),
    "break": ("broke", "broken"),
    "forgive": ("forgave", "forgiven"),
    "undertake": ("undertook", "undertaken"),
    "write": ("wrote", "written"),
    "seek": ("sought",),
    "beat": ("beaten",),
    "cut": ("cut",),
    "bear": ("bore", "borne"),
    "overrun": ("overran",),
    "go": ("went", "gone"),
    "sit": ("sat",),
    "find": ("found",),
    "hit": ("hit",),
    "put": ("put",),
    "freeze": ("froze", "frozen"),
    "rise": ("rose", "risen"),
    "lay": ("laid",),
    "stand": ("stood",),
    "win": ("won",),
    "draw": ("drew", "drawn"),
    "keep": ("kept",),
    "mislead": ("misled",),
    "upset": ("upset",),
    "shut": ("shut",),
    "spread": ("spread",),
    "read": ("read",),
    "set": ("set",),
    "let": ("let",),
}

_VOWELS = "aeiou"


def inflections(base: str) -> set[str]:
    """The regular and irregular inflected forms of the verb or noun ``base``."""
    forms = {base}
    forms.update(_IRREGULAR.get(base, ()))
    if base.endswith("ee"):
        forms.update({base + "s", base + "d", base + "ing"})
    elif base.endswith("e"):
        stem = base[:-1]
        forms.update({base + "s", base + "d", stem + "ing"})
    elif base.endswith("y") and len(base) > 2 and base[-2] not in _VOWELS:
        stem = base[:-1]
        forms.update({stem + "ies", stem + "ied", base + "ing"})
    else:
        suffix = "es" if base.endswith(("s", "x", "z", "ch", "sh")) else "s"
        forms.add(base + suffix)
        forms.update({base + "ed", base + "ing"})
        # Consonant doubling for short stressed stems (ban -> banned, plan -> planning).
        if (
            len(base) >= 3
            and base[-1] not in _VOWELS + "wxy"
            and base[-2] in _VOWELS
            and base[-3] not in _VOWELS
        ):
            forms.update({base + base[-1] + "ed", base + base[-1] + "ing"})
    return forms


def _vocabulary() -> Iterable[str]:
    yield from VERB_CODES
    yield from MATERIAL_CODES
    yield from NOUN_CODES
    yield from LIGHT_VERBS
    yield from INTENT_FRAMES
    yield from RESPONSIBILITY_VERBS
    for head, particle in PHRASAL_CODES:
        yield head
        yield particle
    yield from ("express", "establish", "restore", "normalize", "normalise", "schedule")


@functools.lru_cache(maxsize=1)
def _reverse_index() -> dict[str, str]:
    index: dict[str, str] = {}
    # Sorted so that a form shared by two bases always maps to the same one.
    for base in sorted(set(_vocabulary())):
        for form in sorted(inflections(base)):
            index.setdefault(form, base)
    for base in sorted(set(_vocabulary())):
        index[base] = base  # a base form always maps to itself
    return index


def base_form(word: str) -> str:
    """The lexicon base form of ``word`` (lower-cased), or ``word`` itself if unknown."""
    lower = word.lower()
    return _reverse_index().get(lower, lower)


# ---------------------------------------------------------------------------
# CAMEO table (data/cameo_map.tsv)
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def cameo_table() -> dict[str, tuple[str, SpeechActClass]]:
    """Every CAMEO event code -> (name, coarse class), read from ``data/cameo_map.tsv``."""
    table: dict[str, tuple[str, SpeechActClass]] = {}
    text = resources.files("claimgraph").joinpath("data/cameo_map.tsv").read_text("utf-8")
    rows = (line for line in text.splitlines() if line and not line.startswith("#"))
    for row in csv.DictReader(rows, delimiter="\t"):
        table[row["cameo_code"]] = (row["cameo_name"], SpeechActClass(row["coarse_class"]))
    return table


def cameo_class(code: str) -> SpeechActClass | None:
    """The coarse class of CAMEO event ``code`` (``"0352"`` falls back to ``"035"``, ``"03"``)."""
    table = cameo_table()
    code = code.strip()
    if len(code) == 2 and code not in table:
        code += "0"  # the table lists most roots by their 3-digit "x0" code
    while code:
        if code in table:
            return table[code][1]
        code = code[:-1]
    return None


def cameo_name(code: str) -> str | None:
    """The CAMEO name of ``code``, or ``None`` when unknown."""
    entry = cameo_table().get(code)
    return entry[0] if entry else None


__all__ = [
    "AGREEMENT_NOUNS",
    "APPEAL_FRAMES",
    "CLAIMED_HARM_NOUNS",
    "CLAIMED_LIFE_NOUNS",
    "CONDITION_MARKERS",
    "DENIAL_OBJECTS",
    "EVENT_PREPOSITIONS",
    "EXPRESS_OBJECTS",
    "FUTURE_AUX",
    "HOSTILE_PREFIXES",
    "INTENT_ADJECTIVES",
    "INTENT_FRAMES",
    "LIGHT_VERBS",
    "MATERIAL_CODES",
    "NOUN_CODES",
    "OBLIGATION_AUX",
    "PHRASAL_CODES",
    "REFUSAL_FRAMES",
    "REPORT_VERBS",
    "RESPONSIBILITY_NOUNS",
    "RESPONSIBILITY_VERBS",
    "VERB_CODES",
    "base_form",
    "cameo_class",
    "cameo_name",
    "cameo_table",
    "inflections",
]
