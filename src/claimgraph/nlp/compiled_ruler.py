"""A faster stand-in for spaCy's ``attribute_ruler`` that sets the same POS, TAG and DEP.

The English pipelines' ``attribute_ruler`` maps fine-grained tags to coarse parts of
speech with about 180 token patterns run through spaCy's ``Matcher`` over every token;
that costs about a seventh of the whole parse.  Its patterns only ever test a token's
``TAG``, ``LOWER``, ``DEP`` and ``IS_SPACE`` (and, in one two-token pattern, the previous
token's ``DEP``), so the outcome for a token is a function of a handful of strings, and
of only those values that some pattern tests (every other word behaves alike).
:class:`FastAttributes` compiles the ruler's own patterns into that function, caches it
per distinct normalised key, and applies the results with array operations.

It sets ``POS``, ``TAG`` and ``DEP`` exactly as the ruler would (patterns apply in
order, later ones win).  It does not set ``LEMMA`` or ``MORPH``: the analysis pipeline
runs without the lemmatizer and reads no morphology.  A pattern it cannot compile
(another operator, another attribute) makes :func:`compile_ruler` return ``None`` and
the pipeline keeps the original component.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

logger = logging.getLogger(__name__)

#: Token attributes a compiled pattern may test.
_TESTABLE = frozenset({"TAG", "LOWER", "DEP", "IS_SPACE"})
#: Attributes the compiled component sets (the rest are ignored, see the module doc).
_SET = ("POS", "TAG", "DEP")

#: Slot of each testable attribute in a :data:`Key`.
_SLOTS = {"TAG": 0, "LOWER": 1, "DEP": 2, "IS_SPACE": 3}
#: Stands for every value no rule tests (never a real tag, word or label).
_UNTESTED = "\x00untested"

#: (tag, lower, dep, is_space) of one token.
Key = tuple[str, str, str, bool]
Test = Callable[[Key], bool]


def _value_test(attr: str, spec: Any) -> Callable[[Key], bool] | None:
    slot = _SLOTS[attr]
    if isinstance(spec, dict):
        if set(spec) == {"IN"}:
            members = frozenset(spec["IN"])
            return lambda key: key[slot] in members
        if set(spec) == {"NOT_IN"}:
            banned = frozenset(spec["NOT_IN"])
            return lambda key: key[slot] not in banned
        return None
    if isinstance(spec, bool | str):
        return lambda key: key[slot] == spec
    return None


def _token_test(token_spec: dict[str, Any]) -> Test | None:
    if not set(token_spec) <= _TESTABLE:
        return None
    tests = []
    for attr, spec in token_spec.items():
        test = _value_test(attr, spec)
        if test is None:
            return None
        tests.append(test)
    return lambda key: all(t(key) for t in tests)


@dataclass(frozen=True)
class _Rule:
    """One compiled pattern: tests for each of its tokens and what it sets on ``index``."""

    tests: tuple[Test, ...]
    index: int
    attrs: dict[str, str]
    specs: tuple[dict[str, Any], ...] = ()


def compile_ruler(patterns: Sequence[dict[str, Any]]) -> list[_Rule] | None:
    """Compile an ``AttributeRuler``'s ``patterns`` (in order), or ``None`` if unsupported."""
    rules: list[_Rule] = []
    for entry in patterns:
        attrs = {k: v for k, v in entry["attrs"].items() if k in _SET}
        if not attrs:
            continue  # only LEMMA / MORPH: not used here
        for pattern in entry["patterns"]:
            if not isinstance(pattern, list) or not pattern:
                return None
            tests = []
            for token_spec in pattern:
                test = _token_test(token_spec)
                if test is None:
                    return None
                tests.append(test)
            index = entry.get("index", 0)
            if index < 0:
                index += len(tests)
            if not 0 <= index < len(tests):
                return None
            rules.append(_Rule(tuple(tests), index, attrs, tuple(pattern)))
    return rules


