"""Structural clean-up of predicted attributions: quote continuation and missing sources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from claimgraph.attribution.features import DocFeatures, cue_head
from claimgraph.attribution.tagger import RawAttribution


class SourceChooser(Protocol):
    """What post-processing asks of the second stage (:class:`.rerank.Reranker`)."""

    def choose(
        self,
        feats: DocFeatures,
        cue: tuple[int, int],
        content: Sequence[int],
        chosen: tuple[int, ...],
        proposals: dict[str, tuple[int, ...]],
        source_prob: dict[int, float],
    ) -> tuple[int, ...]: ...

#: Whether a cue with no tagged source takes its grammatical subject.
SUBJECT_FALLBACK = True
#: Whether a source the role tagger found likely but not best (``weak_source``) goes
#: before the grammatical subject; otherwise it is the last resort.
WEAK_SOURCE_FIRST = True
#: Whether "according to X" always takes X as its source (and X leaves the content).
ACCORDING_TO = True
#: Whether a finite cue verb the parser left without a subject takes a nearby proper
#: noun or nominative pronoun (:func:`_orphan_source`) as a last resort.
ORPHAN_FALLBACK = True
#: Whether content stopping inside an open quotation runs on to the closing mark.
QUOTE_CONTINUATION = True

#: Whether a negated passive subject ("no evidence has been provided") drops the cue.
NEGATED_PASSIVE_FILTER = True

#: Whether a participle modifying a noun ("Hispanics criticizing ...") takes the noun.
ACL_SOURCES = True
_NOUN_TAGS = frozenset({"NN", "PR"})

_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
_AGENT_DEPS = frozenset({"agent"})
#: Dependencies through which a subject-less verb borrows its governor's subject.
_CLIMB_DEPS = frozenset({"conj", "advcl", "xcomp"})
_MAX_CLIMB = 2
#: Subjects that never name a source ("it is believed", "there are claims").
_EMPTY_SUBJECTS = frozenset({"it", "there", "this", "that", "which"})


def _continue_quote(feats: DocFeatures, content: tuple[int, ...]) -> tuple[int, ...]:
    """Extend content that stops inside an open quotation up to its closing mark.

    Quotation state resets at newlines, so the extension never crosses a paragraph.
    """
    last = max(content)
    if not feats.inquote[last] or feats.is_quote[last]:
        return content
    extra: list[int] = []
    i = last + 1
    while i < feats.n and feats.inquote[i] and len(extra) < 200:
        extra.append(i)
        if feats.is_quote[i]:
            break
        i += 1
    else:
        return content  # the quotation never closes: leave it as tagged
    return tuple(sorted({*content, *extra}))


def _subject_source(feats: DocFeatures, cue: tuple[int, int]) -> tuple[int, ...]:
    """The tokens of the cue's grammatical subject (or passive agent), cut before the cue.

    A participle or coordinated verb without a subject of its own ("..., saying that",
    "and said", "by stating that") borrows the subject of the verb it depends on.
    """
    node = cue_head(feats, cue)
    for _ in range(_MAX_CLIMB + 1):
        for child in feats.children[node]:
            dep = feats.deps[child]
            if dep in _SUBJECT_DEPS:
                if feats.lower[child] in _EMPTY_SUBJECTS:
                    return ()
                return _subtree_before(feats, child, cue[0])
            if dep in _AGENT_DEPS:
                objects = [c for c in feats.children[child] if feats.deps[c] == "pobj"]
                if objects:
                    return _subtree_before(feats, objects[0], feats.n)
        up = feats.heads[node]
        if (
            ACL_SOURCES
            and feats.deps[node] == "acl"
            and up != node
            and feats.tags[up][:2] in _NOUN_TAGS
        ):
            return _subtree_before(feats, up, node)  # "voters criticizing ...": the noun
        if feats.deps[node] == "pcomp" and feats.deps[up] == "prep":
            node = feats.heads[up]  # "X challenged ... by stating that": X is the source
            continue
        if feats.deps[node] not in _CLIMB_DEPS or up == node:
            return ()
        node = up
    return ()


_FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP"})
_NOMINATIVE = frozenset({"he", "she", "they", "we", "i"})
_PROPER_TAGS = frozenset({"NNP", "NNPS"})


def _orphan_source(
    feats: DocFeatures, cue: tuple[int, int], content: tuple[int, ...]
) -> tuple[int, ...]:
    """A source for a finite cue verb the parser left without a subject.

    Mis-parsed inversions ("...," opined the Plain Dealer) attach the speaker as a
    proper-noun object after the verb, with the content before it; mis-attached subjects
    ("Clinton, without naming him, also accused ...") leave the nearest proper noun or
    nominative pronoun to the left, in the same sentence and not inside the content.
    """
    head = cue_head(feats, cue)
    if feats.tags[head] not in _FINITE_TAGS:
        return ()
    if any(feats.deps[c] in _SUBJECT_DEPS or feats.deps[c] == "expl" for c in feats.children[head]):
        return ()
    inside = set(content)
    if content and max(content) < cue[0]:
        for c in feats.children[head]:
            if feats.deps[c] == "dobj" and c >= cue[1] and feats.tags[c] in _PROPER_TAGS:
                return _subtree_before(feats, c, feats.n)
    start = feats.sent_bounds[feats.sent_of[head]][0]
    i = cue[0] - 1
    while i >= start and i not in inside:
        if feats.tags[i] in _PROPER_TAGS or (
            feats.tags[i] == "PRP" and feats.lower[i] in _NOMINATIVE
        ):
            root = i
            while (
                feats.deps[root] == "compound"
                and feats.heads[root] != root
                and feats.heads[root] < cue[0]
            ):
                root = feats.heads[root]
            return tuple(
                j for j in _subtree_before(feats, root, cue[0]) if j not in inside and j < cue[0]
            )
        i -= 1
    return ()


def _according_to_source(feats: DocFeatures, cue: tuple[int, int]) -> tuple[int, ...]:
    """X of an "according to X" cue: the object of its "to", as parsed; else empty."""
    head = cue_head(feats, cue)
    if feats.lower[head] != "according":
        return ()
    for to in feats.children[head]:
        if feats.lower[to] == "to":
            for obj in feats.children[to]:
                if feats.deps[obj] == "pobj":
                    return _subtree_before(feats, obj, feats.n)
    return ()


def _holds_governor(feats: DocFeatures, cue: tuple[int, int], source: tuple[int, ...]) -> bool:
    """Whether the source swallowed a verb that governs the cue ("X has challenged ... by").

    A source is a noun phrase; one that holds the cue's governing verb ran over the
    clause, and the governor's subject is the better source.
    """
    node = cue_head(feats, cue)
    members = set(source)
    for _ in range(_MAX_CLIMB):
        up = feats.heads[node]
        if up == node:
            return False
        if up in members and feats.tags[up].startswith("VB"):
            return True
        node = up
    return False


def _subtree_before(feats: DocFeatures, root: int, limit: int) -> tuple[int, ...]:
    stack, out = [root], []
    while stack:
        i = stack.pop()
        if i < limit or i == root:
            out.append(i)
            stack.extend(feats.children[i])
    return tuple(sorted(i for i in out if not feats.is_space[i]))


#: Determiners that negate a source ("no evidence", "no one").
_NEGATING_DETS = frozenset({"no", "neither"})


def _negated_passive(feats: DocFeatures, cue: tuple[int, int], source: tuple[int, ...]) -> bool:
    """Whether the source is a negated passive subject of the cue.

    "no evidence has been provided to support these accusations" states that nothing
    was asserted: no source says anything, so it is not an attribution.
    """
    head = cue_head(feats, cue)
    if not any(feats.deps[c] == "auxpass" for c in feats.children[head]):
        return False
    for subj in feats.children[head]:
        if feats.deps[subj] != "nsubjpass" or subj not in source:
            continue
        if any(
            feats.deps[c] in ("det", "neg") and feats.lower[c] in _NEGATING_DETS
            for c in feats.children[subj]
        ):
            return True
    return False


def postprocess(
    feats: DocFeatures, raws: list[RawAttribution], ranker: SourceChooser | None = None
) -> list[RawAttribution]:
    """Return the attributions after structural fixes, in cue order.

    * content and source stay in the cue's paragraph;
    * content left inside an open quotation is continued to the closing mark;
    * a cue whose source the tagger left empty takes the tagger's likeliest source run
      (``weak_source``), else its grammatical subject, else (a finite verb the parser
      left subject-less) a nearby proper noun or nominative pronoun; one whose source
      ran over the verb governing the cue takes its grammatical subject;
    * a cue whose source is a negated passive subject ("no evidence has been
      provided") is dropped;
    * with a ``ranker`` (the second stage, :mod:`.rerank`), the source is finally chosen
      among candidate phrases, the fallbacks' proposals among them.
    """
    out: list[RawAttribution] = []
    for raw in sorted(raws, key=lambda r: r.cue):
        para = feats.para[raw.cue[0]]
        raw = replace(
            raw,
            content=tuple(i for i in raw.content if feats.para[i] == para),
            source=tuple(i for i in raw.source if feats.para[i] == para),
            weak_source=tuple(i for i in raw.weak_source if feats.para[i] == para),
        )
        if not raw.content:
            continue
        content = _continue_quote(feats, raw.content) if QUOTE_CONTINUATION else raw.content
        source = raw.source
        named = _according_to_source(feats, raw.cue) if ACCORDING_TO else ()
        if named:
            source = named
            named_set = set(named)
            content = tuple(i for i in content if i not in named_set)
            if not content:
                continue
        subject = _subject_source(feats, raw.cue)
        if source and SUBJECT_FALLBACK and _holds_governor(feats, raw.cue, source):
            source = subject or source
        if not source and WEAK_SOURCE_FIRST:
            source = raw.weak_source
        if not source and SUBJECT_FALLBACK:
            source = subject
        if not source:
            source = raw.weak_source
        if not source and ORPHAN_FALLBACK:
            source = _orphan_source(feats, raw.cue, content)
        in_content = set(content)
        source = tuple(i for i in source if i not in in_content)
        if ranker is not None and not named:
            proposals = {"tagged": raw.source, "weak": raw.weak_source, "subject": subject}
            source = ranker.choose(feats, raw.cue, content, source, proposals, raw.source_probs)
        # the fallbacks and the ranker's phrases are parse subtrees, which can run over a
        # paragraph break (a headline's last word, a blank line, then the source's name)
        source = tuple(i for i in source if feats.para[i] == para and not feats.is_space[i])
        if NEGATED_PASSIVE_FILTER and _negated_passive(feats, raw.cue, source):
            continue
        out.append(replace(raw, content=content, source=source))
    return _resolve_nesting(out)


#: Which of two nested attributions survives: "inner", "outer", "confidence" (the more
#: confident one), or "trim" (as "confidence", but an outer one that loses keeps its
#: content before the inner cue when that has at least :data:`TRIM_MIN` tokens).
NESTING = "trim"
#: With ``"trim"``: words of the outer content before the inner cue needed to keep it.
TRIM_MIN = 6


def _resolve_nesting(raws: list[RawAttribution]) -> list[RawAttribution]:
    """Resolve attributions nested in another's content (the corpus never nests them)."""
    contents = [set(r.content) for r in raws]
    # Which attributions' contents hold each token (contents only shrink below, so this
    # stays a superset; the test against ``contents[j]`` decides).
    holders: dict[int, list[int]] = {}
    for j, content in enumerate(contents):
        for token in content:
            holders.setdefault(token, []).append(j)
    dropped: set[int] = set()
    for i, inner in enumerate(raws):
        for j in holders.get(inner.cue[0], ()):
            outer = raws[j]
            if i == j or i in dropped or j in dropped:
                continue
            if inner.cue[0] in contents[j]:
                if NESTING == "outer":
                    loser = i
                elif NESTING == "inner":
                    loser = j
                else:
                    ci = inner.cue_confidence * inner.role_confidence
                    cj = outer.cue_confidence * outer.role_confidence
                    loser = i if ci < cj else j
                    if NESTING == "trim" and loser == j:
                        # keep the outer one where it does not overlap the inner one
                        taken = {*range(*inner.cue), *inner.content, *inner.source}
                        rest = [t for t in outer.content if t not in taken]
                        if sum(1 for t in rest if t < inner.cue[0]) >= TRIM_MIN:
                            rest = [t for t in rest if t < inner.cue[0]]
                            raws[j] = replace(outer, content=tuple(rest))
                            contents[j] = set(rest)
                            continue
                dropped.add(loser)
    return [r for k, r in enumerate(raws) if k not in dropped]


__all__ = ["postprocess"]
