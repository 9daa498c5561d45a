"""Tests for claimgraph.ingest.html (HTML → text, metadata and furniture blocks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimgraph.config import IngestConfig
from claimgraph.errors import ExtractionError, InputError
from claimgraph.ingest import article_from_html
from claimgraph.ingest.html import extract_html, find_furniture, parse_html

ROOT = Path(__file__).resolve().parents[1]
HARBOR_HTML = ROOT / "examples" / "harbor-strike.html"
HARBOR_TXT = ROOT / "examples" / "harbor-strike.txt"
CONFIG = IngestConfig()

PARAGRAPHS = (
    "<p>The city council voted on Tuesday to close the old river bridge for repairs, a "
    "decision that officials said would add twenty minutes to many commutes.</p>"
    "<p>Councillor Anna Brook said the bridge had been unsafe for years. Engineers said "
    "the work would take at least six months, according to a report seen by reporters.</p>"
)


def page(body: str, *, title: str = "Council closes river bridge") -> str:
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{title}</title></head>"
        f"<body>{body}</body></html>"
    )


@pytest.fixture(scope="module")
def lukashenko(example_html: Path):
    return article_from_html(example_html.read_bytes(), config=CONFIG, source_name="example")


def test_extract_example_metadata(lukashenko) -> None:
    assert (
        lukashenko.title == "Lukashenko goes against Putin, claims terrorists escaping to Belarus"
    )
    assert lukashenko.byline == "Sophia Gonzalez"
    assert lukashenko.published == "2024-03-27"
    assert lukashenko.site == "World Daily Digest"
    assert lukashenko.source_kind == "html"
    assert lukashenko.language == "en"


def test_extract_example_text_keeps_article(lukashenko) -> None:
    text = lukashenko.text
    assert text.startswith("Alexander Bortnikov, head of the FSB")
    assert "Alexander Bortnikov, head of the FSB" in text
    assert "In conclusion, tensions between Russia and Ukraine" in text
    assert text.rstrip().endswith("through diplomatic means")


@pytest.mark.parametrize(
    "furniture",
    ["As a content writer at", "Leave a Reply", "Related posts", "Your email address", "Share:"],
)
def test_extract_example_text_excludes_furniture(lukashenko, furniture: str) -> None:
    assert furniture not in lukashenko.text


def test_extract_example_headline_not_repeated(lukashenko) -> None:
    assert not lukashenko.text.startswith(lukashenko.title)
    assert lukashenko.title not in lukashenko.text


def test_extract_example_blocks(lukashenko) -> None:
    kinds = [block.kind for block in lukashenko.metadata_blocks]
    assert kinds.count("author_bio") == 1
    bio = next(b for b in lukashenko.metadata_blocks if b.kind == "author_bio")
    assert "As a content writer at, I am dedicated" in bio.text
    comments = [b.text for b in lukashenko.metadata_blocks if b.kind == "comments"]
    assert any("Leave a Reply" in text for text in comments)
    assert any("Related posts" in b.text for b in lukashenko.metadata_blocks if b.kind == "related")
    assert "share" in kinds


def test_extract_example_is_deterministic(example_html: Path) -> None:
    first = article_from_html(example_html.read_bytes(), config=CONFIG)
    second = article_from_html(example_html.read_bytes(), config=CONFIG)
    assert first == second
    assert first.model_dump_json() == second.model_dump_json()


def test_extract_harbor_example_matches_text_file() -> None:
    article = article_from_html(HARBOR_HTML.read_bytes(), config=CONFIG)
    assert article.title == "Dockworkers walk out at Port Calloway as talks collapse"
    assert article.byline == "Mara Ellison"
    assert article.site == "The Calloway Ledger"
    assert article.published == "2025-06-12"
    assert HARBOR_TXT.read_text(encoding="utf-8") == f"{article.title}\n\n{article.text}\n"
    assert '"They told us automation was years away," she said, "but' in article.text
    assert "covers shipping, labour" not in article.text
    assert "Post comment" not in article.text
    assert {b.kind for b in article.metadata_blocks} >= {"author_bio", "comments", "related"}


@pytest.mark.parametrize(
    ("box", "kind"),
    [
        ('<div class="about-author"><p>{bio}</p></div>', "author_bio"),
        ('<section id="author-bio"><p>{bio}</p></section>', "author_bio"),
        ("<div><h4>By Jo Marsh</h4><p>{bio}</p></div>", "author_bio"),
        ("<aside><h3>About the author</h3><p>{bio}</p></aside>", "author_bio"),
        ('<div class="jp-relatedposts"><p>{bio}</p></div>', "related"),
        ('<div id="disqus_thread"><p>{bio}</p></div>', "comments"),
        ('<ul class="social-share"><li>{bio}</li></ul>', "share"),
    ],
)
def test_extract_furniture_found_from_structure(box: str, kind: str) -> None:
    bio = "Jo Marsh is a senior correspondent who has written about city politics for a decade."
    html = page(f"<article><h1>Council closes river bridge</h1>{PARAGRAPHS}</article>"
                + box.format(bio=bio))  # fmt: skip
    extracted = extract_html(html)
    assert bio not in extracted.text
    assert "Councillor Anna Brook said" in extracted.text
    assert [b.kind for b in extracted.metadata_blocks] == [kind]
    assert bio in extracted.metadata_blocks[0].text


def test_extract_furniture_never_takes_the_article() -> None:
    # A wrapper whose class mentions "share" but holds the story is not furniture.
    html = page(f'<div class="post has-share-buttons"><h1>Council closes river bridge</h1>'
                f"{PARAGRAPHS}</div>")  # fmt: skip
    assert find_furniture(parse_html(html)) == []
    assert "Councillor Anna Brook" in extract_html(html).text


def test_extract_short_byline_box_is_not_a_bio() -> None:
    html = page(f'<article><h1>Council closes river bridge</h1><div class="author-info">'
                f"By Jo Marsh</div>{PARAGRAPHS}</article>")  # fmt: skip
    extracted = extract_html(html)
    assert not [b for b in extracted.metadata_blocks if b.kind == "author_bio"]


def test_extract_headline_repeated_in_body_is_dropped() -> None:
    html = page(
        f'<div class="entry-content"><h1>Council closes river bridge</h1>{PARAGRAPHS}</div>'
    )
    extracted = extract_html(html)
    assert extracted.title == "Council closes river bridge"
    assert extracted.text.startswith("The city council voted")


def test_extract_paragraphs_separated_by_blank_line() -> None:
    extracted = extract_html(page(f"<article>{PARAGRAPHS}</article>"))
    assert extracted.text.count("\n\n") == 1
    assert "\n\n\n" not in extracted.text


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><div><p>Unclosed <b>bold <p>The council said on Tuesday that the harbour "
        "will close for repairs, according to officials who spoke to reporters.",
        "<html><body><table><tr><td><p>The council said on Tuesday that the harbour will "
        "close for repairs.</td></p></tr></div></span></body>",
    ],
)
def test_extract_malformed_html_still_gives_text(html: str) -> None:
    article = article_from_html(html, config=CONFIG)
    assert "The council said on Tuesday that the harbour" in article.text


@pytest.mark.parametrize(
    "html",
    [
        "<html><body></body></html>",
        "<<<>>> <<! garbage <//>",
        "<html><body><nav><a href='/'>Home</a></nav><script>var x = 1;</script></body></html>",
        "<?xml version='1.0'?><x/>",
    ],
)
def test_extract_no_article_is_an_input_error(html: str) -> None:
    with pytest.raises(InputError) as info:
        article_from_html(html, config=CONFIG)
    assert "Traceback" not in str(info.value)


def test_extract_empty_page_raises_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="no article text found"):
        extract_html("   ")


def test_extract_loose_bio_after_the_story_is_a_block() -> None:
    bio = "Jo Marsh is a senior correspondent who has written about city politics for a decade."
    html = page(
        f"<main><article><h1>Council closes river bridge</h1>{PARAGRAPHS}</article>"
        f"<h4>By Jo Marsh</h4><p>{bio}</p></main>"
    )
    extracted = extract_html(html)
    assert bio not in extracted.text
    assert [b.kind for b in extracted.metadata_blocks] == ["author_bio"]
    assert extracted.metadata_blocks[0].text == f"By Jo Marsh\n{bio}"


def test_extract_byline_heading_above_story_is_kept() -> None:
    html = page(
        f"<main><h1>Council closes river bridge</h1><h4>By Jo Marsh</h4>{PARAGRAPHS}</main>"
    )
    extracted = extract_html(html)
    assert "The city council voted" in extracted.text
    assert not extracted.metadata_blocks


def test_extract_unmarked_trailing_residue_moved_to_blocks() -> None:
    residue = (
        "<p>Share this:</p><h3>Leave a Reply</h3>"
        "<p>Your email address will not be published. Required fields are marked *</p>"
    )
    extracted = extract_html(page(f"<article><h1>Bridge</h1>{PARAGRAPHS}{residue}</article>"))
    assert extracted.text.endswith("according to a report seen by reporters.")
    assert [(b.kind, b.text.split("\n")[0]) for b in extracted.metadata_blocks] == [
        ("share", "Share this:"),
        ("comments", "Leave a Reply"),
    ]
