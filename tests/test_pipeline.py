"""Whole-pipeline properties: never crashes, keeps every span exact, is deterministic."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimgraph.config import Config
from claimgraph.errors import InputError
from claimgraph.ingest import article_from_text, load_inputs
from claimgraph.model import Article, ArticleAnalysis, Failure
from claimgraph.outputs import to_jsonl_line
from claimgraph.pipeline import Pipeline
from conftest import DATA, ROOT

pytestmark = pytest.mark.slow

#: Language checks off: generated texts are English-like, not always English enough.
CONFIG = Config.model_validate({"ingest": {"check_language": False}})


@functools.lru_cache(maxsize=1)
def _pipeline() -> Pipeline:
    """One pipeline per test session (loading spaCy is the slow part)."""
    return Pipeline(CONFIG)


def _article(text: str) -> Article:
    return article_from_text(text, config=CONFIG.ingest)


def _analyze(articles: list[Article]) -> list[ArticleAnalysis | Failure]:
    return list(_pipeline().analyze(articles))


def _check(analysis: ArticleAnalysis | Failure) -> ArticleAnalysis:
    """Every invariant a finished analysis must hold; returns it for further checks."""
    assert isinstance(analysis, ArticleAnalysis), analysis
    analysis.check_spans()
    statement_ids = [s.id for s in analysis.statements]
    actor_ids = [a.id for a in analysis.actors]
    claim_ids = [e.claim_id for e in analysis.evidence]
    for ids in (statement_ids, actor_ids, [a.id for a in analysis.speech_acts], claim_ids):
        assert len(ids) == len(set(ids)), f"duplicate ids: {ids}"
    for statement in analysis.statements:
        if statement.speaker is not None and statement.speaker.actor_id is not None:
            assert statement.speaker.actor_id in actor_ids, statement
    for act in analysis.speech_acts:
        assert act.statement_id is None or act.statement_id in statement_ids, act
        assert act.source_actor is None or act.source_actor in actor_ids, act
        assert all(t in actor_ids for t in act.target_actors), act
        # ``attributed_by`` is the reporter's actor id; its words are ``attributed_by_span``.
        if act.attributed_by is not None:
            assert act.attributed_by in actor_ids, act
    for item in analysis.evidence:
        assert item.statement_id is None or item.statement_id in statement_ids, item
        # ``denied_by`` holds resolved denier actor ids only; every denial has its words.
        assert all(ref in actor_ids for ref in item.denied_by), item
        assert ("denied" in item.statuses) == bool(item.denials), item
        for span in item.denials:
            span.check(analysis.article.text)
    assert ArticleAnalysis.model_validate_json(analysis.model_dump_json()) == analysis
    return analysis


# ---------------------------------------------------------------------------
# Generated English-like texts
# ---------------------------------------------------------------------------

NAMES = [
    "Vladimir Putin", "Putin", "Alexander Lukashenko", "Ukraine", "the FSB", "Maria Lopez",
    "The mayor", "a senior official", "NATO", "Dr. Chen", "the White House", "Zoë Ångström",
    "the union", "Ministry of Defence",
]  # fmt: skip
VERBS = [
    "said", "says", "told reporters", "denied", "claimed", "warned", "accused Russia of",
    "insisted", "added", "argued", "rejected", "praised", "threatened", "promised",
    "called for", "noted",
]  # fmt: skip
PRONOUNS = ["He", "She", "They", "It", "he", "she", "they", "We", "I"]
CLAUSES = [
    "the talks had failed", "terrorists were escaping to Belarus", "nothing had changed",
    "there was no evidence", "the strike would continue", "prices may rise next year",
    "the report was false", "the window was closed", "sanctions are working",
    "officials reportedly knew", "it is unclear whether the deal holds",
]  # fmt: skip
ODD = [
    "", "...", " —", " –", "!!", "?!", ";", ":", " (sic)", " [1]", "…", " 😀", " ‘", "’",
    "«", "»", " \u00a0", "\u200b", " „", "“", "”", '"', "'", " İstanbul", "ß", "e\u0301",
    "\u2028", "\u00ad", " ﬁ", " 𝐁old", "\ufeff", " ʻ",
]  # fmt: skip


@st.composite
def sentences(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(NAMES + PRONOUNS))
    verb = draw(st.sampled_from(VERBS))
    clause = draw(st.sampled_from(CLAUSES))
    odd = draw(st.sampled_from(ODD))
    shape = draw(st.integers(0, 9))
    if shape == 0:
        return f"{name} {verb} that {clause}{odd}."
    if shape == 1:
        return f"“{clause.capitalize()},” {name} {verb}{odd}."
    if shape == 2:
        return f'"{clause.capitalize()}," {name.lower()} {verb}. "{clause}{odd}"'
    if shape == 3:
        return f"According to {name}, {clause}{odd}."
    if shape == 4:  # unbalanced quotes
        quote = draw(st.sampled_from(["“", "”", '"', "‘"]))
        return f"{quote}{clause.capitalize()}, {name} {verb}{odd}"
    if shape == 5:  # very long sentence
        parts = draw(st.lists(st.sampled_from(CLAUSES), min_size=5, max_size=30))
        return f"{name} {verb} that " + ", and that ".join(parts) + f"{odd}."
    if shape == 6:  # fragmented quote
        return f"“{clause.capitalize()},” {verb} {name}, “and {clause}{odd}.”"
    if shape == 7:
        return draw(st.text(min_size=1, max_size=40))
    if shape == 8:
        return f"{name}{odd} {verb}{odd} {odd}"
    return f"{clause.capitalize()}, {name} {verb}, according to {draw(st.sampled_from(NAMES))}."


SEPARATORS = st.sampled_from([" ", "  ", "\n", "\n\n", "\t", " \n ", ""])


@st.composite
def texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(sentences(), min_size=1, max_size=12))
    seps = draw(st.lists(SEPARATORS, min_size=len(parts), max_size=len(parts)))
    head = draw(st.sampled_from(["", "Breaking news\n\n", "HEADLINE: talks fail\n\n"]))
    return head + "".join(p + s for p, s in zip(parts, seps, strict=True))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(texts())
def test_pipeline_never_crashes_and_keeps_spans_exact(text: str) -> None:
    try:
        article = _article(text)
    except InputError:  # too short, control characters: refused at ingest, not a crash
        return
    (result,) = _analyze([article])
    _check(result)


# ---------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------

DETERMINISM_TEXTS = [
    "“We will not back down,” union leader Maria Lopez told reporters on Monday. "
    "She said the strike would continue. The port authority denied the claims.",
    "According to the FSB, terrorists were escaping to Belarus. Alexander Lukashenko "
    "rejected that, saying the window was closed. Putin warned that sanctions may follow.",
    "The report was false, officials reportedly said. “It is unclear,” he added.",
]


def test_pipeline_is_deterministic_across_runs_and_batches() -> None:
    articles = [_article(t) for t in DETERMINISM_TEXTS]
    alone = [to_jsonl_line(_check(_analyze([a])[0])) for a in articles]
    again = [to_jsonl_line(_check(_analyze([a])[0])) for a in articles]
    batch = [to_jsonl_line(_check(r)) for r in _analyze(articles)]
    reversed_batch = [to_jsonl_line(_check(r)) for r in _analyze(articles[::-1])][::-1]
    assert alone == again == batch == reversed_batch


_SUBPROCESS = """
import sys
from claimgraph.config import Config
from claimgraph.ingest import article_from_text
from claimgraph.outputs import to_jsonl_line
from claimgraph.pipeline import Pipeline
config = Config.model_validate({"ingest": {"check_language": False}})
texts = sys.stdin.read().split("\\x1e")
articles = [article_from_text(t, config=config.ingest) for t in texts]
for result in Pipeline(config).analyze(articles):
    print(to_jsonl_line(result))
