"""Token features for the attribution taggers, computed once per ``Doc``.

Two CRF taggers read these features:

* the **cue tagger** labels each sentence's tokens ``B``/``I``/``O`` (reporting cue or not);
* the **role tagger** labels, for one cue, the tokens of a window of sentences around it as
  ``S`` (source), ``C`` (content), ``K`` (the cue itself) or ``O``.

Static per-token strings are built once per document (:class:`DocFeatures`); the
cue-relative features of the role tagger only add a handful of strings per token, so the
stage stays cheap next to parsing.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from spacy.tokens import Doc

#: Tokens that open or close a direct quotation (double quotation marks).
OPEN_QUOTES = frozenset({"“", "„", "``"})
CLOSE_QUOTES = frozenset({"”"})
TOGGLE_QUOTES = frozenset({'"', "''"})
QUOTE_TOKENS = OPEN_QUOTES | CLOSE_QUOTES | TOGGLE_QUOTES

#: Sentences before and after the cue's sentence that the role tagger sees.
WINDOW_BEFORE = 2
WINDOW_AFTER = 3
#: Longest role window in tokens (long paragraphs are cut around the cue).
MAX_WINDOW = 160


_SUBJ_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})
_CLAUSE_DEPS = frozenset({"ccomp", "xcomp", "advcl", "acl", "relcl", "pcomp"})
_MARK_DEPS = frozenset({"mark", "aux", "advmod", "nsubj"})


def stem(word: str) -> str:
    """A crude inflection-stripped form ("blasting" -> "blast", "condemned" -> "condemn").

    The analysis pipeline runs without spaCy's lemmatizer; this lets rare forms of a
    reporting verb share evidence with its other forms.
    """
    n = len(word)
    if n > 5 and word.endswith("ing"):
        return word[:-3]
    if n > 4 and word.endswith("ied"):
        return word[:-3] + "y"
    if n > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if n > 4 and word.endswith("ed"):
        return word[:-2]
    if n > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@functools.lru_cache(maxsize=512)
def _sentence_offset(so: int) -> str:
    return "so=" + str(so)


@functools.lru_cache(maxsize=1024)
def _distance_bucket(d: int) -> str:
    a = abs(d)
    if a <= 3:
        b = str(a)
    elif a <= 6:
        b = "4-6"
    elif a <= 12:
        b = "7-12"
    elif a <= 25:
        b = "13-25"
    else:
        b = "26+"
    return ("L" if d < 0 else "R") + b


@dataclass
class DocFeatures:
    """Per-token facts and static feature strings of one parsed document."""

    n: int
    starts: list[int]
    ends: list[int]
    lower: list[str]
    is_space: list[bool]
    is_word: list[bool]
    inquote: list[bool]
    is_quote: list[bool]
    heads: list[int]
    deps: list[str]
    children: list[list[int]]
    sent_of: list[int]
    sent_bounds: list[tuple[int, int]]
    para_of_sent: list[int]
    para: list[int]
    cue_static: list[list[str]]
    role_static: list[list[str]]
    tags: list[str]
    ents: list[str]


def quote_states(words: Sequence[str], is_space: Sequence[bool]) -> list[bool]:
    """Whether each token lies inside double quotation marks (reset at every newline).

    Quotation mark tokens themselves count as inside.
    """
    state = False
    out: list[bool] = []
    for word, space in zip(words, is_space, strict=True):
        if space and "\n" in word:
            state = False
            out.append(False)
            continue
        if word in OPEN_QUOTES:
            state = True
            out.append(True)
        elif word in CLOSE_QUOTES:
            out.append(True)
            state = False
        elif word in TOGGLE_QUOTES:
            out.append(True)
            state = not state
        else:
            out.append(state)
    return out


@functools.lru_cache(maxsize=1)
def _blas_controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


#: Rows per block of :func:`nearest_centroids` (8,192 x 512 centroids: 16 MB).
_CENTROID_BLOCK = 8192


def nearest_centroids(vectors: np.ndarray, centroids: Sequence[np.ndarray]) -> list[list[int]]:
    """For each centroid table, the index of the nearest centroid of every row of ``vectors``."""
    out: list[list[int]] = []
    # These products are small: a multi-threaded BLAS spends more time synchronising its
    # threads (and fighting the parser for the cores) than computing; one thread is ~3x faster.
    with _blas_controller().limit(limits=1, user_api="blas"):
        for table in centroids:
            # |x - c|^2 = |x|^2 - 2x.c + |c|^2; |x|^2 is the same for every c of a row.
            norms = (table * table).sum(axis=1)[None, :]
            nearest: list[int] = []
            # rows in blocks, so that a long document's distance matrix stays small
            for block in range(0, len(vectors), _CENTROID_BLOCK):
                rows = vectors[block : block + _CENTROID_BLOCK]
                # norms - 2 x.c, in place (the same floats, without two temporary matrices)
                distances = rows @ table.T
                distances *= -2.0
                distances += norms
                nearest.extend(distances.argmin(axis=1).tolist())
            out.append(nearest)
    return out


def _cluster_strings(
    doc: Doc, centroids: Sequence[np.ndarray]
) -> list[tuple[str, ...]] | None:
    """``k<table>=<cluster>`` features from the parser's contextual token vectors.

    ``None`` when the ``Doc`` has no tensor of the width the centroids were fitted on
    (another spaCy model): the taggers then run on the discrete features alone.
    """
    tensor = getattr(doc, "tensor", None)
    if not centroids or tensor is None or len(tensor.shape) != 2:
        return None
    if tensor.shape[0] != len(doc) or tensor.shape[1] != centroids[0].shape[1]:
        return None
    ids = nearest_centroids(np.asarray(tensor, dtype=np.float32), centroids)
    names = _cluster_names(tuple(len(table) for table in centroids))
    columns = [
        [table_names[c] for c in column] for table_names, column in zip(names, ids, strict=True)
    ]
    return list(zip(*columns, strict=True))


@functools.lru_cache(maxsize=4)
def _cluster_names(sizes: tuple[int, ...]) -> list[list[str]]:
    """The feature strings ``k<table>=<cluster>`` of tables of ``sizes`` centroids."""
    return [[f"k{j}={c}" for c in range(size)] for j, size in enumerate(sizes)]


def _prefixed(prefix: str, values: Sequence[str]) -> list[str]:
    return [prefix + v for v in values]


def _static_features(
    lower: list[str],
    tags: list[str],
    deps: list[str],
    shapes: list[str],
    ents: list[str],
    heads: list[int],
    children: list[list[int]],
    inquote: list[bool],
    is_space: list[bool],
    sent_has_quote: list[bool],
    clusters: list[tuple[str, ...]] | None,
) -> tuple[list[list[str]], list[list[str]]]:
    """The cue and role taggers' static feature strings of every token.

    Each feature is built for all tokens at once (one list comprehension per feature,
    stems once per distinct word), then gathered per token: about twice as fast as
    building the strings token by token.
    """
    n = len(lower)
    if n == 0:
        return [], []
    stems = {w: stem(w) for w in set(lower)}
    head_lower = [lower[h] for h in heads]
    head_tags = [tags[h] for h in heads]
    head_deps = [deps[h] for h in heads]
    f_w = _prefixed("w=", lower)
    f_t = _prefixed("t=", tags)
    f_d = _prefixed("d=", deps)
    f_sh = ["sh=" + s[:4] for s in shapes]
    f_q = ["q=1" if q else "q=0" for q in inquote]
    f_e = _prefixed("e=", ents)
    f_suf = ["suf=" + w[-3:] for w in lower]
    f_hw = _prefixed("hw=", head_lower)
    f_ht = _prefixed("ht=", head_tags)
    f_hd = _prefixed("hd=", head_deps)
    f_wd = ["wd=" + w + "|" + d for w, d in zip(lower, deps, strict=True)]
    f_wt = ["wt=" + w + "|" + t for w, t in zip(lower, tags, strict=True)]
    edge = min(2, n)
    f_wm1 = ["w-1=<s>", *_prefixed("w-1=", lower[:-1])]
    f_wp1 = [*_prefixed("w+1=", lower[1:]), "w+1=</s>"]
    f_tm1 = ["t-1=<s>", *_prefixed("t-1=", tags[:-1])]
    f_tp1 = [*_prefixed("t+1=", tags[1:]), "t+1=</s>"]
    f_wm2 = ["w-2=<s>"] * edge + _prefixed("w-2=", lower[:-2])
    f_wp2 = _prefixed("w+2=", lower[2:]) + ["w+2=</s>"] * edge
    f_st = ["st=" + stems[w] for w in lower]
    f_hst = ["hst=" + stems[w] for w in head_lower]
    f_hh = ["hh=" + lower[heads[h]] for h in heads]

    cue_static: list[list[str]] = []
    role_static: list[list[str]] = []
    for i in range(n):
        if is_space[i]:
            cue_static.append(["SPACE"])
            role_static.append(["SPACE"])
            continue
        base = [f_w[i], f_t[i], f_d[i], f_sh[i], f_q[i]]
        if ents[i]:
            base.append(f_e[i])
        cue = [*base, f_suf[i], f_hw[i], f_ht[i], f_hd[i], f_wd[i], f_wt[i]]
        kids = children[i]
        if kids:
            cue.extend(["c:" + d for d in sorted({deps[c] for c in kids})])
        cue += [f_wm1[i], f_wp1[i], f_tm1[i], f_tp1[i], f_wm2[i], f_wp2[i], f_st[i], f_hst[i]]
        if heads[i] == i:
            cue.append("root")
        cue.append(f_hh[i])
        for c in kids:
            dc = deps[c]
            if dc in _SUBJ_DEPS:
                cue.append("subj=" + (ents[c] or (lower[c] if tags[c] == "PRP" else tags[c])))
            elif dc in _CLAUSE_DEPS:
                cue.extend(
                    "cm=" + dc + "|" + lower[m] for m in children[c] if deps[m] in _MARK_DEPS
                )
            elif dc == "prep" or dc == "agent":
                cue.append("prep=" + lower[c])
            elif dc == "dobj":
                cue.append("obj=" + (ents[c] or tags[c]))
        if sent_has_quote[i]:
            cue.append("sq")
        role = [
            *base, f_wm1[i], f_wp1[i], f_hd[i], f_hw[i], f_ht[i], f_wm2[i], f_wp2[i],
            f_tm1[i], f_tp1[i],
        ]
        if clusters is not None:
            cue.extend(clusters[i])
            role.extend(clusters[i])
        cue_static.append(cue)
        role_static.append(role)
    return cue_static, role_static


def doc_features(doc: Doc, centroids: Sequence[np.ndarray] = ()) -> DocFeatures:
    """Compute :class:`DocFeatures` for ``doc`` (one pass over its tokens).

    ``centroids`` are the k-means tables of :mod:`.train` over ``doc.tensor``.
    """
    n = len(doc)
    clusters = _cluster_strings(doc, centroids)
    # One to_array call instead of a Token object per attribute and token (much faster).
    from spacy.attrs import DEP, ENT_TYPE, HEAD, IDX, LOWER, ORTH, SHAPE, TAG

    arr = doc.to_array([ORTH, LOWER, TAG, DEP, IDX, ENT_TYPE, SHAPE])
    # HEAD is a signed offset stored as uint64: reinterpret before adding positions.
    rel_heads = doc.to_array([HEAD]).astype(np.int64).reshape(-1)
    strings = doc.vocab.strings

    def column(k: int) -> list[str]:
        """Column ``k`` of ``arr`` as strings (each distinct key looked up once)."""
        if n == 0:
            return []
        keys, index = np.unique(arr[:, k], return_inverse=True)
        names = [strings[key] if key else "" for key in keys.tolist()]
        return [names[j] for j in index.reshape(-1).tolist()]

    words = column(0)
    lower = column(1)
    tags = column(2)
    deps = column(3)
    heads = (rel_heads + np.arange(n, dtype=np.int64)).tolist()
    ents = column(5)
    shapes = column(6)
    starts = arr[:, 4].tolist() if n else []
    is_space = [not w.strip() for w in words]
    wordy = {w: any(c.isalnum() for c in w) for w in set(words)}
    is_word = [wordy[w] for w in words]
    ends = [s + len(w) for s, w in zip(starts, words, strict=True)]
    inquote = quote_states(words, is_space)
    is_quote = [w in QUOTE_TOKENS for w in words]

    children: list[list[int]] = [[] for _ in range(n)]
    for i, h in enumerate(heads):
        if h != i:
            children[h].append(i)

    sent_bounds: list[tuple[int, int]] = [(s.start, s.end) for s in doc.sents]
    para_of_token = [0] * n
    newlines = 0
    for i in range(n):
        if is_space[i] and "\n" in words[i]:
            newlines += 1
        para_of_token[i] = newlines

    sent_of = [0] * n
    para_of_sent: list[int] = []
    para = 0
    for k, (a, b) in enumerate(sent_bounds):
        for i in range(a, b):
            sent_of[i] = k
        para_of_sent.append(para)
        if any("\n" in words[i] for i in range(a, b) if is_space[i]) or (
            b < n and "\n" in doc[b - 1].whitespace_
        ):
            para += 1

    sent_has_quote = [False] * n
    for a, b in sent_bounds:
        if any(is_quote[a:b]):
            for i in range(a, b):
                sent_has_quote[i] = True

    cue_static, role_static = _static_features(
        lower, tags, deps, shapes, ents, heads, children, inquote, is_space, sent_has_quote,
        clusters,
    )
    return DocFeatures(
        n=n,
        starts=starts,
        ends=ends,
        lower=lower,
        is_space=is_space,
        is_word=is_word,
        inquote=inquote,
        is_quote=is_quote,
        heads=heads,
        deps=deps,
        children=children,
        sent_of=sent_of,
        sent_bounds=sent_bounds,
        para_of_sent=para_of_sent,
        para=para_of_token,
        cue_static=cue_static,
        role_static=role_static,
        tags=tags,
        ents=ents,
    )


def sentence_xseq(feats: DocFeatures, sent: int) -> list[list[str]]:
    """Cue-tagger features of the tokens of sentence ``sent``."""
    a, b = feats.sent_bounds[sent]
    return feats.cue_static[a:b]


def role_window(feats: DocFeatures, cue: tuple[int, int]) -> tuple[int, int]:
    """The token range the role tagger sees for the cue tokens ``cue`` (start, end)."""
    k = feats.sent_of[cue[0]]
    para = feats.para_of_sent[k]
    lo = k
    while lo > 0 and k - lo < WINDOW_BEFORE and feats.para_of_sent[lo - 1] == para:
        lo -= 1
    hi = k
    last = len(feats.sent_bounds) - 1
    while hi < last and hi - k < WINDOW_AFTER and feats.para_of_sent[hi + 1] == para:
        hi += 1
    start, end = feats.sent_bounds[lo][0], feats.sent_bounds[hi][1]
    if end - start > MAX_WINDOW:
        sa, sb = feats.sent_bounds[k]
        start = max(start, min(sa, cue[0] - MAX_WINDOW // 3))
        end = min(end, max(sb, start + MAX_WINDOW))
    return start, end


def _subtree(feats: DocFeatures, root: int, out: dict[int, str], label: str) -> None:
    stack = [root]
    while stack:
        i = stack.pop()
        if i not in out:
            out[i] = label
            stack.extend(feats.children[i])


#: Dependents whose word is kept in :func:`tree_paths` labels ("prep:in" vs "prep:of").
_LEXICAL_DEPS = frozenset({"prep", "agent", "advmod", "npadvmod", "mark", "dative"})


def _path_label(feats: DocFeatures, kind: str, child: int) -> str:
    dep = feats.deps[child]
    if dep in _LEXICAL_DEPS:
        return kind + dep + ":" + feats.lower[child]
    return kind + dep


def tree_paths(feats: DocFeatures, cue: tuple[int, int]) -> dict[int, str]:
    """Finer tree relations to the cue than :func:`tree_relations` (tokens not listed: none).

    A token under a dependent of the cue is labelled with that dependent's relation and
    the relation below it on the way down (``ch:dobj>prep``); the dependent itself ends in
    ``>``.  Under the governor's other dependents the label is ``sib:<dep>``.  Prepositions,
    markers and adverbs keep their word (``ch:prep:in>pobj``), so the role tagger can learn
    that "accused X *of* Y" carries content where "said *in* an interview" does not.
    """
    a, b = cue
    rel: dict[int, str] = {}
    for i in range(a, b):
        for child in feats.children[i]:
            if a <= child < b:
                continue
            label = _path_label(feats, "ch:", child)
            for grandchild in feats.children[child]:
                _subtree(feats, grandchild, rel, label + ">" + feats.deps[grandchild])
            rel[child] = label + ">"
    head = cue_head(feats, cue)
    gov = feats.heads[head]
    if gov != head:
        for child in feats.children[gov]:
            if child != head:
                _subtree(feats, child, rel, _path_label(feats, "sib:", child))
    return rel


def tree_relations(feats: DocFeatures, cue: tuple[int, int]) -> dict[int, str]:
    """How tokens relate to the cue in the parse tree (tokens not listed: no relation).

    Labels: ``K`` (cue), ``ch:<dep>`` (inside the subtree of a dependent of the cue),
    ``gov`` (the cue's governor), ``sib:<dep>`` (inside another dependent of the governor),
    ``anc`` (higher ancestors).
    """
    a, b = cue
    rel: dict[int, str] = {i: "K" for i in range(a, b)}
    heads = feats.heads
    head = cue_head(feats, cue)
    for i in range(a, b):
        for c in feats.children[i]:
            if c not in rel:
                _subtree(feats, c, rel, "ch:" + feats.deps[c])
    gov = heads[head]
    if gov != head and gov not in rel:
        rel[gov] = "gov"
        for c in feats.children[gov]:
            if c not in rel:
                _subtree(feats, c, rel, "sib:" + feats.deps[c])
        node = gov
        for _ in range(8):
            up = heads[node]
            if up == node or up in rel:
                break
            rel[up] = "anc"
            node = up
    return rel


def cue_head(feats: DocFeatures, cue: tuple[int, int]) -> int:
    """The token of the cue whose head lies outside it (its syntactic head)."""
    a, b = cue
    for i in range(a, b):
        if not (a <= feats.heads[i] < b) or feats.heads[i] == i:
            return i
    return b - 1


def cue_head_word(feats: DocFeatures, cue: tuple[int, int]) -> str:
    """The lower-cased word of the cue's syntactic head."""
    return feats.lower[cue_head(feats, cue)]


def role_xseq(feats: DocFeatures, cue: tuple[int, int], window: tuple[int, int]) -> list[list[str]]:
    """Role-tagger features of the window tokens for the cue tokens ``cue``."""
    a, b = cue
    start, end = window
    rel = tree_relations(feats, cue)
    paths = tree_paths(feats, cue)
    cw = cue_head_word(feats, cue)
    cs = "cs=" + stem(cw)
    cue_sent = feats.sent_of[a]
    cue_q = "1" if feats.inquote[a] else "0"
    cq = ("cq=" + cue_q + "0", "cq=" + cue_q + "1")
    cw_feature = "cw=" + cw
    tags, deps, lower, inquote = feats.tags, feats.deps, feats.lower, feats.inquote
    # the relation-dependent strings repeat within a window: built once per relation
    by_rel: dict[str, tuple[str, str, str]] = {}
    by_pos_rel: dict[tuple[str, str], str] = {}
    xseq: list[list[str]] = []
    for i in range(start, end):
        if feats.is_space[i]:
            xseq.append(["SPACE"])
            continue
        r = rel.get(i, "none")
        rs = by_rel.get(r)
        if rs is None:
            rs = by_rel[r] = ("r=" + r, "rc=" + r + "|" + cw, r + "|")
        if i < a:
            pos = _distance_bucket(i - a)
        elif i >= b:
            pos = _distance_bucket(i - b + 1)
        else:
            pos = "K"
        pr = by_pos_rel.get((pos, r))
        if pr is None:
            pr = by_pos_rel[pos, r] = "pr=" + pos + "|" + r
        rp = rs[2]
        xseq.append(
            [
                *feats.role_static[i],
                rs[0],
                rs[1],
                "p=" + pos,
                pr,
                "rt=" + rp + tags[i],
                "rd=" + rp + deps[i],
                "rw=" + rp + lower[i],
                "r2=" + paths.get(i, "none"),
                _sentence_offset(feats.sent_of[i] - cue_sent),
                cq[inquote[i]],
                cw_feature,
                cs,
            ]
        )
    return xseq


__all__ = [
    "QUOTE_TOKENS",
    "DocFeatures",
    "cue_head",
    "cue_head_word",
    "doc_features",
    "nearest_centroids",
    "quote_states",
    "role_window",
    "role_xseq",
    "sentence_xseq",
    "stem",
    "tree_paths",
    "tree_relations",
]
