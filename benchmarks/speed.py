"""Speed benchmark: end-to-end ``analyze`` against a bare spaCy parse, in one process.

    python benchmarks/speed.py [--data ../shared/data/attribution/dev.jsonl] [--n 200]
                               [--repeat 3] [--processes-only]

First, in separate processes (loading included, as a user runs them), interleaved in
``--repeat`` rounds: ``claimgraph analyze TEXTS.jsonl -f jsonl`` (every stage, its default
``--workers auto`` or ``--workers N``) and ``analyze --workers 1`` against a bare
``nlp.pipe`` of the FULL pinned spaCy pipeline, each run's wall clock, CPU seconds (all
threads and worker processes), the peak RSS of its largest process and the peak of the
summed PSS of the process and its workers (shared pages counted once); targets: analyze
>= 1.5x the bare parse's words/s, analyze's memory (PSS with its workers) <= 1.2 GB.
The CPU profile of the full analysis in this process
follows (CPU seconds of the analysing thread per step, and of the encoder's thread).

Then (unless ``--processes-only``), in this one process, over the same texts:
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
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

    from claimgraph.config import Config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from spark import _tree  # noqa: E402  (the process and its descendants, from /proc)

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


# thinc imports torch wherever it is installed; the bare parse is spared that as
# claimgraph is (claimgraph.nlp.import_spacy), so that neither side pays for it.
_BARE_SCRIPT = """
import json, sys
sys.modules.setdefault("torch", None)
import spacy
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
nlp = spacy.load(sys.argv[2])
for _ in nlp.pipe(texts, batch_size=int(sys.argv[3])):
    pass
"""


def _memory_mb(pids: list[int]) -> tuple[float, float]:
    """The summed RSS and PSS of ``pids`` in MB (PSS counts a page shared by n
    processes as 1/n in each: the sum is the memory the processes hold together)."""
    rss = pss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return rss / 1024, pss / 1024


class _TreeMemory(threading.Thread):
    """Samples the summed RSS and PSS of a process and its descendants (worker
    processes) five times a second, keeping the peaks."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss = self.peak_pss = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            rss, pss = _memory_mb(_tree(self.pid))
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)


def _process(command: list[str]) -> dict[str, float]:
    """Run ``command``; its wall-clock seconds, CPU seconds (user + system, all threads and
    worker processes), peak RSS in MB of its largest process, and the peaks of the summed
    PSS and RSS of the process and its workers (sampled)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    memory = _TreeMemory(child.pid)
    memory.start()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    memory.done.set()
    memory.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[:4]} failed with status {status}")
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "peak_tree_pss_mb": memory.peak_pss,
        "peak_tree_rss_mb": memory.peak_rss,
    }


def _process_rounds(
    texts: list[str],
    words: int,
    repeat: int,
    model: str,
    batch_size: int,
    config: Path | None,
    workers: str | None,
) -> dict[str, object]:
    """The issue's comparison: ``claimgraph analyze`` (every stage, JSONL out) and a bare
    full-pipeline parse, each in its own process, loading included, in interleaved
    rounds."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "texts.jsonl"
        with data.open("w", encoding="utf-8") as handle:
            for number, text in enumerate(texts):
                handle.write(json.dumps({"id": f"t{number}", "text": text}) + "\n")
        bare = [sys.executable, "-c", _BARE_SCRIPT, str(data), model, str(batch_size)]
        analyze = [sys.executable, "-m", "claimgraph.cli", "analyze", str(data), "-f", "jsonl"]
        analyze += ["-o", str(Path(tmp) / "out.jsonl"), "--no-progress"]
        if config is not None:
            analyze += ["--config", str(config)]
        one = [*analyze, "--workers", "1"]
        if workers is not None:
            analyze += ["--workers", str(workers)]
        rounds = []
        for number in range(1, max(repeat, 1) + 1):
            row = {"bare": _process(bare), "analyze": _process(analyze)}
            row["analyze -j 1"] = _process(one)
            for label in ("analyze", "analyze -j 1"):
                row[label]["ratio_to_bare"] = row["bare"]["seconds"] / row[label]["seconds"]
            rounds.append(row)
            print(
                f"process round {number}: bare {row['bare']['seconds']:.1f} s, analyze "
                f"{row['analyze']['seconds']:.1f} s ({row['analyze']['ratio_to_bare']:.2f}x), "
                f"analyze -j 1 {row['analyze -j 1']['seconds']:.1f} s "
                f"({row['analyze -j 1']['ratio_to_bare']:.2f}x)",
                flush=True,
            )
    runs: dict[str, dict[str, float]] = {}
    keys = ("seconds", "cpu_seconds", "peak_rss_mb", "peak_tree_pss_mb", "peak_tree_rss_mb")
    for label in rounds[0]:
        runs[label] = {key: statistics.median(r[label][key] for r in rounds) for key in keys}
        runs[label]["words_per_s"] = words / runs[label]["seconds"]
        for key in ("peak_rss_mb", "peak_tree_pss_mb", "peak_tree_rss_mb"):
            runs[label]["max_" + key] = max(r[label][key] for r in rounds)
        if label != "bare":
            runs[label]["ratio_to_bare"] = statistics.median(
                r[label]["ratio_to_bare"] for r in rounds
            )
            runs[label]["cpu_ratio_to_bare"] = (
                runs["bare"]["cpu_seconds"] / runs[label]["cpu_seconds"]
            )
    print(
        f"{'process':<13} {'seconds':>8} {'words/s':>9} {'x bare':>7} {'cpu s':>8} "
        f"{'peak MB':>8} {'PSS MB':>7} {'sum RSS':>8}"
    )
    for label, row in runs.items():
        print(
            f"{label:<13} {row['seconds']:>8.2f} {row['words_per_s']:>9.0f} "
            f"{row.get('ratio_to_bare', 1.0):>7.2f} {row['cpu_seconds']:>8.2f} "
            f"{row['max_peak_rss_mb']:>8.0f} {row['max_peak_tree_pss_mb']:>7.0f} "
            f"{row['max_peak_tree_rss_mb']:>8.0f}"
        )
    for label in ("analyze", "analyze -j 1"):
        ratios = [r[label]["ratio_to_bare"] for r in rounds]
        print(f"{label} x bare by round: " + ", ".join(f"{r:.2f}" for r in ratios))
    print(
        "peak MB: the largest process (ru_maxrss); PSS MB: the process and its workers "
        "together, shared pages counted once (sampled 5 times a second); sum RSS: shared "
        "pages counted in every process"
    )
    return {"runs": runs, "rounds": rounds}