"""


def test_pipeline_is_deterministic_across_processes() -> None:
    # Another interpreter with another string-hash seed: no set or dict order may leak out.
    articles = [_article(t) for t in DETERMINISM_TEXTS]
    here = [to_jsonl_line(_check(r)) for r in _analyze(articles)]
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-c", _SUBPROCESS],
        input="\x1e".join(DETERMINISM_TEXTS),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=True,
    )
    assert done.stdout.splitlines() == here


# ---------------------------------------------------------------------------
# Examples and real data
# ---------------------------------------------------------------------------


def test_pipeline_analyses_the_canonical_example(example_html) -> None:
    items = list(load_inputs([str(example_html)], config=CONFIG.ingest))
    assert items and all(isinstance(i, Article) for i in items), items
    for result in _analyze(items):  # type: ignore[arg-type]
        assert _check(result).statements


@pytest.mark.parametrize("name", ["harbor-strike.html", "feed.xml"])
def test_pipeline_analyses_the_bundled_examples(name: str) -> None:
    items = list(load_inputs([str(ROOT / "examples" / name)], config=CONFIG.ingest))
    assert items and all(isinstance(i, Article) for i in items), items
    results = _analyze(items)  # type: ignore[arg-type]
    assert len(results) == len(items)
    for result in results:
        _check(result)


def test_pipeline_analyses_real_dev_texts(shared_dir) -> None:
    path = DATA / "attribution" / "dev.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for _, line in zip(range(30), fh, strict=False)]
    articles = [_article(row["text"]) for row in rows]
    results = _analyze(articles)
    assert len(results) == len(articles)
    for result in results:
        _check(result)


def test_pipeline_analyses_a_text_longer_than_the_parser_limit_in_a_batch(monkeypatch) -> None:
    # Regression: a text over spaCy's max_length (E088) crashed the whole batch.
    pipeline = _pipeline()
    monkeypatch.setattr(pipeline.nlp, "max_length", 1000)
    long_text = "\n\n".join(
        f"“The talks failed on day {i},” Maria Lopez said. Putin denied that sanctions work."
        for i in range(30)
    )
    articles = [_article(DETERMINISM_TEXTS[0]), _article(long_text), _article(DETERMINISM_TEXTS[1])]
    results = [_check(r) for r in pipeline.analyze(articles)]
    assert [r.article.id for r in results] == [a.id for a in articles]
    assert len(results[1].statements) >= 30
    assert results[1].statements[-1].cue.start > 2000


def test_pipeline_collector_tuning_is_undone_after_a_batch() -> None:
    import gc

    from claimgraph.pipeline import GC_YOUNG_THRESHOLD, collector_for_batch

    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with collector_for_batch():
        assert gc.get_threshold()[0] >= GC_YOUNG_THRESHOLD
        assert gc.get_freeze_count() > frozen
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen
    with pytest.raises(RuntimeError), collector_for_batch():
        raise RuntimeError("a failing batch")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen
