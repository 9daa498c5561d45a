"""Shared fixtures (the only place fixtures live)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests check behaviour, never timing: a loaded CI machine must not fail them.
settings.register_profile("claimgraph", deadline=None)
settings.load_profile("claimgraph")

ROOT = Path(__file__).resolve().parents[1]
#: Third-party data lives beside the repository, never inside it.
SHARED = Path(os.environ.get("CLAIMGRAPH_SHARED", ROOT.parent / "shared"))
EXAMPLE_HTML = SHARED / "examples" / "lukashenko-putin.html"
EXAMPLE_TXT = SHARED / "examples" / "lukashenko-putin.txt"
DATA = SHARED / "data"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def example_html(shared_dir: Path) -> Path:
    return EXAMPLE_HTML


@pytest.fixture(scope="session")
def example_txt(shared_dir: Path) -> Path:
    return EXAMPLE_TXT


@pytest.fixture(scope="session")
def nlp():
    """The real pinned spaCy pipeline, as the analysis loads it."""
    from claimgraph.config import Config
    from claimgraph.nlp import load_nlp

    config = Config()
    return load_nlp(config.nlp.model, tuple(config.nlp.exclude))


@pytest.fixture(scope="session")
def en_vocab():
    from spacy.vocab import Vocab

    return Vocab()


# --- PostgreSQL: a throwaway server on a free loopback port, for the store tests ------


def _postgres_bin() -> Path | None:
    import shutil

    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return candidates[-1].parent if candidates else None


@pytest.fixture(scope="session")
def postgres_server():
    """``(host, port)`` of a PostgreSQL server started for this test session (trust
    authentication on 127.0.0.1, user ``postgres``), stopped at the end.  Skipped with
    the install command where PostgreSQL is missing, except in CI (``CI=true``)."""
    import os
    import shutil
    import socket
    import subprocess
    import tempfile

    bindir = _postgres_bin()
    if bindir is None:
        message = "PostgreSQL is not installed: apt-get install postgresql (Debian) to run these"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    # Not under pytest's temporary tree: the server may run as another user, who must
    # be able to reach its data directory.
    root = Path(tempfile.mkdtemp(prefix="claimgraph-postgres-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: use the postgres account
        os.chmod(root, 0o777)
        os.chmod(sockets, 0o777)
        as_user = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    run = {"check": True, "capture_output": True, "text": True}
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust",
                    "-U", "postgres", "-E", "UTF8", "--no-sync"], **run)  # fmt: skip
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-o", options,
                    "-l", str(root / "log"), "-w", "start"], **run)  # fmt: skip
    try:
        yield "127.0.0.1", port
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture()
def postgres_url(postgres_server, request) -> str:
    """A new, empty database on the session's server."""
    import re

    import psycopg

    host, port = postgres_server
    name = "t_" + re.sub(r"\W", "_", request.node.name)[-50:].lower()
    with psycopg.connect(f"host={host} port={port} user=postgres dbname=postgres",
                         autocommit=True) as connection:  # fmt: skip
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@{host}:{port}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """The URL of an empty store on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres_url")


# --- The web views: hand-made analyses with hostile text, a store and narratives ----

#: Article text that must show as text everywhere: HTML, script, Markdown and controls.
HOSTILE_TEXT = (
    "Mayor Ann Lee accused the Port Board of lying about the <script>alert(1)</script> "
    "budget. \"<img src=x onerror=alert(1)> is not a plan & never was,\" Lee said on "
    "Monday. The Port Board denied the claim. **Bold** [link](javascript:alert(1)) "
    "`code` # heading | cell </textarea> \u2028 end."
)
SECOND_TEXT = (
    "The Port Board praised Ann Lee for the new ferry line. Ann Lee accused the Port "
    "Board of delaying the harbour repairs, officials said."
)


def _analysis(text: str, *, site: str, published: str, title: str, parts: list[dict]):
    """An ArticleAnalysis from ``parts`` (statements with speaker and acts), spans by
    string search in ``text``."""
    from claimgraph.model import (
        Actor,
        ActorMention,
        ActorType,
        Article,
        ArticleAnalysis,
        ClaimEvidence,
        CredibilitySignal,
        EvidenceStatus,
        FragmentedSpan,
        Span,
        Speaker,
        SpeechAct,
        SpeechActClass,
        Statement,
        StatementKind,
    )

    def span(words: str, after: int = 0) -> Span:
        start = text.index(words, after)
        return Span.of(text, start, start + len(words))

    article = Article(id=Article.make_id(text), text=text, site=site, published=published,
                      title=title, source_kind="text", source_name=f"{title}.txt")  # fmt: skip
    actors = {
        "lee": Actor(id="act_lee", name="Ann Lee", type=ActorType.PERSON, roles=["mayor"],
                     mentions=[ActorMention(span=span("Ann Lee"))], aliases=["Ann Lee"]),
        "board": Actor(id="act_board", name="Port Board", type=ActorType.ORGANIZATION,
                       mentions=[ActorMention(span=span("Port Board"))], aliases=["Port Board"]),
    }  # fmt: skip
    statements, acts, evidence = [], [], []
    for part in parts:
        cue = span(part["cue"])
        statement = Statement(
            id=Statement.make_id(article.id, cue), kind=StatementKind(part["kind"]), cue=cue,
            content=FragmentedSpan.from_pieces(
                text, [(s.start, s.end) for s in (span(c) for c in part["content"])]),
            source=span(part["source"]), confidence=0.9,
            speaker=Speaker(name=actors[part["speaker"]].name,
                            actor_id=actors[part["speaker"]].id),
        )  # fmt: skip
        statements.append(statement)
        if part.get("act"):
            acts.append(SpeechAct(
                id=f"sa_{statement.id}", act=SpeechActClass(part["act"]), trigger=cue,
                source_actor=actors[part["speaker"]].id, statement_id=statement.id,
                target_actors=[actors[part["target"]].id], cameo="112",
            ))  # fmt: skip
        evidence.append(ClaimEvidence(claim_id=f"c_{statement.id}", claim=statement.content,
                                      statement_id=statement.id,
                                      statuses=[EvidenceStatus.ATTRIBUTED]))  # fmt: skip
    signals = [
        CredibilitySignal(name="template_residue", value=1.0,
                          explanation="markup left in the text", spans=[span("<img")])
    ] if "<img" in text else []  # fmt: skip
    return ArticleAnalysis(article=article, statements=statements, actors=list(actors.values()),
                           speech_acts=acts, evidence=evidence, credibility=signals)  # fmt: skip


@pytest.fixture(scope="session")
def web_analyses():
    """Two hand-made analyses: the first full of hostile text, both with speech acts
    between Ann Lee and the Port Board."""
    first = _analysis(HOSTILE_TEXT, site="harbour-news.example", published="2026-03-02",
                      title="<b>Budget</b> row", parts=[
        {"kind": "indirect", "source": "Mayor Ann Lee", "cue": "accused", "speaker": "lee",
         "content": ["the Port Board of lying about the <script>alert(1)</script> budget"],
         "act": "ACCUSE_CRITICIZE", "target": "board"},
        {"kind": "direct", "source": "Lee", "cue": "said", "speaker": "lee",
         "content": ['"<img src=x onerror=alert(1)> is not a plan & never was,"']},
        {"kind": "indirect", "source": "The Port Board", "cue": "denied", "speaker": "board",
         "content": ["the claim"], "act": "REJECT_DENY", "target": "lee"},
    ])  # fmt: skip
    second = _analysis(SECOND_TEXT, site="ferry-times.example", published="2026-04-10",
                       title="Ferry line", parts=[
        {"kind": "indirect", "source": "The Port Board", "cue": "praised", "speaker": "board",
         "content": ["Ann Lee for the new ferry line"], "act": "COOPERATE_PRAISE",
         "target": "lee"},
        {"kind": "indirect", "source": "Ann Lee", "cue": "accused", "speaker": "lee",
         "content": ["the Port Board of delaying the harbour repairs"],
         "act": "ACCUSE_CRITICIZE", "target": "board"},
    ])  # fmt: skip
    for analysis in (first, second):
        analysis.check_spans()
    return [first, second]


@pytest.fixture()
def web_store_path(tmp_path, web_analyses):
    """A SQLite store holding :func:`web_analyses`."""
    from claimgraph.store import open_store

    path = tmp_path / "web.db"
    with open_store(str(path)) as store:
        for analysis in web_analyses:
            assert store.add_analysis(analysis, run_id=None, weights_hash="w")
    return path


def web_narratives(store_path, analyses) -> dict:
    """A narrative-layer dict of the documented shape over the stored analyses."""
    from claimgraph.store import open_store

    with open_store(str(store_path), create=False) as store:
        entities = {e.name: e.id for e in store.entities(limit=10)}
    first = analyses[0]

    def claim(statement, stance):
        speaker = statement.speaker
        return {
            "article_id": first.article.id, "statement_id": statement.id,
            "speaker": {"entity_id": entities[speaker.name], "name": speaker.name},
            "text": statement.content.text, "stance": stance,
            "span": {"start": statement.content.start, "end": statement.content.end,
                     "text": statement.content.text},
        }  # fmt: skip

    accuse, _said, deny = first.statements
    a, b = claim(accuse, "supports"), claim(deny, "denies")
    return {
        "propositions": [{"id": "p_lying", "label": "The Port Board lied <about> the budget",
                          "first_seen": "2026-03-02", "last_seen": "2026-04-10",
                          "claims": [a, b]}],
        "contradictions": [{"id": "x_1", "kind": "explicit", "score": 0.91, "a": a, "b": b}],
    }  # fmt: skip


@pytest.fixture()
def web_narrative_data(web_store_path, web_analyses) -> dict:
    return web_narratives(web_store_path, web_analyses)


# --- A real browser (Debian's chromium driven by Playwright) and a live app -----------


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (``/usr/bin/chromium``, never a downloaded one).  Skipped with the
    install command where it is missing, except in CI (``CI=true``)."""
    import shutil

    executable = os.environ.get("CLAIMGRAPH_CHROMIUM") or shutil.which("chromium")
    problem = None
    if not executable:
        problem = "Chromium is not installed: apt-get install chromium (Debian) to run these"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = "Playwright is not installed: pip install -e '.[dev]' to run these"
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture()
def serve_app():
    """Start an ASGI app with uvicorn on a free loopback port (in a thread); returns its
    base URL.  Every server started is stopped at the end of the test."""
    import socket
    import threading
    import time

    import uvicorn

    started: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(app) -> str:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        started.append((server, thread))
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the app did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in started:
        server.should_exit = True
        thread.join(timeout=15)