def _profile(texts: list[str], config: Config) -> dict[str, float]:
    """CPU seconds per step of the full analysis of ``texts`` in this process
    (:meth:`claimgraph.pipeline.Pipeline.profile`), after a warm-up."""
    from claimgraph.ingest import article_from_text
    from claimgraph.outputs import to_jsonl_line
    from claimgraph.pipeline import Pipeline

    pipeline = Pipeline(config)
    list(pipeline.analyze([article_from_text(t, config=config.ingest) for t in texts[:10]]))
    profile = pipeline.profile()
    started = time.thread_time()
    for result in pipeline.analyze(article_from_text(t, config=config.ingest) for t in texts):
        to_jsonl_line(result)
    total = time.thread_time() - started
    steps = {k: v for k, v in profile.items() if k != "encoder"}
    out = {**steps, "other (ingest, JSON)": total - sum(steps.values())}
    out["analysing thread"] = total
    out["encoder thread"] = profile.get("encoder", 0.0)
    print("CPU seconds of the full analysis (this process, warm): " + ", ".join(
        f"{k} {v:.1f}" for k, v in out.items()
    ))
    return out


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
    parser.add_argument(
        "--processes-only",
        action="store_true",
        help="only the per-process comparison and the profile (not the in-process runs)",
    )
    parser.add_argument(
        "--workers",
        help="analyze's --workers in the first comparison (default: its default, auto); "
        "analyze --workers 1 always runs beside it",
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
    processes = _process_rounds(
        texts, words, args.repeat, config.nlp.model, batch_size, args.config, args.workers
    )
    analyze_row = processes["runs"]["analyze"]  # type: ignore[index]
    process_ok = (
        analyze_row["ratio_to_bare"] >= 1.5 and analyze_row["max_peak_tree_pss_mb"] <= 1200
    )
    profile = _profile(texts, config)
    print(
        f"analyze {analyze_row['ratio_to_bare']:.2f}x bare (target >= 1.5x), peak RSS "
        f"{analyze_row['max_peak_tree_pss_mb']:.0f} MB PSS with its workers "
        "(target <= 1200 MB): "
        + ("met" if process_ok else "NOT MET")
    )
    if args.processes_only:
        if args.json:
            summary = {"articles": len(texts), "words": words, "processes": processes}
            summary["profile_cpu_seconds"] = profile
            args.json.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
        sys.exit(0 if process_ok else 1)
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
        process_ok
        and results["core"]["ratio_to_bare"] >= 0.8
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
        "processes": processes,
        "profile_cpu_seconds": profile,
    }
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    print("targets met" if ok else "TARGETS NOT MET")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
