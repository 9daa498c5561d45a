"""The HTML report and the web app without a browser: escaping, the article view's
segments, the corpus graph (with a hand-made narrative layer), the JSON API, its one
error shape, 404, 413, the token and the guarded fetcher."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from claimgraph.cli import cli
from claimgraph.web.article import segments
from claimgraph.web.graph import build_graph, store_graph
from claimgraph.web.render import script_json


def test_script_json_leaves_nothing_that_ends_a_script() -> None:
    data = {"t": "</script><!-- <img src=x onerror=alert(1)> & \u2028\u2029 \"'"}
    text = str(script_json(data))
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert json.loads(text) == data


def test_segments_give_the_text_back_and_every_statement_span(web_analyses) -> None:
    for analysis in web_analyses:
        segs = segments(analysis)
        assert "".join(seg.text for seg in segs) == analysis.article.text
        for statement in analysis.statements:
            for role, expected in (
                ("content", "".join(p.text for p in statement.content.pieces())),
                ("cue", statement.cue.text),
                ("source", statement.source.text if statement.source else ""),
            ):
                marked = "".join(s.text for s in segs if f"{statement.id}:{role}" in s.marks)
                assert marked == expected


def _store(path):
    from claimgraph.store import open_store

    return open_store(str(path), create=False)


def test_graph_has_entities_acts_and_the_narrative_layer(web_store_path, web_narrative_data):
    with _store(web_store_path) as store:
        plain = store_graph(store)
        full = store_graph(store, web_narrative_data)
    labels = {n["data"]["label"] for n in plain["nodes"]}
    assert labels == {"Ann Lee", "Port Board"}
    kinds = {(e["data"]["kind"], e["data"]["count"]) for e in plain["edges"]}
    assert kinds == {("accuse", 2), ("deny", 1), ("support", 1)}
    accuse = next(e["data"] for e in plain["edges"] if e["data"]["kind"] == "accuse")
    assert {c["site"] for c in accuse["claims"]} == {"harbour-news.example", "ferry-times.example"}
    assert all(c["statement_id"] and c["text"] for c in accuse["claims"])
    nodes = {n["data"]["id"]: n["data"] for n in full["nodes"]}
    assert nodes["p:p_lying"]["kind"] == "proposition"
    stances = {e["data"]["kind"] for e in full["edges"] if e["data"]["target"] == "p:p_lying"}
    assert stances == {"supports", "denies"}


def test_build_graph_skips_claims_without_speaker_or_stance() -> None:
    narratives = {"propositions": [{"id": "p", "label": "x", "first_seen": None,
                                    "last_seen": None, "claims": [
        {"article_id": "a", "statement_id": None, "speaker": None, "text": "t",
         "span": {"start": 0, "end": 1, "text": "t"}, "stance": "supports"},
        {"article_id": "a", "statement_id": "s", "speaker": {"entity_id": "e1", "name": "E"},
         "text": "t", "span": {"start": 0, "end": 1, "text": "t"}, "stance": "unrelated"},
    ]}], "contradictions": []}  # fmt: skip
    graph = build_graph([], {}, narratives)
    assert [n["data"]["id"] for n in graph["nodes"]] == ["p:p"] and graph["edges"] == []


def _graph_data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', page)
    assert found
    return json.loads(found.group(1))


def test_report_is_offline_and_escapes_everything(web_store_path, web_narrative_data, tmp_path):
    narratives = tmp_path / "narratives.json"
    narratives.write_text(json.dumps(web_narrative_data))
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", "--db", str(web_store_path), "--narratives",
                                      str(narratives), "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    # our own three scripts and the JSON blocks only; the article's tags are text
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b&gt;Budget&lt;/b&gt; row" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing from the network
    assert "Content-Security-Policy" in page
    graph = _graph_data(page)
    assert {n["data"]["label"] for n in graph["nodes"]} >= {"Ann Lee", "Port Board"}
    assert "The Port Board lied &lt;about&gt; the budget" in page  # proposition list
    assert page.count('class="contradiction"') == 2  # corpus view and article view
    assert page.count("Candidates to check against the sources") == 1  # with the corpus list


def test_report_topic_keeps_matching_articles(web_store_path, tmp_path) -> None:
    out = tmp_path / "ferry.html"
    result = CliRunner().invoke(cli, ["report", "--db", str(web_store_path), "--topic", "ferry",
                                      "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.count('class="article-view"') == 1 and "Ferry line" in page


def test_report_refuses_a_bad_narratives_file(web_store_path, tmp_path) -> None:
    bad = tmp_path / "n.json"
    bad.write_text("{not json")
    result = CliRunner().invoke(cli, ["report", "--db", str(web_store_path), "--narratives",
                                      str(bad), "-o", str(tmp_path / "r.html")])  # fmt: skip
    assert result.exit_code != 0
    assert "Traceback" not in result.output and "narratives" in result.output
    assert not (tmp_path / "r.html").exists()


@pytest.fixture()
def client(web_store_path, web_narrative_data):
    from fastapi.testclient import TestClient

    from claimgraph.web.app import create_app

    app = create_app(str(web_store_path), narratives=web_narrative_data, max_body_bytes=20_000)
    with TestClient(app) as test_client:
        yield test_client


def test_api_lists_and_shows_the_stored_data(client, web_analyses) -> None:
    listing = client.get("/api/articles", params={"per_page": 1}).json()
    assert listing["total"] == 2 and listing["pages"] == 2 and len(listing["items"]) == 1
    first = web_analyses[0]
    got = client.get(f"/api/articles/{first.article.id}")
    assert got.status_code == 200 and got.json() == first.model_dump(mode="json")
    hits = client.get("/api/articles", params={"q": "ferry"}).json()
    assert [a["id"] for a in hits["items"]] == [web_analyses[1].article.id]
    entities = client.get("/api/entities", params={"q": "lee"}).json()["items"]
    assert [e["name"] for e in entities] == ["Ann Lee"]
    entity = client.get(f"/api/entities/{entities[0]['id']}").json()
    assert {a["act"] for a in entity["speech_acts_made"]} == {"ACCUSE_CRITICIZE"}
    assert client.get("/api/search", params={"q": "harbour repairs"}).json()
    graph = client.get("/api/graph").json()
    assert {n["data"]["id"] for n in graph["nodes"]} >= {"p:p_lying"}
    assert client.get("/api/propositions").json()["total"] == 1
    assert client.get("/api/propositions/p_lying").json()["label"].startswith("The Port")
    assert client.get("/api/contradictions").json()["items"][0]["kind"] == "explicit"
    spec = client.get("/openapi.json").json()
    assert "/api/articles/{article_id}" in spec["paths"]


def test_api_docs_work_offline(client) -> None:
    import re

    docs = client.get("/docs")
    assert docs.status_code == 200
    assert not re.search(r"(src|href)=['\"]https?://", docs.text)  # nothing from a CDN
    for url in re.findall(r"(?:src|href)=['\"](/static/[^'\"]+)", docs.text):
        assert client.get(url).status_code == 200, url
    assert client.get("/redoc").status_code == 404


@pytest.mark.parametrize("path", ["/api/articles/nope", "/api/entities/nope",
                                  "/api/propositions/nope", "/api/no-such-endpoint"])  # fmt: skip
def test_api_unknown_ids_are_404_with_the_error_shape(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == "CG700" and body["error"]["message"]


@pytest.mark.parametrize("path", ["/articles/nope", "/entities/nope", "/propositions/nope",
                                  "/no-such-page"])  # fmt: skip
def test_pages_unknown_ids_are_404_pages(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 404 and "text/html" in response.headers["content-type"]
    assert "CG700" in response.text


def test_bad_parameters_get_the_error_shape(client) -> None:
    response = client.get("/api/articles", params={"page": "x"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "CG100"
    response = client.get("/api/articles", params={"page": 0})
    assert response.status_code == 400 and response.json()["error"]["code"] == "CG100"


def test_oversized_requests_are_413(client) -> None:
    big = "word " * 10_000
    response = client.post("/api/analyze", json={"text": big})
    assert response.status_code == 413 and response.json()["error"]["code"] == "CG103"
    page = client.post("/analyze", data={"text": big})
    assert page.status_code == 413 and "CG103" in page.text
    upload = client.post("/analyze", files={"file": ("big.html", b"<p>x</p>" * 5000, "text/html")})
    assert upload.status_code == 413


def test_private_urls_are_refused_by_the_guarded_fetcher(client) -> None:
    response = client.post("/api/analyze", json={"url": "http://127.0.0.1:9/article"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "CG104" and "127.0.0.1" in error["message"]
    page = client.post("/analyze", data={"url": "http://10.0.0.1/x"})
    assert page.status_code == 400 and "CG104" in page.text and "private" in page.text.lower()
    for local in ("file:///etc/passwd", "/etc/passwd", "pyproject.toml"):
        response = client.post("/api/analyze", json={"url": local})
        assert response.status_code == 400 and response.json()["error"]["code"] == "CG104"
    both = client.post("/api/analyze", json={"text": "a", "url": "http://x.example"})
    assert both.status_code == 400


def test_writing_needs_the_token_beyond_loopback(web_store_path) -> None:
    from fastapi.testclient import TestClient

    from claimgraph.web.app import create_app, is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("::1") and not is_loopback("0.0.0.0")
    app = create_app(str(web_store_path), token="s3cret", require_token=True)
    with TestClient(app) as test_client:
        refused = test_client.post("/api/analyze", json={"url": "http://10.0.0.1/"})
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "CG710"
        wrong = test_client.post("/api/analyze", json={"url": "http://10.0.0.1/"},
                                 headers={"Authorization": "Bearer nope"})  # fmt: skip
        assert wrong.status_code == 401
        allowed = test_client.post("/api/analyze", json={"url": "http://10.0.0.1/"},
                                   headers={"Authorization": "Bearer s3cret"})  # fmt: skip
        assert allowed.status_code == 400  # past the token, refused by the fetcher
        assert test_client.post("/analyze", data={"url": "x"}).status_code == 401
        assert test_client.get("/api/articles").status_code == 200  # reading stays open


def test_pages_render_and_escape(client, web_analyses) -> None:
    first = web_analyses[0].article.id
    page = client.get(f"/articles/{first}")
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for path in ("/", "/articles", "/articles?q=ferry&page=1", "/entities", "/entities?q=port",
                 "/graph", "/propositions", "/propositions/p_lying", "/contradictions",
                 "/search?q=ferry", "/search"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 200, path
        assert "<script>alert" not in response.text
    assert client.get("/static/cytoscape.min.js").status_code == 200
    # the contradictions are offered as candidates to check, as on the command line
    assert "Candidates to check against the sources" in client.get("/contradictions").text


@pytest.mark.slow
def test_report_of_inputs_analyses_them_and_escapes(tmp_path) -> None:
    from tests.conftest import HOSTILE_TEXT

    article = tmp_path / "hostile.txt"
    article.write_text("Budget row at the port\n\n" + HOSTILE_TEXT + "\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", str(article), str(empty), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "[CG101]" in result.output and "Traceback" not in result.output
    page = out.read_text(encoding="utf-8")
    assert page.count('class="article-view"') == 1
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    nothing = CliRunner().invoke(cli, ["report", str(empty), "-o", str(tmp_path / "n.html")])
    assert nothing.exit_code == 1 and "nothing to report" in nothing.output


@pytest.mark.slow
def test_app_analyses_pasted_text_and_uploads(client) -> None:
    from tests.conftest import SECOND_TEXT

    text = "Harbour chief Ola Berg said the ferry would run again on Friday. " + SECOND_TEXT
    response = client.post("/analyze", data={"text": text}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/articles/")
    page = client.get(response.headers["location"])
    assert page.status_code == 200 and 'class="hl hl-cue"' in page.text
    html = f"<html><body><article><h1>Ferry</h1><p>{text}</p></article></body></html>".encode()
    upload = client.post("/analyze", files={"file": ("ferry.html", html, "text/html")},
                         follow_redirects=False)  # fmt: skip
    assert upload.status_code == 303
    api = client.post("/api/analyze", json={"text": text})
    assert api.status_code == 200 and api.json()["statements"]
    empty = client.post("/api/analyze", json={"text": "   "})
    assert empty.status_code == 400 and empty.json()["error"]["code"].startswith("CG1")


def test_entity_timeline_from_the_graph(web_store_path) -> None:
    from claimgraph.web.graph import entity_timeline

    with _store(web_store_path) as store:
        rows = entity_timeline(store_graph(store))
    assert {(r["label"], r["first_seen"], r["last_seen"]) for r in rows} == {
        ("Ann Lee", "2026-03-02", "2026-04-10"),
        ("Port Board", "2026-03-02", "2026-04-10"),
    }


def test_app_reads_both_backends(store_url, web_analyses) -> None:
    """The same pages and API over SQLite and PostgreSQL (full-text search included)."""
    from fastapi.testclient import TestClient

    from claimgraph.store import open_store
    from claimgraph.web.app import create_app

    with open_store(store_url) as store:
        for analysis in web_analyses:
            assert store.add_analysis(analysis, run_id=None, weights_hash="w")
    with TestClient(create_app(store_url)) as test_client:
        listing = test_client.get("/api/articles").json()
        assert [a["id"] for a in listing["items"]] == [
            web_analyses[1].article.id,  # newest published first
            web_analyses[0].article.id,
        ]
        hits = test_client.get("/api/articles", params={"q": "harbour repairs"}).json()
        assert [a["id"] for a in hits["items"]] == [web_analyses[1].article.id]
        graph = test_client.get("/api/graph").json()
        assert sorted(e["data"]["kind"] for e in graph["edges"]) == ["accuse", "deny", "support"]
        (lee,) = test_client.get("/api/entities", params={"q": "Ann"}).json()["items"]
        assert test_client.get(f"/entities/{lee['id']}").status_code == 200
        assert test_client.get(f"/articles/{web_analyses[0].article.id}").status_code == 200


@pytest.mark.network
def test_fetch_failures_and_feeds_get_the_reason(web_store_path) -> None:
    """A local server (private addresses allowed in this app's config): a feed is not one
    article, a missing page is the server's 404; both with the reason, page and API."""
    import functools
    import http.server
    import threading
    from pathlib import Path

    from fastapi.testclient import TestClient

    from claimgraph.config import load_config
    from claimgraph.web.app import create_app

    examples = Path(__file__).resolve().parents[1] / "examples"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(examples))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    config = load_config(None, **{"ingest.allow_private_urls": True})
    try:
        with TestClient(create_app(str(web_store_path), config=config)) as test_client:
            feed = test_client.post("/api/analyze", json={"url": f"{base}/feed.xml"})
            assert feed.status_code == 400 and "feed" in feed.json()["error"]["message"]
            missing = test_client.post("/api/analyze", json={"url": f"{base}/nope.html"})
            assert missing.status_code == 400 and "404" in missing.json()["error"]["message"]
            page = test_client.post("/analyze", data={"url": f"{base}/nope.html"})
            assert page.status_code == 400 and "404" in page.text and "CG104" in page.text
    finally:
        server.shutdown()


