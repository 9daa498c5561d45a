"""Speed of the attribution stage next to parsing, in one process.

    python benchmarks/attribution_speed.py [--data ../shared/data/attribution/dev.jsonl] [--n 200]

Over the same texts it times: ``bare`` (``nlp.pipe`` of the FULL pinned pipeline),
``parse`` (the analysis pipeline: lemmatizer excluded) and ``parse+attribution``
(the same parse, then :func:`claimgraph.attribution.attribute_statements`).
Words are ``\\w+`` tokens.  Target: parse+attribution >= 0.8x bare.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "attribution" / "dev.jsonl"
WORD = re.compile(r"\w+")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()

    import spacy

    from claimgraph.attribution import attribute_statements
    from claimgraph.config import Config
    from claimgraph.model import Article
    from claimgraph.nlp import load_nlp

    config = Config()
    texts: list[str] = []
    with args.data.open(encoding="utf-8") as handle:
        for line in handle:
            texts.append(json.loads(line)["text"])
            if len(texts) >= args.n:
                break
    words = sum(len(WORD.findall(t)) for t in texts)
    batch = config.nlp.batch_size

    full = spacy.load(config.nlp.model)
    list(full.pipe(texts[:10], batch_size=batch))
    start = time.perf_counter()
    for _ in full.pipe(texts, batch_size=batch):
        pass
    bare = time.perf_counter() - start

    nlp = load_nlp(config.nlp.model, tuple(config.nlp.exclude))
    articles = [Article(id=Article.make_id(t), text=t) for t in texts]
    attribute_statements(nlp(texts[0]), articles[0], config=config)  # load weights
    start = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=batch))
    parse = time.perf_counter() - start
    start = time.perf_counter()
    n_statements = sum(
        len(attribute_statements(doc, art, config=config))
        for doc, art in zip(docs, articles, strict=True)
    )
    stage = time.perf_counter() - start

    for name, seconds in (
        ("bare", bare),
        ("parse", parse),
        ("attribution", stage),
        ("parse+attribution", parse + stage),
    ):
        print(f"{name:18s} {seconds:7.2f}s {words / seconds:9.0f} words/s")
    print(f"ratio parse+attribution / bare = {bare / (parse + stage):.2f}")
    print(f"{len(texts)} texts, {words} words, {n_statements} statements")


if __name__ == "__main__":
    main()
