"""Pages a person can look at: the self-contained HTML report and the web app.

:mod:`~claimgraph.web.article` turns one :class:`~claimgraph.model.ArticleAnalysis` into
the article view (the text cut at every span, statements highlighted by role),
:mod:`~claimgraph.web.graph` the store's speech acts (and, when given, the narrative
layer's propositions and stances) into the corpus graph drawn by Cytoscape.js (shipped
in ``static/``), :mod:`~claimgraph.web.report` writes one offline HTML file and
:mod:`~claimgraph.web.app` serves the same views and a JSON API with FastAPI.  Every
page is rendered by Jinja2 with autoescape on; data for scripts goes through
:func:`~claimgraph.web.render.script_json`.
"""
