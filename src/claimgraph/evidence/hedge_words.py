"""The words of hedging: general English vocabulary of doubt, seeming, belief and
questions that :mod:`claimgraph.evidence.hedges` reads (never an article's wording)."""

from __future__ import annotations

#: Modal auxiliaries, by the kind of uncertainty they express.
MODALS: dict[str, str] = {
    "may": "possible", "might": "possible", "could": "possible", "can": "possible",
    "ca": "possible", "would": "conditional", "should": "probable", "must": "probable",
    "will": "future", "wo": "future", "shall": "future", "'ll": "future", "'d": "conditional",
}

#: Epistemic modals that make a claim ``hedged`` (``will``/``can`` do not).
EPISTEMIC_MODALS = frozenset({"may", "might", "could", "would", "should", "must"})

#: Hedging adverbs and adjectives ("reportedly", "likely").
HEDGE_ADVERBS = frozenset({
    "allegedly", "reportedly", "possibly", "probably", "perhaps", "maybe", "apparently",
    "seemingly", "supposedly", "purportedly", "presumably", "likely", "unlikely",
    "potentially", "arguably", "ostensibly", "conceivably", "plausibly", "reputedly",
    "evidently", "roughly", "approximately", "almost", "nearly", "about", "around",
})

#: Adverbs that hedge a *claim* (a subset: approximators hedge numbers, not claims).
CLAIM_HEDGE_ADVERBS = HEDGE_ADVERBS - {"roughly", "approximately", "almost", "nearly", "about",
                                       "around", "evidently"}

#: Adjectives that hedge the proposition they govern ("it is likely that ...").
HEDGE_ADJECTIVES = frozenset({
    "likely", "unlikely", "possible", "probable", "alleged", "suspected", "apparent",
    "presumed", "purported", "supposed", "uncertain", "unclear", "unconfirmed", "rumored",
    "rumoured", "potential", "conceivable", "doubtful",
})

#: Verbs that put their complement in doubt ("appears to", "seems", "suggests").
HEDGE_VERBS = frozenset({
    "appear", "appears", "appeared", "appearing", "seem", "seems", "seemed", "seeming",
    "suggest", "suggests", "suggested", "suggesting", "indicate", "indicates", "indicated",
    "suspect", "suspects", "suspected", "believe", "believes", "believed", "think", "thinks",
    "thought", "speculate", "speculates", "speculated", "guess", "assume", "assumed",
    "presume", "presumed", "allege", "alleges", "alleged", "rumor", "rumored", "rumoured",
    "doubt", "doubts", "doubted", "estimate", "estimates", "estimated", "tend", "tends",
    "expect", "expects", "expected", "sound", "sounds", "sounded", "sounding",
})

#: Nouns of tentative indication whose "that" clause they put in doubt ("signs are growing
#: that ...", "there are indications that ...").
INDICATION_NOUNS = frozenset({"sign", "signs", "indication", "indications", "hint", "hints"})

#: Idioms of stated uncertainty; each hedges the sentence it stands in.
UNCERTAINTY_IDIOMS: tuple[tuple[str, ...], ...] = (
    ("jury", "is", "still", "out"), ("jury", "is", "out"), ("jury", "'s", "still", "out"),
    ("remains", "to", "be", "seen"), ("remain", "to", "be", "seen"),
    ("anyone", "'s", "guess"), ("an", "open", "question"),
)

#: Subordinators that make a clause conditional or open.
CONDITIONAL_MARKS = frozenset({"if", "unless", "whether", "lest", "provided", "suppose",
                               "supposing", "assuming"})

#: Reporting constructions that distance the writer ("is said to", "is believed to").
PASSIVE_REPORTING = frozenset({"said", "reported", "believed", "thought", "rumored",
                               "rumoured", "alleged", "claimed", "understood", "expected",
                               "considered", "suspected", "feared"})

#: Clausal dependents that a hedge on their head does not reach when they stand before it:
#: a fronted clause ("X attacked Y, so it may come as a surprise") is asserted on its own.
FRONTED_CLAUSES = frozenset({"ccomp", "parataxis", "advcl"})

#: Words of certainty that hedge when weakened ("almost certainly") or denied ("not sure").
CERTAINTY_WORDS = frozenset({"certain", "certainly", "sure", "clear", "convinced", "definite",
                             "definitely"})

#: Adverbs that weaken a word of certainty.
WEAKENERS = frozenset({"almost", "virtually", "nearly", "probably", "fairly", "reasonably"})

#: Verbs of seeming that take a "like" clause ("it looks like we are tied").
LOOK_VERBS = frozenset({"look", "looks", "looked", "looking", "sound", "sounds", "sounded"})

#: Modals that hedge a claim: possibility.  "would" reports a future or a condition,
#: "should"/"must" mostly an obligation; none of them puts the claim in doubt.
CLAIM_MODALS = frozenset({"may", "might", "could"})

