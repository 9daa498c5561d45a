"""Speed benchmark: end-to-end ``analyze`` against a bare spaCy parse, in one process.

    python benchmarks/speed.py [--data ../shared/data/attribution/dev.jsonl] [--n 200]
                               [--repeat 3]

Measures, over the same texts and in the same run:
  * ``bare``: ``nlp.pipe`` of the FULL pinned spaCy pipeline (every component), the floor;
  * ``core``: claimgraph ingest + parse + attribution + actors/speakers + JSON output;
  * ``core-crf``: the same with the transformer encoder off (``--no-cue-encoder``: cues from
    the CRF alone, entities from spaCy's ``ner``);
  * ``core+acts``: core plus speech acts;
  * ``full``: every stage (speech acts, evidence, credibility).
Reports words/s, articles/s, the ratio to ``bare``, the CPU seconds of the process (all
threads: the cue encoder runs in a background thread beside the single-threaded parse, so
wall-clock and CPU time differ) and the peak RSS of the process, and writes them as JSON
(``--json``).  The runs are repeated ``--repeat`` times in rounds (bare, then each
claimgraph run), and each ratio is the median over the rounds of that round's bare time
over the run's time: the machine's speed drifts by a few per cent from minute to minute,
and interleaving keeps the drift out of the ratios.  The first round is cold for both
sides (every text is new to the tokenizer's cache and the vocabulary), later ones warm
for both.  Targets: core >= 0.8x bare; speech acts add
<= 15 % to core; evidence + credibility add <= 20 % to the stages before them;
peak RSS <= 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

    from claimgraph.config import Config

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "attribution" / "dev.jsonl"
WORD = re.compile(r"\w+")


def _texts(path: Path, n: int) -> list[str]:
    texts = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            texts.append(json.loads(line)["text"])
            if len(texts) >= n:
                break
    return texts


class _Clock:
    """Wall-clock and CPU seconds (all threads of the process) between start and stop."""

    def start(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def stop(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def _bare_nlp() -> Language:
    import spacy

    from claimgraph.config import Config

    return spacy.load(Config().nlp.model)  # the full pipeline, nothing excluded


def _bare(nlp: Language, texts: list[str], batch_size: int) -> tuple[float, float]:
    list(nlp.pipe(texts[:10], batch_size=batch_size))  # warm up
    clock = _Clock()
    clock.start()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return clock.stop()


def _claimgraph(
    texts: list[str], stages: tuple[str, ...] | None, config: Config
) -> tuple[float, float]:
    from claimgraph.ingest import article_from_text
    from claimgraph.outputs import to_jsonl_line
    from claimgraph.pipeline import Pipeline

    pipeline = Pipeline(config, stages=stages)
    warm = [article_from_text(t, config=config.ingest) for t in texts[:10]]
    list(pipeline.analyze(warm))
    clock = _Clock()
    clock.start()
    articles = (article_from_text(t, config=config.ingest) for t in texts)
    n = 0
    for result in pipeline.analyze(articles):
        to_jsonl_line(result)
        n += 1
    if n != len(texts):
        raise SystemExit(f"expected {len(texts)} results, got {n}")
    return clock.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument(
        "--batch-size", type=int, help="bare parse batch (default: the config's nlp.batch_size)"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--config", type=Path, help="TOML config (default: built-in defaults)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds of runs; ratios are medians (default 3)"
    )
    args = parser.parse_args()

    from claimgraph.config import load_config
    from claimgraph.pipeline import STAGES

    config = load_config(args.config)
    crf_only = load_config(args.config, **{"attribution.cue_encoder": False})

    batch_size = args.batch_size or config.nlp.batch_size
    texts = _texts(args.data, args.n)
    words = sum(len(WORD.findall(t)) for t in texts)
    names = [s.name for s in STAGES]
    core = tuple(n for n in names if n in {"attribution", "actors"})
    configs: list[tuple[str, tuple[str, ...] | None, Config]] = [
        ("core", core, config),
        ("core-crf", core, crf_only),
        (
            "core+acts",
            tuple(n for n in names if n in {"attribution", "actors", "speech_acts"}),
            config,
        ),
        ("full", None, config),
    ]
    rounds: list[dict[str, dict[str, float]]] = []
    bare_nlp = _bare_nlp()
    for number in range(1, max(args.repeat, 1) + 1):
        results: dict[str, dict[str, float]] = {}
        wall, cpu = _bare(bare_nlp, texts, batch_size)
        results["bare"] = {"seconds": wall, "cpu_seconds": cpu}
        for label, stages, run_config in configs:
            wall, cpu = _claimgraph(texts, stages, run_config)
            results[label] = {"seconds": wall, "cpu_seconds": cpu}
        bare = results["bare"]
        for row in results.values():
            row["ratio_to_bare"] = bare["seconds"] / row["seconds"]
            row["cpu_ratio_to_bare"] = bare["cpu_seconds"] / row["cpu_seconds"]
        rounds.append(results)
        print(
            f"round {number}: "
            + ", ".join(
                f"{k} {v['seconds']:.1f} s ({v['ratio_to_bare']:.2f}x)" for k, v in results.items()
            ),
            flush=True,
        )
    results = {
        label: {
            key: statistics.median(r[label][key] for r in rounds)
            for key in ("seconds", "cpu_seconds", "ratio_to_bare", "cpu_ratio_to_bare")
        }
        for label in rounds[0]
    }
    for row in results.values():
        row["words_per_s"] = words / row["seconds"]
        row["articles_per_s"] = len(texts) / row["seconds"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{len(texts)} articles, {words} words; peak RSS {peak_mb:.0f} MB; "
        f"medians over {len(rounds)} round(s)"
    )
    print(
        f"{'run':<10} {'seconds':>8} {'words/s':>9} {'articles/s':>10} {'x bare':>7} "
        f"{'cpu s':>8} {'cpu x bare':>10}"
    )
    for label, row in results.items():
        print(
            f"{label:<10} {row['seconds']:>8.2f} {row['words_per_s']:>9.0f} "
            f"{row['articles_per_s']:>10.2f} {row['ratio_to_bare']:>7.2f} "
            f"{row['cpu_seconds']:>8.2f} {row['cpu_ratio_to_bare']:>10.2f}"
        )
    acts_cost = results["core+acts"]["seconds"] / results["core"]["seconds"] - 1
    late_cost = results["full"]["seconds"] / results["core+acts"]["seconds"] - 1
    print(f"speech acts add {acts_cost:+.1%} to core; evidence+credibility add {late_cost:+.1%}")
    ok = (
        results["core"]["ratio_to_bare"] >= 0.8
        and acts_cost <= 0.15
        and late_cost <= 0.20
        and peak_mb <= 1536
    )
    summary = {
        "articles": len(texts),
        "words": words,
        "peak_rss_mb": peak_mb,
        "runs": results,
        "rounds": rounds,
        "speech_acts_overhead": acts_cost,
        "evidence_credibility_overhead": late_cost,
        "targets_met": ok,
    }
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    print("targets met" if ok else "TARGETS NOT MET")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
