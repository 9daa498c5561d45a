"""The report and the web app in a real browser (headless Chromium through Playwright):
highlights whose text is exactly the statement spans, entity pages one click away, the
graph drawn with the expected nodes, and hostile article text that shows as text and
runs nothing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Text of every highlight of each statement role, in the order of the page.
MARKED_TEXT = """(view) => {
  const out = {};
  for (const span of view.querySelectorAll('.article-text .hl[data-marks]')) {
    for (const mark of span.dataset.marks.split(' ')) {
      out[mark] = (out[mark] || '') + span.textContent;
    }
  }
  return out;
}"""


def _page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.dialogs = []  # type: ignore[attr-defined]
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    return page


def _check_article(page, analysis) -> None:
    """The article text is shown as it is, and each statement's highlights are its spans."""
    view = page.locator(f"#article-{analysis.article.id}")
    assert view.locator(".article-text").text_content() == analysis.article.text
    marked = view.evaluate(MARKED_TEXT)
    for statement in analysis.statements:
        assert marked[f"{statement.id}:cue"] == statement.cue.text
        assert marked[f"{statement.id}:content"] == "".join(
            piece.text for piece in statement.content.pieces()
        )
        if statement.source is not None:
            assert marked[f"{statement.id}:source"] == statement.source.text
    assert view.locator(".article-text img, .article-text script").count() == 0


def _graph_labels(page) -> set[str]:
    page.wait_for_function("() => document.getElementById('graph').dataset.ready !== undefined")
    return set(page.evaluate("() => window.claimgraphGraph.nodes().map(n => n.data('label'))"))


@pytest.fixture()
def app_url(serve_app, web_store_path, web_narrative_data):
    from claimgraph.web.app import create_app

    return serve_app(create_app(str(web_store_path), narratives=web_narrative_data))


def test_app_article_view_shows_hostile_text_as_text(browser, app_url, web_analyses) -> None:
    hostile = web_analyses[0]
    page = _page(browser)
    page.goto(f"{app_url}/articles/{hostile.article.id}")
    _check_article(page, hostile)
    # hover and keyboard focus both show the statement's speaker, act, targets, evidence
    accuse = hostile.statements[0]
    page.hover(f'.hl[data-marks^="{accuse.id}:cue"]')
    detail = page.locator(".hl-detail")
    assert "Ann Lee" in detail.text_content() and "ACCUSE_CRITICIZE" in detail.text_content()
    assert "Port Board" in detail.text_content() and "attributed" in detail.text_content()
    deny = hostile.statements[2]
    page.focus(f'.hl[data-marks^="{deny.id}:cue"]')
    assert "REJECT_DENY" in detail.text_content()
    # the in-article contradiction side by side
    assert page.locator(".article-view .contradiction blockquote").count() == 2
    page.wait_for_timeout(300)
    assert page.dialogs == [] and page.errors == []
    page.close()


def test_app_entity_is_one_click_away(browser, app_url, web_analyses) -> None:
    page = _page(browser)
    page.goto(f"{app_url}/articles/{web_analyses[0].article.id}")
    page.locator(".actors a.entity-link", has_text="Ann Lee").click()
    page.wait_for_url("**/entities/**")
    assert page.locator("h1.entity-name").text_content() == "Ann Lee"
    assert "ACCUSE_CRITICIZE" in page.content()
    page.close()


def test_app_graph_draws_the_expected_nodes(browser, app_url) -> None:
    page = _page(browser)
    page.goto(f"{app_url}/graph")
    proposition = "The Port Board lied <about> the budget"
    assert _graph_labels(page) == {"Ann Lee", "Port Board", proposition}
    shown = "() => window.claimgraphGraph.edges().filter(e => !e.hasClass('hidden')).length"
    assert page.evaluate(shown) == 5
    page.select_option("select[name=outlet]", "ferry-times.example")
    assert page.evaluate(shown) == 2  # praise and accusation of the ferry article
    page.select_option("select[name=outlet]", "")
    page.fill("input[name=to]", "2026-03-31")
    page.dispatch_event("input[name=to]", "change")
    # the March article's accusation, denial and stances; the April praise is hidden
    assert page.evaluate(shown) == 4
    # a node leads to its entity page
    page.evaluate("() => { window.claimgraphGraph.nodes().filter(n => n.data('label') === "
                  "'Ann Lee').emit('tap'); }")  # fmt: skip
    page.locator("#graph-detail a.entity-link").click()
    page.wait_for_url("**/entities/**")
    assert page.locator("h1.entity-name").text_content() == "Ann Lee"
    assert page.dialogs == [] and page.errors == []
    page.close()


def test_report_opens_offline_with_highlights_and_graph(
    browser, web_store_path, web_narrative_data, web_analyses, tmp_path
) -> None:
    from claimgraph.store import open_store
    from claimgraph.web.report import build_report

    with open_store(str(web_store_path), create=False) as store:
        html = build_report(store, narratives=web_narrative_data)
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    context = browser.new_context(offline=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    for analysis in web_analyses:
        _check_article(page, analysis)
    assert "Port Board" in _graph_labels(page)
    page.wait_for_timeout(300)
    assert dialogs == [] and requests == [path.as_uri()]
    context.close()


@pytest.mark.slow
def test_bundled_example_in_the_app_and_screenshots(browser, serve_app, tmp_path) -> None:
    """The bundled example analysed by the real pipeline: every highlight is its statement's
    span in the app; screenshots of the article view and the graph (copied to
    docs/images when CLAIMGRAPH_SCREENSHOTS=1)."""
    from click.testing import CliRunner

    from claimgraph.cli import cli
    from claimgraph.store import open_store
    from claimgraph.store.browse import article_ids, get_analysis
    from claimgraph.web.app import create_app

    db = tmp_path / "example.db"
    examples = ROOT / "examples"
    inputs = [str(path) for path in sorted(examples.glob("*.html"))] + [str(examples / "feed.xml")]
    result = CliRunner().invoke(cli, ["ingest", *inputs, "--db", str(db), "--no-progress"])
    assert result.exit_code == 0, result.output
    with open_store(str(db), create=False) as store:
        analyses = [get_analysis(store, article_id) for article_id in article_ids(store)]
    analysis = max(analyses, key=lambda a: len(a.statements) if a else 0)
    assert analysis is not None and len(analysis.statements) >= 5
    article_id = analysis.article.id
    url = serve_app(create_app(str(db)))
    page = _page(browser)
    page.goto(f"{url}/articles/{article_id}")
    for other in analyses:
        assert other is not None
        page.goto(f"{url}/articles/{other.article.id}")
        _check_article(page, other)
    page.goto(f"{url}/articles/{article_id}")
    page.locator(".article-text .hl-cue", has_text="accused").first.focus()
    shots = tmp_path / "images"
    shots.mkdir()
    page.locator(".article-columns").screenshot(path=str(shots / "article-view.png"))
    page.goto(f"{url}/graph")
    assert {"Renata Okafor", "Calloway Harbor Authority"} <= _graph_labels(page)
    page.evaluate("() => { window.claimgraphGraph.nodes().max(n => n.degree()).ele.emit('tap'); }")
    page.locator(".graph-wrap").screenshot(path=str(shots / "corpus-graph.png"))
    assert page.dialogs == [] and page.errors == []
    page.close()
    if os.environ.get("CLAIMGRAPH_SCREENSHOTS") == "1":
        for shot in shots.iterdir():
            shutil.copy(shot, ROOT / "docs" / "images" / shot.name)