#: Belief and expectation verbs hedge a claim only in the speaker's own voice ("I think",
#: "he wouldn't expect" in reported speech); a third party's belief ("Rubio believes that
#: ...") attributes the claim, it does not hedge it.
BELIEF_VERBS = frozenset({
    "believe", "believes", "believed", "think", "thinks", "thought", "guess", "assume",
    "assumed", "presume", "presumed", "suspect", "suspects", "suspected", "suppose",
    "expect", "expects", "expected",
})

FIRST_PERSON = frozenset({"i", "we"})

#: Adverbs that make a belief verb insist, not hedge ("I truly believe").
INSISTING = frozenset({"truly", "really", "firmly", "genuinely", "sincerely", "strongly"})

#: Pronouns that, as the subject of a belief verb inside reported speech, stand for the
#: speaker ("Beck said he wouldn't expect ..." reports "I wouldn't expect ...").
REPORTED_SELF = frozenset({"he", "she", "they", "i", "we"})

#: Verbs of proposing: "suggested that the country should ..." proposes, it does not hedge.
PROPOSAL_VERBS = frozenset({"suggest", "suggests", "suggested", "suggesting"})

DEONTIC_MODALS = frozenset({"should", "must", "ought", "shall"})

#: Nouns whose complement is someone's belief or expectation ("the expectation that ...").
BELIEF_NOUNS = frozenset({
    "belief", "beliefs", "expectation", "expectations", "assumption", "assumptions",
    "perception", "perceptions", "impression", "hope", "hopes", "fear", "fears", "view",
    "suspicion", "suspicions", "speculation", "prediction", "predictions",
})

#: Tags of question words ("who", "which", "how").
WH_TAGS = frozenset({"WP", "WDT", "WRB", "WP$"})

#: Words that ask, after which "how", "when" or "why" opens a question ("asked how ...").
QUESTION_WORDS = frozenset({"ask", "asks", "asked", "asking", "wonder", "wonders",
                            "wondered", "wondering", "question", "questions", "unclear",
                            "know", "knows", "decide", "decided"})
#: Nouns that "likely" classifies rather than hedges ("likely voters", a poll's term).
POLL_NOUNS = frozenset({"voter", "voters", "caucusgoers", "electorate"})

#: Words of a speaker that is a share of people polled ("20 percent said they believe").
SURVEY_WORDS = frozenset({"percent", "%", "majority", "respondents", "half", "third",
                          "quarter", "plurality", "minority"})

#: Statement cues whose own meaning is epistemic (a hedge, not just an attribution):
#: "X appears to", "suggested that", "hints at".
EPISTEMIC_CUES = frozenset({
    "appear", "appears", "appeared", "seem", "seems", "seemed", "suggest", "suggests",
    "suggested", "suspect", "suspects", "suspected", "speculate", "speculated", "speculates",
    "allege", "alleged", "alleges", "guess", "presume", "presumed", "assume", "assumed",
    "rumored", "rumoured", "hint", "hints", "hinted", "hinting", "suggesting", "appearing",
    "seeming", "speculating",
})

#: Verbs of seeming by sound: epistemic only with a complement ("sounds unworkable").
SOUND_VERBS = frozenset({"sound", "sounds", "sounded"})

#: Verbs of indication: a hedge with a subject that is not a person ("the poll indicates
#: that ..."); a person who "indicated" something said it.
INDICATION_VERBS = frozenset({"indicate", "indicates", "indicated", "indicating"})

#: Subjects that indicate without saying: things that are read as evidence.
INDICATORS = frozenset({
    "it", "this", "that", "which", "poll", "polls", "polling", "survey", "surveys", "data",
    "study", "studies", "research", "report", "reports", "evidence", "figures", "numbers",
    "results", "result", "analysis", "records", "documents", "document", "findings",
    "statistics", "trend", "trends", "sign", "signs", "record", "tests", "test", "model",
    "models", "projections", "estimates", "count", "returns", "turnout",
})


__all__ = [
    "BELIEF_NOUNS",
    "BELIEF_VERBS",
    "CERTAINTY_WORDS",
    "CLAIM_HEDGE_ADVERBS",
    "CLAIM_MODALS",
    "CONDITIONAL_MARKS",
    "DEONTIC_MODALS",
    "EPISTEMIC_CUES",
    "EPISTEMIC_MODALS",
    "FIRST_PERSON",
    "FRONTED_CLAUSES",
    "HEDGE_ADJECTIVES",
    "HEDGE_ADVERBS",
    "HEDGE_VERBS",
    "INDICATION_NOUNS",
    "INDICATION_VERBS",
    "INDICATORS",
    "INSISTING",
    "LOOK_VERBS",
    "MODALS",
    "PASSIVE_REPORTING",
    "POLL_NOUNS",
    "PROPOSAL_VERBS",
    "QUESTION_WORDS",
    "REPORTED_SELF",
    "SOUND_VERBS",
    "SURVEY_WORDS",
    "UNCERTAINTY_IDIOMS",
    "WEAKENERS",
    "WH_TAGS",
]