def test_a_malformed_narrative_layer_is_one_clear_error(web_store_path, tmp_path) -> None:
    from claimgraph.errors import InputError
    from claimgraph.store import open_store
    from claimgraph.web.report import build_report

    claim = {"article_id": "a", "text": "t", "stance": "maybe"}
    bad = {"propositions": [{"id": "p", "label": "x", "claims": [claim]}]}
    with open_store(str(web_store_path), create=False) as store, pytest.raises(InputError) as err:
        build_report(store, narratives=bad)
    assert "propositions.0.claims.0.stance" in err.value.message
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"contradictions": [{"id": "x"}]}))
    result = CliRunner().invoke(cli, ["report", "--db", str(web_store_path), "--narratives",
                                      str(path), "-o", str(tmp_path / "r.html")])  # fmt: skip
    assert result.exit_code == 1 and "[CG100]" in result.output
    assert "contradictions.0" in result.output and "Traceback" not in result.output


def test_serve_beyond_loopback_makes_up_a_token(web_store_path, monkeypatch) -> None:
    import uvicorn
    from fastapi.testclient import TestClient

    started: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(app=app, **kw))
    result = CliRunner().invoke(cli, ["serve", "--db", str(web_store_path), "--host", "0.0.0.0",
                                      "--port", "8123"], env={"CLAIMGRAPH_TOKEN": ""})  # fmt: skip
    assert result.exit_code == 0, result.output
    token = result.stderr.split("token: ")[1].strip()
    assert started["host"] == "0.0.0.0" and started["port"] == 8123 and len(token) >= 20
    with TestClient(started["app"]) as test_client:
        url = {"url": "http://10.0.0.1/"}
        assert test_client.post("/api/analyze", json=url).status_code == 401
        allowed = test_client.post("/api/analyze", json=url,
                                   headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert allowed.status_code == 400  # the fetcher's refusal, past the token
    started.clear()
    result = CliRunner().invoke(cli, ["serve", "--db", str(web_store_path)])
    assert result.exit_code == 0 and started["host"] == "127.0.0.1" and "token" not in result.stderr


def test_writing_from_another_site_is_refused(client) -> None:
    """A page elsewhere cannot make the visitor's browser write to an app on loopback."""
    evil = {"Origin": "https://evil.example"}
    response = client.post("/analyze", data={"text": "x"}, headers=evil)
    assert response.status_code == 403 and "CG711" in response.text
    api = client.post("/api/analyze", json={"text": "x"}, headers=evil)
    assert api.status_code == 403 and api.json()["error"]["code"] == "CG711"
    same = client.post("/api/analyze", json={"url": "http://10.0.0.1/"},
                       headers={"Origin": "http://testserver"})  # fmt: skip
    assert same.status_code == 400  # past the origin check, refused by the fetcher


def test_signals_are_ranked_within_their_outlet(store_url) -> None:
    """A credibility score's place among its outlet's stored articles (other outlets and
    articles without the signal do not count; ties count half), on both backends, and on
    the article page."""
    from fastapi.testclient import TestClient

    from claimgraph.model import Article, ArticleAnalysis, CredibilitySignal
    from claimgraph.store import open_store
    from claimgraph.store.browse import outlet_ranks, outlet_ranks_of
    from claimgraph.web.app import create_app
    from claimgraph.web.report import build_report

    def stored(i: int, site: str, value: float | None) -> ArticleAnalysis:
        text = f"Article number {i} of {site} says the harbour will reopen."
        article = Article(id=Article.make_id(text), text=text, site=site, source_kind="text")
        signals = [] if value is None else [CredibilitySignal(
            name="machine_generated_likelihood", value=value, explanation="detector score")]
        return ArticleAnalysis(article=article, credibility=signals)  # fmt: skip

    values = [i / 20 for i in range(20)] + [0.5]  # 21 articles of one outlet, 0.5 twice
    analyses = [stored(i, "a.example", v) for i, v in enumerate(values)]
    analyses += [stored(100, "b.example", 0.99), stored(101, "a.example", None)]
    name = "machine_generated_likelihood"
    with open_store(store_url) as store:
        for analysis in analyses:
            assert store.add_analysis(analysis, run_id=None, weights_hash="w")
        top = outlet_ranks(store, analyses[19].article.id)[name]
        assert top == {"site": "a.example", "articles": 20, "lower": 20.0, "share": 1.0}
        tied = outlet_ranks(store, analyses[10].article.id)[name]
        assert tied["lower"] == 10.5 and tied["share"] == 10.5 / 20
        assert outlet_ranks(store, analyses[0].article.id)[name]["share"] == 0.0
        assert outlet_ranks(store, analyses[20].article.id, min_articles=21) == {}
        latest = outlet_ranks(store, analyses[0].article.id, min_articles=1, max_articles=4)
        assert 1 <= latest[name]["articles"] <= 4  # of the latest 4 stored (one has no signal)
        assert outlet_ranks(store, analyses[21].article.id) == {}  # one article of b.example
        assert outlet_ranks(store, analyses[22].article.id) == {}  # no signal
        assert outlet_ranks(store, "no-such-article") is None
        ids = [x.article.id for x in analyses] + ["no-such-article"]
        assert outlet_ranks_of(store, ids) == {i: outlet_ranks(store, i) for i in ids[:-1]}
        report = build_report(store)  # each outlet read once for all its articles
        assert report.count("above 100 % of 20 other articles from a.example") == 1
    with TestClient(create_app(store_url)) as client:
        page = client.get(f"/articles/{analyses[19].article.id}").text
        assert "above 100 % of 20 other articles from a.example in this store" in page
        assert "outlet-rank" not in client.get(f"/articles/{analyses[21].article.id}").text
        api = client.get(f"/api/articles/{analyses[19].article.id}/outlet-ranks").json()
        assert api == {name: top}
        assert client.get("/api/articles/nope/outlet-ranks").status_code == 404