class FastAttributes:
    """Pipeline component applying compiled attribute-ruler rules to each ``Doc``."""

    def __init__(self, rules: list[_Rule]) -> None:
        self.set_rules(rules)

    def set_rules(self, rules: list[_Rule]) -> None:
        """Use ``rules`` (from :func:`compile_ruler`) from now on."""
        self.rules = rules
        self.multi = [r for r in rules if len(r.tests) > 1]
        self._cache: dict[tuple[Key, tuple[bool, ...]], dict[str, str]] = {}
        self._norm_cache: dict[tuple[int, ...], Key] = {}
        # The values some rule tests, per slot. Every other value passes and fails the same
        # tests (==, IN, NOT_IN) as any other untested value, so keys are cached with it
        # replaced by one placeholder: a few hundred distinct keys instead of one per word.
        tested: list[set[str]] = [set(), set(), set()]
        for rule in rules:
            for spec in rule.specs:
                for attr, value in spec.items():
                    slot = _SLOTS.get(attr)
                    if slot is None or slot > 2:
                        continue
                    if isinstance(value, dict):
                        for members in value.values():
                            tested[slot].update(str(m) for m in members)
                    else:
                        tested[slot].add(str(value))
        self._tested: tuple[frozenset[str], ...] = tuple(frozenset(t) for t in tested)

    def _normal(self, key: Key) -> Key:
        tag, lower, dep, space = key
        tags, lowers, deps = self._tested
        return (
            tag if tag in tags or not tag else _UNTESTED,
            lower if lower in lowers or not lower else _UNTESTED,
            dep if dep in deps or not dep else _UNTESTED,
            space,
        )

    def _outcome(self, key: Key, multi_hits: tuple[bool, ...]) -> dict[str, str]:
        cached = self._cache.get((key, multi_hits))
        if cached is not None:
            return cached
        out: dict[str, str] = {}
        hits = iter(multi_hits)
        for rule in self.rules:
            if len(rule.tests) == 1:
                if rule.tests[0](key):
                    out.update(rule.attrs)
            elif next(hits):
                out.update(rule.attrs)
        if len(self._cache) < 200_000:
            self._cache[(key, multi_hits)] = out
        return out

    def __call__(self, doc: Doc) -> Doc:
        from spacy.attrs import DEP, IS_SPACE, LOWER, POS, TAG
        from spacy.parts_of_speech import IDS as POS_IDS

        n = len(doc)
        if not n:
            return doc
        strings = doc.vocab.strings
        norm_cache = self._norm_cache
        keys: list[Key] = []
        for row in doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist():
            ids = tuple(row)
            key = norm_cache.get(ids)
            if key is None:
                t, w, d, sp = row
                raw = (strings[t] if t else "", strings[w], strings[d] if d else "", bool(sp))
                key = self._normal(raw)
                if len(norm_cache) < 500_000:
                    norm_cache[ids] = key
            keys.append(key)
        pos = np.asarray(doc.to_array([POS]), dtype=np.uint64).reshape(-1)
        changed_tag: list[tuple[int, str]] = []
        changed_dep: list[tuple[int, str]] = []
        for i, key in enumerate(keys):
            hits: tuple[bool, ...] = ()
            if self.multi:
                hits = tuple(self._multi_hit(rule, keys, i) for rule in self.multi)
            out = self._outcome(key, hits)
            if not out:
                continue
            if "POS" in out:
                pos[i] = POS_IDS[out["POS"]]
            if "TAG" in out:
                changed_tag.append((i, out["TAG"]))
            if "DEP" in out:
                changed_dep.append((i, out["DEP"]))
        doc.from_array([POS], cast(Any, pos.reshape(-1, 1)))
        for i, tag in changed_tag:
            if doc[i].tag_ != tag:
                doc[i].tag_ = tag
        for i, dep in changed_dep:
            if doc[i].dep_ != dep:
                doc[i].dep_ = dep
        return doc

    @staticmethod
    def _multi_hit(rule: _Rule, keys: list[Key], i: int) -> bool:
        start = i - rule.index
        if start < 0 or start + len(rule.tests) > len(keys):
            return False
        return all(test(keys[start + j]) for j, test in enumerate(rule.tests))


#: Name of the component that replaces the ruler.
COMPONENT = "claimgraph_fast_attributes"


def _register() -> None:
    from spacy.language import Language

    if not Language.has_factory(COMPONENT):

        @Language.factory(COMPONENT)
        def _make(nlp: Language, name: str) -> FastAttributes:
            return FastAttributes([])


def use_fast_attributes(nlp: Language) -> bool:
    """Replace ``nlp``'s ``attribute_ruler`` by :class:`FastAttributes`, in place.

    Returns whether it was replaced (``False`` when there is no ruler or one of its
    patterns cannot be compiled).
    """
    if "attribute_ruler" not in nlp.pipe_names:
        return False
    ruler = cast(Any, nlp.get_pipe("attribute_ruler"))
    rules = compile_ruler(ruler.patterns)
    if rules is None:
        logger.debug("attribute_ruler has patterns the fast component cannot compile")
        return False
    _register()
    index = nlp.pipe_names.index("attribute_ruler")
    nlp.remove_pipe("attribute_ruler")
    following = nlp.pipe_names[index] if index < len(nlp.pipe_names) else None
    component = cast(FastAttributes, nlp.add_pipe(COMPONENT, before=following))
    component.set_rules(rules)
    return True
