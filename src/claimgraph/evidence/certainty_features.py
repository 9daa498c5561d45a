"""Scope features of one event mention for the certainty model (:mod:`claimgraph.evidence.hedges`).

An event is seen through its *clause chain*: the clause it heads (or, for a nominal
event, the clause whose verb governs its noun phrase), then the clause that embeds that
one, and so on up to the sentence root.  Each clause contributes what makes MEANTIME
call an event not ``certain``: a modal auxiliary, an infinitival marker and the word
that governs the infinitive ("plans to", "efforts to", "asked them to", "refused to"),
a conditional subordinator, negation, hedging adverbs, the tense of its head, and the
link (``xcomp``, ``ccomp``, ``advcl``, ``acl`` ...) to the clause above.  Words are
grouped into general classes (intention, hedging, reporting, implicative) so the model
generalises beyond the governors it saw; the most frequent governor words are also
kept as lexical features.  Nothing here reads ``token.lemma_`` (the pipeline excludes
the lemmatizer): word classes list inflected forms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claimgraph.nlp.token_strings import token_texts

if TYPE_CHECKING:
    from spacy.tokens import Token

#: Modal auxiliaries and the kind of (un)certainty they express.
MODAL_CLASS: dict[str, str] = {
    "may": "possible", "might": "possible", "could": "possible", "can": "ability",
    "ca": "ability", "would": "conditional", "'d": "conditional", "should": "probable",
    "must": "probable", "ought": "probable", "will": "future", "wo": "future",
    "shall": "future", "'ll": "future",
}

#: Verbs, nouns and adjectives whose complement is intended, wanted, planned or
#: predicted, not (yet) a fact: "plans to X", "efforts to X", "asked them to X".
INTENT_WORDS = frozenset({
    "plan", "plans", "planned", "planning", "intend", "intends", "intended", "intending",
    "intent", "intention", "intentions", "want", "wants", "wanted", "wanting", "hope",
    "hopes", "hoped", "hoping", "aim", "aims", "aimed", "aiming", "seek", "seeks",
    "sought", "seeking", "try", "tries", "tried", "trying", "attempt", "attempts",
    "attempted", "attempting", "propose", "proposes", "proposed", "proposing", "proposal",
    "proposals", "ask", "asks", "asked", "asking", "agree", "agrees", "agreed", "agreeing",
    "decide", "decides", "decided", "expect", "expects", "expected", "expecting",
    "expectation", "expectations", "promise", "promises", "promised", "threaten",
    "threatens", "threatened", "wish", "wishes", "wished", "effort", "efforts", "bid",
    "bids", "goal", "goals", "order", "orders", "ordered", "urge", "urges", "urged",
    "insist", "insists", "insisted", "demand", "demands", "demanded", "request",
    "requests", "requested", "call", "calls", "called", "push", "pushes", "pushed",
    "pressure", "pressured", "encourage", "encouraged", "prepare", "prepares", "prepared",
    "preparing", "arrange", "arranged", "arranges", "schedule", "scheduled", "set", "due",
    "selected", "chosen", "picked", "allowed", "allow", "allows", "permitted", "able",
    "unable", "need", "needs", "needed", "willing", "ready", "eager", "likely", "unlikely",
    "going", "about", "designed", "move", "measures", "measure", "option", "options",
    "offer", "offers", "offered", "pledge", "pledged", "vow", "vowed", "commit",
    "negotiate", "negotiating", "talks", "deal", "agreement", "strategy",
    "predict", "predicts", "predicted", "forecast", "forecasts", "forecasted",
    "anticipate", "anticipates", "anticipated", "project", "projected", "consider",
    "considers", "considering", "considered", "mull", "mulling", "discuss", "discussing",
    "recommend", "recommended", "recommends", "chance", "possibility", "risk", "threat",
    "prospect", "prospects", "worry", "worries", "fear", "fears", "feared",
    "concern", "concerns", "early", "would", "like",
})
#: Verbs that cast doubt on their complement ("appears to", "seems", "suggests").
HEDGE_WORDS = frozenset({
    "appear", "appears", "appeared", "appearing", "seem", "seems", "seemed", "seeming",
    "suggest", "suggests", "suggested", "suggesting", "indicate", "indicates", "indicated",
    "suspect", "suspects", "suspected", "believe", "believes", "believed", "think",
    "thinks", "thought", "speculate", "speculates", "speculated", "guess", "assume",
    "assumed", "assumption", "presume", "presumed", "allege", "alleges", "alleged",
    "rumor", "rumored", "rumoured", "doubt", "doubts", "doubted", "estimate", "estimates",
    "estimated", "tend", "tends", "possible", "probable", "uncertain", "unclear",
    "unknown", "whether", "if", "hypothetical", "potential", "potentially",
})
#: Reporting verbs (speech is not by itself a hedge, but "predicted that ... would" is).
REPORT_WORDS = frozenset({
    "say", "says", "said", "saying", "tell", "tells", "told", "announce", "announces",
    "announced", "announcing", "announcement", "report", "reports", "reported", "state",
    "states", "stated", "claim", "claims", "claimed", "add", "adds", "added", "explain",
    "explained", "note", "noted", "confirm", "confirmed", "reveal", "revealed",
})
#: Verbs whose infinitival complement did (or definitely did not) happen: "refused to",
#: "managed to", "began to", "was used to", "fell ... to reach".
IMPLICATIVE_WORDS = frozenset({
    "manage", "managed", "manages", "fail", "fails", "failed", "refuse", "refuses",
    "refused", "start", "starts", "started", "starting", "begin", "begins", "began",
    "begun", "continue", "continues", "continued", "continuing", "used", "help", "helped",
    "helps", "enable", "enabled", "enabling", "forced", "force", "chose", "opted",
    "decline", "declined", "stop", "stopped", "cease", "ceased", "committed", "went",
    "rose", "fell", "dropped", "climbed", "gained", "lost", "increased", "decreased",
    "closed", "jumped", "slid", "surged", "plunged", "tumbled", "rallied", "finished",
})
#: Subordinators that make a clause conditional or open.
CONDITIONAL_MARKS = frozenset({"if", "unless", "whether", "lest", "provided", "suppose",
                               "supposing", "assuming", "once"})
#: Hedging adverbs.
HEDGE_ADVERBS = frozenset({
    "allegedly", "reportedly", "possibly", "probably", "perhaps", "maybe", "apparently",
    "seemingly", "supposedly", "purportedly", "presumably", "likely", "unlikely",
    "potentially", "arguably", "ostensibly", "conceivably", "plausibly", "reputedly",
})
#: Adjectives on a nominal event that leave it open ("proposed merger", "possible cuts").
IRREALIS_ADJECTIVES = frozenset({
    "proposed", "possible", "potential", "tentative", "planned", "prospective",
    "future", "expected", "likely", "probable", "alleged", "suspected", "rumored",
    "rumoured", "hypothetical", "intended", "projected", "anticipated", "pending",
    "upcoming", "new", "further", "more",
})
#: Passive reporting ("is said to be") distances the writer.
PASSIVE_REPORT = frozenset({"said", "reported", "believed", "thought", "rumored",
                            "rumoured", "alleged", "claimed", "understood", "expected",
                            "considered", "suspected", "feared", "tipped", "set"})

#: Links that cross from one clause into the clause above it.
CLAUSE_LINKS = frozenset({"xcomp", "ccomp", "advcl", "acl", "relcl", "csubj", "csubjpass",
                          "pcomp", "conj", "parataxis", "ROOT"})
MAX_LEVELS = 3


def word_class(word: str) -> str:
    """The class of a governing word: intent, hedge, report, implicative or other."""
    if word in INTENT_WORDS:
        return "intent"
    if word in HEDGE_WORDS:
        return "hedge"
    if word in REPORT_WORDS:
        return "report"
    if word in IMPLICATIVE_WORDS:
        return "implicative"
    return "other"


def _is_verbal(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB") or token.tag_ == "MD"


def _clause_head(token: Token) -> Token:
    """The verb heading the clause that holds ``token`` (``token`` itself when verbal)."""
    node = token
    for _ in range(8):
        if _is_verbal(node) and node.dep_ not in ("aux", "auxpass"):
            return node
        if node.head.i == node.i:
            return node
        node = node.head
    return node


def _has_to(token: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children)


def _clause_features(head: Token, level: int, feats: dict[str, float]) -> None:
    """Features of one clause of the chain, prefixed ``L{level}``."""
    p = f"L{min(level, MAX_LEVELS)}"
    feats[f"{p}_tag={head.tag_}"] = 1.0
    modal = None
    for child in head.children:
        low = child.lower_
        if child.dep_ in ("aux", "auxpass") and low in MODAL_CLASS:
            modal = low
            feats[f"{p}_modal={MODAL_CLASS[low]}"] = 1.0
            feats[f"{p}_modal_w={low}"] = 1.0
            feats[f"any_modal={MODAL_CLASS[low]}"] = 1.0
        elif child.dep_ == "neg":
            feats[f"{p}_neg"] = 1.0
        elif child.dep_ == "mark" and low in CONDITIONAL_MARKS:
            feats[f"{p}_cond"] = 1.0
            feats["any_cond"] = 1.0
        elif child.dep_ == "mark":
            feats[f"{p}_mark={low}"] = 1.0
        elif low in HEDGE_ADVERBS and child.dep_ in ("advmod", "npadvmod"):
            feats[f"{p}_hedge_adv"] = 1.0
            feats["any_hedge_adv"] = 1.0
        elif child.dep_ in ("advmod", "npadvmod") and low in ("already", "now", "today",
                                                               "yesterday", "recently"):
            feats[f"{p}_time_adv"] = 1.0
        elif child.dep_ == "aux" and low in ("has", "have", "had"):
            feats[f"{p}_perfect"] = 1.0
    if head.tag_ == "MD":
        feats[f"{p}_modal=head"] = 1.0
    link = head.dep_
    feats[f"{p}_link={link}"] = 1.0
    inf = _has_to(head) or (head.tag_ == "VB" and modal is None and link in (
        "xcomp", "advcl", "acl", "relcl", "ccomp"))
    gov = head.head
    gclass = word_class(gov.lower_) if link != "ROOT" else "none"
    if link != "ROOT":
        feats[f"{p}_govclass={gclass}"] = 1.0
        feats[f"{p}_link_govclass={link}|{gclass}"] = 1.0
        if level < 2:
            feats[f"{p}_gov={gov.lower_}"] = 1.0
        feats[f"{p}_govpos={gov.pos_}"] = 1.0
        if gov.lower_ in PASSIVE_REPORT and any(c.dep_ == "auxpass" for c in gov.children):
            feats["passive_report"] = 1.0
    if inf:
        feats[f"{p}_inf"] = 1.0
        feats[f"{p}_inf_govclass={gclass}"] = 1.0
        feats[f"{p}_inf_link={link}|{gov.tag_[:2]}"] = 1.0
        feats[f"{p}_inf_gov={gov.lower_}"] = 1.0
        if gclass == "intent":
            feats["any_inf_intent"] = 1.0
    if gclass == "hedge":
        feats["any_hedge_gov"] = 1.0
    if gclass == "intent" and link in ("ccomp", "xcomp", "acl"):
        feats["any_intent_comp"] = 1.0
    if modal and level > 0:
        feats["modal_above"] = 1.0
    if modal and gclass in ("report", "intent", "hedge") and link == "ccomp":
        feats[f"{p}_modal_under={gclass}|{MODAL_CLASS[modal]}"] = 1.0


_QUOTE_MARKS = frozenset({'"', "``", "''"})


def event_features(token: Token) -> dict[str, float]:
    """Sparse binary features of the event headed by ``token`` (see the module doc)."""
    feats: dict[str, float] = {"bias": 1.0}
    feats[f"pos={token.pos_}"] = 1.0
    feats[f"tag={token.tag_}"] = 1.0
    feats[f"dep={token.dep_}"] = 1.0
    nominal = not _is_verbal(token)
    if nominal:
        feats[f"np_dep={token.dep_}"] = 1.0
        feats[f"np_head_pos={token.head.pos_}"] = 1.0
        for child in token.children:
            low = child.lower_
            if child.dep_ == "det":
                feats[f"np_det={low if low in ('a', 'an', 'the', 'no', 'any') else 'other'}"] = 1.0
            elif child.dep_ in ("amod", "compound") and low in IRREALIS_ADJECTIVES:
                feats["np_irrealis_mod"] = 1.0
                feats[f"np_mod={low}"] = 1.0
            elif child.dep_ == "poss":
                feats["np_poss"] = 1.0
            elif child.dep_ in ("prep", "acl") and any(_has_to(g) for g in child.subtree):
                feats["np_has_inf"] = 1.0
        if token.lower_ in INTENT_WORDS:
            feats["np_is_intent"] = 1.0
        if token.head.lower_ in IRREALIS_ADJECTIVES:
            feats["np_irrealis_mod"] = 1.0
    sent = token.sent
    words = token_texts(token.doc)[sent.start : sent.end]  # cached: no Token objects
    if "?" in words:
        feats["question"] = 1.0
    if not _QUOTE_MARKS.isdisjoint(words):
        feats["quoted_sentence"] = 1.0
    head = _clause_head(token)
    level = 0
    seen: set[int] = set()
    while level <= 5 and head.i not in seen:
        seen.add(head.i)
        _clause_features(head, level, feats)
        if head.head.i == head.i:
            break
        head = _clause_head(head.head)
        level += 1
    feats[f"depth={min(level, 4)}"] = 1.0
    # Cue words shortly before the event (the classic window rule).
    lo = max(sent.start, token.i - 4)
    for prev in token.doc[lo : token.i]:
        low = prev.lower_
        if low in MODAL_CLASS or low in CONDITIONAL_MARKS or low in HEDGE_ADVERBS:
            feats["win_cue"] = 1.0
            feats[f"win={low}"] = 1.0
    if token.i > sent.start and token.doc[token.i - 1].lower_ == "to":
        feats["prev_to"] = 1.0
    return feats


__all__ = ["event_features", "word_class"]
