"""The Jinja2 environment shared by the report and the app, and the one safe way to put
data inside a page's ``<script>``.

Autoescape is on for every template, so every value a template prints is HTML-escaped;
data for the page's scripts goes through :func:`script_json`, which leaves no ``<``,
``>``, ``&`` or line separator in the JSON text (a ``</script>`` or ``<!--`` in an
article cannot end or change the script element).
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from markupsafe import Markup

from claimgraph.outputs.narratives import CANDIDATES_NOTE

#: Files of the package's ``static`` folder that pages load (and the report inlines).
STATIC_FILES = ("claimgraph.css", "claimgraph.js", "cytoscape.min.js")

_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def script_json(data: Any) -> Markup:
    """``data`` as JSON that is safe inside ``<script type="application/json">``: the
    characters that could end the element or the script are ``\\u`` escapes (JSON reads
    them back as the same characters)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    for char, escape in _SCRIPT_ESCAPES.items():
        text = text.replace(char, escape)
    return Markup(text)  # safe: every markup-significant character is escaped above


@functools.lru_cache(maxsize=8)
def static_text(name: str) -> str:
    """The text of one of the package's static files."""
    if name not in STATIC_FILES:
        raise KeyError(name)
    return (resources.files("claimgraph.web") / "static" / name).read_text(encoding="utf-8")


def inline_asset(name: str) -> Markup:
    """A static script or style sheet for an inline ``<script>`` or ``<style>`` element
    (checked to hold no ``</script`` or ``</style``, which would end the element early)."""
    source = static_text(name)
    lowered = source.lower()
    if "</script" in lowered or "</style" in lowered:
        raise ValueError(f"{name} contains an end tag and cannot be inlined")
    return Markup(source)  # safe: our own shipped file, checked above


@functools.lru_cache(maxsize=1)
def environment() -> Any:
    """The package's template environment (autoescape on for every template)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("claimgraph.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["script_json"] = script_json
    env.globals["inline_asset"] = inline_asset
    env.globals["candidates_note"] = CANDIDATES_NOTE
    return env


def render(template: str, **context: Any) -> str:
    """Render one of the package's templates."""
    return str(environment().get_template(template).render(**context))


__all__ = ["STATIC_FILES", "environment", "inline_asset", "render", "script_json", "static_text"]
